"""One evaluation campaign: find it, read its files, validate and type its tables.

>>> from rd_methods.campaign import Campaign, validate
>>> camp = Campaign.load("demo-2025")          # doctest: +SKIP
>>> camp["actors"].dtypes                      # doctest: +SKIP
>>> print(validate("demo-2025").format())      # doctest: +SKIP

Validation happens once, here, and reports **every** problem at once (file, row as the user
sees it in the file, column, value, rule): the typing and per-table checks come from
:mod:`rd_methods.schemas` (pandera, lazy), the cross-table checks (references to unknown
ids, ``organisation`` of campaign.yml, survey columns that are not items) are here.
:meth:`Campaign.load` raises :class:`~rd_methods.errors.ValidationFailed` when anything is
wrong, :class:`~rd_methods.errors.CampaignNotFound` when the campaign does not exist.

Processed cache: :func:`write_processed` stores the typed tables as parquet with a
manifest of the raw files' sha256; :meth:`Campaign.load` reuses them only when the
manifest matches the current raw files exactly (and the package and contract versions).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from rd_methods import __version__, paths
from rd_methods.errors import CampaignNotFound, RdMethodsError, ValidationFailed
from rd_methods.readers import (
    SUPPORTED_SUFFIXES,
    ReadError,
    ReadInfo,
    read_table,
    read_workbook,
    workbook_sheets,
)
from rd_methods.schemas import (
    ERROR_COLUMNS,
    SCHEMA_VERSION,
    TABLES,
    check_campaign_meta,
    finalize_dtypes,
    validate_table,
)

__all__ = [
    "Campaign",
    "ValidationReport",
    "MissingTable",
    "validate",
    "write_processed",
    "available_campaigns",
    "fingerprint_files",
]

_IGNORED_FILES = {"campaign.yml", "ground_truth.json", "readme.md", "readme.txt", "notes.md"}
MANIFEST = "manifest.json"
WORKBOOK = "tables.xlsx"  # rd_methods.workbook.WORKBOOK_NAME (not imported: openpyxl styles are not needed to read)
_WORKBOOK_AUX_SHEETS = {"à lire", "a lire", "listes"}
REPORT_COLUMNS = [*ERROR_COLUMNS, "sheet", "cell"]


class MissingTable(RdMethodsError, KeyError):
    """A table asked for is not present in the campaign."""


# --------------------------------------------------------------------------- report
@dataclass
class ValidationReport:
    """Outcome of :func:`validate`: every problem of a campaign at once.

    Attributes
    ----------
    campaign : str
        Campaign id (folder name).
    path : Path
        Campaign folder.
    errors : DataFrame
        One row per problem: ``file, row, column, value, rule, message, sheet, cell`` (``row``
        is the row as the user sees it in the file; missing for file-level problems; ``sheet``
        and ``cell`` (e.g. ``D14``) are set for a table kept in the workbook ``tables.xlsx``).
    notes : list of str
        Non-blocking remarks (absent optional tables, ignored files…).
    warnings : list of str
        Non-blocking problems of substance, in French, shown before the notebooks' results
        (SROI accounting: :func:`rd_methods.sroi.check_accounting`).
    read_info : dict
        Table name -> :class:`~rd_methods.readers.ReadInfo` of each file read.
    """

    campaign: str
    path: Path
    errors: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REPORT_COLUMNS))
    notes: list[str] = field(default_factory=list)
    read_info: dict[str, ReadInfo] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the campaign has no error (notes do not count)."""
        return self.errors.empty

    @property
    def n_errors(self) -> int:
        return len(self.errors)

    def format(self) -> str:
        """Readable report listing every problem (French, rule codes in English)."""
        lines = []
        status = "valide" if self.ok else f"{self.n_errors} problème{'s' if self.n_errors > 1 else ''}"
        lines.append(f"Campagne {self.campaign} ({self.path}) : {status}")
        if self.read_info:
            lines.append("Fichiers lus :")
            for name, info in self.read_info.items():
                lines.append(f"  {Path(info.path).name} [{name}] : {info.describe()}")
        if self.notes:
            lines.append("Notes :")
            prefix = "table optionnelle absente : "
            absent = [n[len(prefix):] for n in self.notes if n.startswith(prefix)]
            if absent:
                lines.append(f"  - table{'s' if len(absent) > 1 else ''} optionnelle{'s' if len(absent) > 1 else ''} "
                             f"absente{'s' if len(absent) > 1 else ''} : {', '.join(absent)}")
            lines += [f"  - {n}" for n in self.notes if not n.startswith(prefix)]
        if self.warnings:
            lines.append("Avertissements (le calcul reste possible, mais à corriger ou à justifier) :")
            lines += [f"  - {w}" for w in self.warnings]
        if not self.ok:
            lines.append("Problèmes :")
            for rec in self.errors.itertuples(index=False):
                sheet = getattr(rec, "sheet", None)
                cell = getattr(rec, "cell", None)
                if isinstance(sheet, str) and sheet:
                    # a workbook sheet: name the cell as a spreadsheet shows it (« actors, cellule D14 »)
                    where = [f"{rec.file} › {sheet}, cellule {cell}" if isinstance(cell, str) and cell
                             else f"{rec.file} › {sheet}" + (f", ligne {int(rec.row)}" if pd.notna(rec.row) else "")]
                else:
                    where = [str(rec.file)]
                    if pd.notna(rec.row):
                        where.append(f"ligne {int(rec.row)}")
                if isinstance(rec.column, str) and rec.column:
                    where.append(f"colonne {rec.column}")
                if rec.value is not None and not (isinstance(rec.value, float) and pd.isna(rec.value)):
                    where.append(f"valeur « {rec.value} »")
                lines.append(f"  - {', '.join(where)} : {rec.message} [règle {rec.rule}]")
            lines.append(f"{self.n_errors} problème{'s' if self.n_errors > 1 else ''} à corriger ; "
                         "référence du contrat : docs/data-contract.md")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.format()


# --------------------------------------------------------------------------- locating
def available_campaigns(data_dir: str | os.PathLike[str] | None = None) -> list[str]:
    """Ids of the campaign folders (holding a ``campaign.yml``) under the data folder."""
    base = Path(data_dir).expanduser() if data_dir else paths.raw_dir()
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and (p / "campaign.yml").exists())


def _resolve(id_or_path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None) -> Path:
    folder = paths.campaign_dir(id_or_path, data_dir)
    if not folder.is_dir():
        candidate = Path(id_or_path).expanduser()
        if candidate.is_dir():
            folder = candidate.resolve()
    if not folder.is_dir():
        found = available_campaigns(data_dir)
        base = Path(data_dir).expanduser() if data_dir else paths.raw_dir()
        hint = (f"campagnes disponibles dans {base} : {', '.join(found)}" if found
                else f"aucune campagne dans {base} ; en créer une : rd-methods new <id>")
        raise CampaignNotFound(f"campagne introuvable : {id_or_path}", hint)
    return folder


def _table_files(folder: Path, mapping: dict[str, str]) -> tuple[dict[str, Path], dict[str, str], list[dict], list[str]]:
    """Find the file of each table, and the sheet of those kept in the workbook ``tables.xlsx``.

    Returns (files, sheets, errors, notes): ``files[name]`` is the file holding the table,
    ``sheets[name]`` its sheet when the file is the workbook. A table both in the workbook and
    in its own file is an error (``ambiguous_source``).
    """
    files: dict[str, Path] = {}
    sheets: dict[str, str] = {}
    errors: list[dict] = []
    notes: list[str] = []
    entries = {p.name.lower(): p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    used: set[str] = set()
    workbook = entries.get(WORKBOOK) if WORKBOOK not in {m.lower() for m in mapping.values()} else None
    in_workbook: dict[str, str] = {}
    if workbook is not None:
        used.add(WORKBOOK)
        try:
            names = workbook_sheets(workbook)
        except ReadError as exc:
            errors.append(_err(workbook.name, None, None, None, "unreadable",
                               exc.message + (f" ({exc.hint})" if exc.hint else "")))
            names = []
        lower = {n.strip().lower(): n for n in names}
        in_workbook = {name: lower[name] for name in TABLES if name in lower}
        for n in names:
            if n.strip().lower() not in TABLES and n.strip().lower() not in _WORKBOOK_AUX_SHEETS:
                notes.append(f"feuille ignorée dans {workbook.name} (pas une table du contrat) : {n}")
    for name in TABLES:
        if name in mapping:
            p = folder / mapping[name]
            if not p.is_file():
                errors.append(_err("campaign.yml", None, f"tables.{name}", mapping[name], "file_exists",
                                   f"fichier déclaré pour la table {name} introuvable"))
                continue
            hits = [p]
        else:
            hits = [entries[f"{name}{suf}"] for suf in SUPPORTED_SUFFIXES if f"{name}{suf}" in entries]
        used.update(h.name.lower() for h in hits)
        if name in in_workbook and hits:
            errors.append(_err(workbook.name, None, None, None, "ambiguous_source",
                               f"table {name} donnée deux fois : feuille « {in_workbook[name]} » de {workbook.name} "
                               f"et fichier {', '.join(h.name for h in hits)} ; n'en garder qu'une",
                               sheet=in_workbook[name]))
        elif name in in_workbook:
            files[name] = workbook
            sheets[name] = in_workbook[name]
        elif len(hits) > 1:
            errors.append(_err(hits[0].name, None, None, None, "ambiguous_file",
                               f"plusieurs fichiers pour la table {name} : " + ", ".join(h.name for h in hits)
                               + " ; n'en garder qu'un"))
        elif hits:
            files[name] = hits[0]
    for low, p in sorted(entries.items()):
        if low not in used and low not in _IGNORED_FILES:
            notes.append(f"fichier ignoré (pas une table du contrat) : {p.name}")
    return files, sheets, errors, notes


def _err(file: str, row: Any, column: str | None, value: Any, rule: str, message: str,
         sheet: str | None = None, cell: str | None = None) -> dict:
    return {"file": file, "row": row, "column": column, "value": value, "rule": rule, "message": message,
            "sheet": sheet, "cell": cell}


def _read_meta(folder: Path) -> tuple[dict, list[dict]]:
    yml = folder / "campaign.yml"
    if not yml.is_file():
        return {}, [_err("campaign.yml", None, None, None, "required_file",
                         "campaign.yml absent : chaque campagne a un campaign.yml (rd-methods new <id> en crée un)")]
    try:
        raw = yaml.safe_load(yml.read_text("utf-8-sig"))
    except UnicodeDecodeError:
        return {}, [_err("campaign.yml", None, None, None, "encoding", "campaign.yml doit être en UTF-8")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{context} : {problem}" if context else problem
        return {}, [_err("campaign.yml", row, None, None, "yaml",
                         f"YAML invalide ({detail}) ; vérifier guillemets, crochets et indentation")]
    meta, problems = check_campaign_meta(raw if raw is not None else {}, folder.name)
    errors = [_err("campaign.yml", _yaml_line(yml, key), key or None, value, rule, message)
              for key, value, rule, message in problems]
    return meta, errors


def _yaml_line(yml: Path, key: str) -> int | None:
    top = key.split(".")[0]
    if not top:
        return None
    for i, line in enumerate(yml.read_text("utf-8-sig").splitlines(), start=1):
        if line.startswith(f"{top}:"):
            return i
    return None


# --------------------------------------------------------------------------- fingerprint
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _raw_files(folder: Path, mapping: dict[str, str]) -> list[Path]:
    files = {p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}
    files |= {(folder / f) for f in mapping.values() if (folder / f).is_file()}
    return sorted(files)


def fingerprint_files(folder: Path, mapping: dict[str, str] | None = None) -> dict[str, str]:
    """sha256 of every raw file of a campaign folder (relative path -> hex digest)."""
    return {p.relative_to(folder).as_posix(): _sha256(p) for p in _raw_files(folder, mapping or {})}


def _combine(files: dict[str, str]) -> str:
    text = "\n".join(f"{k}\t{v}" for k, v in sorted(files.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- validation
def _isin(s: pd.Series, values: pd.Series) -> pd.Series:
    """Vectorised membership on object arrays (pandas' arrow-string ``isin`` builds one
    pyarrow scalar per value and takes seconds on 300,000 ids)."""
    obj = pd.Series(s.to_numpy(dtype=object, na_value=None), index=s.index, dtype=object)
    return obj.isin(values.dropna().unique().astype(object))


def _check_references(tables: dict[str, pd.DataFrame], files: dict[str, Path], meta: dict,
                      errors: list[dict], sheets: dict[str, str] | None = None) -> None:
    sheets = sheets or {}
    for name, df in tables.items():
        spec = TABLES[name]
        fname = files[name].name
        sheet = sheets.get(name)
        for col, rt, rc in spec.references:
            if col not in df.columns:
                continue
            s = df[col]
            present = s.notna()
            if not present.any():
                continue
            if rt not in tables:
                errors.append(_err(fname, None, col, None, "reference_table",
                                   f"la table {rt} est absente alors que {name}.{col} y fait référence", sheet=sheet))
                continue
            bad = present & ~_isin(s, tables[rt][rc])
            if bad.any():
                label = {"actors": "acteur", "projects": "projet", "events": "événement"}.get(rt, rt)
                msg = f"{label} inconnu : absent de {rt}.{rc}"
                errors += [_err(fname, int(r), col, v, "reference", msg, sheet=sheet) for r, v in s[bad].items()]
    org = meta.get("organisation")
    if org and "actors" in tables and not tables["actors"]["actor_id"].eq(org).any():
        errors.append(_err("campaign.yml", None, "organisation", org, "reference",
                           "organisation inconnue : absente de actors.actor_id"))


def _sroi_warnings(tables: dict[str, pd.DataFrame], files: dict[str, Path]) -> list[str]:
    """SROI accounting warnings (period, stock, double count) when both SROI tables are valid."""
    if "sroi_impact_map" not in tables or "sroi_inputs" not in tables:
        return []
    from rd_methods.sroi import check_accounting

    try:
        found = check_accounting(tables["sroi_impact_map"], tables["sroi_inputs"])
    except (ValueError, TypeError):  # already reported as errors of the tables
        return []
    out = []
    for rec in found.itertuples(index=False):
        rows = f" (lignes de données {', '.join(map(str, rec.rows))})" if rec.rows and rec.table == "sroi_inputs" else ""
        out.append(f"SROI, {files[rec.table].name}{rows} : {rec.message} [{rec.check}]")
    return out


def _validate_folder(folder: Path) -> tuple[ValidationReport, dict[str, pd.DataFrame], dict, dict[str, Path]]:
    errors: list[dict] = []
    meta, meta_errors = _read_meta(folder)
    errors += meta_errors
    report = ValidationReport(campaign=str(meta.get("id") or folder.name), path=folder)
    files, sheets, file_errors, notes = _table_files(folder, meta.get("tables", {}))
    errors += file_errors
    report.notes += notes
    from_workbook = {}
    if sheets:
        wb_path = files[next(iter(sheets))]
        from_workbook = read_workbook(wb_path, {s: TABLES[n].required_columns for n, s in sheets.items()})
    tables: dict[str, pd.DataFrame] = {}
    letters: dict[str, dict[str, str]] = {}
    for name, spec in TABLES.items():
        path = files.get(name)
        sheet = sheets.get(name)
        if path is None:
            if name == "actors" and not any(e["rule"] == "ambiguous_source" and e["sheet"] == "actors" for e in file_errors):
                errors.append(_err("actors.csv", None, None, None, "required_table",
                                   "table obligatoire absente : actors (actors.csv, actors.xlsx ou feuille actors de "
                                   f"{WORKBOOK})"))
            elif name != "actors" and not any(
                    e["message"].startswith((f"plusieurs fichiers pour la table {name} ", f"table {name} donnée deux fois"))
                    for e in file_errors):
                report.notes.append(f"table optionnelle absente : {name}")
            continue
        where = f"{path.name} › {sheet}" if sheet else path.name
        try:
            if sheet is not None:
                got = from_workbook[sheet]
                if isinstance(got, ReadError):
                    raise got
                raw, info = got
            else:
                raw, info = read_table(path, expected_columns=spec.required_columns, table=name)
        except ReadError as exc:
            if sheet is not None and name != "actors" and exc.message.startswith(f"feuille « {sheet} » vide"):
                report.notes.append(f"table vide (feuille sans en-tête) ignorée : {where}")
                continue
            errors.append(_err(path.name, None, None, None, _read_rule(exc), exc.message
                               + (f" ({exc.hint})" if exc.hint else ""), sheet=sheet))
            continue
        report.read_info[name] = info
        letters[name] = raw.attrs.get("column_letters", {}) if sheet else {}
        if raw.empty:
            if name == "actors":
                errors.append(_err(path.name, None, None, None, "required_table",
                                   "la table actors n'a aucune ligne de données", sheet=sheet))
            else:
                report.notes.append(f"table vide (en-tête seul) ignorée : {where}")
            continue
        typed, errs = validate_table(name, raw, decimal=info.decimal, header_row=info.header_row,
                                     items=tables.get("survey_items"))
        if not errs.empty:
            _explain_ambiguous_numbers(errs, info.decimal)
            errs.insert(0, "file", path.name)
            errs["sheet"] = sheet
            errors += errs.to_dict("records")
        extra = [c for c in raw.columns if c not in spec.columns]
        if spec.item_columns:
            items = tables.get("survey_items")
            item_ids = set(items["item_id"]) if items is not None else set()
            unknown = [c for c in extra if c not in item_ids]
            for c in unknown:
                errors.append(_err(path.name, info.header_row, c, None, "unknown_item_column",
                                   "colonne qui n'est pas un item de survey_items"
                                   if items is not None else "survey_items absente : colonne d'item non déclarée",
                                   sheet=sheet))
            unanswered = sorted(item_ids - set(raw.columns))
            if unanswered:
                report.notes.append(f"items sans colonne dans {where} : {', '.join(unanswered)}")
        elif extra and not spec.extra_numeric:
            report.notes.append(f"colonnes supplémentaires conservées en texte dans {where} : {', '.join(extra)}")
        tables[name] = typed
    _check_references(tables, files, meta, errors, sheets)
    report.warnings += _sroi_warnings(tables, files)
    err = pd.DataFrame(errors, columns=REPORT_COLUMNS)
    if not err.empty:
        err["row"] = err["row"].astype("Int64")
        err["cell"] = [_cell_name(letters, sheets, rec) for rec in err.to_dict("records")]
        order = {(f.name, sheets.get(n)): i for i, (n, f) in enumerate(files.items())}
        err["_f"] = [-1 if f == "campaign.yml" else order.get((f, s if isinstance(s, str) else None), 99)
                     for f, s in zip(err["file"], err["sheet"], strict=True)]
        err = err.sort_values(["_f", "file", "row"], kind="stable", na_position="first").drop(columns="_f")
        err = err.reset_index(drop=True)
    report.errors = err
    return report, tables, meta, files


_AMBIGUOUS_NUMBER = re.compile(r"[+-]?([1-9]\d{0,2})([.,])(\d{3})")


def _explain_ambiguous_numbers(errs: pd.DataFrame, decimal: str) -> None:
    """Say why ``1,650`` (``.`` file) or ``1.650`` (``,`` file) is refused: it reads two ways."""
    for i, rec in errs[errs["rule"] == "type_number"].iterrows():
        m = _AMBIGUOUS_NUMBER.fullmatch(str(rec["value"]).strip())
        if m and m.group(2) != decimal:
            whole, mark, frac = m.groups()
            errs.at[i, "message"] = (f"nombre ambigu : « {mark} » sépare-t-il les milliers ou les décimales ? "
                                     f"(marque décimale du fichier : « {decimal} ») ; écrire {whole}{frac} "
                                     f"ou {whole}{decimal}{frac.rstrip('0') or '0'}")


def _cell_name(letters: dict[str, dict[str, str]], sheets: dict[str, str], rec: dict) -> str | None:
    """``D14`` for an error on one cell of a workbook sheet, else None."""
    sheet, row, column = rec.get("sheet"), rec.get("row"), rec.get("column")
    if not isinstance(sheet, str) or pd.isna(row) or not isinstance(column, str):
        return None
    name = next((n for n, s in sheets.items() if s == sheet), None)
    letter = {k.strip().lower(): v for k, v in letters.get(name or "", {}).items()}.get(column.strip().lower())
    return f"{letter}{int(row)}" if letter else None


def _read_rule(exc: ReadError) -> str:
    msg = exc.message
    if msg.startswith("fichier vide") or "vide" in msg.split(":")[0]:
        return "empty_file"
    if "en réalité" in msg:
        return "wrong_format"
    if "binaire" in msg or "encodage" in msg:
        return "unreadable"
    return "unreadable"


def validate(id_or_path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> ValidationReport:
    """Validate a campaign against the data contract without raising on problems.

    Parameters
    ----------
    id_or_path : str or path
        Campaign id under ``data_dir`` (default ``data/raw``) or path of a campaign folder.
    data_dir : str or path, optional
        Folder holding the campaigns.

    Returns
    -------
    ValidationReport
        ``ok``, ``errors`` (file, row, column, value, rule, message), ``notes``, ``read_info``.

    Raises
    ------
    CampaignNotFound
        No such folder.

    Examples
    --------
    >>> report = validate("demo-2025")  # doctest: +SKIP
    >>> report.ok, report.notes         # doctest: +SKIP
    (True, [])
    """
    folder = _resolve(id_or_path, data_dir)
    return _validate_folder(folder)[0]


# --------------------------------------------------------------------------- Campaign
class Campaign:
    """A validated campaign: metadata and typed tables.

    Use :meth:`load`; see the module docstring and ``docs/data-contract.md``.
    """

    def __init__(self, path: Path, meta: dict, tables: dict[str, pd.DataFrame], files: dict[str, str],
                 report: ValidationReport | None = None, from_processed: bool = False):
        self.path = Path(path)
        self.meta = meta
        self.tables = tables
        self.files = files
        self.report = report
        self.from_processed = from_processed
        self.fingerprint = _combine(files)
        self._ground_truth: Any = ...

    # ---- loading
    @classmethod
    def load(cls, id_or_path: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None,
             *, use_processed: bool = True) -> Campaign:
        """Find, read, validate and type a campaign.

        Parameters
        ----------
        id_or_path : str or path
            Campaign id (folder under ``data_dir``) or path of a campaign folder.
        data_dir : str or path, optional
            Folder of the campaigns (default :func:`rd_methods.paths.raw_dir`).
        use_processed : bool
            Reuse ``processed_dir()/<id>`` when its manifest matches the raw files exactly.

        Raises
        ------
        CampaignNotFound, ValidationFailed
        """
        folder = _resolve(id_or_path, data_dir)
        if use_processed:
            camp = _load_processed(folder, paths.processed_dir() / folder.name)
            if camp is not None:
                return camp
        report, tables, meta, files = _validate_folder(folder)
        if not report.ok:
            n = report.n_errors
            raise ValidationFailed(f"{n} problème{'s' if n > 1 else ''} dans la campagne {report.campaign}",
                                   report=report, hint=f"rd-methods validate {id_or_path}")
        hashes = fingerprint_files(folder, meta.get("tables", {}))
        tables = {name: df.reset_index(drop=True) for name, df in tables.items()}
        return cls(folder, meta, tables, hashes, report)

    # ---- metadata
    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def territory(self) -> str:
        return str(self.meta["territory"])

    @property
    def organisation(self) -> str:
        return str(self.meta["organisation"])

    @property
    def period(self) -> tuple[int, int]:
        first, last = self.meta["period"]
        return int(first), int(last)

    @property
    def synthetic(self) -> bool:
        return bool(self.meta.get("synthetic", False))

    @property
    def monetisation(self) -> dict:
        return dict(self.meta.get("monetisation", {}))

    @property
    def discount_rate(self) -> float:
        return float(self.meta["sroi"]["discount_rate"])

    @property
    def min_cell(self) -> int:
        return int(self.meta["disclosure"]["min_cell"])

    @property
    def ground_truth(self) -> dict | None:
        """Content of ``ground_truth.json`` (demo campaigns) or None."""
        if self._ground_truth is ...:
            gt = self.path / "ground_truth.json"
            self._ground_truth = json.loads(gt.read_text("utf-8")) if gt.is_file() else None
        return self._ground_truth

    # ---- tables
    def has(self, name: str) -> bool:
        """True when the table is present (and not empty)."""
        return name in self.tables

    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            known = "table inconnue du contrat" if name not in TABLES else "table absente de la campagne"
            raise MissingTable(f"{known} : {name} (campagne {self.id})",
                               "tables présentes : " + ", ".join(self.tables)) from None

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def __repr__(self) -> str:
        first, last = self.period
        return (f"<Campaign {self.id!r} {first}–{last}, {len(self.tables)} tables: "
                + ", ".join(f"{k}({len(v)})" for k, v in self.tables.items()) + ">")


# --------------------------------------------------------------------------- processed cache
def _jsonable(meta: dict) -> dict:
    return json.loads(json.dumps(meta, default=list))


def write_processed(camp: Campaign, folder: str | os.PathLike[str] | None = None) -> Path:
    """Write the typed tables as parquet plus ``manifest.json``, atomically.

    The folder (default ``processed_dir()/<id>``) is built beside the target under a
    temporary name and swapped in at the end, so a crash never leaves a half-written cache.

    Parameters
    ----------
    camp : Campaign
        A loaded (hence valid) campaign.
    folder : path, optional
        Target folder.

    Returns
    -------
    Path
        The folder written.
    """
    if not isinstance(camp, Campaign) or (camp.report is not None and not camp.report.ok):
        raise ValidationFailed("campagne invalide : rien n'est écrit", report=getattr(camp, "report", None))
    target = Path(folder) if folder else paths.processed_dir() / camp.id
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        for name, df in camp.tables.items():
            df.to_parquet(tmp / f"{name}.parquet", index=False)
        manifest = {
            "campaign": camp.id,
            "raw_path": str(camp.path),
            "fingerprint": camp.fingerprint,
            "files": camp.files,
            "package_version": __version__,
            "schema_version": SCHEMA_VERSION,
            "tables": sorted(camp.tables),
            "meta": _jsonable(camp.meta),
            "notes": camp.report.notes if camp.report else [],
            "read_info": {k: v.to_dict() for k, v in (camp.report.read_info.items() if camp.report else [])},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True), "utf-8")
        old = None
        if target.exists():
            old = target.parent / f".{target.name}.old-{os.getpid()}"
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def _load_processed(raw_folder: Path, folder: Path) -> Campaign | None:
    """The cached campaign when its manifest matches the raw files exactly, else None."""
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if (manifest.get("raw_path") != str(raw_folder) or manifest.get("package_version") != __version__
            or manifest.get("schema_version") != SCHEMA_VERSION):
        return None
    meta = manifest.get("meta") or {}
    current = fingerprint_files(raw_folder, meta.get("tables", {}))
    if current != manifest.get("files"):
        return None
    try:
        tables = {name: finalize_dtypes(name, pd.read_parquet(folder / f"{name}.parquet"))
                  for name in manifest["tables"]}
    except (OSError, ValueError, KeyError):
        return None
    meta["period"] = tuple(meta["period"])
    report = ValidationReport(campaign=meta["id"], path=raw_folder, notes=list(manifest.get("notes", [])),
                              read_info={k: ReadInfo(**v) for k, v in manifest.get("read_info", {}).items()})
    return Campaign(raw_folder, meta, tables, current, report, from_processed=True)
