"""Re-execute the course notebooks top to bottom in a fresh kernel and save their outputs.

    python tools/execute_notebooks.py [notebooks/01_kernels.ipynb ...]

First the links to the repository (the Colab install cell, Binder and Colab links) in
each notebook and in README.md are made again from pyproject.toml's [project.urls]
(tools/links.py), so they all name the one address written there.

With no argument, every ``notebooks/*.ipynb`` in order. Each notebook runs in a
new kernel from its own folder, with widget state stored (so GitHub and
nbviewer can show the explorers' last picture), no timing metadata, and a
cell's consecutive prints merged into one stream output (the kernel may send a
line in one message or two), so a re-run without changes leaves the files
unchanged. Stops at the first notebook with an error, and prints how long
each took.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

import links  # tools/links.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def execute(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata.setdefault("language_info", {"name": "python"})
    links.relink_notebook(notebook)
    start = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                   store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _merged_streams(cell.outputs)
            _carry_alt(cell)
    nbformat.write(_stable_widget_ids(notebook, path.stem), path)
    return time.perf_counter() - start


def figure_alt(cell):
    """The alt text a code cell's figure carries: ``mystnb.image.alt`` in its metadata, or None.

    That key is where myst-nb (``make site``) reads an image output's alt text; written
    once there, it is also copied into each picture output's own metadata (``alt`` under
    its MIME type) for other readers of the notebook file.
    """
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")


def _carry_alt(cell):
    """Put the cell's figure alt text into the metadata of each of its picture outputs."""
    alt = figure_alt(cell)
    if alt is None:
        return
    for output in cell.outputs:
        if output.get("output_type") in ("display_data", "execute_result"):
            for mime in ("image/png", "image/jpeg", "image/svg+xml"):
                if mime in output.get("data", {}):
                    output.setdefault("metadata", {}).setdefault(mime, {})["alt"] = alt


def _merged_streams(outputs):
    """Consecutive stdout (or stderr) outputs of a cell as one output."""
    merged = []
    for output in outputs:
        if (output.output_type == "stream" and merged
                and merged[-1].output_type == "stream" and merged[-1].name == output.name):
            merged[-1].text += output.text
        else:
            merged.append(output)
    return merged


def _stable_widget_ids(notebook, name):
    """Rename the widget models' random ids after the notebook and their order.

    ipywidgets gives every model a fresh uuid, so without this each re-run
    would rewrite every widget id in the file even when nothing changed.
    """
    state = notebook.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    if not state:
        return notebook
    text = nbformat.writes(notebook)
    for number, model_id in enumerate(state):
        stable = hashlib.sha256(f"{name}:{number}".encode()).hexdigest()[:32]
        text = text.replace(model_id, stable)
    return nbformat.reads(text, as_version=4)


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if links.relink_file(ROOT / "README.md"):
        print(f"README.md: links now point at {links.repository()}", flush=True)
    total = 0.0
    for path in paths:
        seconds = execute(path)
        total += seconds
        print(f"{path.relative_to(ROOT)}: executed in {seconds:.1f} s", flush=True)
    print(f"{len(paths)} notebook(s) in {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
