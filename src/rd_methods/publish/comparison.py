"""Cross-campaign notebooks (``91_campaign_comparison``), published once per run at ``reports/comparison/``.

A notebook that declares a ``campaigns`` parameter compares campaigns instead of analysing
one: the runner leaves it out of every campaign's own run and, when a run has published two
campaigns or more, calls :func:`publish_comparison` after them. The notebook reads the
campaigns' published ``results.json`` (parameter ``reports_dir``); its pages land in
``reports/comparison/`` (swapped in atomically, like a campaign's report, and refused if a
personal name of any compared campaign appears), with ``comparison.json`` describing the
run; ``reports/index.html`` links to them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rd_methods.publish.swap import clean_leftovers, swap_in, work_folder
from rd_methods.publish.tasks import NotebookTask, page_context

__all__ = ["FOLDER", "is_cross_campaign", "publish_comparison", "comparison_record"]

FOLDER = "comparison"


def is_cross_campaign(spec: Any) -> bool:
    """A notebook that compares campaigns declares a ``campaigns`` parameter
    (:attr:`NotebookSpec.cross_campaign <rd_methods.publish.tasks.NotebookSpec.cross_campaign>`)."""
    return "campaigns" in getattr(spec, "parameters", ())


def publish_comparison(
    specs: Sequence[Any],
    states: Sequence[Any],
    *,
    reports: Path,
    kernel: str,
    timeout: int,
    editions: list[str],
    retries: int = 2,
    echo: Callable[[str], None] = print,
) -> dict[str, Any] | None:
    """Run the cross-campaign notebooks on the campaigns of ``states`` and publish them.

    ``states`` are the runner's per-campaign states (``camp``, ``provenance``, ``parameters``,
    ``names``) of the campaigns published by this run, in the order given on the command
    line. Returns the ``comparison.json`` record, or ``None`` when publication was refused.
    """
    from rd_methods.publish.worker import run_notebook

    ids = [s.camp.id for s in states]
    names: dict[str, str] = {}
    for s in states:
        names.update(s.names)
    last = states[-1]
    prov = last.provenance
    clean_leftovers(reports, FOLDER)
    tmp = work_folder(reports, FOLDER)
    entries, findings = [], []
    try:
        for spec in specs:
            offered = {"campaign": ids[-1], "data_dir": last.parameters.get("data_dir", ""), "campaigns": ids,
                       "reports_dir": str(reports)}
            params = {k: v for k, v in offered.items() if k in spec.parameters}
            shown = {k: v for k, v in params.items() if k != "reports_dir"}
            task = NotebookTask(
                campaign=FOLDER, stem=spec.stem, path=str(spec.path), out_dir=str(tmp), parameters=params,
                kernel=kernel, timeout=timeout, cwd=str(spec.path.parent), editions=tuple(editions),
                names=names, retries=retries, env=None,
                context=page_context(
                    campaign=FOLDER, campaign_title="Comparaison : " + ", ".join(ids),
                    synthetic=any(bool(s.camp.synthetic) for s in states), spec=spec, parameters=shown,
                    fingerprint=" ; ".join(f"{s.camp.id} {s.provenance['fingerprint'][:12]}" for s in states),
                    provenance=prov, editions=editions),
            )
            res = run_notebook(task)
            findings += res.findings
            error = res.error
            line = f"[{FOLDER}] {spec.stem:<30} {'réussi' if res.status == 'ok' else 'échec':<8} {res.duration:6.1f} s"
            if error:
                line += f"  — {error.get('ename')} : {error.get('evalue')}"
            echo(line)
            entries.append({"stem": spec.stem, "title": spec.title, "status": res.status,
                            "pages": dict(res.pages), "ipynb": f"{spec.stem}.ipynb", "error": error})
        if findings:
            echo(f"[{FOLDER}] publication refusée : nom d'une personne trouvé dans {len(findings)} endroit(s)")
            return None
        record = {"campaigns": ids, "run_at": prov["run_at"], "notebooks": entries,
                  "status": "ok" if all(e["status"] == "ok" for e in entries) else "failed",
                  # which published results of each campaign were compared (see comparison_record)
                  "sources": {s.camp.id: {"run_at": s.provenance["run_at"],
                                          "results_sha256": _results_sha256(reports, s.camp.id)}
                              for s in states}}
        (tmp / "comparison.json").write_text(json.dumps(record, ensure_ascii=False, indent=2), "utf-8")
        swap_in(tmp, reports / FOLDER)
        echo(f"[{FOLDER}] publié : {reports / FOLDER}")
        return record
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def comparison_record(reports: Path) -> dict[str, Any] | None:
    """``comparison.json`` of the published comparison, with ``href`` to its first public
    page and ``outdated``: the compared campaigns whose published results changed since (or
    that are no longer published): the comparison no longer shows their current numbers."""
    try:
        record = json.loads((reports / FOLDER / "comparison.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    record["outdated"] = _outdated(reports, record)
    for entry in record.get("notebooks", []):
        page = entry.get("pages", {}).get("public") or entry.get("pages", {}).get("research")
        if page and (reports / FOLDER / page).is_file():
            record["href"] = f"{FOLDER}/{page}"
            return record
    return None


def _results_sha256(reports: Path, campaign: str) -> str | None:
    try:
        return hashlib.sha256((reports / campaign / "results.json").read_bytes()).hexdigest()
    except OSError:
        return None


def _outdated(reports: Path, record: dict[str, Any]) -> list[str]:
    """Compared campaigns whose published results are no longer those the comparison read
    (a rerun that gives the same results does not count)."""
    sources = record.get("sources") or {}
    out = []
    for cid in record.get("campaigns", []):
        now = _results_sha256(reports, cid)
        seen = (sources.get(cid) or {}).get("results_sha256")
        if now is None:
            out.append(cid)  # no longer published
        elif seen is not None:
            if now != seen:
                out.append(cid)
        else:  # written before sources were recorded: compare the dates
            try:
                run_at = json.loads((reports / cid / "run.json").read_text("utf-8")).get("run_at")
            except (OSError, ValueError):
                run_at = None
            if str(run_at or "") > str(record.get("run_at") or ""):
                out.append(cid)
    return out
