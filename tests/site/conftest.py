"""The built site, tested in a real browser (headless Chromium driven by Playwright).

Every test under ``tests/site`` carries the ``browser`` marker: ``make unit`` runs
``pytest -m "not browser"`` and ``make browser`` (after ``make book``) runs
``pytest -m browser tests/site``.

The fixtures here serve the built HTML (``_build/html``, or ``$SITE_DIR``) from a
threaded ``http.server`` on a free localhost port and open it in one shared
Chromium. Every browser context aborts requests to any host other than the local
server and records them, so each page is checked as a reader with no network sees
it. Each TOC page is loaded once, at 1280x800, and then resized to 375x812; the
facts the tests need (console errors, requests and their sizes, images, math,
links, launch links, widths) are collected in that one visit and cached, which
keeps the suite to a second or two per page.

Environment:

``SITE_DIR``        the built site to test (default ``_build/html``)
``ARTIFACTS_DIR``   where screenshots and ``page_weights.json`` go (default ``artifacts``)
``CHROMIUM``        the browser (default: ``chromium``, else ``google-chrome(-stable)``, on PATH)
``REQUIRE_BROWSER`` set to 1 to fail, rather than skip, when Chromium or the site is missing
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html.parser
import http.server
import json
import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SITE_DIR = Path(os.environ.get("SITE_DIR") or REPO / "_build" / "html").resolve()
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or REPO / "artifacts").resolve()
# Debian's chromium (what .ci/run installs); Google Chrome as GitHub's Ubuntu runners ship it.
CHROMIUM = os.environ.get("CHROMIUM") or next(
    (found for name in ("chromium", "google-chrome-stable", "google-chrome") if (found := shutil.which(name))),
    "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

# The chapter used for screenshots and as the search target (falls back to the
# first executable page if the TOC does not list it).
SHOWCASE_CHAPTER = "book/classical/linear_regression"

# -- page weight budget ------------------------------------------------------------
# Everything one page transfers on a cold load (HTML, CSS, JS, fonts, images), as
# served here: uncompressed, response headers included, so an upper bound (GitHub
# Pages gzips text assets to about a third; the table's "gzip est." column).
# Measured when the budget was set (pydata-sphinx-theme 0.17.1, MathJax 3.2.2 tex-chtml.js):
#   - every page carries ~2.55 MB of theme: fontawesome.js alone is 1.49 MB, its two
#     webfonts 0.27 MB, pydata-sphinx-theme.css 0.40 MB;
#   - a page with math adds MathJax: tex-chtml.js 1.16 MB (tex-chtml-full.js would be
#     1.33 MB) and 0.1-0.2 MB of its fonts, so ~3.9 MB before the page's own content;
#   - the page's own HTML is 0.02-0.15 MB and a matplotlib PNG 20-60 kB.
#   - searchindex.js, loaded by every page, grows with the book: 0.57 MB at 54
#     chapters (Parts I-VIII and the appendices), so a math page starts at ~4.5 MB.
# 5.5 MB therefore leaves ~1.0 MB for a math page's own HTML and figures (about 15
# typical figures). (The budget was 5 MB for the 26 chapters of Parts I-IV.) A page over it either loads assets it should not (at first every
# page loaded all 90 MathJax files, 22 MB, because Jupyter Book adds every .js under
# _static) or carries too many or too large figures: split it, or shrink them. The
# budget tightens if the theme's fixed cost ever shrinks.
PAGE_BUDGET_BYTES = 5_500_000
# One output image (a matplotlib PNG at the default 100 dpi is 20-60 kB); anything
# over this is an accidental high-dpi or photo-sized figure.
IMAGE_BUDGET_BYTES = 300_000


# -- the table of contents and the page sources ------------------------------------
def _strip_suffix(name: str) -> str:
    for suffix in (".md", ".ipynb", ".rst"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@functools.cache
def toc_pages() -> tuple[str, ...]:
    """Every page of ``_toc.yml``, root first, in reading order (docnames, no suffix)."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))
    pages: list[str] = [_strip_suffix(toc["root"])]

    def walk(node):
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "file" in node:
                pages.append(_strip_suffix(str(node["file"])))
            if "glob" in node:
                for path in sorted(REPO.glob(str(node["glob"]))):
                    if path.suffix in (".md", ".ipynb", ".rst"):
                        pages.append(_strip_suffix(path.relative_to(REPO).as_posix()))
            for key in ("parts", "chapters", "sections", "subtrees", "entries"):
                walk(node.get(key))

    walk({k: v for k, v in toc.items() if k != "root"})
    return tuple(dict.fromkeys(pages))


def page_source(page: str) -> Path | None:
    for suffix in (".md", ".ipynb", ".rst"):
        path = REPO / f"{page}{suffix}"
        if path.exists():
            return path
    return None


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    return (yaml.safe_load(text[3:end]) or {}) if end > 0 else {}


@functools.cache
def executable_pages() -> tuple[str, ...]:
    """Pages that are notebooks: a MyST Markdown page with a ``kernelspec``, or an .ipynb."""
    out = []
    for page in toc_pages():
        src = page_source(page)
        if src is None:
            continue
        if src.suffix == ".ipynb" or (src.suffix == ".md" and "kernelspec" in front_matter(src)):
            out.append(page)
    return tuple(out)


def showcase_chapter() -> str:
    if SHOWCASE_CHAPTER in toc_pages():
        return SHOWCASE_CHAPTER
    return executable_pages()[0] if executable_pages() else toc_pages()[-1]


@functools.cache
def book_config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text(encoding="utf-8"))


# -- static HTML facts -------------------------------------------------------------
class _IdCollector(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.ids.add(value)


@functools.cache
def html_ids(path: Path) -> frozenset[str]:
    parser = _IdCollector()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.ids)


@functools.cache
def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


# -- markers -----------------------------------------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Every test in tests/site is a browser test, whatever its module says."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(message: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(message)


# -- the server --------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".woff": "font/woff", ".woff2": "font/woff2", ".js": "text/javascript",
                      ".ipynb": "application/x-ipynb+json"}

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="session")
def site_dir() -> Path:
    if not (SITE_DIR / "index.html").exists():
        _unavailable(f"No built site at {SITE_DIR}: run `make book` first (or set SITE_DIR)")
    return SITE_DIR


@pytest.fixture(scope="session")
def base_url(site_dir):
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: run `make install-test` (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM}: install Debian's Chromium "
            "(`apt-get install chromium`, as .ci/run does) or set CHROMIUM=/path/to/chromium"
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# -- loading a page ----------------------------------------------------------------
@dataclass
class Recorder:
    """What one browser context saw: console errors, requests, external attempts."""

    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list = field(default_factory=list)  # finished requests (playwright Request)
    statuses: dict = field(default_factory=dict)  # url -> HTTP status
    inflight: int = 0

    def on_request(self, request):
        self.inflight += 1

    def on_finished(self, request):
        self.inflight -= 1
        self.requests.append(request)

    def on_failed(self, request):
        self.inflight -= 1
        if is_local(request.url):  # external ones are aborted on purpose and listed apart
            self.failed.append(f"{request.url} ({request.failure})")

    def on_response(self, response):
        self.statuses[response.url] = response.status
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def on_console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_page_error(self, error):
        self.page_errors.append(str(error))

    def on_route(self, route):
        self.external.append(f"{route.request.resource_type}: {route.request.url}")
        route.abort("internetdisconnected")

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"page error: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed])


EXTERNAL_URL = re.compile(r"^(?!(?:https?|wss?)://(?:127\.0\.0\.1|localhost)(?:[:/]|$))(?:https?|wss?)://")


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname in LOCAL_HOSTS


WAIT_READY_JS = """async () => {
  const timeout = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await Promise.race([MathJax.startup.promise, timeout(15000)]);
  }
  await Promise.race([document.fonts.ready, timeout(5000)]);
  await Promise.all([...document.images].map((img) => {
    if (img.loading === 'lazy') img.loading = 'eager';
    return img.complete ? null : Promise.race([
      new Promise((resolve) => { img.addEventListener('load', resolve, {once: true});
                                 img.addEventListener('error', resolve, {once: true}); }),
      timeout(5000)]);
  }));
}"""


class Site:
    """The served site and the shared browser, with per-page results cached."""

    def __init__(self, base_url: str, site_dir: Path, browser):
        self.base_url = base_url
        self.dir = site_dir
        self.browser = browser
        self._reports: dict = {}

    def url(self, page: str) -> str:
        return self.base_url + page + ".html"

    def path_of(self, url: str) -> Path | None:
        """The file behind a URL of the local server (None for another host)."""
        parts = urlsplit(url)
        if not is_local(url) or parts.scheme not in ("http", "https"):
            return None
        path = self.dir / unquote(parts.path).lstrip("/")
        return path / "index.html" if path.is_dir() else path

    @contextlib.contextmanager
    def open(self, target: str, viewport=DESKTOP, color_scheme="light", lands_on: str | None = None):
        """A fresh context (cold cache, no network beyond localhost) with ``target`` loaded.

        ``lands_on``: the URL a redirecting ``target`` ends at (waited for before settling).
        """
        context = self.browser.new_context(viewport=viewport, color_scheme=color_scheme,
                                           service_workers="block")
        rec = Recorder(self.base_url)
        context.route(EXTERNAL_URL, rec.on_route)  # a regex is matched in the browser driver: fast
        page = context.new_page()
        page.on("request", rec.on_request)
        page.on("requestfinished", rec.on_finished)
        page.on("requestfailed", rec.on_failed)
        page.on("response", rec.on_response)
        page.on("console", rec.on_console)
        page.on("pageerror", rec.on_page_error)
        try:
            url = target if "://" in target else self.base_url + target
            page.goto(url, wait_until="load")
            if lands_on:
                page.wait_for_url(lands_on, wait_until="load", timeout=10_000)
            self.settle(page, rec)
            yield page, rec
        finally:
            context.close()

    def settle(self, page, rec, timeout=10.0):
        page.evaluate(WAIT_READY_JS)
        deadline = time.monotonic() + timeout
        while rec.inflight > 0 and time.monotonic() < deadline:
            page.wait_for_timeout(25)

    def report(self, page_name: str) -> dict:
        """Everything the per-page tests check, from one load at 1280 px resized to 375 px."""
        if page_name in self._reports:
            return self._reports[page_name]
        report: dict = {"page": page_name}
        with self.open(page_name + ".html") as (page, rec):
            report.update(page.evaluate(COLLECT_JS))
            report["resources"] = self._resources(rec)
            # The phone check resizes the same page: layout is CSS media queries, so this
            # is what a phone gets, for half the cost of a second load.
            page.set_viewport_size(PHONE)
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            report["phone"] = page.evaluate(WIDTH_JS)
            report["problems"] = rec.problems()
            report["external"] = list(rec.external)
        self._reports[page_name] = report
        return report

    def _resources(self, rec: Recorder) -> list[dict]:
        out = []
        for request in rec.requests:
            sizes = request.sizes()
            path = self.path_of(request.url)
            out.append({
                "url": request.url.removeprefix(self.base_url),
                "type": request.resource_type,
                "status": rec.statuses.get(request.url),
                "bytes": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                "gzip_bytes": gzip_size(path) if path and path.is_file() else sizes["responseBodySize"],
            })
        return out


COLLECT_JS = r"""async () => {
  const images = [...document.images].map((img) => {
    const figure = img.closest('figure');
    const caption = figure ? (figure.querySelector('figcaption')?.textContent || '').trim() : '';
    return {src: img.getAttribute('src') || '', url: img.currentSrc || img.src,
            alt: img.getAttribute('alt'), complete: img.complete,
            naturalWidth: img.naturalWidth, caption: caption};
  });
  const mathElements = [...document.querySelectorAll('.math')];
  const untypeset = mathElements.filter((el) => !el.querySelector('mjx-container'))
                                .map((el) => el.textContent.trim().slice(0, 80));
  const mathErrors = [];
  // TeX errors and unknown macros (which MathJax's noundefined extension typesets in
  // red as their own name), read from MathJax's internal tree, with the TeX they are in.
  const doc = window.MathJax && MathJax.startup && MathJax.startup.document;
  if (doc && doc.getMathItemsWithin) {
    for (const item of doc.getMathItemsWithin(document.body)) {
      const where = String(item.math).replace(/\s+/g, ' ').trim().slice(0, 70);
      if (!item.root || !item.root.walkTree) continue;
      item.root.walkTree((node) => {
        if (node.isKind('merror')) {
          mathErrors.push(`${node.attributes.get('data-mjx-error') || 'TeX error'} in: ${where}`);
        } else if (node.isKind('mtext') && node.attributes.get('mathcolor') === 'red') {
          const text = node.childNodes.map((c) => (c.getText ? c.getText() : '')).join('');
          mathErrors.push(`undefined macro ${text} in: ${where}`);
        }
      });
    }
  }
  // TeX left as text: any delimiter outside code blocks and typeset math.
  const raw = [];
  const skip = 'pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.parentElement || node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    const hit = text.match(/\$\$|\\begin\{|\\\[|\\\]|\\\(|\\\)/);
    if (hit) raw.push(text.slice(Math.max(0, hit.index - 30), hit.index + 50).trim());
  }
  // Display equations wider than the desktop column: MathJax lets them scroll sideways in
  // their own box, where the end of the equation is easily missed.
  const wideMath = [...document.querySelectorAll('mjx-container[display="true"]')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${el.scrollWidth} px in ${el.clientWidth} px: `
                 + (el.closest('.math')?.id || '') + ' '
                 + (el.querySelector('mjx-assistive-mml')?.textContent || '').trim().slice(0, 60));
  // Exercise solutions (sphinx-exercise) must start hidden: a dropdown the reader opens.
  const openSolutions = [...document.querySelectorAll('.solution')]
    .filter((el) => [...el.children].some((c) => {
      if (c.classList.contains('admonition-title')) return false;
      const rect = c.getBoundingClientRect();
      return rect.width > 0 && rect.height > 0
             && c.checkVisibility({opacityProperty: true, visibilityProperty: true});
    }))
    .map((el) => el.id || (el.querySelector('.admonition-title')?.textContent || '').trim());
  const links = [...document.querySelectorAll('a[href]')].map((a) => ({
      href: a.href, raw: a.getAttribute('href'), text: a.textContent.trim().slice(0, 60),
      title: a.getAttribute('title') || '', cls: a.className || ''}));
  const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
  const scripts = [...document.scripts].map((s) => s.src).filter(Boolean);
  return {url: location.href, title: document.title, images, math_count: mathElements.length,
          mjx_count: document.querySelectorAll('mjx-container').length,
          untypeset, math_errors: mathErrors, raw_tex: raw, wide_math: wideMath, open_solutions: openSolutions, links, ids, scripts,
          mathjax_version: (window.MathJax && MathJax.version) || null};
}"""

WIDTH_JS = r"""() => {
  const doc = document.documentElement;
  const article = document.querySelector('article.bd-article') || document.querySelector('main');
  const width = window.innerWidth;
  // Elements that stick out of the viewport without a scrolling box of their own between
  // them and the article: these are what makes the text column scroll sideways.
  const scrolls = (el) => /(auto|scroll|hidden|clip)/.test(getComputedStyle(el).overflowX);
  const offenders = [];
  for (const el of (article || document.body).querySelectorAll('*')) {
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.right <= width + 1) continue;
    let contained = false;
    for (let up = el.parentElement; up && up !== article; up = up.parentElement) {
      if (scrolls(up) && up.getBoundingClientRect().right <= width + 1) { contained = true; break; }
    }
    if (!contained) {
      const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).slice(0, 3).join('.');
      offenders.push(`${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} (right edge ${Math.round(rect.right)} px): `
                     + (el.textContent || '').trim().slice(0, 50));
    }
    if (offenders.length >= 8) break;
  }
  // Text that overflows its (narrower) block, e.g. a long URL: look at the text itself.
  const range = document.createRange();
  const walker = document.createTreeWalker(article || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && offenders.length < 8; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (rect.width === 0 || rect.right <= width + 1) continue;
    let contained = false;
    for (let up = node.parentElement; up && up !== article; up = up.parentElement) {
      if (scrolls(up) && up.getBoundingClientRect().right <= width + 1) { contained = true; break; }
    }
    if (!contained) {
      const el = node.parentElement;
      const cls = (typeof el.className === 'string' ? el.className : '').trim().split(/\s+/).slice(0, 3).join('.');
      offenders.push(`text in ${el.tagName.toLowerCase()}${cls ? '.' + cls : ''} (right edge ${Math.round(rect.right)} px): `
                     + node.textContent.trim().slice(0, 50));
    }
  }
  return {inner_width: width, doc_scroll_width: doc.scrollWidth,
          article_scroll_width: article ? article.scrollWidth : null,
          article_client_width: article ? article.clientWidth : null, offenders};
}"""


@pytest.fixture(scope="session")
def site(base_url, site_dir, browser) -> Site:
    return Site(base_url, site_dir, browser)


# -- page weights: collected by test_pages.py, printed and saved at the end ---------
WEIGHTS: dict[str, dict] = {}


def pytest_terminal_summary(terminalreporter):
    if not WEIGHTS:
        return
    tr = terminalreporter
    tr.section("page weight (cold load, as served; budget %.1f MB)" % (PAGE_BUDGET_BYTES / 1e6))
    tr.write_line(f"{'page':<45} {'requests':>8} {'bytes':>11} {'gzip est.':>11} {'images':>9}  heaviest")
    for page, w in sorted(WEIGHTS.items(), key=lambda kv: -kv[1]["bytes"]):
        flag = "  OVER BUDGET" if w["bytes"] > PAGE_BUDGET_BYTES else ""
        tr.write_line(f"{page:<45} {w['requests']:>8} {w['bytes']:>11,} {w['gzip_bytes']:>11,} "
                      f"{w['image_bytes']:>9,}  {w['heaviest']}{flag}")


def pytest_sessionfinish(session):
    if WEIGHTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "page_weights.json").write_text(json.dumps(
            {"budget_bytes": PAGE_BUDGET_BYTES, "image_budget_bytes": IMAGE_BUDGET_BYTES,
             "site": str(SITE_DIR), "pages": WEIGHTS}, indent=1))


def urldefrag_path(url: str) -> tuple[str, str]:
    base, frag = urldefrag(url)
    return base, unquote(frag)


# -- what the test modules get (they cannot import this conftest) ------------------
def pytest_generate_tests(metafunc):
    """``page``: every TOC page; ``exec_page``: every executable (notebook) page."""
    if "page" in metafunc.fixturenames:
        metafunc.parametrize("page", toc_pages())
    if "exec_page" in metafunc.fixturenames:
        metafunc.parametrize("exec_page", executable_pages())


@pytest.fixture(scope="session")
def book():
    """The book's configuration and the helpers the tests share."""
    import types

    return types.SimpleNamespace(
        repo=REPO, artifacts=ARTIFACTS, config=book_config(), toc_pages=toc_pages(),
        executable_pages=executable_pages(), showcase=showcase_chapter(),
        page_source=page_source, front_matter=front_matter, html_ids=html_ids,
        is_local=is_local, urldefrag=urldefrag_path, weights=WEIGHTS,
        page_budget=PAGE_BUDGET_BYTES, image_budget=IMAGE_BUDGET_BYTES,
        desktop=DESKTOP, phone=PHONE,
    )


def _report_for(page, site, site_dir) -> dict:
    if not (site_dir / f"{page}.html").exists():  # test_page_is_built fails for it, once
        pytest.skip("the page is not in the site (test_page_is_built fails for it)")
    return site.report(page)


@pytest.fixture
def report(page, site, site_dir) -> dict:
    """The cached facts of one TOC page (desktop and phone loads)."""
    return _report_for(page, site, site_dir)


@pytest.fixture
def exec_report(exec_page, site, site_dir) -> dict:
    """The same, for an executable page."""
    return _report_for(exec_page, site, site_dir)
