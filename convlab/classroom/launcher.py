"""Start an IPython kernel with a memory cap: ``python -m convlab.classroom.launcher``.

The grader starts every student's kernel through this module. It caps the
kernel's address space (``RLIMIT_AS``), so an answer that allocates 50 GB gets a
``MemoryError`` in its own cell instead of taking the machine down, and then
becomes an ordinary IPython kernel (the cap stays in force).

Usage: ``python -m convlab.classroom.launcher --memory-mb 4096 -f CONNECTION_FILE``
"""

from __future__ import annotations

import argparse
import os
import sys

__all__ = ["main"]


def main(argv=None):
    """Set the memory cap, then replace this process with ``ipykernel_launcher``."""
    parser = argparse.ArgumentParser(prog="python -m convlab.classroom.launcher")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        import resource
        limit = args.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher",
                              "-f", args.connection_file])


if __name__ == "__main__":
    main()
