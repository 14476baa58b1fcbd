"""Load only the JavaScript a page needs, once.

1. Jupyter Book 1.x adds every ``*.js`` and ``*.css`` file found under ``_static``
   to every page (``jupyter_book/config.py``). ``_static/mathjax`` holds the whole
   MathJax distribution (about 90 scripts, 24 MB) so that the site serves MathJax
   itself; only ``mathjax_path`` may be loaded, by ``sphinx.ext.mathjax``, on pages
   with math, and MathJax loads the rest on demand. Drop the vendored files from
   ``html_js_files``/``html_css_files``.
2. Sphinx < 8.2 emits inline scripts added after the builder starts twice
   (sphinx-doc/sphinx#13402); sphinx-thebe's ``const THEBE_JS_URL = ...`` then
   throws "Identifier 'THEBE_JS_URL' has already been declared" on every page.
"""

from __future__ import annotations

VENDORED = ("mathjax/",)


def _drop_vendored(app, config):
    def keep(entry):
        name = entry if isinstance(entry, str) else entry[0]
        return not str(name or "").startswith(VENDORED)

    config.html_js_files = [e for e in config.html_js_files if keep(e)]
    config.html_css_files = [e for e in config.html_css_files if keep(e)]


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not isinstance(scripts, list):
        return
    seen, unique = set(), []
    for js in scripts:
        key = (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


def setup(app):
    app.connect("config-inited", _drop_vendored, priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=1000)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
