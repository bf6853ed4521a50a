"""The import rules that ARCHITECTURE.md states, checked on the source itself.

The layers, lowest first: the numeric core, the pictures, the explorers, the
exercises, the tools on top (classroom). A module may import its own layer and
the layers below it, never one above. The core imports no matplotlib and no
ipywidgets, and neither does ``import convlab``. A name imported from another
convlab module is public there (in that module's ``__all__``, with a
docstring) unless the module it comes from is internal (its name starts with an
underscore); an underscore name never crosses modules.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "convlab"

#: Layer of each top-level module or subpackage of convlab; new modules must be placed here.
LAYERS = {
    "core": {"__init__", "_checks", "_windows", "_engine", "arithmetic", "padding",
             "convolution", "filters", "pooling", "transposed", "grad", "matrix", "learn",
             "kernels", "images", "naive", "fft", "separable"},
    "pictures": {"draw", "animate", "figures", "_grids"},
    "explorers": {"widgets"},
    "exercises": {"check", "exercises", "solutions"},
    "tools": {"classroom"},
}
ORDER = ["core", "pictures", "explorers", "exercises", "tools"]
#: Third-party packages that a layer must not import (nor any layer below it).
FORBIDDEN = {"core": {"matplotlib", "ipywidgets", "IPython", "torch"},
             "pictures": {"ipywidgets"}}


def _modules():
    """Every source file of convlab with its dotted name."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield ".".join(parts), path


def _top(dotted):
    """The top-level module or subpackage of convlab that a dotted name belongs to."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(dotted):
    top = _top(dotted)
    for layer, members in LAYERS.items():
        if top in members:
            return layer
    raise AssertionError(f"{dotted} is in no layer: add {top!r} to LAYERS in "
                         f"tests/test_architecture.py and to ARCHITECTURE.md")


def _resolve(module, node):
    """The absolute module a ``from ... import`` names, or None outside convlab."""
    if node.level:
        base = module.split(".")
        if not Path(PACKAGE.parent, *base).is_dir():   # a module, not a package __init__
            base = base[:-1]
        base = base[:len(base) - node.level + 1]
        return ".".join(base + ([node.module] if node.module else []))
    return node.module


def _imports(module, path):
    """(line, imported module, names) for every import statement of a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, _resolve(module, node), tuple(a.name for a in node.names)


ALL = list(_modules())


def test_every_module_has_a_layer():
    for dotted, _ in ALL:
        _layer(dotted)


@pytest.mark.parametrize("dotted,path", ALL, ids=[d for d, _ in ALL])
def test_nothing_imports_upward(dotted, path):
    own = ORDER.index(_layer(dotted))
    for line, target, names in _imports(dotted, path):
        if not target:
            continue
        if target == "convlab" or target.startswith("convlab."):
            targets = [target] if target != "convlab" else [f"convlab.{n}" for n in names]
            for full in targets:
                if full.split(".")[1] not in {m for ms in LAYERS.values() for m in ms}:
                    continue   # a name from convlab/__init__, which is core
                theirs = ORDER.index(_layer(full))
                assert theirs <= own, (f"{path.name}:{line} imports {full} "
                                       f"({ORDER[theirs]}) from the {ORDER[own]} layer")


@pytest.mark.parametrize("dotted,path", ALL, ids=[d for d, _ in ALL])
def test_no_private_name_crosses_modules(dotted, path):
    for line, target, names in _imports(dotted, path):
        if not target or not (target == "convlab" or target.startswith("convlab.")):
            continue
        if target == dotted:
            continue
        for name in names:
            if _is_module(f"{target}.{name}"):
                continue   # an internal module, imported whole
            assert not (name.startswith("_") and not name.startswith("__")), (
                f"{path.name}:{line} imports the private name {name} from {target}")


def _is_module(dotted):
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _internal(target):
    return any(part.startswith("_") for part in target.split(".")[1:])


@pytest.mark.parametrize("dotted,path", ALL, ids=[d for d, _ in ALL])
def test_imported_names_are_public_and_documented(dotted, path):
    for line, target, names in _imports(dotted, path):
        if not target or not target.startswith("convlab.") or _internal(target):
            continue
        if target.rsplit(".", 1)[0] == dotted.rsplit(".", 1)[0] and dotted.endswith("__init__"):
            continue   # a package's __init__ gathering its own modules
        module = importlib.import_module(target)
        if names == ("*",):
            assert hasattr(module, "__all__"), (
                f"{path.name}:{line} star-imports {target}, which has no __all__")
            names = tuple(module.__all__)
        for name in names:
            value = getattr(module, name)
            if isinstance(value, type(sys)):
                continue   # a submodule
            assert name in getattr(module, "__all__", ()), (
                f"{path.name}:{line} imports {name} from {target}, which does not "
                f"list it in __all__: make it public there or move it to an internal module")
            if callable(value):
                assert (value.__doc__ or "").strip(), f"{target}.{name} has no docstring"


@pytest.mark.parametrize("layer", ["core", "pictures"])
def test_third_party_imports_stay_in_their_layer(layer):
    for dotted, path in ALL:
        if _layer(dotted) != layer:
            continue
        for line, target, _ in _imports(dotted, path):
            if target and not target.startswith("convlab"):
                root = target.split(".")[0]
                assert root not in FORBIDDEN[layer], (
                    f"{path.name}:{line}: the {layer} layer must not import {root}")


def test_import_convlab_stays_light():
    code = ("import sys, convlab; "
            "heavy = sorted(m for m in ('matplotlib', 'ipywidgets', 'IPython', 'scipy', 'torch')"
            " if m in sys.modules); print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "", f"import convlab pulled in {out}"
