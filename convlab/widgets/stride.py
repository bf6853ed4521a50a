"""The stride explorer: how far the window jumps, and the pixels it never visits (02)."""

from __future__ import annotations

import numpy as np

import convlab

from .explain import explain_conv, formula, highlight_cell, info_html, never_visited, \
    padded_kinds, torch_snippet, window_mask
from .frame import Explorer, html_outputs, int_sliders, ipw
from .inputs import teaching_grid, teaching_kernel
from .render import grid_html

__all__ = ["stride_explorer"]


def _leftover_text(n, k, s, p, never):
    """Why some pixels are never visited (or that every pixel is used)."""
    span = n + 2 * p - k
    rest = span % s
    reasons = []
    if rest:
        reasons.append(f"({n} + 2\u00b7{p} \u2212 {k}) = {span} leaves remainder {rest} when "
                       f"divided by the stride {s}: the last {rest} row(s) and column(s) "
                       f"are never reached")
    if s > k:
        reasons.append(f"the stride {s} is larger than the kernel {k}: the {s - k} row(s) and "
                       f"column(s) between neighbouring windows are skipped")
    if not reasons:
        leftover = (f"({n} + 2\u00b7{p} \u2212 {k}) = {span} is a multiple of the stride "
                    f"{s} and the windows touch or overlap: every pixel is used.")
    else:
        leftover = "; ".join(reasons) + f" ({never} input pixels never visited, hatched red)."
        if rest:
            leftover += (f" Input sizes {n - rest}\u2013{n - rest + s - 1} all give the same "
                         f"output size.")
    return f'<div style="font:13px sans-serif">{leftover}</div>'


def stride_explorer(size=7, kernel_size=3, stride=2, padding=0):
    """Watch a kernel jump by ``stride`` and see which input pixels are never visited.

    The window of the chosen output cell is outlined in orange; input cells no
    window ever reaches (when ``stride`` does not divide ``size + 2*padding -
    kernel_size``) are hatched red, and cells outside every window are faded.

    Parameters
    ----------
    size : int, default 7
        Input height and width, 3..12.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4.
    padding : int, default 0
        Zeros on every side, 0..2.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["never_visited"]`` counts the input pixels no
        window reaches.

    Examples
    --------
    >>> explorer = stride_explorer(size=8)
    >>> explorer.state["shape"]
    (3, 3)
    >>> explorer.state["never_visited"]   # row 7 and column 7 of the 8x8 input
    15
    """
    frame = Explorer("stride-explorer", "Stride explorer: how far the window jumps",
                     int_sliders(size=(size, 3, 12), kernel_size=(kernel_size, 1, 5),
                                 stride=(stride, 1, 4), padding=(padding, 0, 2)),
                     html_outputs(input="convlab-output", output="convlab-output",
                                  leftover="convlab-leftover", explain="convlab-explain",
                                  info="convlab-info"))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        n, k, s, p = (controls[key].value for key in ("size", "kernel_size", "stride", "padding"))
        image, kernel = teaching_grid(n, n, seed=n), teaching_kernel(k)
        result = convlab.correlate2d(image, kernel, stride=s, padding=p)
        r, c = frame.pick_cell(result.shape)
        pads = ((p, p), (p, p))
        padded = convlab.pad2d(image, pads)
        kinds, unvisited = never_visited(padded_kinds(image.shape, pads), result.shape, k, s)
        never = int(((kinds == "skip")).sum())
        outputs["input"].value = grid_html(
            padded, kinds=kinds, highlight=window_mask(padded.shape, r, c, (k, k), (s, s),
                                                       (1, 1)),
            dim=unvisited & (kinds != "skip"), title="input (window orange, never visited: red)")
        outputs["output"].value = grid_html(result, highlight=highlight_cell(result.shape, r, c),
                                            cmap="Purples", title="output")
        outputs["leftover"].value = _leftover_text(n, k, s, p, never)
        outputs["explain"].value = explain_conv(padded, kinds, kernel, r, c, (s, s), (1, 1),
                                                result[r, c], state=state)
        shown = formula(n, k, s, p, p, None, convlab.output_size(n, k, stride=s, padding=p))
        call = f"F.conv2d(x, w, stride={s}, padding={p})"
        setup = [f"x = torch.rand(1, 1, {n}, {n})", f"w = torch.rand(1, 1, {k}, {k})"]
        outputs["info"].value = info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", [shown],
            torch_snippet(setup, call, (1, 1) + result.shape,
                          f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={p})"))
        state.update(output=result, shape=result.shape, formula=[shown], torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]},
                     never_visited=never, input=image, kernel=kernel)

    w = ipw()
    return frame.build(outputs["info"], outputs["leftover"],
                       w.HBox([outputs["input"], outputs["output"]]), outputs["explain"],
                       update=update)
