"""The timing and the ratio table the PyTorch benchmarks share.

``median_times`` times implementations interleaved round-robin, so a slow
moment of the machine hits all of them; ``ratio_table`` runs a list of cases
``passes`` times and prints one row per case: the medians, the median ratio
convlab / reference, its range over the passes and whether it meets the
case's target. Used by bench_core.py, bench_beyond.py and bench_variants.py.
"""

from __future__ import annotations

import statistics
import time


def median_times(functions, repeat, warmup=2):
    """Median seconds of each function, calls interleaved round-robin."""
    for f in functions:
        for _ in range(warmup):
            f()
    times = [[] for _ in functions]
    for _ in range(repeat):
        for slot, f in zip(times, functions):
            start = time.perf_counter()
            f()
            slot.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def ratio_table(cases, repeat, passes):
    """Time ``cases`` (name, target, [(label, f), (label, reference)]) and print the table.

    The whole list runs ``passes`` times, so the machine's slow and fast
    spells are sampled by every case; each row reports the median of the
    per-pass ratios and their range. Returns how many cases are over target.
    """
    results = {name: [] for name, _, _ in cases}
    for done in range(passes):
        if passes > 1:
            print(f"pass {done + 1} of {passes}", flush=True)
        for name, _, impls in cases:
            results[name].append(median_times([f for _, f in impls], repeat))
    width = max(len(name) for name in results)
    header = (f"{'case':<{width}} {'convlab ms':>10} {'torch ms':>9} {'ratio':>6} "
              f"{'range':>11} {'target':>6}  ok")
    print(header)
    print("-" * len(header))
    misses = 0
    for name, target, _ in cases:
        ratios = sorted(mine / theirs for mine, theirs in results[name])
        ratio = statistics.median(ratios)
        ok = ratio <= target
        misses += not ok
        spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}" if len(ratios) > 1 else ""
        mine = statistics.median(m for m, _ in results[name])
        theirs = statistics.median(t for _, t in results[name])
        print(f"{name:<{width}} {mine * 1e3:10.2f} {theirs * 1e3:9.2f} {ratio:6.2f} {spread:>11} "
              f"{target:6.1f}  {'yes' if ok else 'NO'}", flush=True)
    over = f"median over {passes} passes, " if passes > 1 else ""
    print(f"\nratio = convlab / torch ({over}each pass the median of {repeat} interleaved "
          f"calls); {misses} case(s) over target")
    return misses
