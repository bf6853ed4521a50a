"""Reading and writing notebook files as JSON (nbformat 4), with errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

from .course import ClassroomError

__all__ = ["read_notebook", "notebook_json", "code_cell", "clear_outputs"]


def read_notebook(path) -> dict:
    """The notebook at ``path`` as a dict; :class:`ClassroomError` if it is not one."""
    path = Path(path)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClassroomError(f"{path}: no such notebook; check the path") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ClassroomError(f"{path}: not a readable notebook ({error}); open it in Jupyter "
                             "and save it again") from None
    if not (isinstance(notebook, dict) and isinstance(notebook.get("cells"), list)
            and notebook.get("nbformat") == 4):
        raise ClassroomError(f"{path}: not a Jupyter notebook in format 4 (no 'cells' list); "
                             "open it in Jupyter and save it again")
    for cell in notebook["cells"]:
        source = cell.get("source") if isinstance(cell, dict) else None
        if not (isinstance(cell, dict) and cell.get("cell_type") in ("code", "markdown", "raw")
                and (isinstance(source, str) or (isinstance(source, list) and all(
                    isinstance(line, str) for line in source)))):
            raise ClassroomError(f"{path}: a cell is not a notebook cell; open it in Jupyter "
                                 "and save it again")
    return notebook


def notebook_json(notebook) -> str:
    """The text of a notebook file, as Jupyter writes it (indent 1, trailing newline)."""
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def code_cell(source, **metadata) -> dict:
    """A new code cell with no outputs."""
    return {"cell_type": "code", "execution_count": None, "metadata": dict(metadata),
            "outputs": [], "source": source}


def clear_outputs(cell) -> dict:
    """A copy of ``cell`` without outputs or execution count (code cells)."""
    cell = dict(cell)
    if cell.get("cell_type") == "code":
        cell["outputs"] = []
        cell["execution_count"] = None
    return cell
