"""The kernel explorer: slide a kernel over a photograph or a small grid (notebook 01)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

import convlab
from convlab import kernels as gallery
from convlab.padding import resolve_padding

from .explain import explain_conv, formula, highlight_cell, info_html, padded_kinds, \
    torch_snippet, window_mask
from .frame import Explorer, dropdown, html_output, image_output, ipw
from .inputs import photograph
from .render import colorize, fmt, grid_html, picture, row
from .upload import Uploads, upload_control

__all__ = ["kernel_explorer", "CUSTOM", "parse_kernel", "kernel_text"]

#: The kernel dropdown's entry for typed numbers.
CUSTOM = "custom (type below)"


def parse_kernel(text):
    """'1 0 -1; 2 0 -2' or lines of numbers -> 2-D float array (fractions like 1/9 allowed)."""
    text = text.replace("\u2212", "-").replace(";", "\n")
    rows = [r for r in text.splitlines() if r.strip()]
    if not rows:
        raise ValueError("the kernel is empty: type rows of numbers, one row per line")
    table = []
    for r in rows:
        try:
            table.append([float(Fraction(t)) for t in r.replace(",", " ").split()])
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"could not read the kernel row {r.strip()!r}: use numbers "
                             "separated by spaces, like 1 0 -1") from None
    widths = {len(r) for r in table}
    if len(widths) != 1:
        raise ValueError(f"every kernel row needs the same number of values, got rows of "
                         f"{sorted(widths)} values")
    kernel = np.array(table, dtype=float)
    if max(kernel.shape) > 9:
        raise ValueError(f"keep the kernel at most 9x9 here, got {kernel.shape[0]}x"
                         f"{kernel.shape[1]}")
    return kernel


def kernel_text(kernel):
    """A kernel as the numbers box shows it (4 decimals, rows on lines)."""
    return "\n".join(" ".join(fmt(v, 4).replace("\u2212", "-") for v in r) for r in kernel)


def _is_gallery_kernel(typed, name):
    """Whether typed kernel numbers (parsed; None if unreadable) are gallery kernel
    ``name``, to the 4 decimals the numbers box shows."""
    kernel = gallery.get(name)
    return (typed is not None and typed.shape == kernel.shape
            and bool(np.allclose(typed, kernel, rtol=0, atol=5e-5)))


def _sync_kernel_choice(controls, names, last):
    """Keep the dropdown and the typed numbers in step: a new choice shows its numbers;
    typed numbers that are a gallery kernel (as typed, or as shown to 4 decimals) give
    it its name, other numbers make it "custom"."""
    chosen = controls["kernel"].value
    try:
        typed = parse_kernel(controls["numbers"].value)
    except ValueError:
        typed = None  # reported when the kernel is read for the result
    if chosen != last[0] and chosen != CUSTOM:
        controls["numbers"].value = kernel_text(gallery.get(chosen))
    elif chosen == CUSTOM or not _is_gallery_kernel(typed, chosen):
        match = next((name for name in names if _is_gallery_kernel(typed, name)), None)
        controls["kernel"].value = CUSTOM if match is None else match
    last[0] = controls["kernel"].value


def _the_grid():
    grid = np.zeros((8, 8))
    grid[1:6, 2:4] = 9.0      # an asymmetric shape, so a flipped kernel visibly differs
    grid[4:6, 4:7] = 9.0
    grid[6, 1] = 5.0
    return grid


def _kernel_info(source, kernel, result, pads, padding, flipped):
    """The formulas, the PyTorch call and the info panel of the kernel explorer."""
    formulas = [f"{label}: " + formula(
        source.shape[axis], kernel.shape[axis], 1, *pads[axis], None,
        convlab.output_size(source.shape[axis], kernel.shape[axis], padding=pads[axis]))
        for axis, label in ((0, "height"), (1, "width"))]
    if padding == "same":
        side = "before (SciPy's rule for convolution)" if flipped else "after"
        formulas.append(f"'same' pads (top, bottom) = {pads[0]}, (left, right) = {pads[1]}"
                        f" (an odd total puts the extra pixel {side})")
    weight = "torch.flip(w, dims=(2, 3))" if flipped else "w"
    (t, b), (lf, rt) = pads
    if t == b and lf == rt:
        call = f"F.conv2d(x, {weight}, padding={(t, lf) if t != lf else t})"
    else:
        call = f"F.conv2d(F.pad(x, ({lf}, {rt}, {t}, {b})), {weight})"
    setup = [f"x = torch.rand(1, 1, {source.shape[0]}, {source.shape[1]})  # (N, C, H, W)",
             f"w = torch.rand(1, 1, {kernel.shape[0]}, {kernel.shape[1]})  # (out, in, kH, kW)"]
    extra = "# true convolution = cross-correlation with the flipped kernel" if flipped else ""
    info = info_html(f"{source.shape[0]}x{source.shape[1]} input \u2192 {result.shape[0]}x"
                     f"{result.shape[1]} output", formulas,
                     torch_snippet(setup, call, (1, 1) + result.shape, extra))
    return formulas, call, info


def _photo_pictures(outputs, colours, photo, result, pads, kernel_hw, r, c):
    """The photograph with the window outlined, and the result with the cell outlined."""
    (top, _), (left, _) = pads
    outputs["input"].value = picture(photo, rgb=colours["photo"], boxes=[
        (r - top, c - left, kernel_hw[0], kernel_hw[1])])
    outputs["output"].value = picture(result, rgb=colours["result"], boxes=[(r, c, 1, 1)])


def _grid_pictures(outputs, padded, kinds, result, kernel_hw, r, c):
    """The small grid, padded, with the window outlined, and the output grid."""
    outputs["input_grid"].value = grid_html(
        padded, kinds=kinds, title="input (padding hatched)",
        highlight=window_mask(padded.shape, r, c, kernel_hw, (1, 1), (1, 1)))
    outputs["output_grid"].value = grid_html(
        result, highlight=highlight_cell(result.shape, r, c), cmap="Purples", title="output")


def _kernel_controls(names, first):
    w = ipw()
    return {
        "kernel": dropdown("kernel", names + [CUSTOM], first),
        # Applied when the learner clicks outside the box, not at every keystroke
        # (a half-typed row would flash an error message).
        "numbers": w.Textarea(value=kernel_text(gallery.get(first)), description="numbers",
                              continuous_update=False,
                              layout=w.Layout(width="260px", height="90px")),
        "source": dropdown("input", ["photograph", "small grid"], "small grid"),
        "operation": dropdown("operation", ["cross-correlation (deep learning)",
                                            "true convolution (kernel flipped)"],
                              "cross-correlation (deep learning)", "320px"),
        "padding": dropdown("padding", ["valid", "same"], "valid"),
        "upload": upload_control(),
    }


def kernel_explorer(image=None):
    """Slide a kernel over a photograph or a small grid and explain any output pixel.

    Pick a kernel from :mod:`convlab.kernels` or type its numbers, apply it as
    cross-correlation (what deep-learning "convolution" does) or as true
    convolution (kernel flipped), and choose an output cell to see the sum of
    products behind it.

    Parameters
    ----------
    image : array_like, shape (H, W), (H, W, 3) or (3, H, W), optional
        Your own picture; colour is averaged to grey and large pictures are
        shrunk (by average pooling) to at most 96 pixels a side. Defaults to
        the sample photograph. The "your image" button takes a PNG or JPEG
        file instead (resized to 96 pixels on its longer side); a file that
        cannot be read gets a message, and the next move brings back the
        picture the explorer had.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``.controls``, ``.outputs`` and ``.state`` expose its parts.

    Examples
    --------
    >>> explorer = kernel_explorer()
    >>> explorer.controls["kernel"].value = "sharpen"
    >>> explorer.state["error"] is None
    True
    """
    held, grid = {"photo": photograph(image)}, _the_grid()
    names = list(gallery.names())
    first = "sobel_x" if "sobel_x" in names else names[0]
    w = ipw()
    frame = Explorer("kernel-explorer", "Kernel explorer: slide a kernel, explain a pixel",
                     _kernel_controls(names, first), {
        "input": image_output(), "output": image_output(),
        "input_grid": html_output("convlab-output"), "output_grid": html_output("convlab-output"),
        "kernel": html_output("convlab-kernel"), "explain": html_output("convlab-explain"),
        "info": html_output("convlab-info")})
    controls, outputs, state = frame.controls, frame.outputs, frame.state
    colours = {"photo": colorize(held["photo"])}     # the photograph coloured once
    last_kernel = [first]
    uploads = Uploads(controls["upload"])

    def update():
        uploaded = uploads.new_picture()
        if uploaded is not None:
            held["photo"] = photograph(uploaded)
            colours.pop("key", None)
            colours["photo"] = colorize(held["photo"])
            controls["source"].value = "photograph"
        photo = held["photo"]
        source = photo if controls["source"].value == "photograph" else grid
        _sync_kernel_choice(controls, names, last_kernel)
        flipped = controls["operation"].value.startswith("true")
        padding = controls["padding"].value
        kernel = parse_kernel(controls["numbers"].value)
        result = (convlab.convolve2d if flipped else convlab.correlate2d)(
            source, kernel, padding=padding)
        pads = resolve_padding(padding, source.shape, kernel.shape)
        if flipped and padding == "same":
            # convolve2d follows SciPy: for an even kernel the odd 'same' pixel goes
            # before (top/left), the mirror of correlation's rule.
            pads = tuple((after, before) for before, after in pads)
        used = kernel[::-1, ::-1] if flipped else kernel
        r, c = frame.pick_cell(result.shape)
        padded, kinds = convlab.pad2d(source, pads), padded_kinds(source.shape, pads)
        is_photo = source is photo
        frame.hide(*(("input_grid", "output_grid") if is_photo else ("input", "output")))
        if is_photo:
            # The result is coloured once per new result: a cell move then only copies
            # colours, outlines the window and encodes.
            key = (kernel.tobytes(), kernel.shape, flipped, padding)
            if colours.get("key") != key:
                colours["key"], colours["result"] = key, colorize(result)
            _photo_pictures(outputs, colours, source, result, pads, kernel.shape, r, c)
        else:
            _grid_pictures(outputs, padded, kinds, result, kernel.shape, r, c)
        shown = [grid_html(kernel, cmap="Oranges", title="kernel", digits=3)]
        if flipped:
            shown += ["\u2192 flip both axes \u2192",
                      grid_html(used, cmap="Oranges", title="flipped", digits=3)]
        outputs["kernel"].value = row(*shown)
        outputs["explain"].value = explain_conv(
            padded, kinds, used, r, c, (1, 1), (1, 1), result[r, c],
            digits=3 if is_photo else 2, flipped=flipped, state=state)
        formulas, call, outputs["info"].value = _kernel_info(source, kernel, result, pads,
                                                             padding, flipped)
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": source[None, None], "w": kernel[None, None]},
                     kernel=kernel, input=source)

    pictures = w.HBox([outputs["input"], outputs["input_grid"], outputs["output"],
                       outputs["output_grid"]])
    return frame.build(w.VBox([outputs["kernel"], outputs["info"]]), pictures,
                       outputs["explain"], update=update)
