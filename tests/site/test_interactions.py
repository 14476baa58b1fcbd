"""What a reader does: open a solution, search, switch to dark mode, open the launch menu."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser


def _pages_with(site, book, needle):
    built = [p for p in book.toc_pages if (site.dir / f"{p}.html").is_file()]
    return [p for p in built if needle in (site.dir / f"{p}.html").read_text(encoding="utf-8", errors="replace")]


def test_the_harness_blocks_the_network(site):
    """Guard for the offline checks: a request to another host is aborted and recorded."""
    with site.open("search.html") as (page, rec):
        outcome = page.evaluate("""() => fetch('https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js')
                                      .then(() => 'loaded', () => 'blocked')""")
    assert outcome == "blocked"
    assert any("cdn.jsdelivr.net" in url for url in rec.external)


def test_landing_page_opens_the_book(site, book):
    with site.open("", lands_on=site.url(book.toc_pages[0])) as (page, rec):
        assert page.locator("article h1").first.is_visible()
        assert not rec.external, rec.external  # (its console is checked with the TOC pages)


def test_solution_dropdown_opens_on_click(site, book):
    pages = _pages_with(site, book, 'class="solution dropdown')
    assert pages, "no page has an exercise solution with `:class: dropdown` (DESIGN.md section 4)"
    with site.open(pages[0] + ".html") as (page, rec):
        before = len(rec.problems())  # the page's own are test_pages.py's business
        solution = page.locator(".solution.dropdown").first
        content = solution.locator(":scope > :not(.admonition-title)").first
        assert content.count() == 1, "the solution has no content"
        assert not content.is_visible(), f"{pages[0]}: the solution is shown before it is clicked"
        solution.locator(".admonition-title").click()
        content.wait_for(state="visible", timeout=3000)
        assert content.is_visible()
        button = solution.locator("button.toggle-button")
        if button.count():
            assert button.get_attribute("aria-expanded") == "true"
        caused = rec.problems()[before:] + rec.external
        assert not caused, "opening the solution caused:\n  " + "\n  ".join(caused)


def _search_index(site):
    text = (site.dir / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1: text.rindex(")")])


def unique_word(site, book, chapter):
    """A word of ``chapter`` that no other page contains, per the sources and the search index."""
    import snowballstemmer  # Sphinx's own stemmer for English

    stem = snowballstemmer.stemmer("porter").stemWord
    index = _search_index(site)
    doc = index["docnames"].index(chapter)

    def docs(entry):
        return set(entry) if isinstance(entry, list) else {entry}

    others_text = " ".join(book.page_source(p).read_text(encoding="utf-8").lower()
                           for p in book.toc_pages if p != chapter and book.page_source(p))
    elsewhere = " ".join([others_text, *index["objects"], *index["indexentries"],
                          *[f"{prefix}.{obj[4]}" for prefix, objs in index["objects"].items() for obj in objs],
                          *[t.lower() for t, where in index["alltitles"].items()
                            if any(w[0] != doc for w in where)]]).lower()
    words = set(re.findall(r"(?<![\w\\{])[a-z]{7,}(?![\w}])", book.page_source(chapter).read_text(encoding="utf-8")))
    candidates = []
    for word in words:
        s = stem(word)
        if (docs(index["terms"].get(s, [])) == {doc} and s not in index["titleterms"]
                and word not in elsewhere):
            candidates.append(word)
    assert candidates, f"{chapter} has no word that no other page has"
    return sorted(candidates, key=lambda w: (-len(w), w))[0]


def test_search_finds_a_chapter_by_a_word_only_it_contains(site, book):
    chapter = book.showcase
    word = unique_word(site, book, chapter)
    with site.open(f"search.html?q={word}") as (page, rec):
        page.wait_for_selector("#search-results .search-summary", timeout=10000)
        hrefs = page.eval_on_selector_all("#search-results ul.search li a",
                                          "links => links.map(a => a.getAttribute('href'))")
        summary = page.inner_text("#search-results .search-summary")
    hrefs = [h.split("#")[0] for h in hrefs]
    assert hrefs == [f"{chapter}.html"], (
        f"searching for {word!r} (only in {chapter}) gave {hrefs} ({summary!r})")
    problems = rec.problems() + rec.external
    assert not problems, "the search page had problems:\n  " + "\n  ".join(problems)


def test_dark_mode_toggle(site, book):
    with site.open(book.showcase + ".html") as (page, rec):
        theme = lambda: page.evaluate("document.documentElement.dataset.theme")  # noqa: E731
        background = lambda: page.evaluate("getComputedStyle(document.body).backgroundColor")  # noqa: E731
        before = len(rec.problems())
        start, start_bg = theme(), background()
        assert start == "light", f"a light-scheme reader starts in {start!r} mode"
        button = page.locator("button.theme-switch-button").first
        seen = []
        for _ in range(3):  # the toggle cycles through auto / dark / light
            button.click()
            page.wait_for_timeout(100)
            seen.append((theme(), page.evaluate("document.documentElement.dataset.mode")))
            if seen[-1][0] == "dark":
                break
        assert seen[-1][0] == "dark", f"clicking the theme switch went through {seen}, never dark"
        assert background() != start_bg, "data-theme is dark but the page background did not change"
        caused = rec.problems()[before:] + rec.external
        assert not caused, "switching the theme caused:\n  " + "\n  ".join(caused)
        page.reload(wait_until="load")  # the choice persists
        assert theme() == "dark"


def test_launch_menu_shows_the_links(site, book):
    if not book.executable_pages:
        pytest.skip("no executable page")
    page_name = book.showcase if book.showcase in book.executable_pages else book.executable_pages[0]
    with site.open(page_name + ".html") as (page, rec):
        menu = page.locator(".dropdown-launch-buttons")
        hub = urlsplit((book.config.get("launch_buttons") or {}).get("binderhub_url") or "https://mybinder.org")
        binder = menu.locator(f"a[href*='{hub.hostname}']").first
        assert not binder.is_visible()
        menu.locator("button.dropdown-toggle").click()
        binder.wait_for(state="visible", timeout=3000)
        colab_url = (book.config.get("launch_buttons") or {}).get("colab_url") or "https://colab.research.google.com"
        colab = menu.locator(f"a[href*='{urlsplit(colab_url).hostname}']").first
        assert colab.is_visible()
        assert not rec.external, rec.external  # opening the menu fetches nothing
