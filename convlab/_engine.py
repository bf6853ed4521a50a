"""The compute engines shared by the fast paths: im2col products, the transposed scatter, threads.

Internal (see :mod:`convlab` on public and internal modules): these work on
arrays already validated, padded and cast by the public functions, and their
names carry no underscore because other convlab modules import them.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os

import numpy as np

from ._windows import tap_view

__all__ = ["workers", "thread_pool", "images_per_chunk", "columns", "conv_padded",
           "scatter_taps"]


def workers():
    """How many threads the fast paths split their work between (the cores, at most 8)."""
    return min(os.cpu_count() or 1, 8)


@functools.lru_cache(maxsize=1)
def thread_pool():
    """The one thread pool the fast paths share, made on first use.

    Numpy releases the GIL inside its loops, so blocks of rows or planes run
    on every core at once.
    """
    return concurrent.futures.ThreadPoolExecutor(max_workers=workers(),
                                                 thread_name_prefix="convlab")


def images_per_chunk(n, bytes_per_image, budget):
    """How many of ``n`` images to take at a time so a chunk's temporary stays near
    ``budget`` bytes (at least one image), evened out so the last chunk is not small."""
    chunk = max(1, min(n, budget // max(bytes_per_image, 1)))
    return -(-n // -(-n // chunk))  # as many chunks, each as even as can be


def columns(xp, kernel_hw, out_hw, stride, dilation, out=None):
    """im2col on an already padded ``(N, C, Hp, Wp)`` array: ``(C, kH, kW, N, H', W')``.

    Laid out so that one matrix product with the ``(O, C*kH*kW)`` weights
    covers the whole batch; filled one tap (a strided view) at a time, into
    ``out`` (a contiguous buffer of at least that many elements) if given.
    """
    n, c = xp.shape[:2]
    kh, kw = kernel_hw
    shape = (c, kh, kw, n) + tuple(out_hw)
    if out is None:
        cols = np.empty(shape, dtype=xp.dtype)
    else:
        cols = out.reshape(-1)[:int(np.prod(shape))].reshape(shape)
    for a in range(kh):
        for b in range(kw):
            cols[:, a, b] = tap_view(xp, a, b, out_hw, stride, dilation).transpose(1, 0, 2, 3)
    return cols


# conv2d makes the columns of a few images at a time, about this many bytes, so
# they are still in cache when multiplied and no huge temporary is allocated.
_COLUMN_BYTES = 1 << 22


def conv_padded(xp, weight, out_hw, stride, dilation):
    """im2col + one matrix product per chunk of images, on an already padded
    ``(N, C, Hp, Wp)`` input."""
    n, c = xp.shape[:2]
    o, _, kh, kw = weight.shape
    oh, ow = out_hw
    wm = weight.reshape(o, c * kh * kw)
    chunk = images_per_chunk(n, c * kh * kw * oh * ow * xp.dtype.itemsize, _COLUMN_BYTES)
    buffer = np.empty(c * kh * kw * chunk * oh * ow, dtype=xp.dtype)  # reused per chunk
    out = None if chunk == n else np.empty((n, o, oh, ow), dtype=np.result_type(xp, weight))
    for start in range(0, n, chunk):
        xb = xp[start:start + chunk]
        cols = columns(xb, (kh, kw), out_hw, stride, dilation, out=buffer)
        product = wm @ cols.reshape(c * kh * kw, len(xb) * oh * ow)
        block = product.reshape(o, len(xb), oh, ow).transpose(1, 0, 2, 3)
        if out is None:  # one chunk: the product is the output (no copy for one image)
            return np.ascontiguousarray(block)
        out[start:start + chunk] = block
    return out


# The batch is processed a few images at a time so that the stamps of one chunk
# (kH*kW*C_out*H*W numbers per image) stay under about this many bytes: they are
# made and added up while still in cache, and no huge temporary is allocated.
_CHUNK_BYTES = 1 << 22


def scatter_taps(x4, weight, stride, dilation, pads, out_hw):
    """The engine of transposed convolution and of conv2d's input gradient.

    With stride 1 and no more input than output channels it hands over to
    :func:`_gather` (an ordinary convolution with the flipped kernel).

    ``x4`` is ``(N, C_in, H, W)``, ``weight`` ``(C_in, C_out, kH, kW)``, both
    of the compute dtype. Returns ``(N, C_out, *out_hw)``: the full scatter,
    cropped by ``pads[axis][0]`` before and extended with zeros as needed at
    the end.

    A chunk of images at a time: one matrix product makes every stamp of the
    chunk, laid out ``(kH, kW, C_out, image, H, W)``; then tap ``(a, b)``'s
    stamps are added into a strided slice of the output, only the rows and
    columns that land inside it (the crop is never computed). The first tap
    to fill a whole class of positions writes instead of adding.
    """
    n, c_in, h, w = x4.shape
    _, c_out, kh, kw = weight.shape
    if stride == (1, 1) and c_in <= c_out:
        return _gather(x4, weight, dilation, pads, out_hw)
    (top, _), (left, _) = pads
    # Per tap along each axis: which input rows land inside the output, and where.
    rows = [_landing(a, dilation[0], stride[0], top, out_hw[0], h) for a in range(kh)]
    cols = [_landing(b, dilation[1], stride[1], left, out_hw[1], w) for b in range(kw)]
    taps = [(a, b) for a in range(kh) for b in range(kw)
            if rows[a][0] is not None and cols[b][0] is not None]
    # With stride s, the output splits into s x s classes of positions (row and column
    # remainders); a tap's stamps land in one class. A tap that fills its whole class
    # goes first there and is written, not added; if every class has one, the output
    # is never zeroed.
    writers = {}
    for a, b in taps:
        rout, cout = rows[a][1], cols[b][1]
        if _fills_class(rout, out_hw[0]) and _fills_class(cout, out_hw[1]):
            writers.setdefault((rout.start, cout.start), (a, b))
    classes = min(stride[0], out_hw[0]) * min(stride[1], out_hw[1])
    first = set(writers.values())
    taps = sorted(taps, key=lambda tap: tap not in first)  # writers first, order kept
    wm = weight.transpose(2, 3, 1, 0).reshape(kh * kw * c_out, c_in)
    out = (np.empty if len(writers) == classes else np.zeros)(
        (n, c_out) + tuple(out_hw), dtype=np.result_type(x4, weight))
    chunk = images_per_chunk(n, kh * kw * c_out * h * w * out.itemsize, _CHUNK_BYTES)
    product = np.empty((kh * kw * c_out, chunk * h * w), dtype=out.dtype)  # reused per chunk
    for start in range(0, n, chunk):
        xb = x4[start:start + chunk]
        # One product for the chunk: (kH*kW*C_out, C_in) @ (C_in, images*H*W).
        xm = xb.reshape(c_in, h * w) if len(xb) == 1 else \
            np.ascontiguousarray(xb.transpose(1, 0, 2, 3)).reshape(c_in, -1)
        stamps = product[:, :xm.shape[1]]
        np.matmul(wm, xm, out=stamps)
        stamps = stamps.reshape(kh, kw, c_out, len(xb), h, w)
        target = out[start:start + chunk].transpose(1, 0, 2, 3)  # (C_out, images, ...)
        for a, b in taps:
            (rin, rout), (cin, cout) = rows[a], cols[b]
            if (a, b) in first:
                target[:, :, rout, cout] = stamps[a, b, :, :, rin, cin]
            else:
                target[:, :, rout, cout] += stamps[a, b, :, :, rin, cin]
    return out


def _gather(x4, weight, dilation, pads, out_hw):
    """Stride 1 as an ordinary convolution: the input padded by ``d*(k - 1) - padding``
    (cropped where that is negative), the kernel flipped, im2col and a product.

    The same numbers as the scatter, gathered instead: im2col copies
    ``C_in*kH*kW`` values per output pixel where the scatter adds ``C_out*kH*kW``,
    so :func:`scatter_taps` takes this path when ``C_in <= C_out``.
    """
    _, _, h, w = x4.shape
    _, _, kh, kw = weight.shape
    index, widths = [slice(None), slice(None)], [(0, 0), (0, 0)]
    for axis, (length, k, d, (top, _)) in enumerate(zip((h, w), (kh, kw), dilation, pads)):
        before = d * (k - 1) - top  # output row r reads padded rows r .. r + d*(k-1)
        after = out_hw[axis] + d * (k - 1) - length - before
        index.append(slice(max(0, -before), length - max(0, -after)))
        widths.append((max(0, before), max(0, after)))
    xp = np.pad(x4[tuple(index)], widths)
    flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    return conv_padded(xp, flipped, out_hw, (1, 1), dilation)


def _fills_class(landing, length):
    """Whether a tap's output slice is every position of its class in ``0 .. length-1``:
    it starts at its remainder (below the stride) and runs to the last one."""
    return landing.start < landing.step and landing.stop + landing.step > length


def _landing(tap, dilation, stride, before, out_len, in_len):
    """Input positions of one tap that land inside the output, and where: two slices.

    Input index ``i`` stamps tap ``tap`` at ``tap*dilation + i*stride - before``
    of the cropped output; ``(None, None)`` if no ``i`` lands in ``0 .. out_len-1``.
    """
    offset = tap * dilation - before
    first = max(0, -(offset // stride))          # smallest i with offset + i*stride >= 0
    last = min(in_len - 1, (out_len - 1 - offset) // stride)
    if last < first:
        return None, None
    start = offset + first * stride
    return slice(first, last + 1), slice(start, start + stride * (last - first) + 1, stride)
