"""Sample images: a real photograph and small synthetic ones, with no download.

The photograph is Grace Hopper's portrait (``grace_hopper.jpg``, public
domain), which matplotlib ships in its sample data. The synthetic images are
built in code and small enough to show every number.
"""

from __future__ import annotations

import functools
import importlib.util
import os

import numpy as np

from ._checks import as_array, check_int, describe

__all__ = ["photograph", "worked_example", "worked_kernel", "step_edge", "checkerboard",
           "shapes", "rgb_example", "to_chw", "to_hwc"]

# ITU-R BT.601 luma weights: how bright each of R, G, B looks to the eye.
_LUMA = np.array([0.299, 0.587, 0.114])


@functools.lru_cache(maxsize=None)
def _hopper_uint8():
    from PIL import Image

    path = os.path.join(_matplotlib_data(), "sample_data", "grace_hopper.jpg")
    with Image.open(path) as picture:
        return np.asarray(picture.convert("RGB"))


def _matplotlib_data():
    """matplotlib's ``mpl-data`` folder, found without importing matplotlib.

    The photograph ships in matplotlib's sample data; finding the file needs
    only the package's location, and the numeric core stays free of matplotlib.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the photograph ships with matplotlib, which is not installed: "
                           "pip install matplotlib")
    return os.path.join(list(spec.submodule_search_locations)[0], "mpl-data")


def photograph(rgb=False, size=None):
    """Grace Hopper's portrait as floats in [0, 1].

    Parameters
    ----------
    rgb : bool, default False
        False: grayscale ``(H, W)``; True: colour ``(3, H, W)``, channels first.
    size : int or (int, int), optional
        Resize to this height (keeping the aspect ratio) or to ``(height, width)``.
        The original is 600 x 512.

    Returns
    -------
    ndarray of float64
        A fresh array each call.

    Examples
    --------
    >>> photograph().shape
    (600, 512)
    >>> photograph(rgb=True, size=64).shape
    (3, 64, 55)
    >>> float(photograph(size=32).max()) <= 1.0
    True
    """
    from PIL import Image

    pixels = _hopper_uint8()
    if size is not None:
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"size must be an int or (height, width), got {describe(size)}")
            height = check_int(size[0], "size[0]", minimum=1)
            width = check_int(size[1], "size[1]", minimum=1)
        else:
            height = check_int(size, "size", minimum=1)
            width = max(1, round(pixels.shape[1] * height / pixels.shape[0]))
        pixels = np.asarray(Image.fromarray(pixels).resize((width, height),
                                                             Image.Resampling.LANCZOS))
    image = pixels.astype(np.float64) / 255.0
    if rgb:
        return to_chw(image)
    return image @ _LUMA


def worked_example():
    """The 5x5 image the course works through by hand (small integers).

    Examples
    --------
    >>> worked_example()
    array([[3, 0, 1, 2, 7],
           [1, 5, 8, 9, 3],
           [2, 7, 2, 5, 1],
           [0, 1, 3, 1, 7],
           [4, 2, 1, 6, 2]])
    """
    return np.array([[3, 0, 1, 2, 7],
                     [1, 5, 8, 9, 3],
                     [2, 7, 2, 5, 1],
                     [0, 1, 3, 1, 7],
                     [4, 2, 1, 6, 2]])


def worked_kernel():
    """The 3x3 kernel of the worked example: left column minus right column.

    Examples
    --------
    >>> worked_kernel()
    array([[ 1,  0, -1],
           [ 1,  0, -1],
           [ 1,  0, -1]])
    """
    return np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])


def step_edge(size=8, vertical=True, low=0, high=10):
    """A square image, ``low`` on one side of an edge and ``high`` on the other.

    Parameters
    ----------
    size : int, default 8
    vertical : bool, default True
        True: the edge is vertical (left dark, right bright); False: horizontal.
    low, high : int, default 0 and 10

    Examples
    --------
    >>> step_edge(4)
    array([[ 0,  0, 10, 10],
           [ 0,  0, 10, 10],
           [ 0,  0, 10, 10],
           [ 0,  0, 10, 10]])
    """
    size = check_int(size, "size", minimum=2)
    image = np.full((size, size), low)
    image[:, size // 2:] = high
    return image if vertical else image.T.copy()


def checkerboard(size=8, square=2):
    """A 0/1 checkerboard of ``square x square`` blocks.

    Examples
    --------
    >>> checkerboard(4, 1)
    array([[0, 1, 0, 1],
           [1, 0, 1, 0],
           [0, 1, 0, 1],
           [1, 0, 1, 0]])
    """
    size = check_int(size, "size", minimum=1)
    square = check_int(square, "square", minimum=1)
    i, j = np.indices((size, size))
    return ((i // square + j // square) % 2).astype(int)


def shapes(size=32):
    """A 0/1 image with a square, a disk and a horizontal bar: edges in every direction.

    Examples
    --------
    >>> image = shapes(32)
    >>> image.shape, sorted(np.unique(image).tolist())
    ((32, 32), [0.0, 1.0])
    """
    size = check_int(size, "size", minimum=16)
    image = np.zeros((size, size))
    q = size // 8
    image[q:3 * q, q:3 * q] = 1.0                                     # square, top left
    i, j = np.indices((size, size))
    image[(i - 2 * q) ** 2 + (j - 6 * q) ** 2 <= (1.2 * q) ** 2] = 1.0  # disk, top right
    image[5 * q:6 * q, q:7 * q] = 1.0                                 # bar, bottom
    return image


def rgb_example():
    """A 3x5x5 RGB image of small integers, for working a filter by hand.

    Examples
    --------
    >>> rgb_example().shape
    (3, 5, 5)
    """
    rng = np.random.default_rng(2019)
    return rng.integers(0, 4, size=(3, 5, 5))


def to_chw(image):
    """``(H, W, C)`` -> ``(C, H, W)``: channels first, as PyTorch and convlab use.

    Examples
    --------
    >>> to_chw(np.zeros((4, 5, 3))).shape
    (3, 4, 5)
    """
    image = as_array(image, "image", 3, what="hwc")
    return np.ascontiguousarray(np.moveaxis(image, -1, 0))


def to_hwc(image):
    """``(C, H, W)`` -> ``(H, W, C)``: channels last, as matplotlib and Pillow use.

    Examples
    --------
    >>> to_hwc(np.zeros((3, 4, 5))).shape
    (4, 5, 3)
    """
    image = as_array(image, "image", 3, what="image")
    return np.ascontiguousarray(np.moveaxis(image, 0, -1))
