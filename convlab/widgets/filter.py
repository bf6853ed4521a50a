"""The filter explorer: three kernels, one output channel (notebook 03)."""

from __future__ import annotations

import numpy as np

import convlab
from convlab import kernels as gallery

from .explain import formula, info_html, torch_snippet, verdict
from .frame import Explorer, caption, dropdown, float_slider, image_output, html_output, ipw
from .inputs import photograph
from .render import colorize, fmt, grid_html, picture, row
from .upload import Uploads, upload_control

__all__ = ["filter_explorer"]

_CHANNELS = ("red", "green", "blue")
_VIEW = 192


def _channel_colours(values, index):
    """One channel as the photograph holds it: black where the channel is 0, its own
    colour at full strength where it is 1 (red, green or blue by ``index``), so a dark
    navy is dark in every channel, as in notebook 03's grey channel pictures."""
    colours = np.zeros(np.shape(values) + (3,), dtype=np.uint8)
    colours[..., index] = np.round(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8)
    return colours


def _signed_grey(values, limit):
    """Numbers on a fixed signed grey scale: black = -limit, mid-grey = 0, white = +limit.

    The scale does not follow the picture, so a weight that doubles a partial map makes
    it twice as strong and a bias lightens or darkens the whole sum (a picture scaled
    to its own range would look the same before and after)."""
    limit = float(limit) if np.isfinite(limit) and limit > 0 else 1.0
    return colorize(values, vmin=-limit, vmax=limit)


def _explain_filter(rgb, filt, bias, partials, result, r, c):
    """The per-channel windows and partial sums of output (r, c), then the total + bias."""
    pieces, texts, products = [], [], []
    for i, ch in enumerate(_CHANNELS):
        window = rgb[i][r:r + 3, c:c + 3]
        prod = window * filt[i]
        products.append(prod)
        pieces.append(row(grid_html(window, title=f"{ch} window", digits=2), "\u2299",
                          grid_html(filt[i], cmap="Oranges", title="kernel", digits=2),
                          "=", grid_html(prod, cmap="Greens", title="products", digits=3),
                          f'<span style="font:12px monospace">sum = '
                          f"{fmt(prod.sum(), 4)} (partial map: "
                          f"{fmt(partials[i][r, c], 4)})</span>"))
        texts.append(fmt(prod.sum(), 4))
    total = float(sum(p.sum() for p in products) + bias)
    core_value = float(result[r, c])
    ok, mark = verdict(total, core_value)
    text = "".join(pieces) + (
        f'<div style="font:12px monospace;margin-top:4px">output[{r}, {c}] = '
        + " + ".join(f"({t})" for t in texts) + f" + bias ({fmt(bias)}) = "
        f"<b>{fmt(total, 4)}</b> (apply_filter gives "
        f'<b class="convlab-explain-value" data-value="{float(core_value)!r}">'
        f"{fmt(core_value, 4)}</b>: {mark})</div>")
    return text, dict(cell=(r, c), products=np.stack(products), explained_sum=total,
                      cell_value=core_value, explain_ok=ok)


def _filter_info(rgb, result):
    h, wd = rgb.shape[1:]
    shown = formula(h, 3, 1, 0, 0, None, convlab.output_size(h, 3))
    call = "F.conv2d(x, w, bias=b)"
    setup = [f"x = torch.rand(1, 3, {h}, {wd})  # one RGB image",
             "w = torch.rand(1, 3, 3, 3)  # one filter = 3 kernels, one per channel",
             "b = torch.rand(1)  # one bias per filter"]
    params = 3 * 3 * 3 + 1
    info = info_html(
        f"3x{h}x{wd} \u2192 1x{result.shape[0]}x{result.shape[1]} (one filter, one "
        f"output channel; {params} parameters = 3\u00b73\u00b73 weights + 1 bias)",
        ["height: " + shown],
        torch_snippet(setup, call, (1, 1) + result.shape,
                      "# or nn.Conv2d(3, 1, kernel_size=3) with its weight set to w"))
    return shown, call, info


def _filter_controls():
    """A kernel (3x3 gallery kernels) and a weight per channel, and the bias."""
    three = [n for n in gallery.names() if gallery.get(n).shape == (3, 3)]
    defaults = [n if n in three else three[0] for n in ("sobel_x", "identity", "sobel_y")]
    controls = {}
    for channel, default in zip(_CHANNELS, defaults):
        controls[f"{channel}_kernel"] = dropdown(f"{channel} kernel", three, default)
        controls[f"{channel}_weight"] = float_slider(f"{channel} \u00d7", 1.0, -2.0, 2.0, 0.25)
    controls["bias"] = float_slider("bias", 0.0, -1.0, 1.0, 0.05)
    controls["upload"] = upload_control()
    return controls


def filter_explorer(image=None):
    """One filter on an RGB image: a kernel per channel, partial maps, their sum plus bias.

    Parameters
    ----------
    image : array_like, shape (H, W, 3) or (3, H, W), optional
        Your own colour picture (grey pictures are repeated into three
        channels); defaults to the sample photograph. The "your image" button
        takes a PNG or JPEG file instead (resized to 96 pixels on its longer
        side); a file that cannot be read gets a message, and the next move
        brings back the picture the explorer had.

    Notes
    -----
    The partial maps and the sum are drawn in grey on fixed scales (mid-grey = 0,
    white = +scale, black = -scale): a partial map's scale is its kernel's largest
    response on its channel at weight 1, the sum's that of the three responses added
    (weights 1, bias 0). The scales change with a kernel or a picture, never with a
    weight or the bias, so those show in the pictures.

    Returns
    -------
    ipywidgets.VBox
        The explorer; ``state["partials"]`` holds the three channels' partial
        maps, ``state["filter"]`` the (3, 3, 3) weights.

    Examples
    --------
    >>> explorer = filter_explorer()
    >>> explorer.controls["bias"].value = 0.5
    >>> len(explorer.state["partials"])
    3
    """
    pictures = {"rgb": photograph(image, color=True)}
    controls = _filter_controls()
    outputs = {f"{ch}_input": image_output() for ch in _CHANNELS}
    outputs.update({f"{ch}_partial": image_output() for ch in _CHANNELS})
    outputs.update(sum=image_output(), kernels=html_output("convlab-kernel"),
                   explain=html_output("convlab-explain"), info=html_output("convlab-info"))
    frame = Explorer("filter-explorer", "Filter explorer: three kernels, one output channel",
                     controls, outputs)
    controls, outputs, state = frame.controls, frame.outputs, frame.state
    rendered = {}
    uploads = Uploads(controls["upload"])

    def show_channels(rgb):
        # The input channels change only with a new picture: rendered once each.
        rendered.clear()
        for index, ch in enumerate(_CHANNELS):
            outputs[f"{ch}_input"].value = picture(
                rgb[index], rgb=_channel_colours(rgb[index], index), view=_VIEW)

    show_channels(pictures["rgb"])

    def update():
        uploaded = uploads.new_picture()
        if uploaded is not None:
            pictures["rgb"] = photograph(uploaded, color=True)
            show_channels(pictures["rgb"])
        rgb = pictures["rgb"]
        filt = np.stack([controls[f"{ch}_weight"].value * gallery.get(
            controls[f"{ch}_kernel"].value) for ch in _CHANNELS])
        bias = float(controls["bias"].value)
        partials = [convlab.correlate2d(rgb[i], filt[i]) for i in range(3)]
        result = convlab.apply_filter(rgb, filt, bias=bias)
        r, c = frame.pick_cell(result.shape)
        # The colour scales stay fixed while the weights and the bias move, so the
        # pictures show what those do: a partial map's scale is its kernel's response at
        # weight 1, the sum's is the sum of those (weights 1, bias 0).
        names = [controls[f"{ch}_kernel"].value for ch in _CHANNELS]
        if rendered.get("scales_for") != names:
            responses = [convlab.correlate2d(rgb[i], gallery.get(n)) for i, n in enumerate(names)]
            rendered["scales"] = [np.abs(a).max() for a in responses] + [
                np.abs(sum(responses)).max()]
            rendered["scales_for"] = names
        scales = rendered["scales"]
        for index, ch in enumerate(_CHANNELS):
            # A partial map depends only on its channel's kernel and weight: render it
            # again only when those change (bias and cell moves then cost one picture).
            key = (controls[f"{ch}_kernel"].value, controls[f"{ch}_weight"].value)
            if rendered.get(ch) != key:
                outputs[f"{ch}_partial"].value = picture(
                    partials[index], rgb=_signed_grey(partials[index], scales[index]),
                    view=_VIEW)
                rendered[ch] = key
        outputs["sum"].value = picture(result, rgb=_signed_grey(result, scales[3]),
                                       boxes=[(r, c, 1, 1)], view=_VIEW)
        key = (filt.tobytes(), bias)
        if rendered.get("kernels") != key:
            outputs["kernels"].value = row(*[
                grid_html(filt[i], cmap="Oranges", title=f"{ch} kernel", digits=2)
                for i, ch in enumerate(_CHANNELS)], f"bias = {fmt(bias)}")
            rendered["kernels"] = key
        outputs["explain"].value, explained = _explain_filter(rgb, filt, bias, partials,
                                                              result, r, c)
        shown, call, outputs["info"].value = _filter_info(rgb, result)
        state.update(output=result, shape=result.shape, partials=partials, filter=filt,
                     bias=bias, formula=[shown], torch_call=call, input=rgb,
                     torch_inputs={"x": rgb[None], "w": filt[None], "b": np.array([bias])},
                     **explained)

    w = ipw()
    column = w.VBox([w.HBox([controls[f"{ch}_kernel"], controls[f"{ch}_weight"]])
                     for ch in _CHANNELS] + [controls["bias"], controls["upload"], frame.row,
                                             frame.col])
    grid = w.GridBox(
        [caption("input channel (black = 0, full colour = 1)")] + [caption(ch) for ch in _CHANNELS]
        + [caption("")] + [outputs[f"{ch}_input"] for ch in _CHANNELS]
        + [caption("partial map (channel \u2605 kernel); mid-grey = 0, white +, black \u2212")]
        + [outputs[f"{ch}_partial"] for ch in _CHANNELS],
        layout=w.Layout(grid_template_columns="120px 200px 200px 200px"))
    return frame.build(w.VBox([outputs["kernels"], outputs["info"]]), grid,
                       w.HBox([caption("sum of the three partial maps + bias = the output "
                                       "channel (mid-grey = 0)"), outputs["sum"]]),
                       outputs["explain"], update=update, column=column)
