"""How many tries a guessing loop over ``check.verdict`` needs to find an answer (issue 16).

Three attacks, each only calling ``check.verdict(name, guess)`` and reading the
verdict's text, never the question:

- an integer (``tiny_cnn_parameter_count``): try 0, 1, 2, ... until
  correct. Nothing can stop this self-paced; what the checker can do is give
  no direction ("too big") and no distance, so no search beats counting.
- a list (``stride_unvisited``): list every column and drop the ones the hint
  names as covered or outside the row.
- an array (``stride_output_values``) and ``max_pool_gradient_route``: change
  one cell at a time over a range of candidates and watch whether the hint
  stops naming that cell ("off, at [0, 1]") or its count of wrong values drops.
  When the hint gives neither, cell by cell is impossible and the loop would
  have to try every combination of every cell: the count printed is then the
  size of that search, not tries actually made.

Run it against any version of convlab (put that checkout first on PYTHONPATH):

    PYTHONPATH=$PWD python bench/bench_guessing.py
"""

from __future__ import annotations

import re

import numpy as np

from convlab import check

BUDGET = 100_000


def integer_attack(name):
    """Tries until correct, guessing 0, 1, 2, ... (counts are never negative)."""
    for tries, guess in enumerate(range(BUDGET), start=1):
        if check.verdict(name, guess).correct:
            return tries, None
    return None, BUDGET


def _cells_named(message):
    """(positions named as wrong, count of wrong values) read from a hint, when it says."""
    named = None
    found = re.search(r"at ((?:\[\d+(?:, \d+)*\](?:, )?)+)", message)
    if found:
        named = {tuple(int(v) for v in cell.split(", "))
                 for cell in re.findall(r"\[([\d, ]+)\]", found.group(1))}
    count = re.search(r"(\d+) of the (\d+) values", message)
    return named, (int(count.group(1)) if count else None)


def cell_attack(name, shape, candidates):
    """Tries to find an array answer one cell at a time, or the joint search size if blind."""
    guess = np.zeros(shape)
    tries = 0
    for cell in np.ndindex(*shape):
        before = None
        for value in candidates:
            guess[cell] = value
            tries += 1
            result = check.verdict(name, guess.tolist())
            if result.correct:
                return tries, None
            named, count = _cells_named(result.message)
            if named is None and count is None:
                # The hint says nothing about cells: one cell at a time cannot work.
                return None, len(candidates) ** guess.size
            if named is not None and cell not in named:
                break
            if count is not None:
                if before is not None and count < before:
                    break
                if before is not None and count > before:
                    guess[cell] = candidates[candidates.index(value) - 1]
                    break
                before = count
    result = check.verdict(name, guess.tolist())
    tries += 1
    return (tries, None) if result.correct else (None, len(candidates) ** guess.size)


def set_attack(name, candidates):
    """Tries to find a 'list them all' answer by removing what the hints name as wrong."""
    guess = set(candidates)
    for tries in range(1, 100):
        result = check.verdict(name, sorted(guess))
        if result.correct:
            return tries, None
        outside = re.search(r"; \[([\d, ]+)\] are outside", result.message)
        covered = re.search(r"columns? ([\d, ]+) (?:are|is) covered", result.message)
        named = outside or covered
        if not named:
            return None, 2 ** len(candidates)
        guess -= {int(v) for v in named.group(1).split(", ")}
    return None, 2 ** len(candidates)


def _report(label, outcome):
    tries, search = outcome
    if tries is not None:
        print(f"{label:48s} found in {tries} tries")
    else:
        print(f"{label:48s} not found by elimination: a blind search over {search:.3g} "
              "combinations")


def main():
    _report("tiny_cnn_parameter_count (integer, 0, 1, 2, ...)",
            integer_attack("tiny_cnn_parameter_count"))
    _report("stride_output_values (2x2, cells -30..30)",
            cell_attack("stride_output_values", (2, 2), list(range(-30, 31))))
    _report("stride_unvisited (columns 0..19, drop the named ones)",
            set_attack("stride_unvisited", range(20)))
    _report("max_pool_gradient_route (4x4, cells -10..10)",
            cell_attack("max_pool_gradient_route", (4, 4), list(range(-10, 11))))


if __name__ == "__main__":
    main()
