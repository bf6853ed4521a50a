"""convlab.animate: frame counts, what each frame shows, GIF and player output, errors."""

import base64
import io
import re

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.signal  # noqa: E402
from PIL import Image  # noqa: E402

import convlab  # noqa: E402
from convlab import animate, draw  # noqa: E402


def shown(ax):
    """Values of the visible cell labels of ``ax``."""
    return [float(t.get_text().replace("\u2212", "-")) for t in ax.texts
            if t.get_gid() == draw.CELL_GID and t.get_visible()]


@pytest.mark.parametrize("kwargs, out_hw", [
    (dict(input_size=5, kernel_size=3), (3, 3)),
    (dict(input_size=5, kernel_size=3, padding="same"), (5, 5)),
    (dict(input_size=4, kernel_size=3, padding="full"), (6, 6)),
    (dict(input_size=7, kernel_size=3, stride=2, padding=1), (4, 4)),
    (dict(input_size=7, kernel_size=3, dilation=2), (3, 3)),
    (dict(input_size=(5, 7), kernel_size=(3, 2), stride=(1, 2)), (3, 3)),
    (dict(input_size=6, kernel_size=4, stride=2, padding="same"), (3, 3)),
])
def test_one_frame_per_output_cell(kwargs, out_hw):
    # expected sizes by hand from o = floor((i + p_total - d(k-1) - 1)/s) + 1
    anim = animate.convolution(**kwargs)
    try:
        assert anim.n_frames == out_hw[0] * out_hw[1] == len(anim)
    finally:
        anim.close()


def test_frames_fill_the_output_in_row_major_order():
    image = np.arange(36).reshape(6, 6) % 7
    kernel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    anim = animate.convolution(6, 3, stride=1, padding=1, image=image, kernel=kernel)
    expected = scipy.signal.correlate2d(np.pad(image, 1), kernel, mode="valid").ravel()
    out_ax = anim.fig.axes[2]
    for k in (0, 7, 35):
        anim.frame(k)
        assert shown(out_ax) == list(expected[:k + 1])
        caption = anim.fig.texts[-1].get_text()
        i, j = divmod(k, 6)
        assert caption.startswith(f"output[{i}, {j}] = ")
        assert caption.replace("\u2212", "-").endswith(f"= {expected[k]:.0f}")
    anim.close()


def test_window_outlines_follow_stride_and_dilation():
    anim = animate.convolution(9, 3, stride=2, dilation=2)
    anim.frame(4)  # output (1, 1): window top-left at (2, 2), taps every 2 cells
    corners = sorted(p.get_xy() for p in anim.fig.axes[0].patches
                     if p.get_linewidth() > 2 and not p.get_fill())
    expected = sorted((c - 0.5, r - 0.5) for r in (2, 4, 6) for c in (2, 4, 6))
    assert corners == expected
    anim.close()


def test_multichannel_rows_and_sum():
    x = np.random.default_rng(5).integers(0, 6, size=(3, 4, 4))
    filt = np.random.default_rng(6).integers(-1, 2, size=(3, 2, 2))
    anim = animate.convolution(4, 2, channels=3, image=x, kernel=filt, bias=1.5)
    anim.frame(-1)
    axes = np.array(anim.fig.axes).reshape(3, 4)
    for c in range(3):
        partial = scipy.signal.correlate2d(x[c], filt[c], mode="valid")
        assert shown(axes[c, 2]) == list(partial.ravel())
    assert shown(axes[1, 3]) == pytest.approx(
        list(convlab.apply_filter(x, filt, 1.5).ravel()), abs=0.005)
    anim.close()


def test_channel_sum_and_volume_show_apply_filter():
    x = np.random.default_rng(2).integers(0, 6, size=(3, 5, 5))
    filt = np.random.default_rng(4).integers(-1, 2, size=(3, 3, 3))
    expected = sum(scipy.signal.correlate2d(np.pad(x[c], 1), filt[c], mode="valid")
                   for c in range(3)) + 1
    for make in (animate.channel_sum, animate.volume):
        anim = make(5, 3, padding=1, image=x, kernel=filt, bias=1)
        assert anim.n_frames == 25
        anim.frame(24)
        caption = anim.fig.texts[-1].get_text().replace("\u2212", "-")
        assert caption.endswith(f"= {expected[4, 4]:.0f}")
        anim.close()


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooling_frames_and_values(mode):
    x = np.random.default_rng(9).integers(0, 10, size=(7, 7))
    anim = animate.pooling(7, 3, 2, mode=mode, image=x)
    assert anim.n_frames == 9  # (7 - 3)//2 + 1 = 3 per axis
    anim.frame(8)
    windows = np.array([[x[2 * i:2 * i + 3, 2 * j:2 * j + 3] for j in range(3)] for i in range(3)])
    reduce = windows.max(axis=(2, 3)) if mode == "max" else windows.mean(axis=(2, 3))
    assert shown(anim.fig.axes[1]) == pytest.approx(list(reduce.ravel()), abs=0.005)
    anim.close()


def test_gif_has_one_frame_per_cell_and_holds_the_last(tmp_path):
    anim = animate.convolution(5, 3, stride=2, padding=1, fps=4, hold=1.5)
    path = anim.save(tmp_path / "a.gif")
    with Image.open(path) as gif:
        assert gif.n_frames == 9
        durations = []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
    assert durations == [250] * 8 + [1750]
    anim.close()


def test_gif_is_deterministic(tmp_path):
    a = animate.pooling(6, 2, seed=3).save(tmp_path / "a.gif")
    b = animate.pooling(6, 2, seed=3).save(tmp_path / "b.gif")
    assert a.read_bytes() == b.read_bytes()


def test_fast_render_equals_a_full_redraw():
    anim = animate.volume(5, 3, padding=1, bias=1)
    fast = np.asarray(anim.render(13))
    anim.fig.canvas.draw()  # everything redrawn from scratch in frame 13's state
    full = np.asarray(anim.fig.canvas.buffer_rgba())[..., :3]
    differs = np.abs(fast.astype(int) - full.astype(int)).max(axis=-1) > 8
    # only anti-aliased pixels where two moving artists overlap may differ (3 of 291,445 now)
    assert differs.mean() < 1e-4
    anim.close()


def test_player_html_has_controls_and_every_frame():
    anim = animate.pooling(4, 2)
    html = anim._repr_html_()
    assert "<script" in html and 'type="range"' in html
    # every frame in the script, and frame 0 once more in the picture itself
    assert html.count("data:image/png;base64") == anim.n_frames + 1 == 5
    anim.close()


def _decoded(data_uri_or_b64):
    from PIL import Image

    raw = base64.b64decode(data_uri_or_b64.split(",", 1)[-1])
    return Image.open(io.BytesIO(raw))


def test_player_shows_frame_0_before_its_script_runs():
    anim = animate.convolution(5, 3, padding=1)
    html = anim.to_jshtml()
    img = re.search(r'<img id="_anim_img[0-9a-f]+"([^>]*)>', html)
    assert img is not None, "the player has no <img>"
    src = re.search(r'src="(data:image/png;base64,[^"]+)"', img.group(1))
    assert src is not None, f"the player's <img> has no picture before its script runs: {img.group(0)[:200]}"
    shown = np.asarray(_decoded(src.group(1)).convert("RGB"), dtype=int)
    scripted = re.findall(r'frames\[(\d+)\] = "(data:image/png;base64,[^"]+)"', html)
    assert [int(k) for k, _ in scripted] == list(range(anim.n_frames))
    frame0 = np.asarray(_decoded(scripted[0][1].replace("\\n", "")).convert("RGB"), dtype=int)
    assert shown.shape == frame0.shape and (shown == frame0).all()
    # and it is frame 0 as drawn (the palette moves colours by a few levels at most)
    drawn = np.asarray(anim.render(0), dtype=int)
    assert shown.shape == drawn.shape
    assert np.abs(shown - drawn).max() <= 48
    assert np.abs(shown - drawn).mean() < 2
    last = np.asarray(anim.render(anim.n_frames - 1), dtype=int)
    assert np.abs(shown - last).mean() > np.abs(shown - drawn).mean()
    anim.close()


def test_notebook_bundle_carries_the_gif_beside_the_player(tmp_path):
    from PIL import Image

    anim = animate.pooling(4, 2, seed=1)
    bundle, metadata = anim._repr_mimebundle_()
    assert metadata == {"image/gif": {"alt": anim.alt}}
    assert set(bundle) == {"text/html", "image/gif", "text/plain"}
    assert "<script" in bundle["text/html"] and "_anim_img" in bundle["text/html"]
    gif = base64.b64decode(bundle["image/gif"])
    assert gif == anim.save(tmp_path / "a.gif").read_bytes()
    with Image.open(io.BytesIO(gif)) as image:
        assert image.format == "GIF" and image.n_frames == anim.n_frames
    anim.close()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(input_size=4, kernel_size=5), ValueError, "does not fit"),
    (dict(stride=0), ValueError, "stride"),
    (dict(stride=1.5), TypeError, "stride"),
    (dict(dilation=0), ValueError, "dilation"),
    (dict(padding=-1), ValueError, "padding"),
    (dict(padding="half"), ValueError, "padding"),
    (dict(channels=0), ValueError, "channels must be >= 1, got 0"),
    (dict(channels=2.0), TypeError, "channels must be an int"),
    (dict(fps=0), ValueError, "fps must be a positive number"),
    (dict(image=np.zeros((4, 4))), ValueError, r"image must have shape \(1, 5, 5\)"),
    (dict(padding_mode="mirror"), ValueError, "padding_mode"),
])
def test_bad_parameters_raise_before_drawing(kwargs, error, match, monkeypatch):
    def no_figure(*args, **kw):
        raise AssertionError("a figure was made before validation")

    monkeypatch.setattr(animate, "_new_figure", no_figure)
    with pytest.raises(error, match=match):
        animate.convolution(**kwargs)


def test_bad_pooling_parameters():
    with pytest.raises(ValueError, match="mode must be 'max' or 'avg', got 'median'"):
        animate.pooling(4, 2, mode="median")
    with pytest.raises(ValueError, match="does not fit"):
        animate.pooling(2, 3)


def test_frame_index_checked():
    anim = animate.pooling(4, 2)
    with pytest.raises(ValueError, match=r"frame index must be in \[0, 4\), got 4"):
        anim.frame(4)
    with pytest.raises(TypeError, match="frame index must be an int"):
        anim.frame(1.0)
    anim.close()


@pytest.mark.parametrize("make, words", [
    (lambda: animate.convolution(5, 3, padding=1), ["3x3 kernel slides", "input 5x5",
                                                   "padding 1", "output 5x5", "25 frames"]),
    (lambda: animate.convolution(5, 3, channels=3), ["per channel (3 channels)", "then their sum",
                                                    "output 3x3"]),
    (lambda: animate.channel_sum(), ["3 per-channel partial maps", "bias"]),
    (lambda: animate.volume(), ["3-channel input", "as deep as the input"]),
    (lambda: animate.pooling(7, 3, 2), ["3x3 max pooling", "circles its largest value",
                                       "stride 2", "output 3x3", "9 frames"]),
    (lambda: animate.pooling(4, 2, mode="avg"), ["2x2 average pooling", "writes its mean"]),
])
def test_every_animation_says_what_it_shows(make, words):
    """Alt text for readers who cannot see the animation: in the player's picture and the GIF's
    output metadata, naming what moves and the sizes it moves over."""
    import html

    anim = make()
    for word in words:
        assert word in anim.alt
    bundle, metadata = anim._repr_mimebundle_()
    assert metadata["image/gif"]["alt"] == anim.alt
    img = re.search(r'<img id="_anim_img[0-9a-f]+"[^>]*>', bundle["text/html"]).group(0)
    alt = html.unescape(re.search(r'alt="([^"]*)"', img).group(1))
    assert alt.startswith(anim.alt) and f"of {anim.n_frames}" in alt
    anim.close()
