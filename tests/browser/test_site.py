"""The course's static site (``make site``) in a real browser, served from 127.0.0.1.

Builds the site into ``_site/`` unless a build newer than every source is there
already, serves it with ``http.server`` and opens every page in headless
Chromium with every request to another host aborted. Each page must load with
no request to another host, no failed request and no console error, and with
every image loaded; each animation player must advance after play, each widget
snapshot must render with its picture, and every link inside the site must
lead to a page (and an anchor) that exists. The launch buttons must be the
links ``tools/links.py`` makes from pyproject.toml.

Needs Chromium and Playwright like the rest of tests/browser (conftest.py says
how to enable them; its ``chromium`` fixture is shared), and the ``docs`` extra (``make site`` installs it); without
them these tests skip, or fail under ``CONVLAB_REQUIRE_BROWSER=1`` (CI).
Screenshots of a notebook page and an API page land in ``artifacts/browser/``.
"""

from __future__ import annotations

import functools
import os
import html.parser
import http.server
import importlib.util
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, CHROMIUM_ARGS, HOW_TO_ENABLE, ROOT

SITE = ROOT / "_site"
# What the site is made from: a build older than any of these is built again.
SOURCES = ["docs", "notebooks", "fig", "convlab", "tools/build_site.py", "tools/links.py",
           "README.md", "ARCHITECTURE.md", "pyproject.toml"]
SKIPPED_DIRS = {"_static", "_sources", "_images"}
# Pages photographed into artifacts/browser/, to look at.
SCREENSHOTS = {"notebooks/01_kernels.html": "site-notebook.png",
               "api/convlab.convolution.html": "site-api.png"}


def _unavailable(reason):
    """Skip (on a learner's machine) or fail (CI sets CONVLAB_REQUIRE_BROWSER=1)."""
    message = f"the site's browser tests need {reason}: {HOW_TO_ENABLE}"
    if os.environ.get("CONVLAB_REQUIRE_BROWSER"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tool_with_links(name):
    """tools/NAME.py, for a tool that imports tools/links.py."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return _tool(name)
    finally:
        sys.path.remove(str(ROOT / "tools"))


def _newest_source():
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for file in files:
            if file.is_file() and "__pycache__" not in file.parts:
                newest = max(newest, file.stat().st_mtime)
    return newest


@pytest.fixture(scope="module")
def site():
    """The built site's folder: a fresh ``_site/``, built now if it is missing or stale."""
    for package in ("sphinx", "myst_nb", "sphinx_book_theme", "numpydoc"):
        if importlib.util.find_spec(package) is None:
            _unavailable(f"the docs extra to build the site ({package} is not installed: "
                         f"pip install -e '.[docs]', which make site does)")
    index = SITE / "index.html"
    if not index.exists() or index.stat().st_mtime < _newest_source():
        _tool_with_links("build_site").build(SITE)
    return SITE


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    """The site served over HTTP on 127.0.0.1 (a free port), for the module."""
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def site_context(chromium, server):
    """A Chromium context in which every request to another host is aborted and recorded."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.foreign = []

    def route(request_route):
        if request_route.request.url.startswith(server + "/"):
            request_route.continue_()
        else:
            context.foreign.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    yield context
    context.close()


def _pages(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if not SKIPPED_DIRS & set(p.relative_to(site).parts))


# The animation players (matplotlib's HTML writer): the frame <img> and its Play button.
PLAYERS_JS = """() => Array.from(document.querySelectorAll('img[id^="_anim_img"]')).map(img => {
    const id = img.id.slice('_anim_img'.length);
    return {id, src: img.src};
})"""
# The images on the page that are drawn: not those inside an element that is not displayed
# (an explorer keeps the pictures of its other modes hidden, with no picture saved in them).
SHOWN_IMAGES_JS = "Array.from(document.images).filter(i => i.getClientRects().length > 0)"
# Each saved widget view is a <script> in an output; the manager draws it beside the script.
WIDGETS_DONE_JS = """() => Array.from(document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]'))
    .every(s => s.parentElement.querySelector('.widget-subarea .jupyter-widgets'))"""
WIDGETS_JS = """() => {
    const views = document.querySelectorAll(
        'script[type="application/vnd.jupyter.widget-view+json"]');
    return Array.from(views).map(script => {
        const view = script.parentElement.querySelector('.widget-subarea .jupyter-widgets');
        const images = view ? Array.from(view.querySelectorAll('img'))
            .filter(i => i.getClientRects().length > 0) : [];
        return {rendered: !!view && view.getBoundingClientRect().height > 20,
                images: images.length,
                loaded: images.filter(i => i.complete && i.naturalWidth > 0).length};
    });
}"""


def _open(context, server, name):
    """Open page ``name``; return (page, console errors, failed same-host requests)."""
    page = context.new_page()
    errors, failed = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("requestfailed",
            lambda r: failed.append(r.url) if r.url.startswith(server + "/") else None)
    page.on("response",
            lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(f"{server}/{name}", wait_until="load")
    return page, errors, failed


def _check_page(context, server, name):
    """Everything wrong with page ``name`` in the browser, as a list of sentences."""
    before = len(context.foreign)
    page, errors, failed = _open(context, server, name)
    problems = []
    try:
        # The widget manager renders the saved widgets after `load`; wait until it is done.
        page.wait_for_function(WIDGETS_DONE_JS, timeout=30_000)
        page.wait_for_function(f"() => {SHOWN_IMAGES_JS}.every(i => i.complete)",
                               timeout=30_000)
        try:  # let late requests (fonts) happen while the page is watched; a busy machine
            page.wait_for_load_state("networkidle", timeout=20_000)  # may not go idle in time
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            pass
        broken = page.evaluate(f"""() => {SHOWN_IMAGES_JS}
            .filter(i => !(i.naturalWidth > 0)).map(i => i.currentSrc || i.src || i.alt)""")
        problems += [f"image did not load: {src[:120]}" for src in broken]
        # every picture says what it shows (a live widget's own pictures excepted: the
        # explorer's text description stands beside them, see test_accessibility.py)
        unlabelled = page.evaluate(f"""() => {SHOWN_IMAGES_JS}
            .filter(i => !i.closest('.jupyter-widgets'))
            // Sphinx's module-index toggle is a button drawn as an image; its alt ("-" or
            // "+") names the action, not a picture.
            .filter(i => !i.classList.contains('toggler'))
            .map(i => (i.getAttribute('alt') || '').trim())
            .filter(a => a.split(/\\s+/).length < 4 || /\\.(png|gif|jpe?g|svg)$/i.test(a))""")
        problems += [f"image without alt text: {alt[:80]!r}" for alt in unlabelled]
        for widget in page.evaluate(WIDGETS_JS):
            if not (widget["rendered"] and widget["loaded"] == widget["images"]):
                problems.append(f"a widget snapshot did not render: {widget}")
        for player in page.evaluate(PLAYERS_JS):
            page.click(f'button[onclick="anim{player["id"]}.play_animation()"]')
            try:
                page.wait_for_function(
                    f"() => document.getElementById('_anim_img{player['id']}').src "
                    f"!== {player['src']!r}", timeout=10_000)
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError
                problems.append(f"animation {player['id']} did not advance after play")
            page.click(f'button[onclick="anim{player["id"]}.pause_animation()"]')
        if name in SCREENSHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / SCREENSHOTS[name]))
    finally:
        page.close()
    problems += [f"request to another host: {url}" for url in context.foreign[before:]]
    problems += [f"console error: {text}" for text in errors]
    problems += [f"failed request: {url}" for url in failed]
    return problems


def test_every_page_loads_offline_with_its_pictures(site, site_context, server):
    problems = {}
    pages = _pages(site)
    for name in pages:
        found = _check_page(site_context, server, name)
        if found:
            problems[name] = found
    assert not problems, "\n".join(f"{name}: {problem}" for name, found in problems.items()
                                    for problem in found)
    assert len(pages) >= 9 + 4, "the notebooks, the front page, gallery, teachers, API"


class _Anchors(html.parser.HTMLParser):
    """The ids and the hrefs of one page."""

    def __init__(self):
        super().__init__()
        self.ids, self.hrefs = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path):
    parser = _Anchors()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_internal_link_resolves(site):
    parsed = {name: _parse(site / name) for name in _pages(site)}
    broken = []
    for name, page in parsed.items():
        for href in page.hrefs:
            url = urllib.parse.urlsplit(href)
            if url.scheme or url.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = urllib.parse.urljoin(name, url.path) if url.path else name
            path = site / urllib.parse.unquote(target)
            if path.is_dir():
                path, target = path / "index.html", target.rstrip("/") + "/index.html"
            if not path.is_file():
                broken.append(f"{name}: {href} (no {target})")
            elif url.fragment and target in parsed and \
                    urllib.parse.unquote(url.fragment) not in parsed[target].ids:
                broken.append(f"{name}: {href} (no #{url.fragment} in {target})")
    assert broken == []


def test_launch_buttons_come_from_pyproject(site):
    links = _tool("links")
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = site / "notebooks" / f"{notebook.stem}.html"
        hrefs = _parse(page).hrefs
        repo_path = f"notebooks/{notebook.name}"
        assert links.binder_url(repo_path) in hrefs, page
        assert links.colab_url(repo_path) in hrefs, page


def test_site_has_the_course(site):
    import importlib

    names = set(_pages(site))
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"notebooks/{notebook.stem}.html" in names
    assert {"index.html", "gallery.html", "teachers.html", "api/index.html"} <= names
    gallery = (site / "gallery.html").read_text(encoding="utf-8")
    assert all(picture.name in gallery for picture in (ROOT / "fig").iterdir())
    assert ("architecture.html" in names) == (ROOT / "ARCHITECTURE.md").exists()
    # Every public name of every public module is described, once, on some API page.
    reference = "".join(p.read_text(encoding="utf-8") for p in (site / "api").glob("*.html"))
    build_site = _tool_with_links("build_site")
    for module in build_site.public_modules():
        mod = importlib.import_module(module)
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, type(sys)):
                assert f"api/{obj.__name__}.html" in names or f"{obj.__name__}.html" in names
                continue
            full = build_site.documented_at(obj, module) or f"{module}.{name}"
            assert reference.count(f'id="{full}"') == 1, f"{full} is not in the reference once"
