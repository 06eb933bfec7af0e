"""The site's index pages: ``reports/index.html`` and ``reports/<campaign>/index.html``.

Both are rendered with Jinja2 templates (``templates/*.html.j2``, autoescaped) and the
inline stylesheet of the pages (inserted as is, not escaped); they carry no script and fetch
nothing. :func:`link_pages` writes the previous/next links between the notebook pages of a
campaign once they all exist (``write_site_index`` calls it for every published campaign).
"""

from __future__ import annotations

import html as _html
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from rd_methods.publish.html import PAGER_END, PAGER_START, jinja_env, page_name, site_css

__all__ = ["format_value", "render_campaign_index", "render_site_index", "write_site_index", "published_campaigns",
           "pager_html", "set_pager", "link_pages"]

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
    from rd_methods.conclusions import format_result_value

    out: dict[str, list[dict[str, str]]] = {}
    for row in collected.itertuples(index=False):
        note = row.note if isinstance(row.note, str) else ""
        out.setdefault(row.notebook, []).append(
            {"key": row.key, "label": row.label,
             "text": format_result_value(row.key, row.value, row.unit, row.ci_low, row.ci_high, note), "note": note}
        )
    return out


def render_campaign_index(record: dict[str, Any], collected: pd.DataFrame, provenance: dict[str, Any],
                          report: str | None = None) -> str:
    """HTML of ``reports/<campaign>/index.html`` from ``run.json``'s record and the results.

    It opens with « Ce qu'il faut retenir » (:func:`rd_methods.conclusions.key_messages`, each
    sentence with its caveat and a link to its page when that page is published), links the
    impact report when ``report`` (its file name) is given, then lists the analyses; run
    details and provenance come last.
    """
    from rd_methods.conclusions import key_messages
    from rd_methods.formats import plural

    statuses = [nb.get("status") for nb in record.get("notebooks", [])]
    counts_text = ", ".join([plural(statuses.count("ok"), "réussie"), plural(statuses.count("failed"), "échec"),
                             f"{statuses.count('not_applicable')} non applicable"
                             + ("s" if statuses.count("not_applicable") >= 2 else "")])
    public = {nb["stem"] for nb in record.get("notebooks", []) if (nb.get("pages") or {}).get("public")}
    messages = [m | {"linked": m["notebook"] in public} for m in key_messages(collected).to_dict("records")]
    return jinja_env().get_template("campaign_index.html.j2").render(
        css=Markup(site_css()), run=record, prov=provenance, results=_results_by_notebook(collected),
        page_name=page_name, status_labels=STATUS_LABELS, messages=messages, report=report,
        counts_text=counts_text,
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
        css=Markup(site_css()), campaigns=campaigns, status_labels=STATUS_LABELS, comparison=comparison,
    )


def write_site_index(reports: Path) -> Path:
    """(Re)write ``reports/index.html`` atomically (temporary file, then rename)."""
    reports.mkdir(parents=True, exist_ok=True)
    from rd_methods.publish.comparison import comparison_record

    campaigns = published_campaigns(reports)
    for record in campaigns:
        link_pages(reports / record["href"].split("/")[0], record)
    page = render_site_index(campaigns, comparison_record(reports))
    from rd_methods.publish.references import write_references_page

    write_references_page(reports)  # every page links to it
    fd, tmp = tempfile.mkstemp(prefix=".index.", suffix=".html.tmp", dir=reports)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(page)
    os.chmod(tmp, 0o644)
    target = reports / "index.html"
    os.replace(tmp, target)
    return target


def pager_html(previous: dict[str, str] | None, following: dict[str, str] | None) -> str:
    """Links to the previous and next pages (``{"href", "title"}`` each, or None).

    Examples
    --------
    >>> print(pager_html({"href": "10_a.html", "title": "Données"}, None))
    <a rel="prev" class="rd-prev" href="10_a.html">← Précédente : Données</a>
    """
    links = []
    if previous:
        links.append(f'<a rel="prev" class="rd-prev" href="{_html.escape(previous["href"], quote=True)}">'
                     f'← Précédente : {_html.escape(previous["title"])}</a>')
    if following:
        links.append(f'<a rel="next" class="rd-next" href="{_html.escape(following["href"], quote=True)}">'
                     f'Suivante : {_html.escape(following["title"])} →</a>')
    return "\n".join(links)


_PAGER = re.compile(re.escape(PAGER_START) + ".*?" + re.escape(PAGER_END), re.DOTALL)


def set_pager(page: str, links: str) -> str:
    """The page with ``links`` between its pager markers (unchanged if it has none)."""
    return _PAGER.sub(lambda _: PAGER_START + links + PAGER_END, page)


def link_pages(folder: Path, record: dict[str, Any]) -> int:
    """Write the previous/next links of every notebook page of a published campaign.

    Pages follow the order of ``run.json`` (the notebooks' order); each edition links to
    the neighbouring pages of the same edition that exist. Idempotent; a page is rewritten
    (atomically) only when its links change. Returns the number of pages rewritten.
    """
    rewritten = 0
    for edition in record.get("editions") or ["public", "research"]:
        pages = [{"href": nb["pages"][edition], "title": nb.get("title") or nb["stem"]}
                 for nb in record.get("notebooks", [])
                 if (nb.get("pages") or {}).get(edition) and (folder / nb["pages"][edition]).is_file()]
        for i, entry in enumerate(pages):
            path = folder / entry["href"]
            before = path.read_text("utf-8")
            after = set_pager(before, pager_html(pages[i - 1] if i else None,
                                                 pages[i + 1] if i + 1 < len(pages) else None))
            if after != before:
                fd, tmp = tempfile.mkstemp(prefix=".page.", suffix=".html.tmp", dir=folder)
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(after)
                os.chmod(tmp, 0o644)
                os.replace(tmp, path)
                rewritten += 1
    return rewritten
