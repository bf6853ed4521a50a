"""The explorers' inputs: seeded teaching grids and the (shrunk) photograph."""

from __future__ import annotations

import numpy as np

import convlab
from convlab._checks import as_array

__all__ = ["PHOTO_SIDE", "teaching_grid", "teaching_kernel", "photograph"]

#: Photographs are shown at most this many pixels a side.
PHOTO_SIDE = 96


def teaching_grid(height, width, seed=0, low=0, high=9):
    """Small integers a learner can multiply in their head (seeded: same every run)."""
    rng = np.random.default_rng(seed)
    return rng.integers(low, high + 1, size=(height, width)).astype(float)


def teaching_kernel(size, seed=1):
    """A small integer kernel of side ``size`` (seeded)."""
    rng = np.random.default_rng(seed + 100 * size)
    return rng.integers(-1, 3, size=(size, size)).astype(float)


def photograph(image=None, color=False):
    """The sample photograph (or the learner's image), small enough to be quick.

    Returns float64 ``(H, W)`` or ``(3, H, W)`` in [0, 1] (when the source is 8-bit).
    """
    if image is None:
        from convlab import images

        return images.photograph(rgb=color, size=PHOTO_SIDE)
    array = as_array(image, "image", (2, 3), what="image")
    if array.ndim == 3 and array.shape[-1] in (3, 4) and array.shape[0] not in (3, 4):
        array = np.moveaxis(array[..., :3], -1, 0)
    if array.ndim == 3 and array.shape[0] == 4:
        array = array[:3]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[0] not in (1, 3)):
        raise ValueError("image must have shape (H, W), (H, W, 3) or (3, H, W), "
                         f"got {array.shape}")
    if min(array.shape[-2:]) < 8:
        raise ValueError(f"image must be at least 8x8 pixels, got {array.shape[-2:]}")
    array = array.astype(float)
    if np.issubdtype(np.asarray(image).dtype, np.integer) or array.max() > 1.0:
        array = array / 255.0
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    side = max(array.shape[-2:])
    if side > PHOTO_SIDE:
        factor = int(np.ceil(side / PHOTO_SIDE))
        # Shrink with the core's own average pooling, so no number comes from elsewhere.
        array = convlab.avg_pool2d(array, factor)
    if color and array.ndim == 2:
        array = np.stack([array] * 3)
    if not color and array.ndim == 3:
        array = array.mean(axis=0)
    return array
