"""Tests of the explorers in convlab.widgets.

Every explorer is built with no arguments, every control is moved, impossible
settings must show a message (never raise), the "explain this cell" sum must
equal the value the core computes, and the PyTorch call shown must give the
same shape (and numbers) when torch runs it.
"""

import datetime
import html
import io
import math
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import ipywidgets  # noqa: E402  (a dependency of convlab: never skipped)

import convlab  # noqa: E402
from convlab import widgets  # noqa: E402
from convlab.widgets.upload import uploaded_file  # noqa: E402
from convlab.widgets import render  # noqa: E402
from convlab.widgets.kernel import CUSTOM  # noqa: E402
from convlab.padding import resolve_padding  # noqa: E402

EXPLORERS = [getattr(widgets, name) for name in widgets.__all__]   # every explorer
IDS = [f.__name__ for f in EXPLORERS]


def snapshot(explorer):
    """Everything the explorer displays: image bytes, HTML, and what is hidden."""
    return tuple((key, out.value, out.layout.display)
                 for key, out in sorted(explorer.outputs.items()))


IPYWIDGETS_7 = int(ipywidgets.__version__.split(".")[0]) < 8


def move(control, value):
    """Set a control as a learner would; a file goes into an upload as ipywidgets 7 or 8
    holds it (8: a tuple of dicts; 7.7: a read-only dict of name -> content, set by the
    browser, which a test sets with set_trait)."""
    if isinstance(control, ipywidgets.FileUpload) and IPYWIDGETS_7:
        control.set_trait("value", {
            f["name"]: {"content": bytes(f["content"]),
                        "metadata": {"name": f["name"], "type": f["type"], "size": f["size"]}}
            for f in value})
    else:
        control.value = value


def options_of(dropdown):
    return [o[1] if isinstance(o, tuple) else o for o in dropdown.options]


def another_value(control):
    """A different valid value for any control an explorer uses."""
    if isinstance(control, ipywidgets.Checkbox):
        return not control.value
    if isinstance(control, ipywidgets.Dropdown):
        values = options_of(control)
        return values[(values.index(control.value) + 1) % len(values)]
    if isinstance(control, ipywidgets.Textarea):
        return "1 2\n3 4" if control.value != "1 2\n3 4" else "0 1\n1 0"
    if isinstance(control, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
        step = control.step
        return control.value + step if control.value + step <= control.max else (
            control.value - step)
    if isinstance(control, ipywidgets.FileUpload):
        # A real PNG, of another colour than the file already there (if any).
        current = uploaded_file(control.value)
        colour = (200, 40, 90) if current is None or current[0] != "a.png" \
            else (30, 160, 220)
        name = "a.png" if colour == (200, 40, 90) else "b.png"
        content = _image_bytes("PNG", (120, 90), colour)
        return ({"name": name, "type": "image/png", "size": len(content),
                 "content": memoryview(content), "last_modified": _WHEN},)
    raise AssertionError(f"unexpected control {type(control).__name__}")


@pytest.fixture(scope="module")
def torch_f(torch):
    """torch and torch.nn.functional, through conftest's fixture (a skip on a learner's
    machine, a failure when CONVLAB_REQUIRE_TORCH is set)."""
    import torch.nn.functional as F

    return torch, F


@pytest.mark.parametrize("make", EXPLORERS, ids=IDS)
def test_builds_with_no_arguments(make):
    explorer = make()
    assert isinstance(explorer, ipywidgets.Box)
    assert "convlab-explorer" in explorer._dom_classes
    assert explorer.state["error"] is None
    assert explorer.state["explain_ok"] is True
    pictures = [o for o in explorer.outputs.values() if isinstance(o, ipywidgets.Image)
                and o.layout.display != "none"]
    for picture in pictures:
        assert picture.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "convlab-explain-value" in explorer.outputs["explain"].value
    assert "convlab-shape" in explorer.outputs["info"].value
    for key, control in explorer.controls.items():
        assert f"convlab-control-{key.replace('_', '-')}" in control._dom_classes
    for key, display in explorer.outputs.items():
        assert f"convlab-display-{key.replace('_', '-')}" in display._dom_classes


def _prepare(name, explorer):
    """Put an explorer where each of its controls visibly matters."""
    if name == "pooling_explorer":
        # 6 + 2*1 - 3 = 5 is odd: ceil_mode keeps a last window that starts in the input.
        explorer.controls["mode"].value = "avg"
        explorer.controls["size"].value = 6
        explorer.controls["kernel_size"].value = 3
        explorer.controls["padding"].value = 1
    if name == "kernel_explorer":
        explorer.controls["kernel"].value = "sobel_x"
        explorer.controls["source"].value = "photograph"


# What each control is for: the output(s) that must change when it moves (from the
# state _prepare sets). A change elsewhere (the info text, say) does not count, so a
# stale picture cannot pass because the formula moved.
EFFECTS = {
    "kernel_explorer": {"kernel": ["kernel", "output"], "numbers": ["kernel", "output"],
                        "source": ["input_grid", "output_grid"], "operation": ["output"],
                        "padding": ["output"], "upload": ["input", "output"],
                        "row": ["output", "explain"], "col": ["output", "explain"]},
    "stride_explorer": {"size": ["input"], "kernel_size": ["output"], "stride": ["output"],
                        "padding": ["input"], "row": ["output", "explain"],
                        "col": ["output", "explain"]},
    "filter_explorer": {**{f"{ch}_kernel": [f"{ch}_partial", "sum"]
                           for ch in ("red", "green", "blue")},
                        # The pictures' colour scales are fixed by the kernels, so a
                        # weight changes its partial map and the sum, a bias the sum.
                        **{f"{ch}_weight": [f"{ch}_partial", "sum"]
                           for ch in ("red", "green", "blue")},
                        "bias": ["sum", "kernels", "explain"],
                        "upload": [f"{ch}_input" for ch in ("red", "green", "blue")]
                        + ["red_partial", "sum"], "row": ["sum", "explain"],
                        "col": ["sum", "explain"]},
    "pooling_explorer": {"mode": ["output"], "size": ["input"], "kernel_size": ["output"],
                         "stride": ["output"], "padding": ["input"], "ceil_mode": ["output"],
                         "count_include_pad": ["output"], "row": ["output", "explain"],
                         "col": ["output", "explain"]},
    "padding_explorer": {"padding": ["input", "photo"], "mode": ["input", "photo"],
                         "kernel_size": ["output"], "stride": ["output"],
                         "row": ["output", "explain"], "col": ["output", "explain"]},
    "arithmetic_explorer": {"size": ["input"], "kernel_size": ["kernel", "output"],
                            "stride": ["output"], "padding": ["input"], "dilation": ["input"],
                            "row": ["output", "explain"], "col": ["output", "explain"]},
    "learning_explorer": {"target": ["target_output", "kernels"], "source": ["input"],
                          "learning_rate": ["output", "curve"], "steps": ["output", "curve"],
                          "seed": ["output", "kernels"], "row": ["kernels", "explain"],
                          "col": ["kernels", "explain"]},
    "transposed_explorer": {"size": ["input", "output"], "kernel_size": ["kernel", "output"],
                            "stride": ["output", "inserted"], "padding": ["output"],
                            "output_padding": ["output"], "dilation": ["inserted", "output"],
                            "row": ["output", "explain"], "col": ["output", "explain"]},
    "groups_explorer": {"in_channels": ["output", "counts"], "out_channels": ["output", "counts"],
                        "groups": ["output", "counts"], "kernel_size": ["counts"],
                        "size": ["counts"], "row": ["output", "explain"],
                        "col": ["output", "explain"]},
}


@pytest.mark.parametrize("make", EXPLORERS, ids=IDS)
def test_every_control_changes_the_display(make):
    name = make.__name__
    assert set(make().controls) == set(EFFECTS[name])
    for key, watched in EFFECTS[name].items():
        explorer = make()
        _prepare(name, explorer)
        control = explorer.controls[key]
        assert not control.disabled, key
        before = {k: v for k, *v in snapshot(explorer)}
        move(control, another_value(control))
        assert explorer.state["error"] is None, (key, explorer.state["error"])
        after = {k: v for k, *v in snapshot(explorer)}
        for output in watched:
            assert after[output] != before[output], f"moving {key!r} left {output!r} as it was"


def _grey(png):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)


def test_filter_explorer_pictures_keep_their_scale_as_weights_and_bias_move():
    explorer = widgets.filter_explorer()
    c, out = explorer.controls, explorer.outputs
    for ch in ("red", "green", "blue"):
        c[f"{ch}_kernel"].value = "identity"          # partial map = weight x the channel
    green = explorer.state["partials"][1]            # the green channel, inner cells
    grey = _grey(out["green_partial"].value)
    # Signed grey, black = -scale, white = +scale, scale = the map's largest value at
    # weight 1: where the green channel is 0 the picture is mid-grey, at its largest white.
    zero = np.unravel_index(np.argmin(green), green.shape)
    top = np.unravel_index(np.argmax(green), green.shape)
    factor = grey.shape[0] // green.shape[0]
    assert green[zero] == 0 and abs(grey[zero[0] * factor, zero[1] * factor] - 127.5) < 2
    assert grey[top[0] * factor, top[1] * factor] > 250
    c["green_weight"].value = 0.5                    # half as strong: half as far from grey
    half = _grey(out["green_partial"].value)
    assert abs(half[top[0] * factor, top[1] * factor] - (127.5 + 127.5 / 2)) < 2
    c["green_weight"].value = -1.0                   # the sign flips: as far below grey
    assert abs(_grey(out["green_partial"].value)[top[0] * factor, top[1] * factor]) < 5
    before = _grey(out["sum"].value).mean()
    c["bias"].value = 0.5                            # a bias lightens the whole sum
    assert _grey(out["sum"].value).mean() > before + 5


def test_pooling_padding_never_exceeds_half_the_window():
    explorer = widgets.pooling_explorer(kernel_size=4)
    explorer.controls["padding"].value = 2
    assert explorer.state["error"] is None
    explorer.controls["kernel_size"].value = 3      # 2 > 3 // 2: clamped to 1, no error
    assert explorer.controls["padding"].max == 1
    assert explorer.controls["padding"].value == 1
    assert explorer.state["error"] is None
    with pytest.raises(ValueError, match="more than half"):   # what the slider avoids
        convlab.max_pool2d(explorer.state["input"], 3, padding=2)


def test_pooling_count_include_pad_is_disabled_for_max():
    explorer = widgets.pooling_explorer()
    assert explorer.controls["count_include_pad"].disabled
    explorer.controls["mode"].value = "avg"
    assert not explorer.controls["count_include_pad"].disabled


def _expect_message(explorer, pattern):
    message = explorer.outputs["message"]
    assert explorer.state["error"] is not None
    assert re.search(pattern, explorer.state["error"]), explorer.state["error"]
    assert message.layout.display != "none"
    assert "\u26a0" in message.value
    assert explorer.outputs["explain"].value == ""
    assert explorer.controls["row"].disabled


@pytest.mark.parametrize("make, settings, pattern", [
    (widgets.stride_explorer, {"size": 3, "kernel_size": 5}, "does not fit"),
    (widgets.arithmetic_explorer, {"size": 1, "padding": 0, "dilation": 3}, "does not fit"),
    (widgets.kernel_explorer, {"numbers": "1 2\n3"}, "same number of values"),
    (widgets.kernel_explorer, {"numbers": "1 x 2"}, "could not read"),
    (widgets.kernel_explorer, {"numbers": "\n".join(["1 " * 9] * 9)}, "does not fit"),
])
def test_impossible_settings_show_a_message_instead_of_raising(make, settings, pattern):
    explorer = make()
    for key, value in settings.items():
        explorer.controls[key].value = value
    _expect_message(explorer, pattern)
    # Back to a valid setting: the message goes, the picture comes back.
    first = next(iter(settings))
    explorer.controls[first].value = make().controls[first].value
    if explorer.state["error"] is not None:       # several controls were involved
        for key in settings:
            explorer.controls[key].value = make().controls[key].value
    assert explorer.state["error"] is None
    assert explorer.outputs["message"].layout.display == "none"
    assert not explorer.controls["row"].disabled


def test_kernel_dropdown_and_typed_numbers_stay_in_step():
    explorer = widgets.kernel_explorer()
    explorer.controls["kernel"].value = "laplacian"
    assert explorer.controls["numbers"].value == "0 1 0\n1 -4 1\n0 1 0"
    explorer.controls["numbers"].value = "1 0\n0 -1"
    assert explorer.controls["kernel"].value == CUSTOM
    np.testing.assert_array_equal(explorer.state["kernel"], [[1, 0], [0, -1]])
    assert explorer.state["shape"] == (7, 7)
    explorer.controls["numbers"].value = "1/9 1/9 1/9\n" * 3
    np.testing.assert_allclose(explorer.state["kernel"], np.full((3, 3), 1 / 9))
    # numbers that are a gallery kernel, typed exactly or as shown, take its name back
    assert explorer.controls["kernel"].value == "box_blur"
    explorer.controls["numbers"].value = "1 0\n0 -1"
    assert explorer.controls["kernel"].value == CUSTOM
    explorer.controls["numbers"].value = "0 1 0\n1 -4 1\n0 1 0"
    assert explorer.controls["kernel"].value == "laplacian"
    explorer.controls["numbers"].value = "0 1 0\n1 -4 1\n0 1 0.01"
    assert explorer.controls["kernel"].value == CUSTOM
    explorer.controls["numbers"].value = "0.1111 0.1111 0.1111\n" * 3
    assert explorer.controls["kernel"].value == "box_blur"
    assert explorer.controls["numbers"].value == "0.1111 0.1111 0.1111\n" * 3  # left as typed


def _core_value(name, explorer):
    """The output value at the explained cell, recomputed here from the core."""
    c = explorer.controls
    r, col = explorer.state["cell"]
    image = explorer.state["input"]
    if name == "kernel_explorer":
        op = convlab.convolve2d if c["operation"].value.startswith("true") else (
            convlab.correlate2d)
        return op(image, explorer.state["kernel"], padding=c["padding"].value)[r, col]
    if name == "stride_explorer":
        return convlab.correlate2d(image, explorer.state["kernel"], stride=c["stride"].value,
                                   padding=c["padding"].value)[r, col]
    if name == "filter_explorer":
        return convlab.apply_filter(image, explorer.state["filter"],
                                    bias=c["bias"].value)[r, col]
    if name == "pooling_explorer":
        kwargs = dict(stride=c["stride"].value, padding=c["padding"].value,
                      ceil_mode=c["ceil_mode"].value)
        if c["mode"].value == "max":
            return convlab.max_pool2d(image, c["kernel_size"].value, **kwargs)[r, col]
        return convlab.avg_pool2d(image, c["kernel_size"].value,
                                  count_include_pad=c["count_include_pad"].value,
                                  **kwargs)[r, col]
    if name == "padding_explorer":
        return convlab.correlate2d(image, explorer.state["kernel"], stride=c["stride"].value,
                                   padding=c["padding"].value,
                                   padding_mode=c["mode"].value)[r, col]
    if name == "arithmetic_explorer":
        return convlab.correlate2d(image, explorer.state["kernel"], stride=c["stride"].value,
                                   padding=c["padding"].value,
                                   dilation=c["dilation"].value)[r, col]
    raise AssertionError(name)


SCENARIOS = {
    "kernel_explorer": [{}, {"operation": "true convolution (kernel flipped)", "row": 5,
                             "col": 2}, {"padding": "same", "row": 0, "col": 7},
                        {"source": "photograph", "kernel": "emboss", "row": 40, "col": 30},
                        {"numbers": "1 2\n3 -4", "padding": "same", "row": 7, "col": 7}],
    "stride_explorer": [{}, {"size": 8, "stride": 3, "padding": 1, "row": 2, "col": 1},
                        {"kernel_size": 5, "padding": 2, "row": 2, "col": 0}],
    "filter_explorer": [{}, {"bias": -0.35, "green_weight": -1.5, "row": 60, "col": 70},
                        {"blue_kernel": "laplacian", "row": 93, "col": 0}],
    "pooling_explorer": [{}, {"ceil_mode": True, "row": 3, "col": 3},
                         {"mode": "avg", "padding": 1, "row": 0, "col": 3},
                         {"mode": "avg", "padding": 1, "count_include_pad": False, "row": 0,
                          "col": 0},
                         {"mode": "avg", "padding": 1, "ceil_mode": True, "size": 6,
                          "kernel_size": 3, "row": 2, "col": 2},
                         {"mode": "max", "padding": 1, "kernel_size": 3, "row": 0, "col": 0}],
    "padding_explorer": [{}, {"mode": "reflect", "padding": 3, "row": 0, "col": 0},
                         {"mode": "circular", "padding": "full", "kernel_size": 4, "row": 7,
                          "col": 1},
                         {"mode": "replicate", "padding": "same", "kernel_size": 4,
                          "stride": 2, "row": 2, "col": 2}],
    "arithmetic_explorer": [{}, {"dilation": 2, "padding": 2, "row": 2, "col": 0},
                            {"size": 12, "kernel_size": 5, "stride": 3, "dilation": 2,
                             "padding": 0, "row": 1, "col": 1}],
}


# The explorers whose output is one convolution or pooling of a small input: their
# scenarios, formulas and PyTorch calls are checked alike.
CONVOLVING = [f for f in EXPLORERS if f.__name__ in SCENARIOS]
CONVOLVING_IDS = [f.__name__ for f in CONVOLVING]


def _apply(explorer, settings):
    for key, value in settings.items():
        explorer.controls[key].value = value
    assert explorer.state["error"] is None, explorer.state["error"]
    if "row" in settings:
        assert explorer.state["cell"] == (settings["row"], settings["col"])


@pytest.mark.parametrize("make", CONVOLVING, ids=CONVOLVING_IDS)
def test_explained_sum_equals_the_core_value(make):
    name = make.__name__
    explorer = make()
    for settings in SCENARIOS[name]:
        _apply(explorer, settings)
        expected = float(_core_value(name, explorer))
        state = explorer.state
        assert state["explained_sum"] == pytest.approx(expected, rel=1e-9, abs=1e-12)
        if name == "pooling_explorer":
            if explorer.controls["mode"].value == "max":
                assert np.max(state["products"]) == expected
            else:
                assert np.sum(state["products"]) / state["count"] == pytest.approx(expected)
        elif name == "filter_explorer":
            assert state["products"].sum() + state["bias"] == pytest.approx(expected)
        else:
            assert state["products"].sum() == pytest.approx(expected)
        shown = explorer.outputs["explain"].value
        assert f'data-value="{expected!r}"' in shown
        assert "\u2713 same" in shown


def test_explained_window_comes_from_the_padded_input():
    # Hand-worked: 5x5 grid 1..25, reflect padding 1: the window of output (0, 0)
    # is rows (1, 0, 1) x cols (1, 0, 1) of the grid -> 7 6 7 / 2 1 2 / 7 6 7.
    explorer = widgets.padding_explorer()
    _apply(explorer, {"mode": "reflect", "padding": 1, "kernel_size": 3, "row": 0, "col": 0})
    np.testing.assert_array_equal(explorer.state["window"], [[7, 6, 7], [2, 1, 2], [7, 6, 7]])
    _apply(explorer, {"mode": "circular"})
    np.testing.assert_array_equal(explorer.state["window"],
                                  [[25, 21, 22], [5, 1, 2], [10, 6, 7]])


def test_pooling_window_with_ceil_mode_hanging_over_the_edge():
    # 7x7, window 2, stride 2, ceil_mode: the last window starts at row 6 and
    # holds only one real row; max must take only that row.
    explorer = widgets.pooling_explorer()
    _apply(explorer, {"ceil_mode": True, "row": 3, "col": 3})
    image = explorer.state["input"]
    assert explorer.state["shape"] == (4, 4)
    assert explorer.state["explained_sum"] == image[6, 6]
    _apply(explorer, {"mode": "avg", "count_include_pad": True})
    assert explorer.state["explained_sum"] == image[6, 6]     # divisor 1, not 4
    assert explorer.state["count"] == 1


@pytest.mark.parametrize("settings", [
    {}, {"size": 8}, {"ceil_mode": True}, {"size": 9, "kernel_size": 3, "stride": 3},
    {"size": 10, "kernel_size": 2, "stride": 4, "padding": 1},
    {"size": 6, "kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"size": 5, "kernel_size": 1, "stride": 3, "mode": "avg"}])
def test_pooling_marks_the_input_cells_no_window_reaches(settings):
    explorer = widgets.pooling_explorer()
    _apply(explorer, settings)
    c = explorer.controls
    n, k, s, p = (c[key].value for key in ("size", "kernel_size", "stride", "padding"))
    # Counted from the output shape alone: output cell j's window covers input rows
    # j*s - p .. j*s - p + k - 1.
    rows = set()
    for j in range(explorer.state["shape"][0]):
        rows.update(range(j * s - p, j * s - p + k))
    seen = len(rows & set(range(n)))
    expected = n * n - seen * seen
    assert explorer.state["never_visited"] == expected
    assert explorer.outputs["input"].value.count("border:2px solid #c00") == expected
    if settings == {}:
        assert expected == 13          # 7x7, window 2, stride 2: last row and column


def test_stride_leftover_pixels():
    # 8x8, kernel 3, stride 2: windows start at 0, 2, 4 and reach row 6; row 7
    # and column 7 are never visited: 8 + 8 - 1 = 15 pixels.
    explorer = widgets.stride_explorer(size=8)
    assert explorer.state["never_visited"] == 15
    assert explorer.outputs["input"].value.count("border:2px solid #c00") == 15
    assert "remainder 1" in explorer.outputs["leftover"].value
    explorer.controls["size"].value = 7
    assert explorer.state["never_visited"] == 0
    assert "multiple of the stride" in explorer.outputs["leftover"].value
    assert explorer.outputs["input"].value.count("border:2px solid #c00") == 0


def _evaluate_formula(text):
    """'floor((7 + 2·1 − 1·(3−1) − 1) / 2) + 1 = 4' -> (left side evaluated, right side)."""
    text = text.split(": ", 1)[-1]
    left, right = text.rsplit("=", 1)
    expression = left.replace("\u00b7", "*").replace("\u2212", "-")
    value = eval(expression, {"floor": math.floor, "ceil": math.ceil})  # noqa: S307
    return value, int(right)


@pytest.mark.parametrize("make", CONVOLVING, ids=CONVOLVING_IDS)
def test_shown_formula_evaluates_to_the_shown_shape(make):
    name = make.__name__
    explorer = make()
    for settings in SCENARIOS[name]:
        _apply(explorer, settings)
        value, claimed = _evaluate_formula(explorer.state["formula"][0])
        assert value == claimed == explorer.state["shape"][0]
        shape_text = re.search(r'class="convlab-shape">([^<]*)<',
                               explorer.outputs["info"].value).group(1)
        assert "{}x{}".format(*explorer.state["shape"]) in shape_text


@pytest.mark.parametrize("make", CONVOLVING, ids=CONVOLVING_IDS)
def test_pytorch_call_gives_the_same_shape_and_numbers(make, torch_f):
    torch, F = torch_f
    name = make.__name__
    explorer = make()
    for settings in SCENARIOS[name]:
        _apply(explorer, settings)
        state = explorer.state
        call = state["torch_call"]
        snippet = re.search(r"<pre[^>]*>(.*?)</pre>", explorer.outputs["info"].value,
                            re.S).group(1)
        assert f"y = {call}".replace("'", "&#x27;") in snippet
        # The whole snippet runs as written and reports the shape it claims.
        import html

        namespace = {}
        code = html.unescape(snippet)
        exec(code.rsplit("\ny.shape", 1)[0], namespace)  # noqa: S102
        y = namespace["y"]
        assert tuple(y.shape[-2:]) == state["shape"]
        assert f"torch.Size({list(y.shape)})" in code
        # Run the same call on the explorer's own numbers: same values as the core.
        tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float64))
                   for k, v in state["torch_inputs"].items()}
        y = eval(call, {"F": F, "torch": torch, **tensors})  # noqa: S307
        np.testing.assert_allclose(y.numpy()[0, 0], state["output"], rtol=1e-10, atol=1e-10)


def test_arithmetic_explorer_matches_torch_on_every_cell(torch_f):
    torch, F = torch_f
    explorer = widgets.arithmetic_explorer()
    settings = [(4, 3, 2, 1, 1), (7, 2, 3, 0, 2), (6, 5, 1, 2, 1), (9, 3, 2, 1, 3)]
    for size, k, s, p, d in settings:
        _apply(explorer, {"size": size, "kernel_size": k, "stride": s, "padding": p,
                          "dilation": d})
        x = torch.from_numpy(explorer.state["input"][None, None])
        w = torch.from_numpy(explorer.state["kernel"][None, None])
        expected = F.conv2d(x, w, stride=s, padding=p, dilation=d).numpy()[0, 0]
        assert explorer.state["shape"] == expected.shape
        for r in range(expected.shape[0]):
            for c in range(expected.shape[1]):
                _apply(explorer, {"row": r, "col": c})
                assert explorer.state["explained_sum"] == pytest.approx(expected[r, c])


def test_same_padding_puts_the_odd_pixel_after():
    explorer = widgets.padding_explorer()
    _apply(explorer, {"padding": "same", "kernel_size": 4})
    assert explorer.state["pads"] == ((1, 2), (1, 2)) == resolve_padding("same", (5, 5),
                                                                         (4, 4))
    assert "the odd pixel goes after" in explorer.outputs["info"].value
    assert explorer.state["shape"] == (5, 5)


def test_explain_sliders_follow_the_output_shape():
    explorer = widgets.arithmetic_explorer()
    _apply(explorer, {"size": 12, "stride": 1, "row": 11, "col": 11})
    assert explorer.controls["row"].max == 11
    # floor((12 + 2*1 - 2 - 1)/4) + 1 = 3: the cell is clamped inside the 3x3 output.
    explorer.controls["stride"].value = 4
    assert explorer.controls["row"].max == 2
    assert explorer.state["cell"] == (2, 2)
    assert explorer.state["explain_ok"]


def test_own_image_is_accepted_and_checked():
    rng = np.random.default_rng(0)
    picture = rng.integers(0, 256, size=(40, 30, 3), dtype=np.uint8)
    explorer = widgets.filter_explorer(picture)
    assert explorer.state["input"].shape == (3, 40, 30)
    np.testing.assert_allclose(explorer.state["input"][1], picture[..., 1] / 255.0)
    big = rng.random((300, 200))
    explorer = widgets.kernel_explorer(big)
    explorer.controls["source"].value = "photograph"
    # Shrunk by average pooling with a window of ceil(300 / 96) = 4.
    np.testing.assert_allclose(explorer.state["input"],
                               big.reshape(75, 4, 50, 4).mean(axis=(1, 3)))
    with pytest.raises(TypeError, match="image must hold real numbers"):   # _checks' words
        widgets.kernel_explorer(np.array([["a"] * 9] * 9))
    with pytest.raises(TypeError, match="image must be a numeric array"):
        widgets.kernel_explorer("photo.png")
    with pytest.raises(ValueError, match=r"image must have shape"):
        widgets.kernel_explorer(np.zeros((2, 9, 9)))
    with pytest.raises(ValueError, match="stride must be between 1 and 4, got 9"):
        widgets.stride_explorer(stride=9)
    with pytest.raises(TypeError, match="size must be an int"):
        widgets.arithmetic_explorer(size=2.5)


def test_png_engine_scales_and_outlines():
    values = np.array([[0.0, 1.0], [0.5, 0.25]])
    rgb = render.colorize(values, "gray", 0.0, 1.0)
    np.testing.assert_array_equal(rgb[:, :, 0], [[0, 255], [128, 64]])
    from io import BytesIO

    from PIL import Image

    png = render.picture(values, rgb=rgb, boxes=[(0, 0, 1, 1)], view=40)
    picture = np.asarray(Image.open(BytesIO(png)).convert("RGB"))
    assert picture.shape == (40, 40, 3)
    # Each value is a 20x20 block; the outline is drawn just outside the boxed cell.
    assert tuple(picture[10, 20]) == render.HIGHLIGHT       # right edge of the box
    assert tuple(picture[21, 10]) == render.HIGHLIGHT       # bottom edge
    assert tuple(picture[10, 10]) == (0, 0, 0)                # inside the box: the value 0
    assert tuple(picture[30, 30]) == (64, 64, 64)


def test_no_global_matplotlib_state_changes():
    before = dict(matplotlib.rcParams)
    widgets.kernel_explorer()
    widgets.filter_explorer()
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("make", CONVOLVING, ids=CONVOLVING_IDS)
def test_random_control_moves_never_raise_and_always_explain(make):
    """Seeded random walk over every control: a message or a correct explanation, always."""
    rng = np.random.default_rng(7)
    explorer = make()
    names = list(explorer.controls)
    messages = 0
    for _ in range(60):
        control = explorer.controls[names[rng.integers(len(names))]]
        if getattr(control, "disabled", False):
            continue
        if isinstance(control, (ipywidgets.IntSlider, ipywidgets.FloatSlider)):
            steps = int(round((control.max - control.min) / control.step))
            control.value = control.min + control.step * int(rng.integers(steps + 1))
        else:
            move(control, another_value(control))
        state = explorer.state
        if state["error"] is not None:
            messages += 1
            assert explorer.outputs["message"].layout.display != "none"
            continue
        assert state["explain_ok"] is True
        r, c = state["cell"]
        assert state["cell_value"] == state["output"][r, c]
        value, claimed = _evaluate_formula(state["formula"][0])
        assert value == claimed == state["shape"][0]
    assert messages < 60


# ------------------------------------------------------------------ learning and transposed

def _learning_gradient(image, kernel, target):
    """dL/dw of the mean squared error, by plain numpy windows (no convlab.grad)."""
    k = kernel.shape[0]
    oh, ow = image.shape[0] - k + 1, image.shape[1] - k + 1
    windows = np.lib.stride_tricks.sliding_window_view(image, (k, k))[:oh, :ow]
    residual = np.einsum("ijab,ab->ij", windows, kernel - target)
    g = 2.0 * residual / residual.size
    return np.einsum("ij,ijab->ab", g, windows)


LEARNING_SCENARIOS = [{}, {"row": 0, "col": 2, "steps": 0},
                      {"target": "gaussian_blur_5x5", "row": 4, "col": 3, "steps": 37},
                      {"source": "photograph", "learning_rate": 0.1, "seed": 4, "row": 2,
                       "col": 2},
                      {"learning_rate": 1.0, "target": "laplacian", "row": 1, "col": 1}]


def test_learning_explain_sum_is_the_weight_gradient():
    explorer = widgets.learning_explorer()
    for settings in LEARNING_SCENARIOS:
        _apply(explorer, settings)
        state = explorer.state
        expected = _learning_gradient(state["input"], state["kernel"], state["target"])
        a, b = state["cell"]
        assert state["explained_sum"] == pytest.approx(expected[a, b], rel=1e-9, abs=1e-15)
        np.testing.assert_allclose(state["gradient"], expected, rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(state["products"].sum(), expected[a, b], rtol=1e-9,
                                   atol=1e-15)
        shown = explorer.outputs["explain"].value
        assert f'data-value="{state["cell_value"]!r}"' in shown
        assert "\u2713 same" in shown
        # The next-step line applies the update rule to the shown numbers.
        lr = explorer.controls["learning_rate"].value
        assert render.fmt_g(state["kernel"][a, b] - lr * expected[a, b], 5) in shown


def test_learning_recovers_the_kernel_and_the_losses_are_right():
    explorer = widgets.learning_explorer()
    state = explorer.state
    np.testing.assert_allclose(state["kernel"], convlab.kernels.get("sobel_x"), atol=0.05)
    assert state["losses"][0] > 1e3 * state["losses"][-1]
    assert len(state["losses"]) == 101
    # Every loss is the mean squared difference of the outputs: check the last one.
    diff = convlab.correlate2d(state["input"], state["kernel"] - state["target"])
    assert state["losses"][-1] == pytest.approx(np.mean(diff ** 2), rel=1e-9)
    np.testing.assert_allclose(state["output"],
                               convlab.correlate2d(state["input"], state["kernel"]))
    # Zero steps: the learned kernel is the start; one step moves it by -lr * gradient.
    _apply(explorer, {"steps": 0})
    start = state = explorer.state
    start_kernel = start["kernel"].copy()
    np.testing.assert_array_equal(start_kernel, start["initial"])
    gradient = _learning_gradient(start["input"], start_kernel, start["target"])
    _apply(explorer, {"steps": 1})
    np.testing.assert_allclose(explorer.state["kernel"], start_kernel - 0.3 * gradient,
                               rtol=1e-12, atol=1e-14)
    # A photograph's neighbouring pixels are alike: the same descent gets less far.
    _apply(explorer, {"steps": 100})
    random_loss = explorer.state["losses"][-1] / explorer.state["losses"][0]
    _apply(explorer, {"source": "photograph"})
    assert explorer.state["losses"][-1] / explorer.state["losses"][0] > 10 * random_loss


def test_learning_rate_too_large_diverges_with_a_warning_and_finite_numbers():
    explorer = widgets.learning_explorer()
    _apply(explorer, {"learning_rate": 1.0, "steps": 200})
    state = explorer.state
    assert state["diverged"] is True
    assert state["steps_done"] < 200
    assert np.all(np.isfinite(state["kernel"])) and np.all(np.isfinite(state["losses"]))
    assert state["losses"][-1] > 100 * state["losses"][0]
    assert "too large" in explorer.outputs["info"].value
    assert state["explain_ok"]
    _apply(explorer, {"learning_rate": 0.3})
    assert explorer.state["diverged"] is False
    assert "too large" not in explorer.outputs["info"].value


def test_learning_pytorch_snippet_learns_the_same_kernel(torch_f):
    torch, F = torch_f
    import html

    explorer = widgets.learning_explorer()
    for settings in [{}, {"target": "box_blur", "steps": 20, "seed": 3},
                     {"source": "photograph", "learning_rate": 0.1, "steps": 60},
                     {"learning_rate": 1.0, "steps": 200}]:
        _apply(explorer, settings)
        state = explorer.state
        snippet = re.search(r"<pre[^>]*>(.*?)</pre>", explorer.outputs["info"].value,
                            re.S).group(1)
        code = html.unescape(snippet)
        assert code == state["torch_code"]
        lines = code.splitlines()
        assert lines[2].startswith("x = torch.rand(1, 1, ")
        if not settings:
            # As written (float32 random pixels) it runs and gives the kernel's shape ...
            namespace = {}
            exec(code, namespace)  # noqa: S102
            assert tuple(namespace["w"].shape[-2:]) == state["target"].shape
        # ... and on the explorer's own image, in float64, the very same numbers.
        namespace = {"x": torch.from_numpy(state["torch_inputs"]["x"].copy())}
        exec("\n".join(lines[:2] + lines[3:]), namespace)  # noqa: S102
        np.testing.assert_allclose(namespace["w"].detach().numpy()[0, 0], state["kernel"],
                                   rtol=1e-8, atol=1e-10)


def test_learning_arguments_are_checked():
    with pytest.raises(ValueError, match="target must be one of"):
        widgets.learning_explorer(target="nope")
    with pytest.raises(ValueError, match="learning_rate must be one of"):
        widgets.learning_explorer(learning_rate=0.2)
    with pytest.raises(ValueError, match="steps must be between 0 and 200, got 500"):
        widgets.learning_explorer(steps=500)


TRANSPOSED_SCENARIOS = [{}, {"row": 2, "col": 2},
                        {"size": 2, "kernel_size": 2, "stride": 2, "row": 3, "col": 1},
                        {"size": 4, "kernel_size": 3, "stride": 2, "padding": 1,
                         "output_padding": 1, "row": 7, "col": 7},
                        {"size": 3, "kernel_size": 3, "stride": 3, "padding": 0,
                         "output_padding": 0, "dilation": 1, "row": 3, "col": 2},
                        {"size": 5, "kernel_size": 2, "stride": 1, "padding": 2,
                         "dilation": 3, "output_padding": 2, "row": 0, "col": 5},
                        {"size": 6, "kernel_size": 5, "stride": 4, "padding": 4,
                         "dilation": 2, "output_padding": 3, "row": 10, "col": 3}]


def test_transposed_explain_sums_equal_the_core_and_torch(torch_f):
    torch, F = torch_f
    explorer = widgets.transposed_explorer()
    for settings in TRANSPOSED_SCENARIOS:
        _apply(explorer, settings)
        c, state = explorer.controls, explorer.state
        kwargs = dict(stride=c["stride"].value, padding=c["padding"].value,
                      output_padding=c["output_padding"].value, dilation=c["dilation"].value)
        x, w = state["input"][None, None], state["kernel"][None, None]
        expected = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w),
                                      **kwargs).numpy()[0, 0]
        r, col = state["cell"]
        np.testing.assert_allclose(state["output"], expected, rtol=1e-12)
        assert state["explained_sum"] == pytest.approx(expected[r, col])
        assert state["window_sum"] == pytest.approx(expected[r, col])
        assert state["products"].sum() == pytest.approx(expected[r, col])
        # Each listed (input pixel, tap) pair really lands on (r, col).
        s, p, d = kwargs["stride"], kwargs["padding"], kwargs["dilation"]
        for i, j, a, b in state["terms"]:
            assert (i * s + a * d - p, j * s + b * d - p) == (r, col)
        assert len(state["terms"]) == state["counts"][r, col]
        shown = explorer.outputs["explain"].value
        assert f'data-value="{float(expected[r, col])!r}"' in shown
        assert "\u2713 same" in shown


def test_transposed_is_a_convolution_with_inserted_zeros():
    # Built here by hand: zeros between the pixels, pad d(k-1)-p (+ output_padding
    # bottom/right), correlate with the flipped kernel.
    explorer = widgets.transposed_explorer()
    for settings in TRANSPOSED_SCENARIOS[1:5]:
        _apply(explorer, settings)
        c, state = explorer.controls, explorer.state
        s, p, op, d = (c["stride"].value, c["padding"].value, c["output_padding"].value,
                       c["dilation"].value)
        k = c["kernel_size"].value
        x = state["input"]
        spread = np.zeros(((x.shape[0] - 1) * s + 1,) * 2)
        spread[::s, ::s] = x
        q = d * (k - 1) - p
        assert q >= 0
        spread = np.pad(spread, ((q, q + op), (q, q + op)))
        np.testing.assert_array_equal(state["inserted"], spread)
        np.testing.assert_allclose(
            convlab.correlate2d(spread, state["kernel"][::-1, ::-1], dilation=d),
            state["output"])


def test_transposed_overlap_counts_make_a_checkerboard_for_k3_s2_not_k4_s2():
    explorer = widgets.transposed_explorer(size=4, kernel_size=3, stride=2)
    counts = explorer.state["counts"]
    # Hand count: along one axis, output positions 0..8 get 1 1 2 1 2 1 2 1 1 stamps.
    line = np.array([1, 1, 2, 1, 2, 1, 2, 1, 1])
    np.testing.assert_array_equal(counts, np.outer(line, line))
    _apply(explorer, {"kernel_size": 4, "padding": 1})
    counts = explorer.state["counts"]
    assert counts.shape == (8, 8)
    np.testing.assert_array_equal(counts[1:-1, 1:-1], 4)    # even everywhere inside
    assert "counts" in explorer.outputs and "stamps overlapping" in (
        explorer.outputs["counts"].value)


@pytest.mark.parametrize("settings, pattern", [
    ({"stride": 1, "output_padding": 1}, "output_padding must be smaller"),
    ({"stride": 2, "dilation": 1, "output_padding": 2}, "output_padding must be smaller"),
    ({"size": 1, "kernel_size": 1, "padding": 1}, "crops the whole output"),
])
def test_transposed_impossible_settings_show_a_message(settings, pattern):
    explorer = widgets.transposed_explorer()
    for key, value in settings.items():
        explorer.controls[key].value = value
    _expect_message(explorer, pattern)
    for key in settings:
        explorer.controls[key].value = widgets.transposed_explorer().controls[key].value
    assert explorer.state["error"] is None
    assert explorer.outputs["message"].layout.display == "none"
    assert not explorer.controls["row"].disabled


def test_transposed_formula_and_pytorch_call(torch_f):
    torch, F = torch_f
    import html

    explorer = widgets.transposed_explorer()
    for settings in TRANSPOSED_SCENARIOS:
        _apply(explorer, settings)
        state = explorer.state
        numbers, claimed = state["formula"][0].split(" = ")[-2:]
        value = eval(numbers.replace("\u00b7", "*").replace("\u2212", "-"))  # noqa: S307
        assert value == int(claimed) == state["shape"][0]
        c = explorer.controls
        assert value == convlab.transposed_output_size(
            c["size"].value, c["kernel_size"].value, c["stride"].value, c["padding"].value,
            c["output_padding"].value, c["dilation"].value)
        snippet = html.unescape(re.search(r"<pre[^>]*>(.*?)</pre>",
                                          explorer.outputs["info"].value, re.S).group(1))
        assert f"y = {state['torch_call']}" in snippet
        namespace = {}
        exec(snippet.rsplit("\ny.shape", 1)[0], namespace)  # noqa: S102
        assert tuple(namespace["y"].shape[-2:]) == state["shape"]
        assert f"torch.Size({list(namespace['y'].shape)})" in snippet
        tensors = {k: torch.from_numpy(np.ascontiguousarray(v))
                   for k, v in state["torch_inputs"].items()}
        y = eval(state["torch_call"], {"F": F, **tensors})  # noqa: S307
        np.testing.assert_allclose(y.numpy()[0, 0], state["output"], rtol=1e-12)


def test_transposed_random_control_moves_never_raise():
    rng = np.random.default_rng(11)
    explorer = widgets.transposed_explorer()
    names = list(explorer.controls)
    messages = 0
    for _ in range(80):
        control = explorer.controls[names[rng.integers(len(names))]]
        if control.disabled:
            continue
        control.value = control.min + int(rng.integers(control.max - control.min + 1))
        state = explorer.state
        if state["error"] is not None:
            messages += 1
            continue
        assert state["explain_ok"] and state["window_sum"] == pytest.approx(
            state["cell_value"])
    assert 0 < messages < 80


# ------------------------------------------------------------------ path independence

def visible(explorer):
    """What the learner sees: each output's visibility, and its value when shown."""
    return {key: (out.layout.display,
                  None if out.layout.display == "none" else out.value)
            for key, out in explorer.outputs.items()}


TYPED_KERNELS = ["1 0 -1\n2 0 -2\n1 0 -1", "1 2\n3 -4", "0 1 0\n1 -4 1\n0 1 0", "1 x",
                 "1/9 1/9 1/9\n" * 3]


def random_value(control, rng):
    """Any value the control offers (typed kernels from a short list, some unreadable)."""
    if isinstance(control, ipywidgets.Checkbox):
        return bool(rng.integers(2))
    if isinstance(control, ipywidgets.Dropdown):
        values = options_of(control)
        return values[rng.integers(len(values))]
    if isinstance(control, ipywidgets.Textarea):
        return TYPED_KERNELS[rng.integers(len(TYPED_KERNELS))]
    steps = int(round((control.max - control.min) / control.step))
    return control.min + control.step * int(rng.integers(steps + 1))


def reached_another_way(make, values):
    """A fresh explorer whose controls are set straight to ``values``, cell sliders last.

    Setting one control can move another (a slider's range, the kernel dropdown
    following typed numbers), so the values are set until they all hold (three
    passes at most).
    """
    fresh = make()
    cell = [key for key in ("row", "col") if key in values]
    for _ in range(3):
        for key in [k for k in values if k not in cell] + cell:
            if isinstance(fresh.controls[key], ipywidgets.FileUpload):
                continue   # never moved by the walk (see below): both hold no file
            fresh.controls[key].value = values[key]
        if all(fresh.controls[key].value == value for key, value in values.items()):
            return fresh
    raise AssertionError(f"{make.__name__}: could not set the controls to {values}")


@pytest.mark.parametrize("make", EXPLORERS, ids=IDS)
def test_random_walk_shows_what_a_fresh_explorer_shows(make):
    """Seeded random moves; after each, the explorer shows byte for byte what an explorer
    built fresh and set straight to the same control values shows (no cached picture,
    panel or message may outlive the state it was made for)."""
    rng = np.random.default_rng(1)
    explorer = make()
    # The upload button is left out: a file is an event read once (a bad one's message
    # shows once), not a setting a fresh explorer could be set to; its own tests
    # above check what it shows.
    names = [key for key, control in explorer.controls.items()
             if not isinstance(control, ipywidgets.FileUpload)]
    for step in range(60):
        key = names[rng.integers(len(names))]
        control = explorer.controls[key]
        if control.disabled:
            continue
        control.value = random_value(control, rng)
        values = {k: c.value for k, c in explorer.controls.items()}
        if explorer.state["error"] is not None:
            # The cell sliders are disabled then, their values meaningless.
            del values["row"], values["col"]
        fresh = reached_another_way(make, values)
        assert fresh.state["error"] == explorer.state["error"], (step, key, values)
        shown, expected = visible(explorer), visible(fresh)
        differ = [k for k in shown if shown[k] != expected[k]]
        assert not differ, f"step {step}: after moving {key!r} to {control.value!r}, " \
                           f"{differ} differ from a fresh explorer's at {values}"


# ------------------------------------------------------------------ reads without a kernel

def _png_size(data):
    from io import BytesIO

    from PIL import Image

    raw = data if isinstance(data, bytes) else __import__("base64").b64decode(data)
    picture = Image.open(BytesIO(raw))
    picture.load()
    return picture.size


def _displayed(explorer):
    """The bundle a notebook receives when the explorer ends a cell, as IPython sends it."""
    from unittest import mock

    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(explorer)
    if data:            # ipywidgets 8: IPython asks the explorer's _repr_mimebundle_
        return data
    # ipywidgets 7 (Colab) displays through _ipython_display_, which publishes the bundle
    # itself: IPython's formatter then returns nothing.
    published = []
    with mock.patch("IPython.display.display",
                    lambda data, **kwargs: published.append(data)):
        explorer._ipython_display_()
    assert len(published) == 1
    return published[0]


@pytest.mark.parametrize("make", EXPLORERS, ids=IDS)
def test_output_carries_a_snapshot_beside_the_live_view(make):
    explorer = make()
    data = _displayed(explorer)
    view = data["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.model_id          # the live widget, as before
    width, height = _png_size(data["image/png"])
    assert width > 300 and height > 100
    assert not data["text/plain"].startswith("VBox(")
    assert "snapshot" in data["text/plain"]
    # The snapshot is of the current state: a move changes it, an error shows the message.
    key = next(k for k in explorer.controls if k not in ("row", "col"))
    move(explorer.controls[key], another_value(explorer.controls[key]))
    moved = explorer._repr_mimebundle_()[0]["image/png"]
    assert moved != data["image/png"] or explorer.state["output"].shape == (1, 1)


def test_snapshot_of_an_error_shows_the_message():
    explorer = widgets.stride_explorer()
    fine = explorer._repr_mimebundle_()[0]["image/png"]
    explorer.controls["size"].value = 3
    explorer.controls["kernel_size"].value = 5
    assert explorer.state["error"] is not None
    failed = explorer._repr_mimebundle_()[0]["image/png"]
    assert failed != fine and _png_size(failed)[1] < _png_size(fine)[1]


NOTEBOOKS = sorted((__import__("pathlib").Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


def _explorer_views(notebook):
    """(cell index, output) of every stored output whose widget view is an explorer
    (its model, in the stored widget state, carries the convlab-explorer class; a view
    whose model is not stored counts too)."""
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view is None:
                continue
            model = state.get(view["model_id"])
            if model is None or "convlab-explorer" in model["state"].get("_dom_classes", []):
                yield index, output


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_stored_explorer_view_also_holds_a_picture(path):
    import nbformat

    for index, output in _explorer_views(nbformat.read(path, as_version=4)):
        data = output["data"]
        assert "image/png" in data, f"{path.name} cell {index}: an explorer, no picture"
        width, height = _png_size(data["image/png"])
        assert width > 300 and height > 100, (path.name, index, width, height)
        assert not data.get("text/plain", "").startswith("VBox(")


def test_the_course_shows_explorers():
    import nbformat

    views = sum(len(list(_explorer_views(nbformat.read(path, as_version=4))))
                for path in NOTEBOOKS)
    assert views >= len(EXPLORERS)        # every explorer appears in its notebook


def test_rendering_and_explaining_import_no_ipywidgets():
    # render turns arrays into PNG and HTML, explain writes the panels: plain strings
    # and bytes, testable and reusable without a widget library.
    import subprocess
    import sys

    code = ("import sys, convlab.widgets.render, convlab.widgets.explain, "
            "convlab.widgets.snapshot; print('ipywidgets' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert shown == "False"


# ------------------------------------------------------------------ the formula as taught

EARLY = ["kernel_explorer", "stride_explorer", "filter_explorer", "pooling_explorer",
         "padding_explorer"]


@pytest.mark.parametrize("name", EARLY)
def test_early_explorers_write_the_rule_without_dilation(name):
    explorer = getattr(widgets, name)()
    for shown in explorer.state["formula"]:
        assert "\u00b7(" not in shown and "dilat" not in shown, shown
        assert "dilat" not in explorer.outputs["info"].value


def test_arithmetic_explorer_leaves_dilation_out_until_it_is_taught():
    plain = widgets.arithmetic_explorer(dilation=None)
    assert "dilation" not in plain.controls
    assert plain.state["formula"] == ["floor((5 + 2\u00b71 \u2212 3) / 2) + 1 = 3"]
    assert "dilat" not in plain.outputs["info"].value
    plain.controls["kernel_size"].value = 4
    value, claimed = _evaluate_formula(plain.state["formula"][0])
    assert value == claimed == plain.state["shape"][0] == 2
    taught = widgets.arithmetic_explorer(dilation=2)
    assert taught.state["formula"][1] == ("dilated kernel extent k' = d(k\u22121) + 1 = "
                                          "2\u00b7(3\u22121) + 1 = 5")
    value, claimed = _evaluate_formula(taught.state["formula"][0])
    assert value == claimed == taught.state["shape"][0] == 2


def _decoded(png):
    """PNG bytes -> (H, W, 3) uint8, by Pillow (not by the code that wrote them)."""
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_filter_explorer_draws_each_channel_from_black_to_its_colour():
    explorer = widgets.filter_explorer()
    rgb = explorer.state["input"]
    for index, ch in enumerate(("red", "green", "blue")):
        shown = _decoded(explorer.outputs[f"{ch}_input"].value)
        factor = shown.shape[0] // rgb.shape[1]
        cells = shown[::factor, ::factor][:rgb.shape[1], :rgb.shape[2]]
        # Its own colour carries the channel's value (0 black, 1 full), the others are off.
        assert np.abs(cells[..., index] - rgb[index] * 255).max() <= 0.5
        assert not np.delete(cells, index, axis=-1).any()
    # The photograph's darkest pixel (the navy uniform) is dark in every channel picture.
    r, c = np.unravel_index(rgb.sum(axis=0).argmin(), rgb.shape[1:])
    assert rgb[:, r, c].max() < 0.25
    for ch in ("red", "green", "blue"):
        shown = _decoded(explorer.outputs[f"{ch}_input"].value)
        factor = shown.shape[0] // rgb.shape[1]
        assert shown[r * factor, c * factor].max() < 64

def test_every_explorer_describes_its_picture_in_words_and_keeps_it_current():
    """For screen readers: a live region in the widget and the snapshot's alt text say what
    the picture shows, and both follow the controls (an error says the message)."""
    explorer = widgets.stride_explorer()
    live = [c for c in explorer.children if "convlab-description" in c._dom_classes]
    assert len(live) == 1
    data, metadata = explorer._repr_mimebundle_()
    first = metadata["image/png"]["alt"]
    assert first == explorer.describe() and first in html.unescape(live[0].value)
    assert 'role="status"' in live[0].value and 'aria-live="polite"' in live[0].value
    out = explorer.state["output"]
    assert f"the output is {out.shape[0]} by {out.shape[1]}" in first
    explorer.controls["stride"].value = explorer.controls["stride"].value + 1
    moved = explorer._repr_mimebundle_()[1]["image/png"]["alt"]
    assert moved != first and moved in html.unescape(live[0].value)
    assert f"stride {explorer.controls['stride'].value}" in moved
    explorer.controls["size"].value = 3
    explorer.controls["kernel_size"].value = 5
    failed = explorer.describe()
    assert "No picture: " + explorer.state["error"] in failed
    assert failed in html.unescape(live[0].value)


# ------------------------------------------------------------------ your own image

_WHEN = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)   # a file's date


def _image_bytes(fmt, size=(200, 100), colour=(255, 0, 0)):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=fmt)
    return buffer.getvalue()


def _png_claiming(width, height):
    """A real 1x1 PNG whose header claims ``width`` x ``height`` (CRC fixed)."""
    import struct
    import zlib

    data = bytearray(_image_bytes("PNG", (1, 1)))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _upload(explorer, content, name="mine.png"):
    """Put a file in the explorer's upload control, as the browser does."""
    move(explorer.controls["upload"], ({"name": name, "type": "image/png", "size": len(content),
                                        "content": memoryview(content),
                                        "last_modified": _WHEN},))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_kernel_explorer_takes_an_uploaded_picture(fmt):
    explorer = widgets.kernel_explorer()
    assert explorer.controls["source"].value == "small grid"
    _upload(explorer, _image_bytes(fmt), f"mine.{fmt.lower()}")
    state = explorer.state
    assert state["error"] is None
    assert explorer.controls["source"].value == "photograph"
    assert state["input"].shape == (48, 96)          # 200x100 -> 96 on the longer side
    # pure red averaged to grey: (1 + 0 + 0) / 3 (JPEG's colour coding moves it a little)
    assert np.allclose(state["input"], 1 / 3, atol=0.02 if fmt == "JPEG" else 1e-12)
    assert np.allclose(state["output"], convlab.correlate2d(state["input"], state["kernel"]))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_filter_explorer_takes_an_uploaded_picture(fmt):
    explorer = widgets.filter_explorer()
    _upload(explorer, _image_bytes(fmt, (60, 120), (0, 0, 255)), f"mine.{fmt.lower()}")
    state = explorer.state
    assert state["error"] is None
    assert state["input"].shape == (3, 96, 48)
    tol = 0.02 if fmt == "JPEG" else 1e-12
    assert np.allclose(state["input"][2], 1, atol=tol)
    assert np.allclose(state["input"][:2], 0, atol=tol)
    assert state["shape"] == (94, 46)
    shown = _decoded(explorer.outputs["blue_input"].value)
    assert shown[..., 2].min() >= 250 and shown[..., :2].max() == 0


@pytest.mark.parametrize("content, words", [
    (b"\x89PNG\r\n\x1a\n this is not a picture", "could not read mine.png"),
    (_image_bytes("PNG")[:60], "could not read mine.png"),                # cut short
    (_image_bytes("GIF"), "not a PNG or JPEG"),
    (_png_claiming(8000, 7000), "56 megapixels"),                         # header only
    (_png_claiming(12000, 12000), "too many pixels"),                     # Pillow's bomb check
    (b"\x89PNG" + bytes(20 * 2**20), "at most 20 MB"),
])
@pytest.mark.parametrize("make", [widgets.kernel_explorer, widgets.filter_explorer],
                         ids=["kernel", "filter"])
def test_a_bad_upload_gets_a_message_then_the_explorer_comes_back(make, content, words):
    explorer = make()
    before = explorer.state["input"].copy()
    _upload(explorer, content)
    assert words in explorer.state["error"]
    message = explorer.outputs["message"]
    assert words in message.value and message.layout.display != "none"
    assert "Traceback" not in message.value
    # The next move shows the explorer again, with the picture it had.
    control = explorer.controls["bias" if "bias" in explorer.controls else "padding"]
    control.value = 0.5 if control is explorer.controls.get("bias") else "same"
    assert explorer.state["error"] is None
    assert np.array_equal(explorer.state["input"], before)


def test_uploads_read_ipywidgets_7_values_too():
    from types import SimpleNamespace

    from convlab.widgets.upload import Uploads, uploaded_file

    control = SimpleNamespace(value={})
    uploads = Uploads(control)
    assert uploads.new_picture() is None
    control.value = {"mine.jpg": {"metadata": {"name": "mine.jpg", "size": 0},
                                  "content": _image_bytes("JPEG", (30, 90))}}
    picture = uploads.new_picture()
    assert picture.shape == (96, 32, 3) and picture.dtype == np.uint8   # (H, W, 3)
    assert uploads.new_picture() is None                 # read once per new file
    assert uploaded_file(control.value)[0] == "mine.jpg"


def test_the_description_names_the_uploaded_file_not_its_bytes():
    explorer = widgets.filter_explorer()
    assert "your image none;" in explorer.describe()
    _upload(explorer, _image_bytes("PNG", (40, 40), (0, 0, 255)), "my cat.png")
    assert "your image my cat.png;" in explorer.describe()
    assert "memory" not in explorer.describe() and "content" not in explorer.describe()
