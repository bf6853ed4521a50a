"""The kernel gallery: what each kernel is for, checked on images."""

import numpy as np
import pytest

import convlab
from convlab import images, kernels

REQUIRED = ["identity", "sharpen", "box_blur", "gaussian_blur_3x3", "gaussian_blur_5x5",
            "unsharp_masking_5x5", "sobel_x", "sobel_y", "prewitt_x", "prewitt_y", "laplacian",
            "emboss"]


def test_gallery_has_the_named_kernels():
    names = kernels.names()
    assert len(names) >= 12 and len(set(names)) == len(names)
    assert set(REQUIRED) <= set(names)
    assert {"diagonal_edges", "edges_4_neighbours", "edges_8_neighbours"} <= set(names)


@pytest.mark.parametrize("old, new", [("edge_detection_1", "diagonal_edges"),
                                      ("edge_detection_2", "edges_4_neighbours"),
                                      ("edge_detection_3", "edges_8_neighbours")])
def test_the_old_edge_detection_names_still_work(old, new):
    assert old not in kernels.names()
    np.testing.assert_array_equal(kernels.get(old), kernels.get(new))
    assert kernels.description(old) == kernels.description(new)


def test_diagonal_edges_ignores_straight_edges_and_sees_diagonal_ones():
    diagonal = (np.add.outer(np.arange(8), np.arange(8)) >= 8).astype(float)
    for straight in (images.step_edge(8, vertical=True), images.step_edge(8, vertical=False)):
        assert np.abs(convlab.correlate2d(straight, kernels.get("diagonal_edges"))).max() == 0
        assert np.abs(convlab.correlate2d(straight, kernels.get("edges_4_neighbours"))).max() > 0
    for edge in (diagonal, diagonal[:, ::-1]):
        assert np.abs(convlab.correlate2d(edge, kernels.get("diagonal_edges"))).max() > 0


def test_eight_neighbours_respond_more_strongly_than_four():
    photo = images.photograph(size=48)
    four = convlab.correlate2d(photo, kernels.get("edges_4_neighbours"))
    eight = convlab.correlate2d(photo, kernels.get("edges_8_neighbours"))
    assert np.abs(eight).mean() > np.abs(four).mean()


@pytest.mark.parametrize("name", kernels.names())
def test_each_kernel_is_a_fresh_square_float64_array(name):
    kernel = kernels.get(name)
    assert kernel.dtype == np.float64 and kernel.ndim == 2 and kernel.shape[0] == kernel.shape[1]
    kernel[...] = 99.0
    assert not np.all(kernels.get(name) == 99.0)
    assert kernels.description(name)


@pytest.mark.parametrize("name", ["box_blur", "gaussian_blur_3x3", "gaussian_blur_5x5",
                                  "identity", "sharpen", "unsharp_masking_5x5"])
def test_brightness_preserving_kernels_sum_to_one(name):
    assert kernels.get(name).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["diagonal_edges", "edges_4_neighbours", "edges_8_neighbours",
                                  "sobel_x", "sobel_y", "prewitt_x", "prewitt_y", "laplacian"])
def test_edge_kernels_are_zero_on_flat_regions(name):
    flat = np.full((6, 6), 7.0)
    np.testing.assert_allclose(convlab.correlate2d(flat, kernels.get(name)), 0.0, atol=1e-12)


def test_identity_leaves_the_photograph_unchanged():
    photo = images.photograph(size=40)
    np.testing.assert_array_equal(convlab.correlate2d(photo, kernels.get("identity"),
                                                      padding="same"), photo)


def test_sobel_x_finds_vertical_edges_and_sobel_y_horizontal_ones():
    vertical = images.step_edge(8, vertical=True)
    horizontal = images.step_edge(8, vertical=False)
    assert np.abs(convlab.correlate2d(vertical, kernels.get("sobel_x"))).max() > 0
    assert np.abs(convlab.correlate2d(horizontal, kernels.get("sobel_x"))).max() == 0
    assert np.abs(convlab.correlate2d(horizontal, kernels.get("sobel_y"))).max() > 0
    assert np.abs(convlab.correlate2d(vertical, kernels.get("sobel_y"))).max() == 0


def test_blur_reduces_variation_and_sharpen_increases_it():
    photo = images.photograph(size=64)
    spread = np.std(np.diff(photo, axis=1))
    blurred = convlab.correlate2d(photo, kernels.get("gaussian_blur_5x5"))
    sharpened = convlab.correlate2d(photo, kernels.get("sharpen"))
    assert np.std(np.diff(blurred, axis=1)) < spread < np.std(np.diff(sharpened, axis=1))


def test_unknown_name_lists_the_gallery():
    with pytest.raises(ValueError, match=r"unknown kernel 'blurr': the gallery has identity, "):
        kernels.get("blurr")
    with pytest.raises(TypeError, match=r"name must be a kernel name \(str\), got 3 \(int\)"):
        kernels.get(3)
