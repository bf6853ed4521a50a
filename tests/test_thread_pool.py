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
