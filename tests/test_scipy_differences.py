"""The documented differences between correlate2d/convolve2d and SciPy, each pinned.

The docstrings of :func:`convlab.correlate2d` and :func:`convlab.convolve2d`
and the README list them; each test shows SciPy's behaviour next to convlab's.
"""

import numpy as np
import pytest
import scipy.signal

import convlab

IMAGE = np.arange(25.0).reshape(5, 5)
EVEN = np.array([[1.0, 2.0], [3.0, 4.0]])


def test_valid_never_swaps_the_arguments():
    # SciPy (gh-5897) swaps image and kernel when the second is at least as large.
    swapped = scipy.signal.correlate2d(EVEN, IMAGE, mode="valid")
    assert swapped.shape == (4, 4)
    with pytest.raises(ValueError, match=r"kernel of size 5x5 .* does not fit in the padded "
                                         r"input 2x2: use padding >= 2"):
        convlab.correlate2d(EVEN, IMAGE)
    with pytest.raises(ValueError, match="kernel of size 5x5"):
        convlab.convolve2d(EVEN, IMAGE, padding="valid")


def test_same_with_an_even_kernel_follows_correlate2d_not_nd_correlate():
    ours = convlab.correlate2d(IMAGE, EVEN, padding="same")
    np.testing.assert_array_equal(ours, scipy.signal.correlate2d(IMAGE, EVEN, mode="same"))
    nd = scipy.signal.correlate(IMAGE, EVEN, mode="same")
    assert not np.array_equal(ours, nd)
    # The N-d version is centred one pixel up and left: the same numbers, shifted.
    np.testing.assert_array_equal(ours[:-1, :-1], nd[1:, 1:])
    # For convolution the 2-D and N-d SciPy functions agree, and so does convlab.
    np.testing.assert_array_equal(convlab.convolve2d(IMAGE, EVEN, padding="same"),
                                  scipy.signal.convolve(IMAGE, EVEN, mode="same"))


def test_default_padding_is_valid_where_scipy_defaults_to_full():
    assert convlab.correlate2d(IMAGE, EVEN).shape == (4, 4)
    assert scipy.signal.correlate2d(IMAGE, EVEN).shape == (6, 6)
    np.testing.assert_array_equal(convlab.convolve2d(IMAGE, EVEN, padding="full"),
                                  scipy.signal.convolve2d(IMAGE, EVEN))


@pytest.mark.parametrize("image, kernel, name, scipy_shape",
                         [(np.zeros((0, 3)), EVEN, "image", (1, 4)),
                          (IMAGE, np.zeros((2, 0)), "kernel", (6, 4))])
def test_empty_inputs_are_refused(image, kernel, name, scipy_shape):
    assert scipy.signal.correlate2d(image, kernel).shape == scipy_shape  # SciPy answers anyway
    for function in (convlab.correlate2d, convlab.convolve2d):
        with pytest.raises(ValueError, match=f"{name} must not be empty, got shape"):
            function(image, kernel)
