"""The compute engines of the fast paths: im2col, the transposed scatter, FFT, pooling gradients.

Internal (see :mod:`convlab` on public and internal modules): these work on
arrays already validated, padded and cast by the public functions, and their
names carry no underscore because other convlab modules import them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import os
import threading
import weakref

import numpy as np

from ._windows import first_inside_tap, lowest, tap_slices, tap_view

__all__ = ["workers", "thread_pool", "share", "images_per_chunk", "columns", "conv_padded",
           "grouped_matmul", "frame_offsets", "channel_frames", "phase_layout", "fill_phases",
           "conv_frames", "weight_frames", "scatter_taps", "workspace",
           "fast_length", "fft_correlate", "plane_blocks", "in_blocks",
           "first_strict_max", "max_pool_winners_fast", "max_pool_winners_exact", "crop",
           "lone_class", "spread"]


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


# A forked child (multiprocessing's fork, a DataLoader worker) inherits the pool but not its
# threads, so work sent to it would wait forever: the child makes its own on first use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=thread_pool.cache_clear)


def share(work, parts):
    """``[work(part) for part in parts]``, run on this thread and the pool's at once.

    Each thread takes the next part nobody has taken yet, so the parts go to
    whichever threads are running. A pool thread that the machine does not
    schedule before this thread has taken every part takes none and is not
    waited for: on a busy machine the call costs what one thread would (the
    pool's wake-ups cost more than they saved there: a depthwise (8, 64, 32,
    32) float32 forward took 1.8 ms on one thread, 6.0 handed to two, load
    average 7), on an idle one the parts run in parallel. A thread serves one
    call until its parts run out, so what a thread keeps from one part to the
    next of a call (its :func:`workspace` frames) is that call's alone.
    """
    parts = list(parts)
    results = [None] * len(parts)
    lock = threading.Lock()
    state = {"next": 0, "closed": False}
    running, errors = [], []

    def drain():
        while True:
            with lock:
                index = state["next"]
                if index >= len(parts) or errors:
                    return
                state["next"] = index + 1
            results[index] = work(parts[index])

    def helper():
        with lock:
            if state["closed"]:
                return
            done = threading.Event()
            running.append(done)
        try:
            drain()
        except BaseException as error:  # handed to the caller's thread, raised there
            errors.append(error)
        finally:
            done.set()

    for _ in range(min(workers(), len(parts)) - 1):
        thread_pool().submit(helper)
    try:
        drain()
    finally:
        with lock:
            state["closed"] = True
            waiting = list(running)
        for done in waiting:
            done.wait()
    if errors:
        raise errors[0]
    return results


# Temporaries are kept per thread and reused by the next call (see workspace), up to
# this many bytes held in all, all threads together; past it they are made afresh.
_WORKSPACE_BUDGET = 1 << 26
_workspaces = threading.local()
_held = {"bytes": 0}
_held_lock = threading.Lock()


def _give_back(size):
    with _held_lock:
        _held["bytes"] -= size


def workspace(name, shape, dtype, zero=False):
    """A temporary ``shape`` array of ``dtype`` for this thread, reused across calls.

    Fresh memory costs a page fault per 4 KB page on first touch, and big
    arrays freed go back to the system (glibc returns them), so a function
    that allocates its megabytes of frames anew each call pays for them again
    every call: conv3d (2, 8, 16, 32, 32) -> 16 float32 took 1500 page faults
    and 5.5 ms of system time per call on the 2-core test machine, 8.5 ms in
    all; with its temporaries reused, none, and 6.1 ms. Each ``name`` is one
    buffer per thread, grown as needed: a caller must not ask for a name it
    still holds (the names are per call site). All buffers together hold at
    most ``_WORKSPACE_BUDGET`` bytes (64 MB); a temporary that does not fit is
    made afresh. Never returned to the user.
    """
    dtype = np.dtype(dtype)
    size = int(np.prod(shape)) * dtype.itemsize
    held = _workspaces.__dict__
    buffer = held.get(name)
    if buffer is None or buffer.nbytes < size:
        held.pop(name, None)
        del buffer  # freed now: its finalizer gives its bytes back to the budget
        grown = max(size, 64)
        with _held_lock:
            fits = _held["bytes"] + grown <= _WORKSPACE_BUDGET
            if fits:
                _held["bytes"] += grown
        if not fits:
            return (np.zeros if zero else np.empty)(shape, dtype=dtype)
        buffer = held[name] = np.empty(grown, dtype=np.uint8)
        weakref.finalize(buffer, _give_back, grown)  # also when a thread ends
    array = buffer[:size].view(dtype).reshape(shape)
    if zero:
        array[...] = 0
    return array


def images_per_chunk(n, bytes_per_image, budget):
    """How many of ``n`` images to take at a time so a chunk's temporary stays near
    ``budget`` bytes (at least one image), evened out so the last chunk is not small."""
    chunk = max(1, min(n, budget // max(bytes_per_image, 1)))
    return -(-n // -(-n // chunk))  # as many chunks, each as even as can be


def columns(xp, kernel_hw, out_hw, stride, dilation, out=None):
    """im2col on an already padded ``(N, C, *spatial)`` array: ``(C, *k, N, *out)``.

    ``(C, kH, kW, N, H', W')`` in 2-D; any number of spatial axes. Laid out
    so that one matrix product with the ``(O, C*kH*kW)`` weights covers the
    whole batch; filled one tap (a strided view) at a time, into ``out`` (a
    contiguous buffer of at least that many elements) if given.
    """
    n, c = xp.shape[:2]
    shape = (c,) + tuple(kernel_hw) + (n,) + tuple(out_hw)
    if out is None:
        cols = np.empty(shape, dtype=xp.dtype)
    else:
        cols = out.reshape(-1)[:int(np.prod(shape))].reshape(shape)
    for taps in np.ndindex(*kernel_hw):
        view = xp[(slice(None), slice(None)) + tap_slices(taps, out_hw, stride, dilation)]
        cols[(slice(None),) + taps] = view.swapaxes(0, 1)
    return cols


# conv2d makes the columns of a few images at a time, about this many bytes, so
# they are still in cache when multiplied and no huge temporary is allocated.
_COLUMN_BYTES = 1 << 22


def conv_padded(xp, weight, out_hw, stride, dilation, groups=1, pads=None):
    """im2col + one matrix product per chunk of images, on an already padded
    ``(N, C, *spatial)`` input; ``weight`` is ``(O, C/groups, *k)``. Depthwise
    goes to :func:`_depthwise_frames`; at stride 1, outputs of 32x32 positions or
    more to :func:`conv_frames` (where it measured faster, :func:`_frames_pay`).

    With ``pads`` (one ``(before, after)`` pair per spatial axis) ``xp`` is not
    padded yet: zeros are meant, and the frames pad as they copy (one copy
    of the input fewer); im2col pads first.

    With groups, the columns of group ``g`` (its ``C/groups`` channels) meet
    only the ``O/groups`` filters of that group: a product
    ``(O/groups, C/groups*k) @ (C/groups*k, images*H'*W')`` per group
    (:func:`grouped_matmul`).
    """
    n, c = xp.shape[:2]
    o = weight.shape[0]
    kernel = weight.shape[2:]
    if groups == c and groups > 1:
        return _depthwise_frames(xp, pads or ((0, 0),) * len(kernel), weight, out_hw, stride,
                                 dilation)
    if _frames_pay(out_hw, stride):
        return conv_frames(xp, pads or ((0, 0),) * len(kernel), weight, out_hw, dilation, groups)
    if pads is not None and any(before or after for before, after in pads):
        xp = np.pad(xp, ((0, 0), (0, 0)) + tuple(pads))
    if len(kernel) == 1 and groups == 1 and xp.dtype == weight.dtype \
            and xp.dtype in (np.float32, np.float64):
        return _conv1d_taps(xp, weight, out_hw, stride, dilation)
    taps = int(np.prod(kernel))
    positions = int(np.prod(out_hw))
    wm = weight.reshape(groups, o // groups, (c // groups) * taps)
    chunk = images_per_chunk(n, c * taps * positions * xp.dtype.itemsize, _COLUMN_BYTES)
    buffer = workspace("im2col.columns", c * taps * chunk * positions, xp.dtype)  # per chunk
    out = None if chunk == n else np.empty((n, o) + tuple(out_hw),
                                           dtype=np.result_type(xp, weight))
    for start in range(0, n, chunk):
        xb = xp[start:start + chunk]
        cols = columns(xb, kernel, out_hw, stride, dilation, out=buffer)
        cm = cols.reshape(groups, (c // groups) * taps, len(xb) * positions)
        product = grouped_matmul(wm, cm).reshape(o, -1)
        block = product.reshape((o, len(xb)) + tuple(out_hw)).swapaxes(0, 1)
        if out is None:  # one chunk: the product is the output (no copy for one image)
            return np.ascontiguousarray(block)
        out[start:start + chunk] = block
    return out


def _conv1d_taps(xp, weight, out_len, stride, dilation):
    """A 1-D convolution as one batched product per tap, added over the taps:
    ``out += weight[:, :, t] @ xp[:, :, t*d : t*d + s*(L'-1) + 1 : s]`` (no im2col copy).

    Process time on the 2-core test machine, im2col -> taps (ms), conv1d
    (8, 32, 1024) -> 64 k5: float32 3.2 -> 2.0, float64 8.1 -> 5.5.
    """
    (s,), (d,), (length,) = tuple(stride), tuple(dilation), tuple(out_len)
    span = s * (length - 1) + 1
    out = None
    for t in range(weight.shape[2]):
        part = np.matmul(weight[:, :, t], xp[:, :, t * d:t * d + span:s])
        if out is None:
            out = part
        else:
            out += part
    return out


def _frames_pay(out_shape, stride):
    """Whether :func:`conv_frames` beats im2col: at stride 1, for outputs of at least
    ``_FRAMES_MIN_POSITIONS`` positions per image (images and volumes, not signals).

    Interleaved timings on the 2-core test machine, frames / im2col, with the
    frames' temporaries reused (:func:`workspace`): conv2d (8, 16, 64, 64) -> 32
    3x3 float64 0.73, (32, 32, 32, 32) -> 64 float64 0.74, (8, 32, 64, 64) ->
    16 float64 0.45 (conv2d_input's gather), (1, 3, 224, 224) -> 16 1.0
    either dtype, (8, 16, 64, 64) -> 32 float32 0.52; but on small planes,
    where the padding columns and rows are a large share of the frames, and
    for little work, im2col won: (8, 64, 8, 8) -> 64 float64 1.29, (8, 128, 8,
    8) -> 128 float32 1.25, (1, 16, 28, 28) -> 32 float32 1.26; (16, 32, 16,
    16) -> 32 was even (0.89 float32, 0.93 float64). A 1-D kernel leaves
    nothing to gather: conv1d takes its own tap path.
    """
    if any(s != 1 for s in stride) or len(out_shape) < 2:
        return False
    return int(np.prod(out_shape)) >= _FRAMES_MIN_POSITIONS


_FRAMES_MIN_POSITIONS = 1024


def _pitches(shape):
    """Row-major steps of a plane of ``shape``: ``(prod(shape[1:]), ..., 1)``."""
    return [int(np.prod(shape[axis + 1:])) for axis in range(len(shape))]


def frame_offsets(padded, kernel, dilation):
    """Where each tap of a stride-1 window reads, in a flattened padded plane.

    Output position ``(o_0, o_1, ...)`` is given the flat index ``q = sum o_i *
    pitch_i`` of the padded plane (``pitch`` its row-major steps); its tap
    ``t`` then reads padded index ``q + offsets[t]``, ``offsets[t] = sum t_i *
    d_i * pitch_i``. So each tap of every window is one contiguous run of the
    flattened planes, whatever the number of spatial axes: the *frame*. The
    frame also holds positions past an output row's end (``o_i`` beyond the
    output); they are computed and thrown away (the input's padding columns:
    ``W + pad`` values per row for ``W'`` kept).
    """
    pitch = _pitches(padded)
    return [sum(t * d * p for t, d, p in zip(tap, dilation, pitch))
            for tap in np.ndindex(*kernel)]


# The depthwise paths (and the frames' fill and crop) work on blocks of about this many
# bytes of rows (a few channels, every image). On the 2-core test machine, (8, 64, 32,
# 32) 3x3, the taps took 1.1-1.2 ms (float32) and 2.5-2.8 ms (float64) of process time
# in blocks of 4 to 32 rows, against 2.3 and 5.6-9.7 ms on per-image frames (rows of
# one plane), and 4.4-4.8 ms (float32) on blocks of runs shorter than a row, which
# numpy does not loop over as fast as whole rows. Since each thread makes its own
# block's frames, fewer and larger blocks won: the whole depthwise forward, float32,
# took 0.80 of the time in 2 MB blocks (one per thread) as in 512 KB ones, 0.88 for
# (8, 32, 64, 64) at stride 2.
_FRAME_BYTES = 1 << 21


def channel_frames(x, pads, length_after, name):
    """``x`` ``(N, C, *spatial)`` padded with zeros into channel-major frames:
    ``(C, N*plane + length_after)``, row ``c`` every image's padded plane of
    channel ``c`` one after the other, then ``length_after`` zeros (room for the
    last plane's runs). One copy, the padding and the transpose at once, a
    block of rows per thread (each block zeroed, then filled, while in cache),
    into the calling thread's :func:`workspace` ``name``."""
    n, c = x.shape[:2]
    ones = (1,) * (x.ndim - 2)
    _, padded, copies = phase_layout(x.shape[2:], pads, ones, ones, ones)
    frames = workspace(name, (c, n * int(np.prod(padded)) + length_after), x.dtype)

    def fill(block):
        frames[block] = 0
        fill_phases(frames[None, block], x[:, block], padded, copies)

    share(fill, _blocks(c, frames.shape[1] * frames.itemsize))
    return frames


def _blocks(rows, row_bytes):
    """Slices of ``rows`` rows in blocks of at most about ``_FRAME_BYTES``, as many as a
    multiple of the threads, so that each thread gets as many rows when all of them run."""
    threads = workers()
    count = max(1, -(-rows * row_bytes // _FRAME_BYTES))
    count = min(rows, -(-count // threads) * threads)
    size = -(-rows // count)
    return [slice(r, min(rows, r + size)) for r in range(0, rows, size)]


def phase_layout(spatial, pads, kernel, stride, dilation):
    """Where the phases of a strided input lie, and where each kernel tap reads them.

    With stride ``s`` the padded input splits into ``s_0*s_1*...`` phases
    (the positions ``r_i, r_i + s_i, ...`` along each axis), and tap ``t`` of
    output ``o`` reads phase ``(t*d) mod s`` at ``o + (t*d) // s``: in that
    phase's frame, output position ``q`` plus an offset, exactly as at stride
    1 (:func:`frame_offsets`). Returns ``(taps, shape, copies)``: ``taps``
    one ``(phase, offset)`` per kernel tap in reading order, ``shape`` a
    phase's plane, ``copies`` one ``(phase, target, source)`` per phase that
    holds input values: the slices of the phase's plane and of the unpadded
    input (padded position ``r + k*s`` is the input's ``r + k*s - before``),
    so the frames are filled straight from the input, the padding left zero.
    At stride 1 there is one phase, the padded plane.
    """
    padded = tuple(size + before + after for size, (before, after) in zip(spatial, pads))
    shape = tuple(-(-p // st) for p, st in zip(padded, stride))
    pitch = _pitches(shape)
    taps = []
    for tap in np.ndindex(*kernel):
        where = [t * d for t, d in zip(tap, dilation)]
        phase = int(np.ravel_multi_index([w % st for w, st in zip(where, stride)], stride))
        taps.append((phase, sum(w // st * p for w, st, p in zip(where, stride, pitch))))
    copies = []
    for phase, start in enumerate(np.ndindex(*stride)):
        source, target = [], []
        for r, st, size, (before, _) in zip(start, stride, spatial, pads):
            k0 = max(0, -((r - before) // st))
            x0 = r + k0 * st - before
            count = max(0, -(-(size - x0) // st))
            source.append(slice(x0, x0 + st * (count - 1) + 1, st))
            target.append(slice(k0, k0 + count))
        if all(t.stop > t.start for t in target):
            copies.append((phase, tuple(target), tuple(source)))
    return taps, shape, copies


def fill_phases(frames, x, shape, copies):
    """Copy ``x`` ``(N, C, *spatial)`` into channel-major phase frames ``(phases, C,
    N*plane + room)`` laid out by :func:`phase_layout`; their padding is not touched
    (zeroed once, it stays zero however often they are filled again)."""
    n, c = x.shape[:2]
    length = n * int(np.prod(shape))
    for phase, target, source in copies:
        planes = frames[phase, :c, :length].reshape((c, n) + tuple(shape))
        planes[(Ellipsis,) + target] = x[(Ellipsis,) + source].swapaxes(0, 1)


def _depthwise_frames(x, pads, weight, out_shape, stride, dilation):
    """Depthwise convolution on channel-major frames, any stride (:func:`phase_layout`).

    Each group's product has a single input channel, ``(O/C, k) @ (k, H'*W')``,
    too thin for BLAS. Instead, tap by tap, ``out[c*m + j] += w[c*m + j, tap]
    * x[c]`` shifted by the tap's offset, in the tap's phase: a channel's row
    holds every image's plane, so that is one call over a block of whole rows
    (thousands of values each). The taps are added in the loop reference's
    order, the first written, not added, so each output is summed exactly as
    :func:`convlab.correlate2d` sums it.

    Blocks of channels are shared out between the cores, and each thread does
    all of its block's work: it copies the block's channels into its own
    frames (made once per call, their padding zero), runs the taps, and crops
    its sums straight into the output. Nothing passes through memory whole:
    on the 2-core test machine, (8, 64, 32, 32) 3x3 float32, the frames of
    every channel, made first, then the taps, then one crop took 1.5-2.1 ms;
    block by block 0.9-1.2 ms.
    """
    n, c = x.shape[:2]
    multiplier = weight.shape[0] // c
    taps, shape, copies = phase_layout(x.shape[2:], pads, weight.shape[2:], stride, dilation)
    room = max(offset for _, offset in taps)
    length = n * int(np.prod(shape))
    w = weight.reshape(c, multiplier, len(taps))
    dtype = np.result_type(x, weight)
    out = np.empty((n, c * multiplier) + tuple(out_shape), dtype=dtype)
    # output channel c*m + j of channel c: [:, c, j] of this view
    by_channel = out.reshape((n, c, multiplier) + tuple(out_shape))
    blocks = _blocks(c, length * out.itemsize)
    rows = blocks[0].stop  # the largest block
    crop = (Ellipsis,) + tuple(slice(0, o) for o in out_shape)
    local = threading.local()  # each thread's frames, sums and scratch

    def run(block):
        count = block.stop - block.start
        if getattr(local, "frames", None) is None:
            local.frames = workspace("depthwise.frames", (int(np.prod(stride)), rows,
                                                          length + room), x.dtype, zero=True)
            local.total = workspace("depthwise.total", (rows, length), dtype)
            local.scratch = workspace("depthwise.scratch", (rows, length), dtype)
        frames, total, scratch = local.frames, local.total[:count], local.scratch[:count]
        fill_phases(frames, x[:, block], shape, copies)
        for j in range(multiplier):
            for t, (phase, offset) in enumerate(taps):
                view = frames[phase, :count, offset:offset + length]
                if t == 0:
                    np.multiply(view, w[block, j, t:t + 1], out=total)
                else:
                    np.multiply(view, w[block, j, t:t + 1], out=scratch)
                    total += scratch
            planes = total.reshape((count, n) + tuple(shape))[crop]
            by_channel[:, block, j] = planes.swapaxes(0, 1)

    share(run, blocks)
    return out


# conv_frames makes the columns of runs of about this many bytes. Measured on the 2-core
# test machine, bench_variants' conv3d (2, 8, 16, 32, 32) -> 16 float32 and grouped g4
# (8, 64, 32, 32) float64, against 256 KB runs: 512 KB 0.58 and 0.92 of the time, 1 MB
# 0.50 and 0.54, 2 MB 0.83 and 0.54, 4 MB 0.90 and 0.87 (fewer, longer products and
# copies; past 1 MB the columns no longer stay in the core's cache).
_RUN_BYTES = 1 << 20
# conv_frames moves the last kernel axis into the product's rows when the gathered taps
# give the product at least this depth (C/groups * k_0 * ... columns); below it, it
# gathers every tap, as im2col does. conv2d (1, 3, 224, 224) -> 16 3x3 float32 (a
# depth of 9 folded, 27 gathered) took 0.77 of the time gathered; (8, 16, 64, 64) -> 32
# (48 folded) 1.09 and conv3d (2, 8, 16, 32, 32) -> 16 (72 folded) 1.48 (the 2-core
# test machine, timed interleaved).
_FOLD_DEPTH = 32


def conv_frames(x, pads, weight, out_shape, dilation, groups=1):
    """Stride-1 convolution on channel-major frames (:func:`frame_offsets`), any dims.

    ``x`` is the ``(N, C, *spatial)`` input, to be padded with zeros by
    ``pads`` (one ``(before, after)`` pair per axis), ``weight`` ``(O, C/groups,
    *k)``. Image by image: a thread copies the image into its frames (each
    channel's padded plane flattened, the padding zero), so that a tap of
    every window is one contiguous run of a channel's row. The taps of every
    kernel axis but the last are gathered, as im2col does, from the frames of
    a run of positions (``C/groups * k_0 * ...`` rows, a copy that stays in
    cache); the last axis's ``k`` taps are moved into the product's rows
    instead (unless that product would be too shallow, ``_FOLD_DEPTH``: then
    every tap is gathered): one product per group and run, ``(k*O/groups,
    C/groups*k_0*...) @ (..., run)``, gives for each last-axis tap ``b`` its
    partial sums at every position, and the output adds them up shifted by
    ``b*d``. A product k times taller than im2col's and k times fewer columns
    to copy: BLAS runs a ``(16, 216)`` left matrix at about 19 GFLOP/s of
    multiply-adds, a ``(48, 72)`` one at 35 (float32, the 2-core test
    machine). Each part's sums are cropped straight into the output while in
    cache. The images (or, for fewer images than cores, blocks of an image's
    rows) are shared out between the cores. Summed in another order than the
    loop reference (products, then shifts).
    """
    n, c = x.shape[:2]
    o = weight.shape[0]
    kernel = weight.shape[2:]
    padded = tuple(size + before + after for size, (before, after) in zip(x.shape[2:], pads))
    offsets = frame_offsets(padded, kernel, dilation)
    per_in, per_out = c // groups, o // groups
    if per_in * int(np.prod(kernel[:-1])) >= _FOLD_DEPTH:
        last, step = kernel[-1], dilation[-1]
    else:  # too few rows to gather for a product that deep: gather every tap (im2col)
        last, step = 1, 1
    lead = offsets[::last]  # the gathered taps: last-axis tap 0 of each
    shift = step * (last - 1)
    dtype = np.result_type(x, weight)
    # (groups, last, O/groups, lead, C/groups): rows (b, o), columns (lead tap, c)
    wm = np.ascontiguousarray(weight.reshape((groups, per_out, per_in, len(lead), last))
                              .transpose(0, 4, 1, 3, 2)).reshape(groups, last * per_out, -1)
    run = max(64, _RUN_BYTES // (len(lead) * per_in * dtype.itemsize))
    pitch = padded[-1]  # a row: one line of the last axis
    plane = int(np.prod(padded))
    # the rows an output starts on: up to the last output's row (the rest are padding)
    rows = int(np.ravel_multi_index(tuple(size - 1 for size in out_shape[:-1]),
                                    padded[:-1])) + 1
    parts = max(1, -(-workers() // n))  # blocks of rows per image: every core busy
    block = -(-rows // parts)
    tasks = [(i, r0, min(rows, r0 + block)) for i in range(n) for r0 in range(0, rows, block)]
    ones = (1,) * len(kernel)
    _, _, copies = phase_layout(x.shape[2:], pads, ones, ones, ones)
    out = np.empty((n, o) + tuple(out_shape), dtype=dtype)
    local = threading.local()  # each thread's frames, its image, its buffers

    def work(task):
        i, r0, r1 = task
        if getattr(local, "frames", None) is None:
            local.frames = workspace("conv_frames.input", (c, plane + offsets[-1]), x.dtype,
                                     zero=True)
            local.image = None
            width = min(run, block * pitch) + shift
            local.cols = workspace("conv_frames.columns", (len(lead), per_in, width), dtype)
            local.partial = workspace("conv_frames.partial", (last, per_out, width), dtype)
            local.sums = workspace("conv_frames.sums", (o, block * pitch), dtype)
        frames, cols, partial = local.frames, local.cols, local.partial
        if local.image != i:  # the padding stays zero: only the inside is copied
            fill_phases(frames[None], x[i:i + 1], padded, copies)
            local.image = i
        first, end = r0 * pitch, r1 * pitch
        sums = local.sums[:, :end - first]
        for g in range(groups):
            channels = frames[g * per_in:(g + 1) * per_in]
            total_g = sums[g * per_out:(g + 1) * per_out]
            for start in range(first, end, run):
                stop = min(end, start + run)
                width = stop - start + shift
                for t, offset in enumerate(lead):
                    cols[t, :, :width] = channels[:, start + offset:start + offset + width]
                total = total_g[:, start - first:stop - first]
                gathered = cols.reshape(len(lead) * per_in, -1)[:, :width]
                if last == 1:  # every tap gathered: the product is the sums
                    np.matmul(wm[g], gathered, out=total)
                    continue
                partials = np.matmul(wm[g], gathered,
                                     out=partial.reshape(last * per_out, -1)[:, :width])
                partials = partials.reshape(last, per_out, width)
                np.add(partials[0, :, :width - shift], partials[1, :, step:step + width - shift],
                       out=total)
                for b in range(2, last):
                    total += partials[b, :, b * step:b * step + width - shift]
        _crop_rows(sums, out[i], r0, r1, padded, out_shape)

    with _single_threaded_blas():
        share(work, tasks)
    return out


def _crop_rows(sums, out, r0, r1, padded, out_shape):
    """Copy the outputs among rows ``r0 .. r1 - 1`` of the padded planes (``sums``:
    ``(O, (r1 - r0) * padded[-1])``, row ``r0`` first) into ``out`` ``(O, *out_shape)``.

    A row is one line of the last axis; the rows of the leading axes' index
    ``(..., h)`` hold outputs where every index is inside ``out_shape``."""
    pitch, height = padded[-1], out_shape[-2]
    lines = sums.reshape(len(sums), r1 - r0, pitch)
    for outer in np.ndindex(*out_shape[:-2]):  # the planes of a volume; once for images
        base = int(np.ravel_multi_index(outer + (0,), padded[:-1]))
        lo, hi = max(r0, base), min(r1, base + height)
        if lo < hi:
            out[(slice(None),) + outer + (slice(lo - base, hi - base),)] = \
                lines[:, lo - r0:hi - r0, :out_shape[-1]]


# weight_frames works on runs of at least _WEIGHT_RUN frame positions, sized so a
# run of the gradient and of the input (every channel of a group) is about
# _WEIGHT_BLOCK_BYTES, in cache while every tap reads it; depthwise, on blocks of
# whole rows (about _FRAME_BYTES). Measured on the 2-core test machine, (8, 64, 32,
# 32) 3x3, process time: groups=4 float64 took 6.3-7.5 ms in runs of 256 KB,
# 9.4-10.9 ms in 1 MB; the depthwise dot products (float32) 1.1 ms on whole rows,
# 1.6 ms in runs of 1024.
_WEIGHT_RUN = 512
_WEIGHT_BLOCK_BYTES = 1 << 18


def weight_frames(x, g, pads, kernel, dilation, groups):
    """The weight gradient of a stride-1 convolution, tap by tap on frames.

    ``x`` is the unpadded ``(N, C, *spatial)`` input, ``g`` the ``(N, O, *out)``
    output gradient, both of the compute dtype; returns ``(O, C/groups,
    *kernel)``. Channel-major frames (:func:`frame_offsets`): every image's
    padded plane of a channel in one row, so tap ``t`` of every window of
    every image is the row shifted by ``offsets[t]``, and the gradient,
    zero outside the output positions, holds every output there. Per group
    and tap one product ``(O/groups, N*plane) @ (N*plane, C/groups)``
    (a dot product per channel and tap for depthwise), with no im2col copy
    of the input. The zeros meet input values no window multiplies by that
    tap; should one be inf or NaN the result is not finite, and the caller
    falls back to the columns.
    """
    n, c = x.shape[:2]
    o = g.shape[1]
    out_shape = g.shape[2:]
    padded = tuple(size + before + after for size, (before, after) in zip(x.shape[2:], pads))
    offsets = frame_offsets(padded, kernel, dilation)
    dtype = np.result_type(x, g)
    xc = channel_frames(x, pads, offsets[-1], "weight_frames.input")
    length = xc.shape[1] - offsets[-1]
    # the gradient in the same frames: each output at its window's first tap, zeros elsewhere
    gc = channel_frames(g, tuple((0, p - o) for p, o in zip(padded, out_shape)), 0,
                        "weight_frames.gradient")
    per_in, per_out = c // groups, o // groups
    taps = len(offsets)
    if per_in == 1 and per_out == 1:
        # Depthwise: a dot product per channel and tap, over a block of whole rows per call.
        result = np.empty((c, 1, taps), dtype=dtype)

        def dots(block):
            for t, offset in enumerate(offsets):
                np.einsum("cl,cl->c", gc[block], xc[block, offset:offset + length],
                          out=result[block, 0, t])

        share(dots, _blocks(c, length * dtype.itemsize))
        return result.reshape((o, per_in) + tuple(kernel))
    # A product per group and tap, on runs of the rows a block at a time, every tap of
    # a block before the next, so the block's gradient and input stay in cache (the
    # whole rows are megabytes: re-read from memory for every tap, this was
    # memory-bound). The runs are dealt into a fixed set of parts, each with its own
    # sum, added up in order: the same result whichever thread ran which part.
    run_length = max(_WEIGHT_RUN, _WEIGHT_BLOCK_BYTES // ((per_in + per_out) * dtype.itemsize))
    tasks = [(group, start) for group in range(groups) for start in range(0, length, run_length)]
    count = min(workers(), len(tasks))

    def products(part):
        total = np.zeros((o, per_in, taps), dtype=dtype)
        product = np.empty((per_out, per_in), dtype=dtype)
        for group, start in part:
            stop = min(length, start + run_length)
            rows = slice(group * per_out, (group + 1) * per_out)
            cols = slice(group * per_in, (group + 1) * per_in)
            gpart = gc[rows, start:stop]
            for t, offset in enumerate(offsets):
                np.matmul(gpart, xc[cols, start + offset:stop + offset].T, out=product)
                total[rows, :, t] += product
        return total

    with _single_threaded_blas():
        sums = share(products, [tasks[p::count] for p in range(count)])
    result = sums[0]
    for other in sums[1:]:
        result = result + other
    return result.reshape((o, per_in) + tuple(kernel))


def grouped_matmul(a, b, out=None):
    """``a[g] @ b[g]`` for every group ``g``: shape ``(groups, rows, cols)``.

    One BLAS product per group, single-threaded, the groups (or, for one
    group, blocks of columns) shared out between the cores on
    :func:`thread_pool`. numpy's stacked ``np.matmul``
    does not call BLAS per item (30 times slower here), and many small
    products each split over BLAS threads stall whenever the machine is
    busy (16 times slower measured with 4 groups on a loaded 2-core machine).
    """
    groups, columns_ = len(a), b.shape[2]
    if out is None:
        out = np.empty((groups, a.shape[1], columns_), dtype=np.result_type(a, b))
    threads = workers()
    if groups == 1:
        # One product: its columns split between the cores, unless it is small.
        parts = threads if a.shape[1] * a.shape[2] * columns_ >= _THREADED_PRODUCT else 1
        step = -(-columns_ // parts)
        tasks = [(0, slice(start, start + step)) for start in range(0, columns_, step)]
    else:
        tasks = [(g, slice(None)) for g in range(groups)]

    def run(task):
        g, cols = task
        np.matmul(a[g], b[g][:, cols], out=out[g][:, cols])

    with _single_threaded_blas():
        share(run, tasks)  # this thread takes parts too, and never waits for an idle one
    return out


# Multiply-adds from which a single product is split between the cores.
_THREADED_PRODUCT = 1 << 20


@functools.lru_cache(maxsize=1)
def _blas_controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        return None
    return ThreadpoolController()


def _single_threaded_blas():
    controller = _blas_controller()
    if controller is None:  # pragma: no cover
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


# The batch is processed a few images at a time so that the stamps of one chunk
# (kH*kW*C_out*H*W numbers per image) stay under about this many bytes: they are
# made and added up while still in cache, and no huge temporary is allocated.
_CHUNK_BYTES = 1 << 22


def scatter_taps(x4, weight, stride, dilation, pads, out_hw, groups=1):
    """The engine of transposed convolution and of conv2d's input gradient.

    With stride 1 and no more input than output channels, or an output large
    enough for frames, it hands over to :func:`_gather` (an ordinary
    convolution with the flipped kernel).

    ``x4`` is ``(N, C_in, H, W)``, ``weight`` ``(C_in, C_out/groups, kH, kW)``,
    both of the compute dtype; input channel ``c`` stamps only the output
    channels of its group. Returns ``(N, C_out, *out_hw)``: the full scatter,
    cropped by ``pads[axis][0]`` before and extended with zeros as needed at
    the end.

    A chunk of images at a time: one matrix product makes every stamp of the
    chunk, laid out ``(groups, kH, kW, C_out/groups, image, H, W)`` (a
    product per group); then tap ``(a, b)``'s
    stamps are added into a strided slice of the output, only the rows and
    columns that land inside it (the crop is never computed). The first tap
    to fill a whole class of positions writes instead of adding.
    """
    n, c_in, h, w = x4.shape
    _, per_group, kh, kw = weight.shape
    c_out = per_group * groups
    if stride == (1, 1) and (c_in <= c_out or _frames_pay(out_hw, stride)):
        return _gather(x4, weight, dilation, pads, out_hw, groups)
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
    # Strided, the taps of each class add up in a buffer of that class alone, where a
    # tap's stamps are a block of whole rows, then the class goes to its strided
    # positions in one copy (one strided write per class instead of a strided
    # read-modify-write per tap). The same additions in the same order. At stride 1
    # the one class is the output itself.
    by_class = {}
    for a, b in taps:
        key = (rows[a][1].start % stride[0], cols[b][1].start % stride[1])
        by_class.setdefault(key, []).append((a, b))
    # (groups, kH*kW*C_out/groups, C_in/groups): each group's stamps from its own inputs
    wm = weight.reshape(groups, c_in // groups, per_group, kh, kw).transpose(0, 3, 4, 2, 1) \
        .reshape(groups, kh * kw * per_group, c_in // groups)
    out = (np.empty if len(writers) == classes else np.zeros)(
        (n, c_out) + tuple(out_hw), dtype=np.result_type(x4, weight))
    chunk = images_per_chunk(n, kh * kw * c_out * h * w * out.itemsize, _CHUNK_BYTES)
    product = workspace("scatter.stamps", (groups, kh * kw * per_group, chunk * h * w), out.dtype)
    for start in range(0, n, chunk):
        xb = x4[start:start + chunk]
        # One product for the chunk: (kH*kW*C_out, C_in) @ (C_in, images*H*W) per group.
        xm = xb.reshape(c_in, h * w) if len(xb) == 1 else \
            np.ascontiguousarray(xb.transpose(1, 0, 2, 3)).reshape(c_in, -1)
        xm = xm.reshape(groups, c_in // groups, xm.shape[1])
        stamps = grouped_matmul(wm, xm, out=product[:, :, :xm.shape[2]])
        stamps = stamps.reshape(groups, kh, kw, per_group, len(xb), h, w)
        # (groups, C_out/groups, images, ...): output channel g*per_group + j is [g, j]
        target = out[start:start + chunk].transpose(1, 0, 2, 3).reshape(
            (groups, per_group, len(xb)) + tuple(out_hw))
        for (ry, rx), members in by_class.items():
            if stride == (1, 1):  # one class, the whole output: added in place
                buffer = target
            else:
                shape = (groups, per_group, len(xb), len(range(ry, out_hw[0], stride[0])),
                         len(range(rx, out_hw[1], stride[1])))
                buffer = workspace("scatter.class", shape, out.dtype,
                                   zero=members[0] not in first)
            for a, b in members:
                (rin, rout), (cin, cout) = rows[a], cols[b]
                u, v = (rout.start - ry) // stride[0], (cout.start - rx) // stride[1]
                part = buffer[..., u:u + len(range(rout.start, rout.stop, rout.step)),
                              v:v + len(range(cout.start, cout.stop, cout.step))]
                if (a, b) in first:
                    part[...] = stamps[:, a, b, :, :, rin, cin]
                else:
                    part += stamps[:, a, b, :, :, rin, cin]
            if buffer is not target:
                target[..., ry::stride[0], rx::stride[1]] = buffer
    return out


def _gather(x4, weight, dilation, pads, out_hw, groups=1):
    """Stride 1 as an ordinary convolution: the input padded by ``d*(k - 1) - padding``
    (cropped where that is negative), the kernel flipped, im2col and a product.

    The same numbers as the scatter, gathered instead: im2col copies
    ``C_in*kH*kW`` values per output pixel where the scatter adds ``C_out*kH*kW``,
    so :func:`scatter_taps` takes this path when ``C_in <= C_out``, and whenever
    the convolution runs on frames (:func:`_frames_pay`), which copy less: the
    input gradient of conv2d (8, 16, 64, 64) -> 32 3x3 took 0.62 of the
    scatter's time in float64, 0.64 in float32.
    """
    _, _, h, w = x4.shape
    _, _, kh, kw = weight.shape
    index, widths = [slice(None), slice(None)], [(0, 0), (0, 0)]
    for axis, (length, k, d, (top, _)) in enumerate(zip((h, w), (kh, kw), dilation, pads)):
        before = d * (k - 1) - top  # output row r reads padded rows r .. r + d*(k-1)
        after = out_hw[axis] + d * (k - 1) - length - before
        index.append(slice(max(0, -before), length - max(0, -after)))
        widths.append((max(0, before), max(0, after)))
    c_in, per_group = weight.shape[:2]
    # (C_in, C_out/groups, k) -> (C_out, C_in/groups, k): each group's block transposed
    forward = weight.reshape(groups, c_in // groups, per_group, kh, kw).transpose(0, 2, 1, 3, 4) \
        .reshape(groups * per_group, c_in // groups, kh, kw)
    flipped = np.ascontiguousarray(forward[:, :, ::-1, ::-1])
    return conv_padded(x4[tuple(index)], flipped, out_hw, (1, 1), dilation, groups,
                       pads=tuple(widths[2:]))


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


def fast_length(n):
    """The smallest ``m >= n`` whose only prime factors are 2, 3 and 5 (a fast FFT size)."""
    best = 1 << max(0, (n - 1).bit_length())  # a power of two always qualifies
    power5 = 1
    while power5 < best:
        power35 = power5
        while power35 < best:
            m = power35
            while m < n:
                m *= 2
            best = min(best, m)
            power35 *= 3
        power5 *= 5
    return best


def fft_correlate(xp, kernel, out_hw, stride, dilation):
    """Correlation by the convolution theorem, on an already padded ``(Hp, Wp)`` image.

    The dilated kernel, zero-filled to the transform size, is multiplied in
    the frequency domain by the conjugate (which turns convolution into
    correlation); the inverse transform holds every window at stride 1, and
    the output keeps every ``stride``-th. A transform of at least ``Hp x Wp``
    is enough: the windows the output keeps lie inside the image, so none of
    them wraps around (the circular part of a circular correlation). Real
    transforms (``rfft2``), in the dtype of ``xp`` (float32 stays complex64).
    """
    kh, kw = kernel.shape
    if dilation != (1, 1):
        spaced = np.zeros((dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1),
                          dtype=kernel.dtype)
        spaced[::dilation[0], ::dilation[1]] = kernel
        kernel = spaced
    size = (fast_length(xp.shape[0]), fast_length(xp.shape[1]))
    spectrum = np.fft.rfft2(xp, size)
    spectrum *= np.conj(np.fft.rfft2(kernel, size))
    full = np.fft.irfft2(spectrum, size)
    oh, ow = out_hw
    out = full[:stride[0] * (oh - 1) + 1:stride[0], :stride[1] * (ow - 1) + 1:stride[1]]
    return np.ascontiguousarray(out, dtype=xp.dtype)


# --- the pooling gradients: winners of max-pooling windows, shares of average ones ---

# Pooling gradients run a block of planes (the flattened leading axes) at a time:
# one block per core above _THREADED_BYTES of work, blocks of at most _BLOCK_BYTES.
_BLOCK_BYTES = 1 << 22
_THREADED_BYTES = 1 << 19


def plane_blocks(planes, plane_bytes):
    """Split ``planes`` planes into even blocks: one per worker thread, more if a block
    would exceed ``_BLOCK_BYTES``; a single block below ``_THREADED_BYTES``."""
    total = planes * plane_bytes
    count = 1 if total < _THREADED_BYTES else max(workers(), -(-total // _BLOCK_BYTES))
    size = -(-planes // min(count, planes))
    return [slice(p, min(planes, p + size)) for p in range(0, planes, size)]


def in_blocks(work, blocks):
    """Run ``work(block)`` for each block of planes, on the thread pool if more than one.

    Numpy releases the GIL inside its loops, so two blocks run on two cores
    at once; each thread's block is a few MB, near its share of the cache.
    """
    others = [thread_pool().submit(work, block) for block in blocks[1:]]
    work(blocks[0])  # this thread takes a block too, rather than only waiting
    for other in others:
        other.result()


def first_strict_max(views):
    """Running maximum of ``views`` and, as uint8, the index of the first view that holds it.

    Index ``t`` replaces the one before only where ``views[t]`` is strictly
    larger, so ties go to the earliest view. Indices only grow, so "replace
    where larger" is an elementwise maximum of ``t * (views[t] > best)``.
    NaN spreads into the maximum (np.maximum), which the caller checks.
    """
    if len(views) == 1:
        return views[0], None
    index = np.greater(views[1], views[0]).view(np.uint8)
    best = np.maximum(views[0], views[1])
    for t, view in enumerate(views[2:], start=2):
        larger = np.greater(view, best).view(np.uint8)
        np.maximum(best, view, out=best)
        np.maximum(index, larger * np.uint8(t), out=index)
    return best, index


def max_pool_winners_fast(xb, geometry):
    """Each window's winning (row tap, column tap), or None where the exact rule must decide.

    Separable: along every row, each window's first-largest column tap;
    then, over those row maxima, each window's first-largest row tap; the
    winner's column is the one its row chose. Taking columns first keeps
    PyTorch's order (the first maximum in reading order wins a tie). Returns
    uint8 arrays of shape ``(planes, H', W')`` (None for a kernel axis of
    length 1), or None if a window holds NaN or nothing above the dtype's
    lowest value (padding, -inf), which the exact pass handles.
    """
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geometry
    if max(kh, kw) > 255:  # tap indices are kept as uint8
        return None
    height = (oh - 1) * sh + dh * (kh - 1) + 1  # rows the windows reach
    row_best, col = first_strict_max(
        [xb[:, :height, b * dw:b * dw + sw * (ow - 1) + 1:sw] for b in range(kw)])
    best, row = first_strict_max(
        [row_best[:, a * dh:a * dh + sh * (oh - 1) + 1:sh] for a in range(kh)])
    if not best.min() > lowest(xb.dtype):  # also False for NaN
        return None
    if col is not None:  # the column tap of the row each window chose
        col_at = [col[:, a * dh:a * dh + sh * (oh - 1) + 1:sh] for a in range(kh)]
        if row is None:
            col = col_at[0]
        else:
            chosen = col_at[0].copy()
            for a in range(1, kh):
                chosen += (row == a).view(np.uint8) * (col_at[a] - col_at[0])  # wraps mod 256
            col = chosen
    return row, col


def max_pool_winners_exact(xb, geometry, padding):
    """The exact rule, tap by tap: the first strict maximum wins, the last NaN beats
    all, and a window where nothing beats the lowest value credits its first tap
    inside. Returns (row tap, column tap) arrays as :func:`max_pool_winners_fast`."""
    (kh, kw), stride, dilation, out_hw = geometry
    bottom = lowest(xb.dtype)
    floating = np.issubdtype(xb.dtype, np.floating)
    first_r = first_inside_tap(out_hw[0], stride[0], padding[0], dilation[0])
    first_c = first_inside_tap(out_hw[1], stride[1], padding[1], dilation[1])
    winner = np.broadcast_to(first_r[:, None] * kw + first_c[None, :],
                             xb.shape[:-2] + out_hw).astype(np.intp)
    best = np.full(xb.shape[:-2] + out_hw, bottom, dtype=xb.dtype)
    for tap in range(kh * kw):
        view = tap_view(xb, tap // kw, tap % kw, out_hw, stride, dilation)
        wins = view > best
        if floating:
            wins |= np.isnan(view)
        np.copyto(best, view, where=wins)
        np.copyto(winner, tap, where=wins)
    return winner // kw, winner % kw


def crop(buf, padding, shape):
    """The input's part of a padded gradient buffer, as a new array."""
    if buf.shape == tuple(shape):
        return buf
    return buf[..., padding[0]:padding[0] + shape[-2], padding[1]:padding[1] + shape[-1]].copy()


def lone_class(taps, stride):
    """A class of positions (a remainder mod ``stride``) that only one tap reaches, or None."""
    for rho in range(min(stride, taps)):
        if rho + stride >= taps:
            return rho
    return None


def spread(src, dst, taps, stride, axis, held=None):
    """Add ``src`` into ``dst`` at ``t + stride*i`` along ``axis``, for every tap ``t``.

    ``dst[.., t + stride*i, ..] = sum over taps t of src[.., i, ..]``; positions
    no tap reaches are left as they were, so ``dst`` need not be zeroed first.
    Taps ``rho, rho + stride, ...`` (one residue class) land on the same
    positions, one window apart: position ``rho + stride*m`` collects
    ``src[m] + src[m-1] + ...`` (tap order), computed straight into ``dst``
    with one ``np.add`` for the first two terms and an in-place add for each
    further one, plus the few positions at either end that fewer taps reach.
    Class ``held``, one tap's alone, already holds ``src`` (``src`` is a view of
    it) and is skipped.
    """
    n = src.shape[axis]
    lead = (slice(None),) * axis

    def along(array, start, count, step=1):
        return array[lead + (slice(start, start + step * (count - 1) + 1, step),)]

    for rho in range(min(stride, taps)):
        if rho == held:
            continue
        q = (taps - 1 - rho) // stride + 1  # taps landing on this class of positions
        cls = along(dst, rho, n + q - 1, stride)  # position rho + stride*m is index m
        if q == 1:
            cls[...] = src
            continue
        # Index m collects src[m - u] for the class's taps u = 0 .. q-1 that exist.
        if n >= q:  # the interior m = q-1 .. n-1, where all q taps land: whole blocks
            inner = along(cls, q - 1, n - q + 1)
            np.add(along(src, q - 1, n - q + 1), along(src, q - 2, n - q + 1), out=inner)
            for u in range(2, q):
                inner += along(src, q - 1 - u, n - q + 1)
            ends = [*range(q - 1), *range(n, n + q - 1)]
        else:
            ends = range(n + q - 1)
        for m in ends:
            u = range(max(0, m - n + 1), min(q, m + 1))  # the taps that reach index m
            edge = along(cls, m, 1)
            edge[...] = along(src, m - u[0], 1)
            for v in u[1:]:
                edge += along(src, m - v, 1)
