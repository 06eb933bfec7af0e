"""What the ``list``, ``inspect`` and ``open`` commands show (no notebook is executed)."""

from __future__ import annotations

import json
import os
import sys
import webbrowser
from pathlib import Path
from typing import Any

import yaml

from rd_methods import paths
from rd_methods.errors import RdMethodsError

__all__ = ["list_campaigns", "find_notebook", "describe_notebook", "open_site", "has_display"]

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls", ".sav", ".dta")


def list_campaigns(data_dir: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Campaign folders under the data folder: id, title, period, tables, last publication.

    Reads only ``campaign.yml`` and file names (``rd-methods validate`` checks the content).
    """
    from rd_methods.publish.html import format_date

    base = Path(data_dir).expanduser() if data_dir else paths.raw_dir()
    rows = []
    if not base.is_dir():
        return rows
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and (p / "campaign.yml").is_file()):
        try:
            meta = yaml.safe_load((folder / "campaign.yml").read_text("utf-8-sig")) or {}
        except (yaml.YAMLError, UnicodeDecodeError):
            meta = {}
        if not isinstance(meta, dict):
            meta = {}
        mapped = {str(v): str(k) for k, v in (meta.get("tables") or {}).items()} if isinstance(meta.get("tables"), dict) else {}
        tables = sorted({mapped.get(f.name, f.stem) for f in folder.iterdir()
                         if f.suffix.lower() in TABLE_SUFFIXES and f.name != _WORKBOOK}
                        | _workbook_sheets(folder / _WORKBOOK))
        period = meta.get("period")
        period_text = f"{period[0]}–{period[1]}" if isinstance(period, list) and len(period) == 2 else "période ?"
        published = "jamais"
        run_json = paths.reports_dir() / folder.name / "run.json"
        if run_json.is_file():
            try:
                record = json.loads(run_json.read_text("utf-8"))
                published = f"{format_date(record.get('run_at'))} ({record.get('status')})"
            except (OSError, ValueError):
                pass
        rows.append({"id": folder.name, "title": meta.get("title") or "(sans titre)", "period": period_text,
                     "tables": tables, "published": published})
    return rows


_WORKBOOK = "tables.xlsx"  # rd_methods.workbook.WORKBOOK_NAME (not imported: openpyxl is slow to load)


def _workbook_sheets(path: Path) -> set[str]:
    """Contract tables kept as sheets of a campaign workbook (empty when there is none)."""
    if not path.is_file():
        return set()
    try:
        import openpyxl

        from rd_methods.schemas import TABLES

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            return set(wb.sheetnames) & set(TABLES)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - a broken workbook is for `validate` to explain
        return {"tables.xlsx ?"}


def find_notebook(name: str | os.PathLike[str]) -> Path:
    """A notebook given as a path, a file name, a stem or a number, in the notebooks folder."""
    candidate = Path(name).expanduser()
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate.resolve()
    folder = paths.notebooks_dir()
    token = candidate.stem if candidate.suffix == ".ipynb" else str(name)
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []
    hits = [p for p in found if token in (p.stem, p.stem[:2], p.stem[3:])]
    if len(hits) == 1:
        return hits[0]
    available = ", ".join(p.stem for p in found) or "aucun"
    raise RdMethodsError(f"notebook introuvable : {name}", hint=f"notebooks disponibles : {available}")


def describe_notebook(name: str | os.PathLike[str]) -> str:
    """Readable description of a notebook's parameters and required tables."""
    import nbformat

    from rd_methods.publish.parameters import inspect_parameters

    path = find_notebook(name)
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("rd_methods", {}) or {}
    params = inspect_parameters(nb)
    lines = [f"{path.stem} — {meta.get('title', '')}".rstrip(" —"),
             f"tables requises : {', '.join(meta.get('requires', [])) or '—'}", "paramètres :"]
    if not params:
        lines.append("  (aucune cellule « parameters »)")
    width = max((len(p["name"]) for p in params), default=0)
    for p in params:
        lines.append(f"  {p['name']:<{width}}  {p['type'] or '?'} = {p['default']}")
        if p["help"]:
            lines.append(f"  {'':<{width}}  {p['help']}")
    return "\n".join(lines)


def has_display() -> bool:
    """Can a browser window be shown here? (a desktop session, not a server or CI)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_site(campaign: str | None = None, *, browser: bool = True) -> Path:
    """Path of the site index (or a campaign's index); opened in a browser when possible."""
    reports = paths.reports_dir()
    path = reports / campaign / "index.html" if campaign else reports / "index.html"
    if not path.is_file():
        what = f"la campagne {campaign}" if campaign else "le site"
        raise RdMethodsError(f"{what} n'est pas encore publié ({path} absent)",
                             hint=f"rd-methods run {campaign or '<campagne>'}")
    if browser and has_display():
        webbrowser.open(path.resolve().as_uri())
    return path
