"""Publish one campaign's run: the files beside the pages, the last check, then the swap.

Into the run's hidden folder (where the workers wrote the executed notebooks and pages):
the pages of notebooks not selected by ``--only`` (:func:`rd_methods.publish.reuse.carry_over_unselected`),
``results.json`` (every recorded result), ``provenance.json``, ``run.json`` (one entry per
notebook: :meth:`NotebookOutcome.record <rd_methods.publish.tasks.NotebookOutcome.record>`),
the previous/next links of the pages and the campaign's ``index.html``. Then, unless a personal
name was found in any of them (fail closed: nothing of the campaign is published), the folder
replaces the published one (:func:`rd_methods.publish.swap.swap_in`).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import replace

from rd_methods import disclosure
from rd_methods import results as _results
from rd_methods.formats import plural
from rd_methods.publish import indexes as _indexes
from rd_methods.publish import report as _report
from rd_methods.publish import reuse as _reuse
from rd_methods.publish.plan import CampaignPlan, RunPlan
from rd_methods.publish.swap import swap_in
from rd_methods.publish.tasks import CampaignRun

__all__ = ["publish_campaign"]


def publish_campaign(state: CampaignPlan, plan: RunPlan, echo: Callable[[str], None]) -> CampaignRun:
    """Write the run's record and index of ``state``'s campaign and publish it (or refuse)."""
    camp, tmp = state.camp, state.tmp
    for outcome in _reuse.carry_over_unselected(state, plan.unselected):
        state.outcomes[outcome.stem] = outcome
    run_at = state.provenance["run_at"]
    ordered = [replace(o, run_at=o.run_at or run_at) for o in (state.outcomes[s] for s in sorted(state.outcomes))]
    failed = [o for o in ordered if o.status == "failed"]
    status = "failed" if failed else "ok"

    collected = _results.collect(tmp) if any(tmp.glob("*.ipynb")) else _results.collect_empty()
    (tmp / "results.json").write_text(
        json.dumps(_results.to_json(collected), ensure_ascii=False, indent=2), "utf-8")
    (tmp / "provenance.json").write_text(json.dumps(state.provenance, ensure_ascii=False, indent=2), "utf-8")
    duration = time.monotonic() - state.t0
    record = {
        "campaign": camp.id,
        "title": camp.title,
        "territory": getattr(camp, "territory", None),
        "period": state.provenance["period"],
        "synthetic": bool(camp.synthetic),
        "status": status,
        "fingerprint": state.provenance["fingerprint"],
        "run_at": run_at,
        "duration": round(duration, 1),
        "editions": list(plan.options.editions),
        "notebooks": [o.record() for o in ordered],
    }
    (tmp / "run.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
    _indexes.link_pages(tmp, record)  # previous / next links, inside the atomic publication
    report = _report.write_report_html(tmp)  # the impact report (HTML; the PDF: rd-methods report)
    index_html = _indexes.render_campaign_index(record, collected, state.provenance, report=report.name)
    (tmp / "index.html").write_text(index_html, "utf-8")
    scanner = disclosure.NameScanner(state.names)
    findings = [f for o in ordered for f in o.findings]
    findings += disclosure.scan_html(index_html, scanner, "index.html")
    findings += disclosure.scan_html(report.read_text("utf-8"), scanner, report.name)

    if findings:
        shutil.rmtree(tmp, ignore_errors=True)
        echo(f"[{camp.id}] publication refusée : nom d'une personne trouvé dans "
             f"{plural(len(findings), 'endroit')} ; le rapport précédent est conservé")
        for f in findings[:20]:
            echo(f"[{camp.id}]   {f.describe()}")
        return CampaignRun(camp.id, camp.title, "refused", ordered, state.target, False, findings, duration)
    swap_in(tmp, state.target)
    ok = sum(o.status == "ok" for o in ordered)
    na = sum(o.status == "not_applicable" for o in ordered)
    echo(f"[{camp.id}] publié : {state.target / 'index.html'} ({plural(ok, 'réussi')}, "
         f"{plural(len(failed), 'échec')}, {plural(na, 'non applicable', 'non applicables')}, {duration:.1f} s)")
    return CampaignRun(camp.id, camp.title, status, ordered, state.target, True, [], duration)
