"""The groups explorer: ordinary, grouped and depthwise convolution, counted (notebook 10)."""

from __future__ import annotations

import html

import numpy as np

import convlab

from .explain import info_html, torch_snippet, verdict
from .frame import Explorer, dropdown, html_outputs, int_sliders, ipw
from .render import grid_html

__all__ = ["groups_explorer", "connections"]


def _divisors(in_channels, out_channels):
    """The groups a layer can have: every common divisor of its channel counts."""
    return [g for g in range(1, min(in_channels, out_channels) + 1)
            if in_channels % g == 0 and out_channels % g == 0]


def _kind(groups, in_channels, out_channels):
    if groups == 1:
        return "ordinary"
    if groups == in_channels:
        return "depthwise" + (f" (x{out_channels // in_channels} per channel)"
                              if out_channels != in_channels else "")
    return f"grouped, {groups} groups"


def connections(in_channels, out_channels, groups):
    """Which input channels each output channel reads, found by running the core.

    Each input channel is lit alone (ones in that channel, zeros elsewhere) and
    pushed through :func:`convlab.conv2d` with ``groups`` and an all-ones
    weight: output channel ``o`` reads input channel ``c`` exactly when it
    lights up. Returns an ``(out_channels, in_channels)`` array of 0/1.

    Examples
    --------
    >>> connections(4, 2, groups=2)       # output 0 reads inputs 0-1, output 1 inputs 2-3
    array([[1., 1., 0., 0.],
           [0., 0., 1., 1.]])
    """
    weight = np.ones((out_channels, in_channels // groups, 1, 1))
    lit = np.eye(in_channels).reshape(in_channels, in_channels, 1, 1)   # image c: channel c lit
    return (convlab.conv2d(lit, weight, groups=groups)[:, :, 0, 0].T != 0).astype(float)


def _counts_html(c, o, g, k, n, out):
    per_filter = c // g * k * k
    rows = [("weight shape", f"({o}, {c}/{g} = {c // g}, {k}, {k})"),
            ("parameters", f"{o}\u00b7{c // g}\u00b7{k}\u00b7{k} + {o} (bias) = "
                           f"{o * per_filter + o:,}"),
            ("multiplies per output pixel", f"{c // g}\u00b7{k}\u00b7{k} = {per_filter}"),
            ("multiplies for one image", f"{o}\u00b7{out}\u00b7{out}\u00b7{per_filter} = "
                                         f"{o * out * out * per_filter:,}"),
            ("against groups=1", f"1/{g} of the weights and of the multiplies"
                                 if g > 1 else "this is the ordinary layer")]
    cells = "".join(f"<tr><td style='padding:1px 8px 1px 0'>{html.escape(a)}</td>"
                    f"<td style='font-family:monospace'>{html.escape(b)}</td></tr>"
                    for a, b in rows)
    return (f'<table style="font:13px sans-serif;margin:4px 0">'
            f'<caption style="caption-side:top;text-align:left;font-weight:bold">'
            f'{html.escape(_kind(g, c, o))} layer on a {n}x{n} input</caption>{cells}</table>')


def _explain(wires, r, c, groups, in_channels, out_channels):
    """``(html, agrees)``: whether output channel r reads input channel c, worked out from
    the channel counts, and whether that agrees with what the core's run lit up."""
    per_in, per_out = in_channels // groups, out_channels // groups
    group = r // per_out
    first, last = group * per_in, group * per_in + per_in - 1
    wired = first <= c <= last
    ok, mark = verdict(float(wired), wires[r, c])
    seen = f"input channels {first}\u2013{last}" if per_in > 1 else f"input channel {first}"
    reason = (f"it reads input channel {c} through kernel weight[{r}, {c} \u2212 {first}]"
              if wired else f"input channel {c} never reaches it")
    text = (f'<div style="font:12px monospace;margin-top:4px">output channel {r} is in group '
            f"{r} // {per_out} = {group}, which reads {html.escape(seen)}: {reason}.<br>"
            f"wired[{r}, {c}] = <b>{int(wired)}</b>  (the core lights "
            f'<b class="convlab-explain-value" data-value="{float(wires[r, c])!r}">'
            f"{int(wires[r, c])}</b>: {mark})</div>")
    return text, ok


def groups_explorer(in_channels=8, out_channels=8, groups=2, kernel_size=3, size=16):
    """Move ``groups`` and watch which input channels feed each output channel.

    The grid shows output channels as rows and input channels as columns; a
    lit cell means that output channel reads that input channel (found by
    running :func:`convlab.conv2d` itself, see :func:`connections`). Beside it,
    the weight shape, the parameter count and the multiplies, from the
    ordinary layer (``groups=1``) to depthwise (``groups = in_channels``).
    Only the groups that divide both channel counts are offered.

    Parameters
    ----------
    in_channels, out_channels : int, default 8
        1..16.
    groups : int, default 2
        Must divide both channel counts.
    kernel_size : int, default 3
        1..7.
    size : int, default 16
        Input height and width, 8..64.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state`` holds ``output`` (the connection grid),
        ``parameters``, ``multiplies`` and ``weight_shape``.

    Examples
    --------
    >>> explorer = groups_explorer(in_channels=4, out_channels=4, groups=4)
    >>> explorer.state["parameters"]     # depthwise: 4 kernels of 3x3, plus 4 biases
    40
    >>> int(explorer.state["output"].sum())   # each output channel reads one input channel
    4
    """
    if groups not in _divisors(in_channels, out_channels):
        raise ValueError(f"groups must divide in_channels={in_channels} and "
                         f"out_channels={out_channels}, got {groups}; choose one of "
                         f"{_divisors(in_channels, out_channels)}")
    sliders = int_sliders(in_channels=(in_channels, 1, 16), out_channels=(out_channels, 1, 16),
                          kernel_size=(kernel_size, 1, 7), size=(size, 8, 64))
    sliders["groups"] = dropdown("groups", _divisors(in_channels, out_channels), groups,
                                 width="160px")
    frame = Explorer("groups-explorer", "Groups explorer: which channels meet", sliders,
                     html_outputs(output="convlab-output", counts="convlab-output",
                                  explain="convlab-explain", info="convlab-info"),
                     cell=("explain output channel", "explain input channel"))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        c, o, k, n = (controls[key].value
                      for key in ("in_channels", "out_channels", "kernel_size", "size"))
        options = _divisors(c, o)
        if list(controls["groups"].options) != options:
            keep = controls["groups"].value
            controls["groups"].options = options
            controls["groups"].value = keep if keep in options else max(
                d for d in options if d <= keep)
        g = controls["groups"].value
        wires = connections(c, o, g)
        r, col = frame.pick_cell(wires.shape)
        out = convlab.output_size(n, k, padding="same")
        mark = np.zeros(wires.shape, dtype=bool)
        mark[r, col] = True
        outputs["output"].value = grid_html(wires, highlight=mark, cmap="Greens", digits=0,
                                            px=18, title="output channel (rows) reads input "
                                                         "channel (columns): 1 = wired")
        outputs["counts"].value = _counts_html(c, o, g, k, n, out)
        outputs["explain"].value, agrees = _explain(wires, r, col, g, c, o)
        call = f"F.conv2d(x, w, padding='same', groups={g})"
        outputs["info"].value = info_html(
            f"{c} channels \u2192 {o} channels", [],
            torch_snippet([f"x = torch.rand(1, {c}, {n}, {n})",
                           f"w = torch.rand({o}, {c // g}, {k}, {k})"], call,
                          (1, o, out, out),
                          f"# or nn.Conv2d({c}, {o}, kernel_size={k}, padding='same', "
                          f"groups={g})"))
        state.update(output=wires, shape=wires.shape, weight_shape=(o, c // g, k, k),
                     parameters=o * (c // g) * k * k + o,
                     multiplies=o * out * out * (c // g) * k * k, torch_call=call,
                     groups=g, cell=(r, col), cell_value=float(wires[r, col]),
                     explain_ok=agrees)

    w = ipw()
    return frame.build(outputs["info"], w.HBox([outputs["output"], outputs["counts"]]),
                       outputs["explain"], update=update)
