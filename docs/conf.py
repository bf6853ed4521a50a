"""Sphinx configuration of the course's site. Build it with ``make site`` (tools/build_site.py).

Sphinx reads a staged copy of docs/, notebooks/ and fig/ in build/site-src/, so
this file runs from there; docs/README.md says why this stack and how it is set up.
"""

import sys
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

ROOT = Path(__file__).resolve().parents[2]  # build/site-src/conf.py -> the repository
if not (ROOT / "tools" / "links.py").exists():
    raise RuntimeError("docs/conf.py runs from the staged copy: build the site with `make site`")
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]
import links  # noqa: E402  (tools/links.py: the repository's address, from pyproject.toml)

project = "Intuitively Understanding Convolutions"
author = "the convlab authors"
copyright = "the convlab authors, MIT licence"
html_title = "Intuitively Understanding Convolutions"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.mathjax", "numpydoc"]
root_doc = "index"
exclude_patterns = ["**/.ipynb_checkpoints"]
nitpicky = True  # every cross-reference must resolve (with -W, a broken one fails the build)
# Other projects' objects (numpy, SciPy, PyTorch, ...) are named in docstrings but not linked:
# the site is built and read offline, without their inventories.
nitpick_ignore_regex = [(r"py:.*", r"(numpy|np|scipy|torch|matplotlib|ipywidgets|PIL)(\..*)?")]

# The notebooks are shown with the outputs they were saved with; nothing runs again.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "substitution", "colon_fence"]
myst_heading_anchors = 3
# Of the pictures an output carries, the site shows: an animation's HTML player (text/html, it
# plays here), else a PNG (an explorer's snapshot of its saved state), else the widget view
# drawn from the saved widget state, else a GIF; as myst-nb does for the rest.
nb_mime_priority_overrides = [("html", "text/html", 1), ("html", "image/png", 2)]

# Everything the pages load is in _static/vendor (docs/README.md): nothing from another host.
mathjax_path = "vendor/mathjax/tex-chtml.js"
nb_ipywidgets_js = {"vendor/requirejs/require.js": {},
                    "widgets-offline.js": {},  # the manager's font folder, MathJax 3 for it
                    "vendor/html-manager/embed-amd.js": {}}

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["convlab.css"]
html_theme_options = {
    "repository_url": links.repository(),
    "repository_branch": links.BRANCH,
    "use_repository_button": True,
    "use_download_button": True,
    "show_toc_level": 2,
}
# Light or dark as the reader's system says (without it the theme logs a console error).
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None

# API reference: numpydoc sections; classes list their members through autodoc.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc Parameters section says it, in words

FIRST = "notebooks/00_convolutional_networks.ipynb"
LIVE_NOTE = (
    "Pages of this site show each notebook as it was last run: the pictures are stored in the "
    "page, the animations play, and every explorer shows the state it was saved in; its sliders "
    "do not redraw anything here, because no Python runs behind a static page.")
myst_substitutions = {
    "live_note": LIVE_NOTE,
    "binder_link": f"[Binder]({links.binder_url(FIRST)})",
    "colab_link": f"[Colab]({links.colab_url(FIRST)})",
}

_logger = logging.getLogger("convlab.docs")


def _launch_banner(app, doctree):
    """At the top of every notebook page: what is live here, and buttons to run it for real."""
    path = Path(app.env.doc2path(app.env.docname))
    if path.suffix != ".ipynb":
        return
    repo_path = f"notebooks/{path.name}"
    html = (
        '<div class="convlab-launch admonition note">'
        f'<p>{LIVE_NOTE} To run this notebook and move the sliders, open it live:</p>'
        '<p class="convlab-launch-buttons">'
        f'<a class="convlab-button convlab-binder" href="{links.binder_url(repo_path)}">'
        'Open in Binder</a> '
        f'<a class="convlab-button convlab-colab" href="{links.colab_url(repo_path)}">'
        'Open in Colab</a> '
        '<span>or run <code>make lab</code> in your copy of the repository.</span></p></div>')
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        _logger.warning(f"{path.name} has no title section for its launch buttons")
        return
    section.insert(1, nodes.raw("", html, format="html"))


def _must_have_docstring(app, what, name, obj, options, lines):
    """A public name (in its module's __all__) without a docstring is a warning, so -W fails."""
    module_name, _, short = name.rpartition(".")
    module = sys.modules.get(module_name)
    public = getattr(module, "__all__", ())
    if short in public and not any(line.strip() for line in lines):
        _logger.warning(f"{name} is public (in {module_name}.__all__) but has no docstring")


def _named_in_module(app, env, node, contnode):
    """Resolve a Python name the way the docstring's own module sees it.

    Docstrings name things as their module imports them: ``convlab.conv2d`` (documented as
    ``convlab.convolution.conv2d``), ``ClassroomError`` (imported from ``.course``),
    ``check.judge_outputs``, or ``Verdict`` (documented where ``convlab.check`` exports it).
    Follow the import to where the reference describes the object. A name from another
    installed package (``ast``, ``numpy.pad``) is shown as text: the site links to no other
    site. Anything else stays unresolved, and fails the build.
    """
    import importlib.util
    import inspect

    import build_site  # tools/build_site.py: which module documents what

    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip("~.")
    parts = target.split(".")
    if parts[0] == "convlab":
        parts = parts[1:]
    # Where to look the name up: the docstring's module, then what `import convlab` gives,
    # then the one public module that exports it.
    scopes = [sys.modules.get(node.get("py:module") or ""), sys.modules["convlab"]]
    scope = next((s for s in scopes if s is not None and hasattr(s, parts[0])), None)
    if scope is None:
        exporters = {id(getattr(m, parts[0])): m for m in map(sys.modules.get,
                                                              build_site.public_modules())
                     if m is not None and parts[0] in getattr(m, "__all__", ())}
        if len(exporters) == 1:
            scope = next(iter(exporters.values()))
        elif parts[0] == target.split(".")[0] and importlib.util.find_spec(parts[0]):
            return contnode  # another package's object: text, not a link
        else:
            return None
    obj = scope
    for part in parts:
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    if inspect.ismodule(obj):
        if not obj.__name__.startswith("convlab"):
            return contnode
        return env.domains["std"].resolve_xref(env, node["refdoc"], app.builder, "doc",
                                               f"/api/{obj.__name__}", node, contnode)
    if not (getattr(obj, "__module__", None) or "convlab").startswith("convlab"):
        return contnode
    full = build_site.documented_name(obj)
    if full is None or full == node["reftarget"]:
        return None  # not in the reference
    return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder, "obj", full,
                                          node, contnode)


def setup(app):
    app.connect("missing-reference", _named_in_module)
    app.connect("doctree-read", _launch_banner)
    app.connect("autodoc-process-docstring", _must_have_docstring, priority=100)
