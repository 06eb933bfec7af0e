"""Carry a published execution over into this run instead of executing the notebook again.

Two cases: a notebook whose inputs key (:mod:`rd_methods.publish.cache`) equals the one the
published run recorded (:func:`reuse_published`), and, with ``--only``, the notebooks not
selected, whose pages stay as published as long as the data did not change
(:func:`carry_over_unselected`). Either way the executed ``.ipynb`` and pages are copied into
the run's hidden folder and scanned again for personal names (the list of personal actors may
have changed): the findings travel on the :class:`~rd_methods.publish.tasks.NotebookOutcome`.

``state`` is the runner's per-campaign state (:class:`rd_methods.publish.plan.CampaignPlan`):
``target`` (the published folder), ``tmp`` (this run's folder), ``names``, ``provenance``,
``previous`` (``run.json``'s entries, read once).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from typing import Any

from rd_methods import disclosure
from rd_methods import results as _results
from rd_methods.disclosure import Finding
from rd_methods.publish.tasks import NotebookOutcome, NotebookSpec

__all__ = ["previous_entries", "carry_over", "reuse_published", "carry_over_unselected"]


def previous_entries(state: Any) -> dict[str, dict[str, Any]]:
    """The notebooks of the published run of this campaign (``run.json``), by stem."""
    if state.previous is None:
        try:
            record = json.loads((state.target / "run.json").read_text("utf-8"))
            state.previous = {n["stem"]: n for n in record.get("notebooks", []) if n.get("stem")}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            state.previous = {}
    return state.previous


def carry_over(state: Any, entry: dict[str, Any]) -> list[Finding] | None:
    """Copy a published notebook's executed copy and pages into the run's folder and scan them
    again for personal names; ``None`` (nothing copied) when a file is missing."""
    files = [entry.get("ipynb"), *entry.get("pages", {}).values()]
    if not all(f and (state.target / f).is_file() for f in files):
        return None
    scanner = disclosure.NameScanner(state.names)
    findings: list[Finding] = []
    for f in files:
        shutil.copy2(state.target / f, state.tmp / f)
        if f.endswith(".ipynb"):
            findings += disclosure.scan_notebook(_results.read_notebook(state.tmp / f), scanner, f)
        else:
            findings += disclosure.scan_html((state.tmp / f).read_text("utf-8"), scanner, f)
    return findings


def reuse_published(state: Any, spec: NotebookSpec, key: str, editions: Sequence[str]) -> NotebookOutcome | None:
    """The published execution of ``spec``, carried over, when it succeeded with the same inputs
    key and every edition asked for exists; else ``None``."""
    entry = previous_entries(state).get(spec.stem)
    if not entry or entry.get("status") != "ok" or entry.get("inputs_key") != key:
        return None
    if not set(editions) <= set(entry.get("pages", {})):
        return None
    findings = carry_over(state, entry)
    if findings is None:
        return None
    return NotebookOutcome(
        spec.stem, spec.title, "ok", duration=entry.get("duration", 0.0), pages=entry.get("pages", {}),
        ipynb=entry.get("ipynb"), attempts=entry.get("attempts", 0), run_at=entry.get("run_at"), reused=True,
        inputs_key=key, findings=tuple(findings),
    )


def carry_over_unselected(state: Any, stems: Iterable[str]) -> list[NotebookOutcome]:
    """The published pages of the notebooks this run did not select (``--only``), carried over
    when the data did not change since (same fingerprint)."""
    stems = set(stems)
    previous = state.target / "run.json"
    if not stems or not previous.is_file():
        return []
    try:
        record = json.loads(previous.read_text("utf-8"))
    except (OSError, ValueError):
        return []
    if record.get("fingerprint") != state.provenance["fingerprint"]:
        return []  # the data changed: old pages would be stale
    out = []
    for entry in record.get("notebooks", []):
        stem = entry.get("stem")
        if stem not in stems or stem in state.outcomes or entry.get("status") not in ("ok", "failed"):
            continue
        findings = carry_over(state, entry)
        if findings is None:
            continue
        out.append(NotebookOutcome(
            stem, entry.get("title", stem), entry["status"],
            duration=entry.get("duration", 0.0), error=entry.get("error"), pages=entry.get("pages", {}),
            ipynb=entry.get("ipynb"), attempts=entry.get("attempts", 0), run_at=entry.get("run_at"), reused=True,
            inputs_key=entry.get("inputs_key"), findings=tuple(findings),
        ))
    return out
