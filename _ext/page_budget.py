"""Fail the build when a page's execution exceeds its time budget.

MyST-NB's ``execute.timeout`` is per *cell*; the book's budget is per *page*
(``page_budget_seconds``, 120 s on a 2-core machine). After all pages are read,
this extension looks at the execution data MyST-NB recorded for each page (the
same data that feeds ``{nb-exec-table}``; for cached pages it is the runtime of
the execution that produced the cache) and emits a warning (an error under
``-W``) for every page over budget, or whose execution did not succeed. Pages over
the soft budget (``page_budget_soft_seconds``, 60 s: half the hard one, so that a
machine twice as slow still builds) are listed under ``"over_soft_budget"`` in
``_build/exec_report.json`` and printed, without failing the build. The report
holds every page's runtime.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check_budgets(app, env):
    budget = float(app.config.page_budget_seconds)
    soft = float(app.config.page_budget_soft_seconds)
    report, over_soft = {}, []
    metadata = getattr(env, "nb_metadata", {}) or {}
    for docname in sorted(metadata):
        data = metadata[docname].get("exec_data")
        if not data:
            continue
        runtime = data.get("runtime")
        report[docname] = {"runtime_s": runtime, "method": data.get("method"),
                           "succeeded": data.get("succeeded")}
        if not data.get("succeeded", False):
            logger.warning("page %s did not execute successfully (%s)", docname,
                           data.get("error"), type="page_budget", location=docname)
        elif runtime is not None and runtime > soft and runtime <= budget:
            over_soft.append(docname)
            logger.info("page_budget: page %s took %.1f s, over the soft budget of %.0f s "
                        "(the build fails at %.0f s)", docname, runtime, soft, budget, color="yellow")
        elif runtime is not None and runtime > budget:
            logger.warning(
                "page %s took %.1f s to execute, over its budget of %.0f s; make it "
                "faster (smaller data, fewer iterations) or split it.",
                docname, runtime, budget, type="page_budget", location=docname,
            )
    out = Path(app.outdir).parent / "exec_report.json"
    out.write_text(json.dumps({"budget_s": budget, "soft_budget_s": soft, "over_soft_budget": over_soft,
                               "pages": report}, indent=1))
    return []


def setup(app):
    app.add_config_value("page_budget_seconds", 120, "env", types=(int, float))
    app.add_config_value("page_budget_soft_seconds", 60, "env", types=(int, float))
    app.connect("env-updated", _check_budgets)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
