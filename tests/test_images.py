"""Sample images: shapes, ranges and the channel-order helpers."""

import subprocess
import sys

import numpy as np
import pytest

from convlab import images, to_chw, to_hwc


def test_photograph_gray_and_rgb():
    gray = images.photograph()
    rgb = images.photograph(rgb=True)
    assert gray.shape == (600, 512) and rgb.shape == (3, 600, 512)
    assert 0.0 <= gray.min() and gray.max() <= 1.0 and gray.std() > 0.1
    # grayscale is the BT.601 luma of the colour image
    np.testing.assert_allclose(gray, 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])
    assert not np.allclose(rgb[0], rgb[2])  # a real colour photograph


def test_photograph_resizes_and_returns_fresh_arrays():
    assert images.photograph(size=50).shape == (50, 43)
    assert images.photograph(rgb=True, size=(20, 30)).shape == (3, 20, 30)
    a = images.photograph(size=10)
    a[...] = -1
    assert images.photograph(size=10).min() >= 0


def test_small_images():
    assert images.worked_example().shape == (5, 5)
    assert images.worked_kernel().shape == (3, 3)
    edge = images.step_edge(6)
    assert (edge[:, :3] == 0).all() and (edge[:, 3:] == 10).all()
    board = images.checkerboard(8, 2)
    assert board.shape == (8, 8) and board.sum() == 32 and board[0, 0] != board[0, 2]
    shapes = images.shapes(32)
    assert set(np.unique(shapes)) == {0.0, 1.0} and 0.05 < shapes.mean() < 0.5
    assert images.rgb_example().shape == (3, 5, 5)
    np.testing.assert_array_equal(images.rgb_example(), images.rgb_example())


def test_channel_order_round_trip():
    hwc = np.arange(24).reshape(2, 3, 4)
    chw = to_chw(hwc)
    assert chw.shape == (4, 2, 3) and chw[1, 0, 2] == hwc[0, 2, 1]
    np.testing.assert_array_equal(to_hwc(chw), hwc)


@pytest.mark.parametrize("call, error, message", [
    (lambda: to_chw(np.ones((4, 4))), ValueError, r"image must have 3 dimensions \(H, W, C\), got 2"),
    (lambda: images.photograph(size=0), ValueError, r"size must be >= 1, got 0"),
    (lambda: images.photograph(size=(1, 2, 3)), ValueError, r"size must be an int or"),
    (lambda: images.checkerboard(8, 0), ValueError, r"square must be >= 1, got 0"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_import_convlab_stays_light():
    code = ("import sys, convlab; heavy = [m for m in ('matplotlib', 'ipywidgets', 'scipy', "
            "'torch') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_complete():
    import convlab
    for name in ["correlate2d", "convolve2d", "apply_filter", "conv2d", "max_pool2d",
                 "avg_pool2d", "pad2d", "output_size", "same_padding", "to_chw", "to_hwc",
                 "kernels", "naive"]:
        assert name in convlab.__all__ and hasattr(convlab, name)
    for name in ["correlate2d", "conv2d", "max_pool2d", "avg_pool2d"]:
        assert callable(getattr(convlab.naive, name))
