"""Start an IPython kernel with a memory cap, for the grader.

The grader starts every student's kernel through this module. It caps the
kernel's address space (``RLIMIT_AS``), so an answer that allocates 50 GB gets a
``MemoryError`` in its own cell instead of taking the machine down, and then
becomes an ordinary IPython kernel in the same process.

Usage: ``python convlab/classroom/launcher.py --memory-mb 4096 -f CONNECTION_FILE``
(run as a script, so starting a kernel does not import convlab twice). Displays
are plain text only: the grader reads answers, not pictures, and rendering an
animation's frames would cost more than the rest of a notebook.
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["main"]


def main(argv=None):
    """Set the memory cap, then run the IPython kernel in this same process."""
    parser = argparse.ArgumentParser(prog="python -m convlab.classroom.launcher")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        import resource
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Run as a script, this folder is sys.path[0]; student code must not import from it.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    from ipykernel import kernelapp
    # No input history either: kernels started side by side would queue on its database.
    kernelapp.launch_new_instance(argv=["-f", args.connection_file,
                                        "--DisplayFormatter.active_types=['text/plain']",
                                        "--HistoryManager.enabled=False"])


if __name__ == "__main__":
    main()
