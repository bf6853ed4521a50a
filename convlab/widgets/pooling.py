"""The pooling explorer: max or average over a window, with padding and ceil_mode (04)."""

from __future__ import annotations

import numpy as np

import convlab
from convlab._checks import check_choice, check_int

from .explain import formula, highlight_cell, info_html, never_visited, padded_kinds, \
    torch_snippet, verdict, window_mask, window_values
from .frame import Explorer, dropdown, html_outputs, ipw, slider
from .inputs import teaching_grid
from .render import fmt, grid_html, row

__all__ = ["pooling_explorer"]


def _pooled_cell(kind, window, wkinds, include):
    """How output cell's value comes from its window: (value, written sum, note, count,
    the values taken)."""
    inside = wkinds != "outside"
    if kind == "max":
        values = window[inside]
        return (float(values.max()), f"max({', '.join(fmt(v) for v in values)})",
                "padding counts as \u2212\u221e, so it never wins", values.size, values)
    counted = inside if include else wkinds == "in"
    count = int(counted.sum())
    values = window[counted]
    note = ("divide by the window cells inside the padded input (padding zeros "
            "included)" if include else "divide by the real input cells only")
    return (float(values.sum() / count), f"({' + '.join(fmt(v) for v in values)}) / {count}",
            note, count, values)


def _pooled_text(r, c, how, total, note, core_value, mark):
    return (f'<div style="font:12px monospace">output[{r}, {c}] = {how} = <b>{fmt(total, 4)}'
            f'</b><br>{note}<br>the core computes <b class="convlab-explain-value" '
            f'data-value="{float(core_value)!r}">{fmt(core_value, 4)}</b>: {mark}</div>')


def _pooling_formulas(n, k, s, p, ceil_mode):
    o = convlab.output_size(n, k, stride=s, padding=p, ceil_mode=ceil_mode)
    if not ceil_mode:
        return [formula(n, k, s, p, p, None, o)]
    rounded_up = -(-(n + 2 * p - k) // s) + 1
    if rounded_up == o:
        return [formula(n, k, s, p, p, None, o, ceil_mode=True),
                "ceil_mode rounds up: a last, partial window is kept"]
    # torch's rule: a last window that would start in the bottom/right padding (or
    # beyond) is dropped.
    shown = formula(n, k, s, p, p, None, f"{rounded_up} \u2212 1", True)
    shown = shown.replace(f"= {rounded_up} \u2212 1", f"\u2212 {rounded_up - o} = {o}")
    return [shown, f"\u2212 1: the last window would start at row "
                   f"{(rounded_up - 1) * s} of the padded grid, in the bottom padding (the "
                   f"input's last row is row {n + p - 1}), so ceil_mode drops it"]


def _pooling_info(kind, n, k, s, p, ceil_mode, include, formulas, shape):
    """The PyTorch call and the info panel."""
    fn = "max_pool2d" if kind == "max" else "avg_pool2d"
    args = f"kernel_size={k}, stride={s}, padding={p}, ceil_mode={ceil_mode}"
    if kind == "avg":
        args += f", count_include_pad={include}"
    call = f"F.{fn}(x, {args})"
    return call, info_html(
        f"{n}x{n} \u2192 {shape[0]}x{shape[1]}", formulas,
        torch_snippet([f"x = torch.rand(1, 1, {n}, {n})"], call, (1, 1) + shape,
                      f"# or nn.{'MaxPool2d' if kind == 'max' else 'AvgPool2d'}({args})"))


def _fit_padding(pad_slider, k):
    """Padding beyond half the window would make windows of padding only: PyTorch
    refuses it, so the slider never offers it."""
    if pad_slider.max != k // 2:
        if pad_slider.value > k // 2:
            pad_slider.value = k // 2
        pad_slider.max = k // 2
    return pad_slider.value


def pooling_explorer(size=7, kernel_size=2, stride=2, mode="max"):
    """Max or average pooling on a small grid, with padding and ``ceil_mode``.

    Parameters
    ----------
    size : int, default 7
        Input height and width, 2..10 (odd by default so ``ceil_mode`` matters).
    kernel_size : int, default 2
        Window side, 1..4.
    stride : int, default 2
        1..4.
    mode : {'max', 'avg'}, default 'max'

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["count"]`` is the divisor of the explained
        average (or the number of values a max compared), and
        ``state["never_visited"]`` counts the input cells no window reaches
        (hatched red, as in the stride explorer).

    Examples
    --------
    >>> explorer = pooling_explorer()
    >>> explorer.state["shape"], explorer.state["never_visited"]
    ((3, 3), 13)
    >>> explorer.controls["ceil_mode"].value = True
    >>> explorer.state["shape"]
    (4, 4)
    """
    size = check_int(size, "size", minimum=2, maximum=10)
    kernel_size = check_int(kernel_size, "kernel_size", minimum=1, maximum=4)
    stride = check_int(stride, "stride", minimum=1, maximum=4)
    mode = check_choice(mode, "mode", ("max", "avg"))
    w = ipw()
    frame = Explorer("pooling-explorer", "Pooling explorer: max or average over a window", {
        "mode": dropdown("pooling", ["max", "avg"], mode),
        "size": slider("input size", size, 2, 10),
        "kernel_size": slider("window", kernel_size, 1, 4),
        "stride": slider("stride", stride, 1, 4),
        "padding": slider("padding", 0, 0, 2),
        "ceil_mode": w.Checkbox(value=False, description="ceil_mode"),
        "count_include_pad": w.Checkbox(value=True, description="count_include_pad (avg)"),
    }, html_outputs(input="convlab-output", output="convlab-output", explain="convlab-explain",
                    info="convlab-info"))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        kind = controls["mode"].value
        n, k, s = controls["size"].value, controls["kernel_size"].value, controls["stride"].value
        p = _fit_padding(controls["padding"], k)
        ceil_mode, include = controls["ceil_mode"].value, controls["count_include_pad"].value
        controls["count_include_pad"].disabled = kind == "max"
        image = teaching_grid(n, n, seed=10 + n)
        if kind == "max":
            result = convlab.max_pool2d(image, k, stride=s, padding=p, ceil_mode=ceil_mode)
        else:
            result = convlab.avg_pool2d(image, k, stride=s, padding=p, ceil_mode=ceil_mode,
                                        count_include_pad=include)
        r, c = frame.pick_cell(result.shape)
        # The canvas: input, its padding ring, and any cells a ceil_mode window hangs over.
        extra = [max(0, (result.shape[a] - 1) * s + k - (n + 2 * p)) for a in (0, 1)]
        pads = ((p, p), (p, p))
        padded = convlab.pad2d(image, pads, mode="constant",
                               value=-np.inf if kind == "max" else 0.0)
        canvas = np.pad(padded, ((0, extra[0]), (0, extra[1])), constant_values=np.nan)
        kinds, _ = never_visited(padded_kinds(image.shape, pads, extra), result.shape, k, s)
        never = int((kinds == "skip").sum())
        outputs["input"].value = grid_html(
            canvas, kinds=kinds, highlight=window_mask(canvas.shape, r, c, (k, k), (s, s), (1, 1)),
            title="input (padding hatched, beyond the padding dotted, in no window: red)")
        outputs["output"].value = grid_html(result, highlight=highlight_cell(result.shape, r, c),
                                            cmap="Purples", title=f"{kind} pooled")
        window = window_values(canvas, r, c, (k, k), (s, s), (1, 1))
        wkinds = window_values(kinds, r, c, (k, k), (s, s), (1, 1))
        core_value = float(result[r, c])
        total, how, note, count, values = _pooled_cell(kind, window, wkinds, include)
        ok, mark = verdict(total, core_value)
        outputs["explain"].value = row(
            grid_html(window, kinds=wkinds, title="window"),
            _pooled_text(r, c, how, total, note, core_value, mark))
        formulas = _pooling_formulas(n, k, s, p, ceil_mode)
        call, outputs["info"].value = _pooling_info(kind, n, k, s, p, ceil_mode, include,
                                                    formulas, result.shape)
        state.update(output=result, shape=result.shape, formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None]}, cell=(r, c), window=window,
                     explained_sum=total, cell_value=core_value, explain_ok=ok, count=count,
                     input=image, products=values, never_visited=never)

    return frame.build(outputs["info"], w.HBox([outputs["input"], outputs["output"]]),
                       outputs["explain"], update=update)
