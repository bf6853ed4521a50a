"""The kernel gallery: small named matrices and what they do to an image.

>>> from convlab import kernels
>>> kernels.get("sharpen")
array([[ 0., -1.,  0.],
       [-1.,  5., -1.],
       [ 0., -1.,  0.]])
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import as_array, describe

__all__ = ["get", "names", "description", "separate"]

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


def separate(kernel, tol=None):
    """Split a separable (rank-1) kernel into a column and a row: ``kernel = column ⊗ row``.

    A kernel is separable when every row is a multiple of one row, that is
    when its matrix has rank 1. Correlating with it is then correlating with
    the ``(kH, 1)`` column and then with the ``(1, kW)`` row: ``kH + kW``
    multiplies per output pixel instead of ``kH*kW`` (6 instead of 9 for
    3x3, 14 instead of 49 for 7x7). Box and Gaussian blurs, Sobel, Prewitt
    and the diagonal edge kernel are separable; the Laplacian, sharpen and
    emboss are not.

    Parameters
    ----------
    kernel : array_like, shape (kH, kW)
    tol : float, optional
        How far from rank 1 a kernel may be: the largest singular value
        after the first that is still counted as zero. Defaults to
        ``max(kH, kW) * eps * (largest singular value)`` (numpy's
        ``matrix_rank`` rule, with ``eps`` of float64), so kernels that are
        rank 1 up to rounding are accepted.

    Returns
    -------
    column : ndarray of float64, shape (kH,)
    row : ndarray of float64, shape (kW,)
        ``np.outer(column, row)`` equals ``kernel`` to within ``tol``; the row
        is scaled so that its first largest entry (in size, up to rounding)
        is +1.

    Raises
    ------
    ValueError
        If the kernel's rank is not 1 (the message gives the rank and the
        singular values), or it is all zeros (rank 0).

    See Also
    --------
    convlab.correlate2d : ``method='separable'`` runs the two 1-D passes.

    Notes
    -----
    From the singular value decomposition ``kernel = U S V^T``: the kernel
    has rank 1 when only the first singular value is non-zero, and then
    ``kernel = (s_0 u_0) v_0^T``.

    Examples
    --------
    >>> column, row = separate(get("sobel_x"))
    >>> column, row
    (array([-1., -2., -1.]), array([ 1.,  0., -1.]))
    >>> bool(np.allclose(np.outer(column, row), get("sobel_x")))
    True
    >>> separate(get("gaussian_blur_3x3"))[0] * 16    # [1, 2, 1] times the row [1/2, 1, 1/2]
    array([2., 4., 2.])
    >>> separate(get("laplacian"))
    Traceback (most recent call last):
    ...
    ValueError: kernel has rank 2, not 1: it is not separable (singular values 4.45, 0.449, ...)
    """
    array = as_array(kernel, "kernel", 2, what="kernel").astype(np.float64)
    if tol is not None:
        if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, numbers.Real):
            raise TypeError(f"tol must be a number >= 0, got {describe(tol)}")
        if not tol >= 0:
            raise ValueError(f"tol must be >= 0, got {tol}")
    u, s, vt = np.linalg.svd(array)
    if tol is None:
        tol = max(array.shape) * np.finfo(np.float64).eps * s[0]
    rank = int((s > tol).sum())
    if rank != 1:
        values = ", ".join(f"{v:.3g}" for v in s)
        what = "is all zeros" if rank == 0 else "is not separable"
        raise ValueError(f"kernel has rank {rank}, not 1: it {what} (singular values "
                         f"{values}; tol {tol:.3g})")
    row = vt[0]
    # the first entry as large as any (up to rounding) becomes +1
    pivot = row[np.argmax(np.abs(row) >= np.abs(row).max() * (1 - 1e-9))]
    return u[:, 0] * (s[0] * pivot) + 0.0, row / pivot + 0.0  # + 0.0: no negative zeros
