"""Latency of the explorers: the work one control change costs, inside a real kernel.

Starts an IPython kernel (jupyter_client's KernelManager), builds every explorer
in it, moves each control many times and times the assignment ``control.value
= v``: ipywidgets runs the observers synchronously, so that time is the whole
compute + render + widget-state message of one move. Prints one row per
control: median and max in ms, against the target (30 ms) and limit (50 ms).

    .venv/bin/python bench/bench_widgets.py            # the table
    .venv/bin/python bench/bench_widgets.py --moves 60

Exits 1 when some control's median is over the limit.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

TARGET_MS = 30.0
LIMIT_MS = 50.0

# Runs inside the kernel. Prints one JSON line per (explorer, control).
KERNEL_CODE = textwrap.dedent("""
    import json, statistics, time
    import ipywidgets
    from convlab import widgets

    def _values(control, count):
        if isinstance(control, (ipywidgets.Checkbox, ipywidgets.ToggleButton)):
            return [not control.value if i % 2 == 0 else control.value for i in range(count)]
        if hasattr(control, "options") and not isinstance(control, ipywidgets.FileUpload):
            opts = [o[1] if isinstance(o, tuple) else o for o in control.options]
            start = opts.index(control.value)
            return [opts[(start + 1 + i) % len(opts)] for i in range(count)]
        if isinstance(control, ipywidgets.Textarea):
            texts = ["1 0 -1\\n2 0 -2\\n1 0 -1", "0 1 0\\n1 -4 1\\n0 1 0"]
            return [texts[i % 2] for i in range(count)]
        if not hasattr(control, "max"):  # an upload, a button: not moved, not timed
            return []
        lo, hi, step = control.min, control.max, control.step
        n = int(round((hi - lo) / step))
        if n == 0:
            return []
        path = list(range(n + 1)) + list(range(n - 1, 0, -1))   # sweep up and down
        start = int(round((control.value - lo) / step))
        return [lo + step * path[(start + 1 + i) % len(path)] for i in range(count)]

    def _bench(label, explorer, moves, first_moves):
        first = True
        for name, control in explorer.controls.items():
            count = first_moves if first and hasattr(control, "max") else moves
            first = first and not hasattr(control, "max")
            times = []
            for value in _values(control, count):
                if getattr(control, "disabled", False):
                    break
                start = time.perf_counter()
                control.value = value
                times.append((time.perf_counter() - start) * 1000.0)
            if times:
                print(json.dumps({"explorer": label, "control": name, "moves": len(times),
                                  "median": statistics.median(times), "max": max(times),
                                  "errors": explorer.state.get("error")}))

    def run(moves, first_moves):
        cases = [("kernel_explorer", widgets.kernel_explorer, {}),
                 ("kernel_explorer[photo]", widgets.kernel_explorer,
                  {"source": "photograph"}),
                 ("stride_explorer", widgets.stride_explorer, {}),
                 ("filter_explorer", widgets.filter_explorer, {}),
                 ("pooling_explorer", widgets.pooling_explorer, {}),
                 ("pooling_explorer[avg]", widgets.pooling_explorer,
                  {"mode": "avg", "padding": 1}),
                 ("padding_explorer", widgets.padding_explorer, {}),
                 ("arithmetic_explorer", widgets.arithmetic_explorer, {}),
                 ("learning_explorer", widgets.learning_explorer, {}),
                 ("learning_explorer[200]", widgets.learning_explorer,
                  {"steps": 200, "target": "gaussian_blur_5x5"}),
                 ("transposed_explorer", widgets.transposed_explorer, {}),
                 ("transposed_explorer[big]", widgets.transposed_explorer,
                  {"size": 6, "kernel_size": 5, "stride": 4, "dilation": 3})]
        for label, make, setup in cases:
            start = time.perf_counter()
            explorer = make()
            built = (time.perf_counter() - start) * 1000.0
            print(json.dumps({"explorer": label, "control": "(build)", "moves": 1,
                              "median": built, "max": built, "errors": None}))
            for key, value in setup.items():
                explorer.controls[key].value = value
            _bench(label, explorer, moves, first_moves)
""")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=10, help="moves per control (default 10)")
    parser.add_argument("--first-moves", type=int, default=30,
                        help="moves of each explorer's first slider (default 30)")
    args = parser.parse_args(argv)

    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    rows, problems = [], []

    def hook(message):
        kind = message["header"]["msg_type"]
        content = message["content"]
        if kind == "stream" and content["name"] == "stdout":
            for line in content["text"].splitlines():
                if line.startswith("{"):
                    rows.append(json.loads(line))
        elif kind == "error":
            problems.append("\n".join(content["traceback"]))
        elif kind == "stream":
            problems.append(content["text"])

    try:
        client.wait_for_ready(timeout=60)
        client.execute_interactive(KERNEL_CODE, timeout=120, output_hook=hook)
        client.execute_interactive(f"run({args.moves}, {args.first_moves})", timeout=600,
                                   output_hook=hook)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    if problems:
        sys.stderr.write("".join(problems))
        return 2

    header = f"{'explorer':<24} {'control':<20} {'moves':>5} {'median ms':>10} {'max ms':>8}  verdict"
    lines = [f"target {TARGET_MS:.0f} ms / limit {LIMIT_MS:.0f} ms median per control change "
             "(time to set .value: observers + compute + render + widget messages)",
             header, "-" * len(header)]
    slow = []
    for row in rows:
        if row["control"] == "(build)":
            verdict = "build, not a move"
        elif row["median"] <= TARGET_MS:
            verdict = "ok"
        elif row["median"] <= LIMIT_MS:
            verdict = "over target"
        else:
            verdict = "OVER LIMIT"
            slow.append(row)
        if row["errors"]:
            verdict += f" (ended on message: {row['errors'][:40]})"
        lines.append(f"{row['explorer']:<24} {row['control']:<20} {row['moves']:>5} "
                     f"{row['median']:>10.1f} {row['max']:>8.1f}  {verdict}")
    moves = [r for r in rows if r["control"] != "(build)"]
    worst = max(moves, key=lambda r: r["median"])
    lines.append("-" * len(header))
    lines.append(f"worst median: {worst['median']:.1f} ms ({worst['explorer']} / "
                 f"{worst['control']}); {len(slow)} control(s) over the limit")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
