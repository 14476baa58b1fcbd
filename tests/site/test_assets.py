"""Site-wide assets: output image sizes, the local MathJax, and screenshots for people to look at."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


def test_output_images_are_small(site_dir, book):
    images = [p for p in (site_dir / "_images").rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES]
    too_big = sorted(f"{p.stat().st_size:>10,} B  {p.relative_to(site_dir)}"
                     for p in images if p.stat().st_size > book.image_budget)
    assert not too_big, (f"images over {book.image_budget:,} B (lower the dpi or figure size, "
                         "or save a smaller format):\n  " + "\n  ".join(too_big))


def test_mathjax_is_configured_locally(site_dir, book):
    path = ((book.config.get("sphinx") or {}).get("config") or {}).get("mathjax_path", "")
    assert path and "://" not in path and not path.startswith("//"), (
        f"mathjax_path = {path!r}: MathJax must be served by the site (see the Makefile's mathjax target)")
    assert (site_dir / "_static" / path).is_file(), f"_static/{path} is not in the built site"





@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("which", ["landing", "chapter"])
def test_screenshot(site, book, which, viewport):
    """Screenshots for people: artifacts/screenshots/<which>-<viewport>[-full].png."""
    from PIL import Image

    page_name = book.toc_pages[0] if which == "landing" else book.showcase
    out = book.artifacts / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    size = book.desktop if viewport == "desktop" else book.phone
    with site.open(page_name + ".html", viewport=size) as (page, rec):
        first = out / f"{which}-{viewport}.png"
        full = out / f"{which}-{viewport}-full.png"
        page.screenshot(path=str(first))
        page.screenshot(path=str(full), full_page=True)
    for shot in (first, full):
        with Image.open(shot) as img:
            # (a page wider than the window shows in -full.png; test_pages.py fails on it)
            assert img.width >= size["width"], f"{shot.name} is {img.width} px wide"
            low, high = zip(*img.convert("RGB").getextrema())
            assert max(h - l for l, h in zip(low, high)) > 64, f"{shot.name} is blank"
