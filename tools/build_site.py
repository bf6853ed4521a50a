"""Build the course's static site into ``_site/``: ``python tools/build_site.py`` (``make site``).

The site is made from what is committed, with nothing run again: the notebooks'
stored outputs, the pictures in ``fig/``, the pages in ``docs/``,
``ARCHITECTURE.md`` and convlab's docstrings. Sphinx reads a staged copy of
them, laid out as in the repository (``notebooks/01_kernels.ipynb`` is the page
``notebooks/01_kernels.html``), in ``build/site-src/``; generated there too:

- ``api/``: a page per public module of convlab (``automodule`` over its
  ``__all__``, docstrings in numpydoc) and an index of ``convlab.__all__``;
- ``gallery.md``: every picture in ``fig/``, captioned from the table in
  ``convlab.figures``'s docstring;
- ``architecture.md``: ``ARCHITECTURE.md``, its links to files that are not
  pages of the site pointed at the repository instead. Without the file the
  site is built without that page, and this script says so.

Sphinx runs with ``-W``: a warning (a broken link or cross-reference, a missing
image, a public name without a docstring) fails the build. docs/README.md
says why this stack (Sphinx, myst-nb, sphinx-book-theme, numpydoc) and how the
vendored scripts were fetched.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import links  # noqa: E402  (tools/links.py, beside this file)

STAGE = ROOT / "build" / "site-src"
DOCTREES = ROOT / "build" / "site-doctrees"
HTML = ROOT / "build" / "site-html"  # moved to _site/ when done (myst-nb writes beside it)
OUT = ROOT / "_site"


@functools.lru_cache(maxsize=None)
def public_modules() -> tuple[str, ...]:
    """convlab's public modules: every module whose dotted name has no part starting with _."""
    import convlab

    names = ["convlab"]
    for info in pkgutil.walk_packages(convlab.__path__, "convlab."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return tuple(sorted(names))


def documented_name(obj) -> str | None:
    """The dotted name under which the API reference describes ``obj`` (None if it does not).

    That is the public module that defines it, or else the public module that lists it in
    ``__all__`` and describes it itself (a name defined in an internal module, such as
    ``convlab.check.Verdict`` from ``convlab.exercises._judging``).
    """
    home = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None)
    if home in public_modules() and name in getattr(sys.modules[home], "__all__", ()):
        return f"{home}.{name}"
    for module in public_modules():
        mod = importlib.import_module(module)
        for public in getattr(mod, "__all__", ()):
            if getattr(mod, public, None) is obj and documented_at(obj, module) is None:
                return f"{module}.{public}"
    return None


def _first_line(obj) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _api_pages(stage: Path) -> None:
    """api/index.md (convlab's top-level names, then every module) and one page per module."""
    import convlab

    api = stage / "api"
    api.mkdir()
    modules = [m for m in public_modules() if m != "convlab"]
    rows = []
    for name in convlab.__all__:
        obj = getattr(convlab, name)
        if inspect.ismodule(obj):
            target = f"{{doc}}`{name} <{obj.__name__}>`"
        else:
            target = f"{{py:obj}}`{name} <{obj.__module__}.{obj.__qualname__}>`"
        summary = _first_line(obj).replace("|", r"\|")
        rows.append(f"| {target} | {summary} |")
    module_rows = [f"| {{doc}}`{m} <{m}>` | {_first_line(importlib.import_module(m))} |"
                   for m in modules]
    (api / "index.md").write_text("\n".join([
        "# API reference",
        "",
        "```{py:module} convlab", "```",
        "",
        "Generated from convlab's docstrings (numpydoc): every name in each public module's",
        "`__all__`, with its parameters, what it returns, and the examples, which the test suite",
        "also runs as doctests.",
        "",
        "## `import convlab`",
        "",
        "The names `import convlab` gives you, and where each is documented:",
        "",
        "| name | what it is |", "|---|---|", *rows,
        "",
        "## Modules",
        "",
        "| module | what it holds |", "|---|---|", *module_rows,
        "",
        "```{toctree}", ":hidden:", "", *modules, "```", ""]), encoding="utf-8")
    for module in modules:
        (api / f"{module}.rst").write_text(_module_page(module), encoding="utf-8")


def documented_at(obj, module: str) -> str | None:
    """Where ``obj`` is documented if another public module defines it and lists it in __all__."""
    home = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None)
    if not home or home == module or name is None or home not in public_modules():
        return None
    return f"{home}.{name}" if name in getattr(sys.modules[home], "__all__", ()) else None


def _module_page(module: str) -> str:
    """One module's page: its docstring, then every name of its ``__all__`` in that order.

    A name the module re-exports from another public module is listed with a link to
    where that module documents it, so each object is described once.
    """
    mod = importlib.import_module(module)
    if not hasattr(mod, "__all__"):
        raise SystemExit(f"{module} has no __all__: list its public names (or make it private, "
                         f"_{module.rpartition('.')[2]})")
    title = f"``{module}``"
    lines = [title, "=" * len(title), "", f".. automodule:: {module}", ""]
    elsewhere = []
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.ismodule(obj):
            continue  # documented on its own page
        home = documented_at(obj, module)
        if home:
            elsewhere.append(f"- :py:obj:`{name} <{home}>`: {_first_line(obj)}")
        elif inspect.isclass(obj):
            lines += [f".. autoclass:: {module}.{name}", "   :members:", ""]
        elif callable(obj):
            lines += [f".. autofunction:: {module}.{name}", ""]
        else:
            lines += [f".. autodata:: {module}.{name}", "   :no-value:", ""]
    if elsewhere:
        lines += [".. rubric:: Also importable from here", "",
                  f"Documented in the module that defines them; ``from {module} import ...`` "
                  "gives the same objects.", "", *elsewhere, ""]
    return "\n".join(lines)


def _gallery(stage: Path) -> None:
    """gallery.md: every picture in fig/, with its caption from convlab.figures' docstring."""
    from convlab import figures

    captions = dict(re.findall(r"^``([\w.]+)``\s+(.+?)\s*$", figures.__doc__, re.M))
    lines = ["# Figure gallery", "",
             "The course's pictures, each drawn by convlab from numbers it computes",
             "(`make figures`, that is `python -m convlab.figures`, redraws them all).", ""]
    for path in sorted((ROOT / "fig").iterdir()):
        if path.suffix not in (".png", ".gif", ".svg"):
            continue
        if path.name not in captions:
            raise SystemExit(f"fig/{path.name} has no caption in convlab/figures.py's docstring "
                             f"table: add a row for it there")
        caption = captions[path.name]
        lines += [f"```{{figure}} fig/{path.name}", f":alt: {json.dumps(caption)}", "",
                  f"`{path.name}`: {caption}", "```", ""]
    (stage / "gallery.md").write_text("\n".join(lines), encoding="utf-8")


_MD_LINK = re.compile(r"(\]\()([^)#\s]+)(#[^)\s]*)?(\))")


def _architecture(stage: Path) -> bool:
    """architecture.md from ARCHITECTURE.md; links to files not on the site go to the repository."""
    source = ROOT / "ARCHITECTURE.md"
    if not source.exists():
        return False

    def fix(match):
        target = match.group(2)
        if re.match(r"^[a-z]+:", target) or target.startswith("/"):
            return match.group(0)
        page = Path(target)
        on_site = ((page.suffix in (".ipynb", ".md") and (stage / page).exists())
                   or page.parts[:1] == ("fig",))
        if on_site:
            return match.group(0)
        where = "tree" if (ROOT / target).is_dir() else "blob"
        url = f"{links.repository()}/{where}/{links.BRANCH}/{target.rstrip('/')}"
        return f"{match.group(1)}{url}{match.group(3) or ''}{match.group(4)}"

    text = _MD_LINK.sub(fix, source.read_text(encoding="utf-8"))
    (stage / "architecture.md").write_text(text, encoding="utf-8")
    return True


# Stylesheets the notebooks' stored outputs name on a CDN (matplotlib's animation player links
# Font Awesome for its buttons), and the vendored copy the notebook pages link instead (the
# pages are rewritten after the build; the notebooks, and their downloadable copies, are not).
VENDORED = {
    "https://maxcdn.bootstrapcdn.com/font-awesome/4.4.0/css/font-awesome.min.css":
        "../_static/vendor/font-awesome/css/font-awesome.min.css",
}

_TABLES_MARK = "<!-- make site puts README.md's tables of the notebooks here -->"


def _course_tables() -> str:
    """README.md's tables of notebooks (| notebook | you will be able to |), one after another."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = re.findall(r"^\| notebook \|.*\n(?:^\|.*\n)+", readme, re.M)
    if not tables:
        raise SystemExit("README.md has no table of notebooks (| notebook | you will be able to |)")
    return "\n".join(tables)


def _alt_for_myst(path: Path) -> None:
    """Give myst-nb the alt text the notebook's picture outputs carry in their metadata.

    myst-nb reads an image output's alt text from its cell's ``mystnb.image.alt`` only;
    an explorer's snapshot (and any picture whose alt text is in the output's own
    metadata, as Jupyter front ends keep it) has it under ``metadata[mime]["alt"]``. In
    the staged copy, that alt text is also written where myst-nb looks.
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        image = cell["metadata"].get("mystnb", {}).get("image", {})
        if image.get("alt"):
            continue
        alts = [output.get("metadata", {}).get(mime, {}).get("alt")
                for output in cell.get("outputs", []) for mime in ("image/png", "image/gif")
                if mime in output.get("data", {})]
        alts = [alt for alt in alts if alt]
        if alts:
            cell["metadata"].setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts[0]
            changed = True
    if changed:
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def stage_sources(stage: Path = STAGE) -> list[str]:
    """Lay out the site's sources in ``stage``; return notes about what is left out."""
    notes = []
    if stage.exists():
        shutil.rmtree(stage)
    shutil.copytree(ROOT / "docs", stage, ignore=shutil.ignore_patterns("README.md"))
    shutil.copytree(ROOT / "notebooks", stage / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.py"))
    shutil.copytree(ROOT / "fig", stage / "fig")
    for notebook in (stage / "notebooks").glob("*.ipynb"):
        _alt_for_myst(notebook)
    _api_pages(stage)
    _gallery(stage)
    index = stage / "index.md"
    text = index.read_text(encoding="utf-8").replace(_TABLES_MARK, _course_tables())
    if not _architecture(stage):
        text = re.sub(r"^(architecture|.*\(architecture\.md\).*)\n", "", text, flags=re.M)
        notes.append("ARCHITECTURE.md is missing: the site is built without its page")
    index.write_text(text, encoding="utf-8")
    return notes


def build(out: Path = OUT, *, quiet: bool = True) -> float:
    """Stage the sources and run Sphinx into ``out``; return the seconds it took.

    Raises ``subprocess.CalledProcessError`` when Sphinx fails (any warning does).
    """
    start = time.perf_counter()
    for note in stage_sources():
        print(f"note: {note}", file=sys.stderr)
    if HTML.exists():
        shutil.rmtree(HTML)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-W", "--keep-going", "-n",
               "-d", str(DOCTREES), str(STAGE), str(HTML)]
    if quiet:
        command.insert(3, "-q")
    subprocess.run(command, check=True, cwd=ROOT)
    if out.exists():
        shutil.rmtree(out)
    shutil.move(HTML, out)
    for page in (out / "notebooks").glob("*.html"):
        html = page.read_text(encoding="utf-8")
        for cdn, local in VENDORED.items():
            html = html.replace(cdn, local)
        page.write_text(html, encoding="utf-8")
    for source_map in (out / "_static").rglob("*.map"):
        source_map.unlink()  # the theme's source maps: for its developers' debuggers, 3.4 MB
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve _static/ as it is
    return time.perf_counter() - start


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default _site/)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.out, quiet=not args.verbose)
    except subprocess.CalledProcessError:
        print("the site was not built: Sphinx reported the warnings above", file=sys.stderr)
        return 1
    pages = len(list(args.out.rglob("*.html")))
    print(f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}: "
          f"{pages} pages, {_size(args.out) / 1e6:.1f} MB, built in {seconds:.1f} s; "
          f"front page {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
