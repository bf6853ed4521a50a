"""The padding explorer: amounts, 'valid'/'same'/'full' and the four modes (05)."""

from __future__ import annotations

import numpy as np

import convlab
from convlab.padding import resolve_padding

from .explain import explain_conv, formula, highlight_cell, info_html, padded_kinds, \
    torch_snippet, window_mask
from .frame import Explorer, caption, dropdown, html_outputs, image_output, ipw, slider
from .inputs import photograph, teaching_kernel
from .render import colorize, grid_html, picture

__all__ = ["padding_explorer"]

_CHOICES = [("0", 0), ("1", 1), ("2", 2), ("3", 3),
            ("'valid'", "valid"), ("'same'", "same"), ("'full'", "full")]
_TORCH_PAD_MODE = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate",
                   "circular": "circular"}


def _padding_formulas(padding, pads, k, s):
    o = convlab.output_size(5, k, stride=s, padding=pads[0])
    formulas = [formula(5, k, s, *pads[0], None, o)]
    if padding == "same":
        before, after = convlab.same_padding(5, k, s)
        total = before + after
        formulas.append(f"'same': output = ceil(5 / {s}) = {o}; total padding = max(0, "
                        f"({o}\u22121)\u00b7{s} + {k} \u2212 5) = {total}; "
                        f"before = {total}//2 = {before}, after = {after}"
                        + (" (the odd pixel goes after: bottom/right)"
                           if before != after else ""))
    elif padding == "full":
        formulas.append(f"'full': k \u2212 1 = {k - 1} on every side")
    return formulas


def _padding_call(mode, pads, k, s):
    """The PyTorch call for these pads and mode, and the comment under it."""
    (t, b), (lf, rt) = pads
    if mode == "zeros" and t == b:
        return (f"F.conv2d(x, w, stride={s}, padding={t})",
                f"# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={t})")
    call = (f"F.conv2d(F.pad(x, ({lf}, {rt}, {t}, {b}), mode={_TORCH_PAD_MODE[mode]!r}), w, "
            f"stride={s})")
    extra = ("# F.pad takes (left, right, top, bottom)" if t == b else
             "# asymmetric: F.pad takes (left, right, top, bottom)")
    if t == b:
        extra += (f"\n# or nn.Conv2d(1, 1, kernel_size={k}, stride={s}, padding={t}, "
                  f"padding_mode={mode!r})")
    return call, extra


def padding_explorer(image=None):
    """Padding amounts, 'valid'/'same'/'full', and the four padding modes.

    Shows a 5x5 grid whose values give their position (so you can see which
    value each padding mode copies), its convolution with the chosen padding,
    and the top-left corner of the photograph padded the same way.

    Parameters
    ----------
    image : array_like, optional
        Your own picture for the border view; defaults to the sample photograph.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["pads"]`` holds ``((top, bottom), (left, right))``
        as resolved from the chosen padding.

    Examples
    --------
    >>> explorer = padding_explorer()
    >>> explorer.controls["padding"].value = "same"
    >>> explorer.controls["kernel_size"].value = 4
    >>> explorer.state["pads"]
    ((1, 2), (1, 2))
    """
    photo = photograph(image)
    corner = photo[:24, :24]
    grid = np.arange(1.0, 26.0).reshape(5, 5)
    frame = Explorer("padding-explorer", "Padding explorer: what goes around the border", {
        "padding": dropdown("padding", _CHOICES, 1),
        "mode": dropdown("mode", ["zeros", "reflect", "replicate", "circular"], "zeros"),
        "kernel_size": slider("kernel size", 3, 1, 5),
        "stride": slider("stride", 1, 1, 3),
    }, dict(html_outputs(input="convlab-output", output="convlab-output"), photo=image_output(),
            **html_outputs(explain="convlab-explain", info="convlab-info")))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        padding, mode = controls["padding"].value, controls["mode"].value
        k, s = controls["kernel_size"].value, controls["stride"].value
        kernel = teaching_kernel(k)
        pads = resolve_padding(padding, grid.shape, (k, k), (s, s))
        result = convlab.correlate2d(grid, kernel, stride=s, padding=padding,
                                     padding_mode=mode)
        padded = convlab.pad2d(grid, pads, mode=mode)
        photo_pads = resolve_padding(padding, photo.shape, (k, k), (s, s))
        padded_photo = convlab.pad2d(photo, photo_pads, mode=mode)
        r, c = frame.pick_cell(result.shape)
        kinds = padded_kinds(grid.shape, pads)
        outputs["input"].value = grid_html(
            padded, kinds=kinds, highlight=window_mask(padded.shape, r, c, (k, k), (s, s), (1, 1)),
            title=f"padded input ({mode})")
        outputs["output"].value = grid_html(result, highlight=highlight_cell(result.shape, r, c),
                                            cmap="Purples", title="output")
        (top, _), (left, _) = photo_pads
        view = padded_photo[:top + corner.shape[0], :left + corner.shape[1]]
        outputs["photo"].value = picture(
            view, rgb=colorize(view, "gray", 0.0, 1.0),
            boxes=[(top, left, corner.shape[0] + 2, corner.shape[1] + 2)], view=200)
        outputs["explain"].value = explain_conv(padded, kinds, kernel, r, c, (s, s), (1, 1),
                                                result[r, c], state=state)
        formulas = _padding_formulas(padding, pads, k, s)
        call, extra = _padding_call(mode, pads, k, s)
        outputs["info"].value = info_html(
            f"5x5 \u2192 {result.shape[0]}x{result.shape[1]}; pads (top, bottom) = {pads[0]}, "
            f"(left, right) = {pads[1]}", formulas,
            torch_snippet(["x = torch.arange(1., 26.).reshape(1, 1, 5, 5)",
                           f"w = torch.rand(1, 1, {k}, {k})"], call, (1, 1) + result.shape,
                          extra))
        state.update(output=result, shape=result.shape, pads=pads, formula=formulas,
                     torch_call=call, input=grid, kernel=kernel,
                     torch_inputs={"x": grid[None, None], "w": kernel[None, None]})

    w = ipw()
    return frame.build(outputs["info"], w.HBox([
        outputs["input"], outputs["output"],
        w.VBox([caption("the photograph's top-left corner, padded the same way (orange: "
                        "the original border)"), outputs["photo"]])]),
        outputs["explain"], update=update)
