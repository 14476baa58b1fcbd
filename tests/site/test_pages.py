"""Every page of the TOC, loaded in Chromium with the network off (localhost only).

One load per page at 1280x800, then resized to 375x812, cached by the ``report``
fixture (conftest.py); each test below checks one facet of it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

IMAGE_NAME = re.compile(r"[\w./%-]+\.(png|jpe?g|gif|svg|webp)", re.IGNORECASE)


def _fmt(items, limit=12) -> str:
    items = list(items)
    more = f"\n  ... and {len(items) - limit} more" if len(items) > limit else ""
    return "\n  " + "\n  ".join(items[:limit]) + more


def test_page_is_built(page, site_dir):
    """Every TOC page is in the site (if not, the site is stale: rerun `make book`)."""
    assert (site_dir / f"{page}.html").is_file(), (
        f"{page} is listed in _toc.yml but {page}.html is not in {site_dir}: rerun `make book`")


def test_no_console_errors_or_failed_requests(page, report):
    """No JavaScript error, console error or failed local request (desktop, then resized to a phone)."""
    problems = report["problems"]
    assert not problems, f"{page}: {len(problems)} problem(s) in the browser:{_fmt(problems)}"


def test_no_external_requests(page, report):
    """The page needs nothing from another host: no CDN script, font, style or image.

    Every non-localhost request is aborted and recorded (no link is clicked here, so
    any attempt is the page's own doing).
    """
    external = sorted(set(report["external"]))
    assert not external, (f"{page} tried to reach other hosts (the site must work offline; "
                          f"serve these from _static):{_fmt(external)}")


def _has_alt_text(img) -> bool:
    alt = (img["alt"] or "").strip()
    if not alt:
        return False
    # Sphinx falls back to the image's path as its alt text; that says nothing.
    src_name = img["src"].rsplit("/", 1)[-1]
    return alt != img["src"] and alt.rsplit("/", 1)[-1] != src_name and not IMAGE_NAME.fullmatch(alt)


def test_images_load_and_are_described(page, report):
    """Every <img> loads, and has real alt text or sits in a figure with a caption."""
    broken = [f"{img['src']} (naturalWidth {img['naturalWidth']})"
              for img in report["images"] if not img["complete"] or img["naturalWidth"] == 0]
    assert not broken, f"{page}: images that do not load:{_fmt(broken)}"
    undescribed = [f"{img['src']} (alt={img['alt']!r})"
                   for img in report["images"] if not _has_alt_text(img) and not img["caption"]]
    assert not undescribed, (
        f"{page}: images without alt text or a figure caption:{_fmt(undescribed)}\n"
        "For a notebook output, describe it in its code cell's header, e.g.\n"
        "  ```{code-cell} ipython3\n  ---\n  mystnb:\n    figure:\n"
        "      caption: Gradient descent's loss gap falls geometrically.\n      name: fig-lr-gd-loss\n"
        "    image:\n      alt: Log-scale loss gap against gradient step, a straight line.\n  ---\n"
        "(alt text, a caption or both); for a Markdown image use `alt=`.")


def test_solutions_start_hidden(page, report):
    """Exercise solutions are collapsed until the reader opens them (`{solution}` with `:class: dropdown`)."""
    assert not report["open_solutions"], (
        f"{page}: solutions shown before the reader asks (add `:class: dropdown`):{_fmt(report['open_solutions'])}")


def test_math_is_typeset(page, report):
    """MathJax (served by the site, network off) typeset every equation; no TeX left as text."""
    failures = []
    if report["untypeset"]:
        failures.append(f"{len(report['untypeset'])} of {report['math_count']} math elements were not "
                        f"typeset by MathJax:{_fmt(report['untypeset'])}")
    if report["math_errors"]:
        failures.append(f"MathJax errors:{_fmt(report['math_errors'])}")
    if report["raw_tex"]:
        failures.append(f"raw TeX left in the text:{_fmt(report['raw_tex'])}")
    if report["mjx_count"] < report["math_count"]:
        failures.append(f"{report['math_count']} math elements but only {report['mjx_count']} "
                        "MathJax outputs (mjx-container)")
    assert not failures, f"{page}: " + "\n".join(failures)


def test_display_math_fits_the_desktop_column(page, report):
    """At 1280 px no display equation is cut off at the column's edge (a phone may scroll it)."""
    assert not report["wide_math"], (
        f"{page}: display equations wider than the text column; their end is hidden unless the "
        f"reader scrolls the equation sideways. Break them over lines (e.g. "
        f"\\begin{{aligned}} ... \\end{{aligned}}):{_fmt(report['wide_math'])}")


def test_mathjax_is_served_by_the_site(page, report, site):
    """MathJax comes from the site itself (localhost), never a CDN, and runs where there is math."""
    remote = [u for u in report["scripts"] if "mathjax" in u.lower() and not site.path_of(u)]
    assert not remote, f"{page} loads MathJax from elsewhere:{_fmt(remote)}"
    if report["math_count"]:
        assert any("mathjax" in r["url"].lower() for r in report["resources"]), (
            f"{page} has math but loaded no MathJax file")
        assert (report["mathjax_version"] or "").startswith("3."), (
            f"{page}: MathJax did not start (MathJax.version = {report['mathjax_version']!r})")


def test_internal_links_and_anchors_resolve(page, report, site, book):
    """Every link into the site points at a file that exists, and at an id that exists in it."""
    here = report["url"].split("#")[0]
    live_ids = set(report["ids"])
    broken = []
    for link in report["links"]:
        href = link["href"]
        if urlsplit(href).scheme not in ("http", "https") or not book.is_local(href):
            continue  # mailto:, javascript:, external sites (not reachable offline)
        base, fragment = book.urldefrag(href)
        path = site.path_of(base)
        label = f"{link['raw']!r} ({link['text'] or link['title'] or 'no text'})"
        if path is None or not path.is_file():
            broken.append(f"{label}: no file {urlsplit(base).path}")
        elif fragment and path.suffix == ".html":
            ids = book.html_ids(path) | (live_ids if base == here else set())
            if fragment not in ids:
                broken.append(f"{label}: no id {fragment!r} in {urlsplit(base).path}")
    assert not broken, f"{page}: {len(broken)} broken internal link(s):{_fmt(sorted(set(broken)))}"


def test_page_weight(page, report, book):
    """A cold load of the page stays within the budget set (and justified) in conftest.py."""
    resources = report["resources"]
    total = sum(r["bytes"] for r in resources)
    heaviest = max(resources, key=lambda r: r["bytes"])
    book.weights[page] = {
        "bytes": total, "requests": len(resources),
        "gzip_bytes": sum(r["gzip_bytes"] for r in resources),
        "image_bytes": sum(r["bytes"] for r in resources if r["type"] == "image"),
        "heaviest": f"{heaviest['url'].split('?')[0]} ({heaviest['bytes']:,} B)",
        "resources": sorted(resources, key=lambda r: -r["bytes"]),
    }
    assert total <= book.page_budget, (
        f"{page} transfers {total:,} bytes in {len(resources)} requests, over the budget of "
        f"{book.page_budget:,}; the heaviest:"
        + _fmt(f"{r['bytes']:>10,}  {r['url']}" for r in sorted(resources, key=lambda r: -r["bytes"])))


def test_phone_width_does_not_scroll_sideways(page, report):
    """At 375 px the page and its article fit the screen; wide code and tables scroll in their own box."""
    w = report["phone"]
    offenders = _fmt(w["offenders"]) if w["offenders"] else " (none found)"
    assert w["doc_scroll_width"] <= w["inner_width"], (
        f"{page} scrolls sideways on a phone: the page is {w['doc_scroll_width']} px wide in a "
        f"{w['inner_width']} px window; elements sticking out:{offenders}")
    if w["article_scroll_width"] is not None:
        assert w["article_scroll_width"] <= w["article_client_width"], (
            f"{page}: the article is {w['article_scroll_width']} px wide inside "
            f"{w['article_client_width']} px on a phone; elements sticking out:{offenders}")
