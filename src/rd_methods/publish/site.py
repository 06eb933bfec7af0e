"""The site's index pages: ``reports/index.html`` and ``reports/<campaign>/index.html``.

Both are rendered with Jinja2 templates (``templates/*.html.j2``, autoescaped) and the
inline stylesheet of the pages; they carry no script and fetch nothing.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from rd_methods.publish.html import jinja_env, page_name, site_css

__all__ = ["format_value", "render_campaign_index", "render_site_index", "write_site_index", "published_campaigns"]

STATUS_LABELS = {"ok": "réussie", "failed": "avec échecs", "refused": "refusée"}


def format_value(value: Any, unit: Any = None, low: Any = None, high: Any = None) -> str:
    """'2,5 € (intervalle : 1,8 ; 3,1)' — French number format, unit, interval."""
    from rd_methods.formats import format_number

    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return "—"
        if isinstance(v, bool):
            return "oui" if v else "non"
        if isinstance(v, (int, float)):
            return format_number(v)
        return str(v)

    text = fmt(value)
    if unit is not None and unit == unit and unit != "":
        text += f"\u00a0{unit}"
    if not (low is None or low != low) or not (high is None or high != high):
        text += f" (intervalle : {fmt(low)} ; {fmt(high)})"
    return text


def _results_by_notebook(collected: pd.DataFrame) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in collected.itertuples(index=False):
        note = row.note if isinstance(row.note, str) else ""
        out.setdefault(row.notebook, []).append(
            {"key": row.key, "label": row.label, "text": format_value(row.value, row.unit, row.ci_low, row.ci_high),
             "note": note}
        )
    return out


def render_campaign_index(record: dict[str, Any], collected: pd.DataFrame, provenance: dict[str, Any]) -> str:
    """HTML of ``reports/<campaign>/index.html`` from ``run.json``'s record and the results."""
    return jinja_env().get_template("campaign_index.html.j2").render(
        css=site_css(), run=record, prov=provenance, results=_results_by_notebook(collected),
        page_name=page_name, status_labels=STATUS_LABELS,
    )


def published_campaigns(reports: Path) -> list[dict[str, Any]]:
    """``run.json`` of every published campaign folder (hidden work folders excluded)."""
    rows = []
    for folder in sorted(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith(".")):
        try:
            record = json.loads((folder / "run.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue
        record["href"] = f"{folder.name}/index.html"
        counts: dict[str, int] = {}
        for nb in record.get("notebooks", []):
            counts[nb["status"]] = counts.get(nb["status"], 0) + 1
        record["counts"] = counts
        rows.append(record)
    return rows


def render_site_index(campaigns: list[dict[str, Any]], comparison: dict[str, Any] | None = None) -> str:
    return jinja_env().get_template("site_index.html.j2").render(
        css=site_css(), campaigns=campaigns, status_labels=STATUS_LABELS, comparison=comparison,
    )


def write_site_index(reports: Path) -> Path:
    """(Re)write ``reports/index.html`` atomically (temporary file, then rename)."""
    reports.mkdir(parents=True, exist_ok=True)
    from rd_methods.publish.comparison import comparison_record

    page = render_site_index(published_campaigns(reports), comparison_record(reports))
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".html.tmp", dir=reports)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(page)
    os.chmod(tmp, 0o644)
    target = reports / "index.html"
    os.replace(tmp, target)
    return target
