"""``rd-methods reproduce``: rerun a campaign and compare every recorded result with the published ones.

A partner lab checks that it gets the same numbers:

1. read the published ``results.json`` (``reports/<campaign>/results.json`` or ``--against``);
2. rerun the campaign with :func:`rd_methods.publish.runner.run` into a temporary folder
   (``RD_METHODS_REPORTS_DIR`` and ``RD_METHODS_PROCESSED_DIR`` point there meanwhile), so
   the published site and the processed cache are untouched;
3. compare key by key with :func:`compare_results`: identifiers, counts, texts and booleans
   must be equal; floats may differ by a stated relative tolerance (``rtol``, default 1e-9,
   enough for the last bits of floating-point sums, far too tight for any real change);
   a key missing on either side is a difference.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from rd_methods import paths
from rd_methods.errors import RdMethodsError

__all__ = ["DEFAULT_RTOL", "read_results", "compare_results", "ReproduceReport", "reproduce", "format_table"]

DEFAULT_RTOL = 1e-9
STATUS_LABELS = {"match": "identique", "differs": "différent", "missing": "absent du recalcul",
                 "extra": "nouveau", "skipped": "non recalculé"}


def read_results(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Read a ``results.json`` (key -> value, label, unit, ci, note, notebook).

    ``path`` may be the file or the folder holding it. Raises
    :class:`~rd_methods.errors.RdMethodsError` when absent or unreadable.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise RdMethodsError(f"résultats publiés introuvables : {path}",
                             hint="publier d'abord la campagne (rd-methods run <campagne>) ou donner --against") from None
    except (OSError, ValueError) as exc:
        raise RdMethodsError(f"résultats illisibles : {path} ({exc})",
                             hint="un fichier results.json écrit par rd-methods run") from None
    if not isinstance(doc, dict) or not all(isinstance(v, dict) and "value" in v for v in doc.values()):
        raise RdMethodsError(f"{path} n'a pas la forme d'un results.json (clé -> {{value, ci, …}})",
                             hint="un fichier results.json écrit par rd-methods run")
    return doc


def _same(a: Any, b: Any, rtol: float, atol: float) -> tuple[bool, float | None]:
    """Equal under the rules (exact unless one side is a float); also the relative gap."""
    if a is None or b is None:
        return a is None and b is None, None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b, None
    if isinstance(a, int) and isinstance(b, int):
        gap = abs(a - b) / abs(a) if a else (0.0 if b == 0 else math.inf)
        return a == b, gap
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b), None
        gap = abs(a - b) / abs(a) if a else (0.0 if b == 0 else math.inf)
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol), gap
    return a == b, None


def compare_results(published: dict[str, dict[str, Any]], rerun: dict[str, dict[str, Any]], *,
                    rtol: float = DEFAULT_RTOL, atol: float = 0.0,
                    notebooks: Sequence[str] | None = None) -> pd.DataFrame:
    """Compare two ``results.json`` documents key by key.

    Parameters
    ----------
    published, rerun : dict
        ``results.json`` contents (:func:`read_results`).
    rtol, atol : float
        Relative / absolute tolerance for floats (``math.isclose``). Integers, strings,
        booleans and missing values must be identical (an int against a float is compared
        as numbers).
    notebooks : sequence of str, optional
        Only keys recorded by these notebooks (others are ``skipped``).

    Returns
    -------
    DataFrame
        ``key, notebook, status, field, published, rerun, rel_diff, label``: one row per key
        of either side; ``status`` is ``match``, ``differs`` (``field`` says which of
        ``value``, ``ci_low``, ``ci_high``, ``unit``, ``notebook`` differs first), ``missing``
        (published, not recomputed), ``extra`` (recomputed, not published) or ``skipped``.
        Sorted with differences first, then by key. Labels and notes are not compared.

    Examples
    --------
    >>> a = {"x.n": {"value": 3, "ci": None}, "x.r": {"value": 0.1 + 0.2, "ci": [0.1, 0.5]}}
    >>> b = {"x.n": {"value": 3, "ci": None}, "x.r": {"value": 0.3, "ci": [0.1, 0.5]}}
    >>> compare_results(a, b)["status"].tolist()
    ['match', 'match']
    """
    if rtol < 0 or atol < 0:
        raise ValueError("tolerances must be non-negative")
    rows = []
    for key in sorted(set(published) | set(rerun)):
        p, r = published.get(key), rerun.get(key)
        nb = (p or r).get("notebook")
        row = {"key": key, "notebook": nb, "field": None, "published": None, "rerun": None, "rel_diff": None,
               "label": (p or r).get("label")}
        if notebooks is not None and nb not in notebooks:
            rows.append(row | {"status": "skipped", "published": (p or {}).get("value"),
                               "rerun": (r or {}).get("value")})
            continue
        if r is None:
            rows.append(row | {"status": "missing", "published": p.get("value")})
            continue
        if p is None:
            rows.append(row | {"status": "extra", "rerun": r.get("value")})
            continue
        pci, rci = p.get("ci") or [None, None], r.get("ci") or [None, None]
        status, field_, gap_max = "match", None, None
        for name, a, b in (("value", p.get("value"), r.get("value")), ("ci_low", pci[0], rci[0]),
                           ("ci_high", pci[1], rci[1]), ("unit", p.get("unit"), r.get("unit")),
                           ("notebook", p.get("notebook"), r.get("notebook"))):
            same, gap = _same(a, b, rtol, atol)
            if gap is not None and name == "value":
                gap_max = gap
            if not same:
                status, field_ = "differs", name
                if gap is not None:
                    gap_max = gap
                break
        rows.append(row | {"status": status, "field": field_, "published": p.get("value"), "rerun": r.get("value"),
                           "rel_diff": gap_max})
    cols = ["key", "notebook", "status", "field", "published", "rerun", "rel_diff", "label"]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("published", "rerun"):
        out[c] = pd.Series([row[c] for row in rows], dtype=object)
    rank = {"differs": 0, "missing": 1, "extra": 2, "match": 3, "skipped": 4}
    out["_r"] = out["status"].map(rank)
    return out.sort_values(["_r", "key"], kind="stable").drop(columns="_r").reset_index(drop=True)


@dataclass
class ReproduceReport:
    """What :func:`reproduce` found."""

    campaign: str
    against: Path
    table: pd.DataFrame
    rtol: float
    fingerprint_published: str | None = None
    fingerprint_now: str | None = None
    failed_notebooks: list[str] = field(default_factory=list)
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        """Every compared result matches (skipped keys aside) and no notebook failed."""
        compared = self.table[self.table["status"] != "skipped"]
        return bool((compared["status"] == "match").all()) and not self.failed_notebooks

    @property
    def differences(self) -> pd.DataFrame:
        return self.table[self.table["status"].isin(["differs", "missing", "extra"])]


def _short(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.10g}"
    return str(v)


def format_table(report: ReproduceReport, *, all_rows: bool = True) -> str:
    """Plain-text table of the comparison (differences first), then a one-line summary."""
    table = report.table if all_rows else report.differences
    headers = ("résultat", "statut", "publié", "recalculé", "écart relatif")
    body = []
    for r in table.itertuples(index=False):
        status = STATUS_LABELS[r.status] + (f" ({r.field})" if isinstance(r.field, str) else "")
        gap = "" if r.rel_diff is None or (isinstance(r.rel_diff, float) and math.isnan(r.rel_diff)) else f"{r.rel_diff:.2e}"
        body.append((r.key, status, _short(r.published), _short(r.rerun), gap))
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(b, widths, strict=True)).rstrip() for b in body]
    counts = report.table["status"].value_counts()
    summary = (f"{counts.get('match', 0)} identique(s), {counts.get('differs', 0)} différent(s), "
               f"{counts.get('missing', 0)} absent(s) du recalcul, {counts.get('extra', 0)} nouveau(x)")
    if counts.get("skipped", 0):
        summary += f", {counts['skipped']} non recalculé(s)"
    summary += f" — tolérance relative des nombres décimaux : {report.rtol:g}"
    return "\n".join(lines + ["", summary])


def reproduce(
    campaign: str,
    *,
    against: str | os.PathLike[str] | None = None,
    rtol: float = DEFAULT_RTOL,
    atol: float = 0.0,
    data_dir: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    only: Sequence[str] | None = None,
    timeout: int | None = None,
    kernel: str | None = None,
    keep: str | os.PathLike[str] | None = None,
    echo: Callable[[str], None] | None = None,
    params: dict[str, str] | None = None,
) -> ReproduceReport:
    """Rerun ``campaign`` in a temporary folder and compare its results with the published ones.

    Parameters
    ----------
    campaign : str
        Campaign id (or folder).
    against : path, optional
        Published ``results.json`` (or its folder); default ``reports/<campaign>/results.json``.
    rtol, atol : float
        Tolerances for floats (see :func:`compare_results`).
    jobs, only, timeout, kernel, data_dir
        As for ``rd-methods run``; with ``only``, keys of other notebooks are ``skipped``.
    keep : path, optional
        Keep the rerun's reports in this folder (default: a temporary folder, removed).
    params : dict, optional
        Notebook parameters to change (``--param NAME=VALUE``), as for ``rd-methods run``:
        compare against results published with the same values.

    Returns
    -------
    ReproduceReport
    """
    import time

    from rd_methods.campaign import Campaign
    from rd_methods.publish import runner

    t0 = time.monotonic()
    camp = Campaign.load(campaign, data_dir=data_dir)  # fails early on a missing / invalid campaign
    against_path = Path(against) if against else paths.reports_dir() / camp.id / "results.json"
    if against_path.is_dir():
        against_path = against_path / "results.json"
    published = read_results(against_path)
    prov_path = against_path.parent / "provenance.json"
    fp_published = None
    if prov_path.is_file():
        with contextlib.suppress(OSError, ValueError):
            fp_published = json.loads(prov_path.read_text("utf-8")).get("fingerprint")

    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rd-methods-reproduce-")))
        reports = Path(keep).resolve() if keep else work / "reports"
        processed = work / "processed"
        stack.enter_context(paths.overridden(RD_METHODS_REPORTS_DIR=str(reports), RD_METHODS_PROCESSED_DIR=str(processed)))
        kwargs: dict[str, Any] = {"data_dir": data_dir, "only": only, "jobs": jobs, "edition": "public",
                                  "kernel": kernel, "reports_dir": reports}
        if timeout:
            kwargs["timeout"] = timeout
        if params:
            kwargs["params"] = params
        if echo is not None:
            kwargs["echo"] = echo
        (run,) = runner.run([str(campaign)], **kwargs)
        rerun = read_results(run.report_dir / "results.json")
        selected = None
        if only:
            selected = [o.stem for o in run.notebooks if not o.reused and o.status != "not_applicable"]
        table = compare_results(published, rerun, rtol=rtol, atol=atol, notebooks=selected)
        failed = [o.stem for o in run.notebooks if o.status == "failed"]
    return ReproduceReport(campaign=camp.id, against=against_path, table=table, rtol=rtol,
                           fingerprint_published=fp_published, fingerprint_now=camp.fingerprint,
                           failed_notebooks=failed, duration=time.monotonic() - t0)
