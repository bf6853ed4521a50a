"""The kernel gallery: small named matrices and what they do to an image.

>>> from convlab import kernels
>>> kernels.get("sharpen")
array([[ 0., -1.,  0.],
       [-1.,  5., -1.],
       [ 0., -1.,  0.]])
"""

from __future__ import annotations

import numpy as np

from ._checks import describe

__all__ = ["get", "names", "description"]

_BINOMIAL_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
_UNSHARP_5 = -_BINOMIAL_5.astype(float)
_UNSHARP_5[2, 2] = 476.0  # 2*256 - 36: twice the image minus its blur

# name -> (values, what it does)
_GALLERY = {
    "identity": ([[0, 0, 0], [0, 1, 0], [0, 0, 0]],
                 "leaves the image unchanged: only the centre pixel counts"),
    "diagonal_edges": ([[1, 0, -1], [0, 0, 0], [-1, 0, 1]],
                       "corner differences: silent on horizontal and vertical edges, "
                       "responds to edges at 45 degrees"),
    "edges_4_neighbours": ([[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
                           "centre minus its 4 neighbours: edges in every direction"),
    "edges_8_neighbours": ([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
                           "centre minus its 8 neighbours: stronger edges in every direction, "
                           "diagonals included"),
    "sharpen": ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
                "the image plus its edges: crisper details"),
    "box_blur": (np.ones((3, 3)) / 9,
                 "mean of the 3x3 neighbourhood: a soft blur"),
    "gaussian_blur_3x3": (np.outer([1, 2, 1], [1, 2, 1]) / 16,
                          "weighted mean, centre counts most: a smooth blur"),
    "gaussian_blur_5x5": (_BINOMIAL_5 / 256,
                          "a wider Gaussian-weighted mean: a stronger smooth blur"),
    "unsharp_masking_5x5": (_UNSHARP_5 / 256,
                            "the image plus (image - its Gaussian blur): sharpens"),
    "sobel_x": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
                "horizontal change (right minus left): finds vertical edges"),
    "sobel_y": ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                "vertical change (below minus above): finds horizontal edges"),
    "prewitt_x": ([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
                  "like Sobel x with equal row weights: finds vertical edges"),
    "prewitt_y": ([[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
                  "like Sobel y with equal column weights: finds horizontal edges"),
    "laplacian": ([[0, 1, 0], [1, -4, 1], [0, 1, 0]],
                  "second derivative: zero on flat areas and ramps, large at edges"),
    "emboss": ([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
               "differences along one diagonal: a raised, lit-from-one-side look"),
}

# The names these kernels had before they were named for what they detect (the
# essay's "edge detection" rows); get() and description() still accept them.
_ALIASES = {
    "edge_detection_1": "diagonal_edges",
    "edge_detection_2": "edges_4_neighbours",
    "edge_detection_3": "edges_8_neighbours",
}


def names() -> list[str]:
    """Names of the kernels in the gallery, in the order the course shows them.

    Examples
    --------
    >>> names()[:3]
    ['identity', 'diagonal_edges', 'edges_4_neighbours']
    >>> len(names()) >= 12
    True
    """
    return list(_GALLERY)


def _lookup(name):
    if not isinstance(name, str):
        raise TypeError(f"name must be a kernel name (str), got {describe(name)}")
    name = _ALIASES.get(name, name)
    if name not in _GALLERY:
        raise ValueError(f"unknown kernel {name!r}: the gallery has {', '.join(_GALLERY)}")
    return _GALLERY[name]


def get(name: str) -> np.ndarray:
    """A fresh float64 copy of the kernel called ``name``.

    Parameters
    ----------
    name : str
        One of :func:`names` (the old names ``'edge_detection_1'``, ``_2`` and
        ``_3`` still work: they are ``'diagonal_edges'``, ``'edges_4_neighbours'``
        and ``'edges_8_neighbours'``).

    Returns
    -------
    ndarray of float64, shape (k, k)
        Yours to change: the gallery itself is not modified.

    Examples
    --------
    >>> get("sobel_x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> float(get("box_blur").sum())
    1.0
    >>> bool((get("edge_detection_2") == get("edges_4_neighbours")).all())
    True
    """
    return np.array(_lookup(name)[0], dtype=np.float64)


def description(name: str) -> str:
    """One line on what the kernel ``name`` does to an image.

    Examples
    --------
    >>> description("identity")
    'leaves the image unchanged: only the centre pixel counts'
    """
    return _lookup(name)[1]
