"""The transposed convolution explorer: stamps that overlap, and inserted zeros (08)."""

from __future__ import annotations

import numpy as np

import convlab

from .explain import highlight_cell, info_html, torch_snippet, verdict, window_mask, \
    window_values
from .frame import Explorer, html_outputs, int_sliders, ipw
from .inputs import teaching_grid
from .render import fmt, grid_html, row

__all__ = ["transposed_explorer"]


def _inserted_view(x, stride, pad_before, pad_after):
    """``x`` with ``stride - 1`` zeros between its pixels, padded (or cropped, when negative).

    Returns the values and the cell kinds ('in', 'zero' for inserted zeros,
    'pad' for the border), as :func:`convlab.widgets.render.grid_html` draws them.
    """
    n_rows, n_cols = x.shape
    spread = np.zeros(((n_rows - 1) * stride + 1, (n_cols - 1) * stride + 1))
    spread[::stride, ::stride] = x
    kinds = np.full(spread.shape, "zero", dtype=object)
    kinds[::stride, ::stride] = "in"
    grow = ((max(pad_before, 0), max(pad_after, 0)),) * 2
    spread = np.pad(spread, grow)
    kinds = np.pad(kinds, grow, constant_values="pad")
    cut_before, cut_after = max(-pad_before, 0), max(-pad_after, 0)
    end_r, end_c = spread.shape[0] - cut_after, spread.shape[1] - cut_after
    return (spread[cut_before:end_r, cut_before:end_c],
            kinds[cut_before:end_r, cut_before:end_c])


def _stamps_on(r, c, n, k, s, p, d):
    """The (input row, input col, tap row, tap col) pairs whose stamp lands on (r, c)."""
    terms = []
    for i in range(n):
        for a in range(k):
            if i * s + a * d - p != r:
                continue
            for j in range(n):
                for b in range(k):
                    if j * s + b * d - p == c:
                        terms.append((i, j, a, b))
    return terms


def _explain_transposed(st, s, p, d):
    """Both views of one output cell: the stamps that land on it, and the flipped
    kernel's window over the zero-inserted input."""
    image, kernel, terms, (r, c) = st["input"], st["kernel"], st["terms"], st["cell"]
    k = kernel.shape[0]
    _, mark = verdict(st["explained_sum"], st["cell_value"])
    if terms:
        written = " + ".join(f"x[{i},{j}]\u00b7w[{a},{b}]" for i, j, a, b in terms)
        numbers = " + ".join(f"{fmt(image[i, j])}\u00b7{fmt(kernel[a, b])}"
                             for i, j, a, b in terms)
        scatter = f"{written}<br>= {numbers}"
    else:
        scatter = ("no stamp reaches this cell (it lies in a gap the stride leaves, or in "
                   "the output_padding strip): 0")
    flipped, window = kernel[::-1, ::-1], st["window"]
    return (
        f'<div style="font:12px sans-serif">Scatter view: input pixel x[i, j] puts '
        f"x[i, j]\u00b7w[a, b] on output cell (i\u00b7{s} + a\u00b7{d} \u2212 {p}, "
        f"j\u00b7{s} + b\u00b7{d} \u2212 {p}); these land on ({r}, {c}):</div>"
        f'<div style="font:12px monospace;margin-top:2px">output[{r}, {c}] = {scatter}'
        f"<br>= <b>{fmt(st['explained_sum'], 4)}</b>  (convlab.conv_transpose2d gives "
        f'<b class="convlab-explain-value" data-value="{st["cell_value"]!r}">'
        f"{fmt(st['cell_value'], 4)}</b>: {mark})</div>"
        f'<div style="font:12px sans-serif;margin-top:6px">Gather view: the flipped '
        f"kernel over the zero-inserted input (every product with an inserted or padded "
        f"zero is 0):</div>"
        + row(grid_html(window, kinds=window_values(st["kinds"], r, c, (k, k), (1, 1), (d, d)),
                        title="window"), "\u2299",
              grid_html(flipped, cmap="Oranges", title="flipped kernel"), "=",
              grid_html(window * flipped, cmap="Greens", title="products"))
        + f'<div style="font:12px monospace">sum = {fmt(st["window_sum"], 4)}</div>')


def _transposed_formulas(n, k, s, p, op, d, o, spread_size):
    q = d * (k - 1) - p
    formulas = [f"o = (i \u2212 1)\u00b7s \u2212 2\u00b7p + d\u00b7(k \u2212 1) + "
                f"output_padding + 1 = ({n} \u2212 1)\u00b7{s} \u2212 2\u00b7{p} + "
                f"{d}\u00b7({k} \u2212 1) + {op} + 1 = {o}",
                f"inserted zeros: ({n} \u2212 1)\u00b7{s} + 1 = {(n - 1) * s + 1} wide; "
                f"padded by {q} top/left and {q + op} bottom/right (negative: cropped) = "
                f"{spread_size}; the {d * (k - 1) + 1}-wide "
                f"(dilated) kernel fits {spread_size} \u2212 {d * (k - 1) + 1} + 1 = "
                f"{o} times"]
    back = convlab.output_size(o, k, stride=s, padding=p, dilation=d)
    formulas.append(f"the convolution it transposes, conv2d(kernel {k}, stride {s}, "
                    f"padding {p}, dilation {d}), maps {o} back to {back}"
                    + ("" if back == n else f" (not {n}: output_padding {op} \u2265 "
                                            f"stride {s} adds a whole window)"))
    if op:
        formulas.append(f"output_padding = {op}: {op} extra row(s) at the bottom and "
                        f"column(s) at the right, never at the top or left")
    return formulas


def _transposed_grids(outputs, st, s, q, op, d):
    """The input and kernel (the stamps and taps used), the zero-inserted input with
    the flipped kernel's window, the output and the overlap counts."""
    image, kernel, spread, (r, c) = st["input"], st["kernel"], st["inserted"], st["cell"]
    k = kernel.shape[0]
    sources, taps = np.zeros(image.shape, dtype=bool), np.zeros(kernel.shape, dtype=bool)
    for i, j, a, b in st["terms"]:
        sources[i, j] = taps[a, b] = True
    outputs["input"].value = grid_html(
        image, highlight=sources, title="input (orange: stamps reaching the cell)")
    outputs["kernel"].value = grid_html(kernel, cmap="Oranges", highlight=taps,
                                        title="kernel (orange: taps used)")
    outputs["inserted"].value = grid_html(
        spread, kinds=st["kinds"], px=20,
        highlight=window_mask(spread.shape, r, c, (k, k), (1, 1), (d, d)),
        title=f"{s - 1} zero(s) inserted, padded by d(k\u22121)\u2212p = {q}"
              + (f" (+{op} bottom/right)" if op else "")
              + "; flipped kernel's window in orange")
    hl = highlight_cell(st["shape"], r, c)
    outputs["output"].value = grid_html(st["output"], highlight=hl, cmap="Purples", px=22,
                                        title="output")
    outputs["counts"].value = grid_html(st["counts"], highlight=hl, cmap="Reds", px=22,
                                        title="stamps overlapping on each cell")


def _transpose(image, kernel, s, p, op, d):
    """The core's transposed convolution; an output_padding error says what it is for."""
    try:
        return convlab.conv_transpose2d(image[None], kernel[None, None], stride=s, padding=p,
                                        output_padding=op, dilation=d)[0]
    except ValueError as error:
        if "output_padding" not in str(error):
            raise
        raise ValueError(f"{error}: output_padding picks one of the stride's input sizes that "
                         "a strided convolution maps to the same output, so it stays below the "
                         "stride (or the dilation); raise the stride or lower output_padding"
                         ) from None


def transposed_explorer(size=3, kernel_size=3, stride=2, padding=0, output_padding=0,
                        dilation=1):
    """Transposed convolution, cell by cell: stamps that overlap, and inserted zeros.

    Every input pixel stamps a scaled copy of the kernel into the output,
    ``stride`` cells apart; where stamps overlap they add up (the overlap
    counts show the checkerboard that ``kernel_size = 3, stride = 2``
    makes). The same numbers come from an ordinary convolution: insert
    ``stride - 1`` zeros between the input pixels, pad by ``d*(k-1) - p``
    (plus ``output_padding`` at the bottom/right) and slide the flipped
    kernel over it at stride 1. Pick an output cell to see both views of
    its sum.

    Parameters
    ----------
    size : int, default 3
        Input height and width, 1..6.
    kernel_size : int, default 3
        1..5.
    stride : int, default 2
        1..4 (the upsampling factor).
    padding : int, default 0
        0..4: cropped from every side of the full output.
    output_padding : int, default 0
        0..3: rows/columns added at the bottom/right; must be smaller than
        ``stride`` or ``dilation`` (a message says so otherwise).
    dilation : int, default 1
        1..3.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["terms"]`` lists the (input pixel, kernel tap)
        pairs landing on the explained cell, ``state["counts"]`` the overlaps.

    Examples
    --------
    >>> explorer = transposed_explorer()
    >>> explorer.state["shape"]
    (7, 7)
    >>> explorer.state["formula"][0].split(" = ")[2:]
    ['(3 − 1)·2 − 2·0 + 1·(3 − 1) + 0 + 1', '7']
    >>> explorer.state["counts"][:3, :3]     # stamps landing on each output cell
    array([[1., 1., 2.],
           [1., 1., 2.],
           [2., 2., 4.]])
    """
    frame = Explorer("transposed-explorer", "Transposed convolution explorer",
                     int_sliders(size=(size, 1, 6), kernel_size=(kernel_size, 1, 5),
                                 stride=(stride, 1, 4), padding=(padding, 0, 4),
                                 output_padding=(output_padding, 0, 3), dilation=(dilation, 1, 3)),
                     html_outputs(input="convlab-output", kernel="convlab-kernel",
                                  inserted="convlab-output", output="convlab-output",
                                  counts="convlab-output", explain="convlab-explain",
                                  info="convlab-info"))
    controls, outputs, state = frame.controls, frame.outputs, frame.state

    def update():
        n, k, s, p, op, d = (controls[key].value for key in (
            "size", "kernel_size", "stride", "padding", "output_padding", "dilation"))
        image = teaching_grid(n, n, seed=40 + n, low=1, high=3)
        kernel = teaching_grid(k, k, seed=50 + k, low=1, high=3)
        result = _transpose(image, kernel, s, p, op, d)
        counts = _transpose(np.ones((n, n)), np.ones((k, k)), s, p, op, d)
        r, c = frame.pick_cell(result.shape)
        terms = _stamps_on(r, c, n, k, s, p, d)       # the scatter view
        products = np.array([image[i, j] * kernel[a, b] for i, j, a, b in terms])
        # The gather view: zeros inserted, padded by d(k-1) - p, the flipped kernel at stride 1.
        q = d * (k - 1) - p
        spread, kinds = _inserted_view(image, s, q, q + op)
        window = window_values(spread, r, c, (k, k), (1, 1), (d, d))
        state.update(output=result, shape=result.shape, counts=counts, input=image,
                     kernel=kernel, cell=(r, c), terms=terms, products=products,
                     explained_sum=float(products.sum()) if terms else 0.0,
                     cell_value=float(result[r, c]), inserted=spread, window=window,
                     window_sum=float((window * kernel[::-1, ::-1]).sum()), kinds=kinds)
        state["explain_ok"] = verdict(state["explained_sum"], state["cell_value"])[0]
        _transposed_grids(outputs, state, s, q, op, d)
        outputs["explain"].value = _explain_transposed(state, s, p, d)
        formulas = _transposed_formulas(n, k, s, p, op, d, result.shape[0], spread.shape[0])
        call = (f"F.conv_transpose2d(x, w, stride={s}, padding={p}, output_padding={op}, "
                f"dilation={d})")
        outputs["info"].value = info_html(
            f"{n}x{n} \u2192 {result.shape[0]}x{result.shape[1]}", formulas,
            torch_snippet([f"x = torch.rand(1, 1, {n}, {n})",
                           f"w = torch.rand(1, 1, {k}, {k})  # (C_in, C_out, kH, kW)"],
                          call, (1, 1) + result.shape,
                          f"# or nn.ConvTranspose2d(1, 1, kernel_size={k}, stride={s}, "
                          f"padding={p}, output_padding={op}, dilation={d})"))
        state.update(formula=formulas, torch_call=call,
                     torch_inputs={"x": image[None, None], "w": kernel[None, None]})

    w = ipw()
    return frame.build(outputs["info"], w.HBox([outputs["input"], outputs["kernel"],
                                                outputs["output"], outputs["counts"]]),
                       outputs["inserted"], outputs["explain"], update=update)
