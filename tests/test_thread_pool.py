"""The fast paths' shared thread pool survives a fork (multiprocessing, DataLoader workers)."""

import os
import signal
import threading

import numpy as np
import pytest

import convlab
from convlab._engine import thread_pool, workers

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")


@pytest.fixture
def busy_pool():
    """The parent's pool with every one of its threads started (a pool with a thread
    to spare would start one in the child, and hide a pool the child cannot use)."""
    barrier = threading.Barrier(workers())
    started = [thread_pool().submit(barrier.wait, 30) for _ in range(workers())]
    for future in started:
        future.result()


def _in_a_forked_child(work, seconds=30):
    """Run ``work`` in a forked child; its exit status (killed by SIGALRM if it hangs)."""
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 1
        try:
            signal.alarm(seconds)
            status = 0 if work() else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert not os.WIFSIGNALED(status), f"the child hung (signal {os.WTERMSIG(status)})"
    return os.WEXITSTATUS(status)


def test_a_forked_child_can_use_the_pool_its_parent_made(busy_pool):
    assert _in_a_forked_child(lambda: list(thread_pool().map(abs, [-1, 2, -3])) == [1, 2, 3]) == 0


def test_a_forked_child_convolves_as_its_parent_does(busy_pool):
    image = np.random.default_rng(0).standard_normal((600, 600))
    kernel = np.ones((3, 3))
    parent = convlab.correlate2d(image, kernel)
    assert _in_a_forked_child(
        lambda: np.array_equal(convlab.correlate2d(image, kernel), parent)) == 0


def test_workspaces_are_reused_bounded_and_given_back():
    import gc

    from convlab import _engine

    first = _engine.workspace("test.buffer", (10, 10), np.float64)
    again = _engine.workspace("test.buffer", (5, 4), np.float32)
    assert np.shares_memory(first, again)  # the same memory, viewed anew
    zeroed = _engine.workspace("test.buffer", (10,), np.int64, zero=True)
    assert not zeroed.any()
    # a temporary larger than the budget allows is made afresh, not kept
    huge = _engine.workspace("test.huge", (_engine._WORKSPACE_BUDGET // 8 + 1,), np.float64)
    assert not np.shares_memory(huge, _engine.workspace("test.huge", (8,), np.float64))
    # a thread's buffers go back to the budget when the thread ends
    before = _engine._held["bytes"]
    worker = threading.Thread(target=_engine.workspace, args=("test.thread", (1 << 16,),
                                                              np.float64))
    worker.start()
    worker.join()
    del worker
    gc.collect()
    assert _engine._held["bytes"] == before


def test_calls_from_several_threads_at_once_get_their_own_results(monkeypatch):
    # Pool threads run parts of whichever calls are in flight, one after another; a
    # part must never find another call's data in the buffers its thread keeps (a
    # frame filled with another image, padding another layout left non-zero). Small
    # blocks, so that every call has many parts to interleave.
    from convlab import _engine

    monkeypatch.setattr(_engine, "_FRAME_BYTES", 1 << 12)
    rng = np.random.default_rng(21)
    layers = [
        (rng.standard_normal((3, 6, 34, 34)), rng.standard_normal((6, 1, 3, 3)),
         dict(padding=1, groups=6)),
        (rng.standard_normal((2, 6, 40, 36)), rng.standard_normal((6, 1, 5, 5)),
         dict(padding=2, groups=6)),
        (rng.standard_normal((6, 4, 33, 35)), rng.standard_normal((8, 4, 3, 3)),
         dict(padding=1)),
        (rng.standard_normal((5, 5, 40, 40)), rng.standard_normal((4, 5, 3, 3)),
         dict(padding=2, dilation=2)),
    ]
    expected = [convlab.naive.conv2d(x, w, **args) for x, w, args in layers]
    wrong = []

    def caller(order):
        for _ in range(25):
            for index in order:
                x, w, args = layers[index]
                if not np.allclose(convlab.conv2d(x, w, **args), expected[index],
                                   rtol=1e-10, atol=1e-10):
                    wrong.append(index)

    callers = [threading.Thread(target=caller, args=(order,))
               for order in ([0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2])]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()
    assert wrong == []
