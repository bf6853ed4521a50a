"""The convolution arithmetic explorer: size, kernel, stride, padding, dilation (06)."""

from __future__ import annotations

import numpy as np

import convlab

from .explain import explain_conv, formula, highlight_cell, info_html, padded_kinds, \
    torch_snippet, window_mask
from .frame import Explorer, html_outputs, int_sliders, ipw
from .inputs import teaching_grid, teaching_kernel
from .render import grid_html

__all__ = ["arithmetic_explorer"]


def arithmetic_explorer(size=5, kernel_size=3, stride=2, padding=1, dilation=1):
    """Input size, kernel, stride, padding and dilation together, cell by cell.

    An interactive version of the convolution-arithmetic animations: the input
    with its padding ring, the (dilated) window of the chosen output cell,
    and the output grid.

    Parameters
    ----------
    size : int, default 5
        Input height and width, 1..12.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4.
    padding : int, default 1
        0..4 on every side.
    dilation : int or None, default 1
        1..3 (1 is an ordinary kernel). None leaves dilation out: no dilation
        slider, and the size rule written as notebooks 00-05 teach it,
        ``floor((i + 2p - k) / s) + 1``.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["formula"]`` holds the size rule with the
        numbers substituted, first the output size, then (with dilation) the
        dilated extent.

    Examples
    --------
    >>> explorer = arithmetic_explorer()
    >>> explorer.state["shape"]
    (3, 3)
    >>> explorer.state["formula"][0]
    'floor((5 + 2·1 − (1·(3−1) + 1)) / 2) + 1 = 3'
    >>> arithmetic_explorer(dilation=None).state["formula"][0]
    'floor((5 + 2·1 − 3) / 2) + 1 = 3'
    """
    taught = dilation is not None
    sliders = dict(size=(size, 1, 12), kernel_size=(kernel_size, 1, 5),
                   stride=(stride, 1, 4), padding=(padding, 0, 4))
    if taught:
        sliders["dilation"] = (dilation, 1, 3)
    frame = Explorer("arithmetic-explorer", "Convolution arithmetic explorer",
                     int_sliders(**sliders),
                     html_outputs(input="convlab-output", output="convlab-output",
                                  kernel="convlab-kernel", explain="convlab-explain",
                                  info="convlab-info"))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        n, k, s, p = (controls[key].value for key in ("size", "kernel_size", "stride",
                                                      "padding"))
        d = controls["dilation"].value if taught else 1
        image, kernel = teaching_grid(n, n, seed=20 + n), teaching_kernel(k)
        result = convlab.correlate2d(image, kernel, stride=s, padding=p, dilation=d)
        r, c = frame.pick_cell(result.shape)
        pads = ((p, p), (p, p))
        padded, kinds = convlab.pad2d(image, pads), padded_kinds(image.shape, pads)
        extent = d * (k - 1) + 1
        span = np.zeros(padded.shape, dtype=bool)
        span[r * s:r * s + extent, c * s:c * s + extent] = True
        outputs["input"].value = grid_html(
            padded, kinds=kinds, highlight=window_mask(padded.shape, r, c, (k, k), (s, s), (d, d)),
            dim=~span, title="input + padding ring (orange: the taps of the chosen output cell)")
        outputs["output"].value = grid_html(result, highlight=highlight_cell(result.shape, r, c),
                                            cmap="Purples", title="output")
        outputs["kernel"].value = grid_html(kernel, cmap="Oranges", title="kernel")
        outputs["explain"].value = explain_conv(padded, kinds, kernel, r, c, (s, s), (d, d),
                                                result[r, c], state=state)
        o = convlab.output_size(n, k, stride=s, padding=p, dilation=d)
        formulas = [formula(n, k, s, p, p, d if taught else None, o)]
        if taught:
            formulas.append(f"dilated kernel extent k' = d(k\u22121) + 1 = {d}\u00b7({k}\u22121)"
                            f" + 1 = {extent}")
        rest = (n + 2 * p - extent) % s
        if rest:
            formulas.append(f"({n} + 2\u00b7{p} \u2212 {extent}) mod {s} = {rest}: the last "
                            f"{rest} row(s)/column(s) are never reached")
        more = f", dilation={d}" if taught else ""
        call = f"F.conv2d(x, w, stride={s}, padding={p}{more})"
        outputs["info"].value = info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", formulas,
            torch_snippet([f"x = torch.rand(1, 1, {n}, {n})", f"w = torch.rand(1, 1, {k}, {k})"],
                          call, (1, 1) + result.shape,
                          f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={p}"
                          f"{more})"))
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]},
                     input=image, kernel=kernel)

    w = ipw()
    return frame.build(outputs["info"],
                       w.HBox([outputs["input"], outputs["kernel"], outputs["output"]]),
                       outputs["explain"], update=update)
