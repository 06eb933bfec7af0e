"""Import survey-tool exports into the contract's ``survey_items`` and ``survey_responses``.

Supported exports
-----------------
* **LimeSurvey** CSV ("Export responses"): headers as *question code*
  (``coop[SQ001]``), *question code & text* (``coop[SQ001]. Je coopère…``) or full text,
  in English or French (``id`` / ``ID de la réponse``, ``submitdate`` / ``Date de
  soumission``, ``startdate`` / ``Date de lancement``…: see :data:`TOOL_METADATA`), ``,`` or
  ``;`` separated, answers as codes (``A1``…) or full texts. Incomplete responses (no
  submission date) are left out unless ``include_incomplete=True``.
* **KoboToolbox** CSV (``;``-separated, quoted): group paths in headers
  (``coop/coop1``), metadata columns ``_id, _uuid, _submission_time, _validation_status,
  _notes, _status, _submitted_by, __version__, _tags, _index``, an optional second
  header row of HXL tags (``#date+start``…) which is skipped, select-multiple questions
  expanded as one ``question/choice`` column per choice.
* **Excel** ``.xlsx`` sheets (one header row, one row per response).
* **SPSS** ``.sav`` files: numeric codes are replaced by their value labels, which the
  mapping then maps to codes (so a label like "Je ne sais pas" can be declared missing).

The mapping file (YAML)
-----------------------
Every column of the export must be accounted for: an item, one of the respondent
columns, ``ignore`` or ``free_text``; the usual metadata columns of LimeSurvey and
KoboToolbox (listed in :data:`TOOL_METADATA`) are ignored without being listed. A column
is given by name or by a list of alternative names (the first one present is used); a
name matches a header equal to it, the last segment of a KoboToolbox group path
(``grp/coop1`` matches ``coop1``), or a LimeSurvey "code. text" header. Case, spaces and
typographic apostrophes do not matter. ::

    respondent_id: code            # column identifying a person (optional: no column =
                                   # one new respondent per row, sequential ids)
    submitted_on: [submitdate, _submission_time]   # optional
    wave: 1                        # a constant, or {column: vague, values: {Avant: 1, Après: 2}}
    stakeholder_group:             # a constant code (members), or a column and its values
      column: profil
      values: {Sociétaire: members, Partenaire: partners}
    actor_id: null                 # optional column holding actor ids of the campaign
    pseudonymise: hash             # hash (salted, stable across waves) or sequential
    ignore: [startdate, "services*"]   # columns left out on purpose (glob patterns allowed)
    free_text: [commentaire]       # free-text answers: never imported
    missing: ["Je ne sais pas"]    # answers that mean "no answer"
    answers:                       # named answer sets: answer text or code -> code
      accord: {"Pas du tout d'accord": 1, "Tout à fait d'accord": 5, A1: 1, A5: 5}
    items:                         # item_id -> its description (order kept)
      coop_1:
        column: ["coop[SQ001]", coop1]
        scale: cooperation
        text: "Je coopère avec d'autres acteurs du territoire."
        reverse: false             # default false
        min: 1                     # defaults 1 and 5
        max: 5
        answers: accord            # a set's name or an inline mapping; numbers are always
                                   # accepted as codes when within [min, max]

``tests/fixtures/survey_exports/mapping.yml`` is a complete, commented example.

What is guaranteed
------------------
* Unmapped columns, unmapped answer texts, unknown groups, out-of-range codes, missing
  identifiers and duplicated respondents are reported **together**, in one
  :class:`SurveyImportError`; nothing is returned or written until the mapping is complete.
* Respondent identifiers never leave the import: they are replaced by ``R`` + 10 hex
  digits of a salted SHA-256 (``hash``: the same person gets the same id in every wave
  imported with the same salt) or by ``R0001…`` in file order (``sequential``).
* Free-text columns are dropped.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rd_methods.errors import RdMethodsError

__all__ = [
    "TOOL_METADATA",
    "SurveyImportError",
    "SurveyExport",
    "ImportResult",
    "load_mapping",
    "read_export",
    "import_export",
    "write_survey_tables",
]

STAKEHOLDER_GROUPS = ("beneficiaries", "employees", "volunteers", "members", "partners", "local_authorities", "territory")
ITEM_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

#: Metadata columns of LimeSurvey (English and French headers) and KoboToolbox exports,
#: ignored unless the mapping uses them. LimeSurvey's "Export responses" writes its
#: response-table fields first (``id, submitdate, lastpage, startlanguage, seed, startdate,
#: datestamp, ipaddr, refurl``, with timings and token when enabled), headed by their
#: code or by their label in the interface language (English: "Response ID", "Date
#: submitted", "Last page", "Start language", "Seed", "Date started", "Date last action",
#: "IP address", "Referrer URL"; French: « ID de la réponse », « Date de soumission »,
#: « Dernière page », « Langue de départ », « Tête de série », « Date de lancement »,
#: « Date de la dernière action », « Adresse IP », « URL de provenance »).
TOOL_METADATA = (
    # LimeSurvey, question-code headers
    "id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr",
    "refurl", "token", "interviewtime", "optin",
    # LimeSurvey, full headers (English, French)
    "Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
    "Date last action", "IP address", "Referrer URL", "Token", "Total time",
    "ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ", "Tête de série",
    "Date de lancement", "Date de la dernière action", "Adresse IP", "URL de provenance",
    "Date de début", "URL référente", "Jeton", "Code d'invitation", "Durée totale",
    # KoboToolbox
    "start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber",
    "audit", "audit_URL", "__version__", "_id", "_uuid", "_submission_time", "_validation_status",
    "_notes", "_status", "_submitted_by", "_tags", "_index", "_attachments", "_geolocation",
    "meta/instanceID", "meta/rootUuid", "meta/deprecatedID", "formhub/uuid", "instanceID",
)


#: LimeSurvey's submission-date column (empty for an incomplete response), by header language.
LIMESURVEY_SUBMITDATE = ("submitdate", "Date submitted", "Date de soumission")


class SurveyImportError(RdMethodsError):
    """An export that the mapping does not fully describe; ``problems`` lists them all."""

    def __init__(self, problems: Sequence[str], source: str = "export"):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"{source} : {len(self.problems)} problème(s), rien n'a été écrit :\n{lines}",
            "compléter le fichier de correspondance (colonnes, réponses, groupes) puis relancer",
        )


@dataclass
class SurveyExport:
    """Cells of an export as text (``frame``, index = row in the file), and what it is."""

    frame: pd.DataFrame
    path: str
    format: str  # csv, xlsx or sav
    tool: str  # limesurvey, kobotoolbox or unknown
    info: str = ""


@dataclass
class ImportResult:
    """Contract tables built from an export, and what was left out."""

    items: pd.DataFrame
    responses: pd.DataFrame
    source: SurveyExport
    ignored_columns: list[str] = field(default_factory=list)
    free_text_columns: list[str] = field(default_factory=list)
    #: incomplete responses (LimeSurvey: no submission date) found in the export
    n_incomplete: int = 0
    #: whether they were kept (``include_incomplete``); kept ones are flagged in ``incomplete``
    incomplete_kept: bool = False
    #: one bool per row of ``responses``: True for an incomplete response kept
    incomplete: pd.Series | None = None

    def describe(self) -> str:
        """One French line about the import."""
        waves = ", ".join(str(w) for w in sorted(self.responses["wave"].unique()))
        text = (
            f"{len(self.responses)} réponses ({self.source.tool}, {self.source.format}, vague(s) {waves}), "
            f"{len(self.items)} items ; {len(self.ignored_columns)} colonne(s) ignorée(s), "
            f"{len(self.free_text_columns)} colonne(s) de texte libre écartée(s)"
        )
        if self.n_incomplete and self.incomplete_kept:
            text += (f" ; dont {self.n_incomplete} réponse(s) incomplète(s) (sans date de soumission) conservée(s), "
                     "repérables à leur submitted_on vide")
        elif self.n_incomplete:
            text += (f" ; {self.n_incomplete} réponse(s) incomplète(s) (sans date de soumission) écartée(s) "
                     "(--include-incomplete pour les garder)")
        return text


# --------------------------------------------------------------------------- text helpers
def _norm(text: Any) -> str:
    """Normalise a header or an answer for matching: NFC, apostrophes, spaces, case."""
    s = unicodedata.normalize("NFC", str(text))
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", s).strip().casefold()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


# --------------------------------------------------------------------------- mapping
def load_mapping(mapping: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """Read a YAML mapping (path) or check a mapping given as a dict; return it normalised.

    Raises :class:`SurveyImportError` listing every problem of the mapping itself.
    """
    import yaml

    if isinstance(mapping, Mapping):
        raw = dict(mapping)
        source = "correspondance"
    else:
        path = Path(mapping)
        if not path.is_file():
            raise RdMethodsError(f"fichier de correspondance introuvable : {path}",
                                 "voir tests/fixtures/survey_exports/mapping.yml pour un exemple")
        try:
            raw = yaml.safe_load(path.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RdMethodsError(f"{path.name} n'est pas un YAML valide : {exc}") from exc
        source = path.name
    problems: list[str] = []
    answers = {name: {_norm(k): v for k, v in (spec or {}).items()} for name, spec in (raw.get("answers") or {}).items()}
    items = raw.get("items") or {}
    if not isinstance(items, Mapping) or not items:
        problems.append("« items » doit lister les items (item_id: {column, scale, text, …})")
        items = {}
    out_items = []
    for item_id, spec in items.items():
        spec = dict(spec or {})
        item_id = str(item_id)
        if not ITEM_ID.match(item_id):
            problems.append(f"item « {item_id} » : identifiant invalide (lettres, chiffres, _ ; pas d'espace)")
        if not spec.get("scale"):
            problems.append(f"item « {item_id} » : « scale » manquant")
        lo, hi = spec.get("min", 1), spec.get("max", 5)
        if not (isinstance(lo, int) and isinstance(hi, int) and hi > lo):
            problems.append(f"item « {item_id} » : min et max doivent être des entiers avec max > min")
            lo, hi = 1, 5
        codes = spec.get("answers")
        if isinstance(codes, str):
            if codes not in answers:
                problems.append(f"item « {item_id} » : jeu de réponses « {codes} » absent de « answers »")
            codes = answers.get(codes, {})
        elif isinstance(codes, Mapping):
            codes = {_norm(k): v for k, v in codes.items()}
        else:
            codes = {}
        bad = [f"{k!s} → {v!r}" for k, v in codes.items() if not (isinstance(v, int) and lo <= v <= hi)]
        if bad:
            problems.append(f"item « {item_id} » : codes hors de [{lo}, {hi}] dans ses réponses : {', '.join(bad)}")
        out_items.append({
            "item_id": item_id, "column": _as_list(spec.get("column", item_id)), "scale": str(spec.get("scale", "")),
            "text": str(spec.get("text", "")), "reverse": bool(spec.get("reverse", False)),
            "min": lo, "max": hi, "answers": codes,
        })
    group = raw.get("stakeholder_group")
    if group is None:
        problems.append("« stakeholder_group » manquant : un code (members…) ou {column, values}")
    elif isinstance(group, str):
        if group not in STAKEHOLDER_GROUPS:
            problems.append(f"stakeholder_group « {group} » inconnu ; codes : {', '.join(STAKEHOLDER_GROUPS)}")
    else:
        for label, code in (group.get("values") or {}).items():
            if code not in STAKEHOLDER_GROUPS:
                problems.append(f"stakeholder_group : « {label} » → « {code} » n'est pas un code du contrat "
                                f"({', '.join(STAKEHOLDER_GROUPS)})")
    method = raw.get("pseudonymise", "hash")
    if method not in ("hash", "sequential"):
        problems.append(f"pseudonymise « {method} » : valeurs possibles hash ou sequential")
    if problems:
        raise SurveyImportError(problems, source)
    return {
        "respondent_id": _as_list(raw.get("respondent_id")),
        "submitted_on": _as_list(raw.get("submitted_on")),
        "actor_id": _as_list(raw.get("actor_id")),
        "wave": raw.get("wave", 1),
        "stakeholder_group": group,
        "pseudonymise": method,
        "ignore": _as_list(raw.get("ignore")),
        "free_text": _as_list(raw.get("free_text")),
        "missing": {_norm(v) for v in _as_list(raw.get("missing"))},
        "items": out_items,
    }


# --------------------------------------------------------------------------- reading
def _drop_tag_row(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop KoboToolbox's optional HXL tag row (every filled cell starts with '#')."""
    if frame.empty:
        return frame
    first = frame.iloc[0].dropna().astype(str)
    if len(first) and first.str.startswith("#").all():
        return frame.iloc[1:]
    return frame


def _tool(columns: Sequence[str]) -> str:
    names = {_norm(c) for c in columns}
    if names & {"_uuid", "_submission_time", "_id", "__version__"}:
        return "kobotoolbox"
    if names & {"submitdate", "lastpage", "startlanguage", "date submitted", "date de soumission",
                "response id", "id de la réponse", "dernière page"}:
        return "limesurvey"
    return "unknown"


def _text(v: Any) -> str | None:
    """A native cell (SPSS number, date) as text; integral floats without decimals."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    text = str(v).strip()
    return text or None


def _read_sav(path: Path) -> pd.DataFrame:
    import pyreadstat

    from rd_methods.readers import ReadError

    try:
        df, meta = pyreadstat.read_sav(str(path))
    except Exception as exc:  # pyreadstat raises its own error family
        raise ReadError(f"fichier SPSS illisible : {exc}", "l'exporter à nouveau depuis SPSS") from exc
    labels = meta.variable_value_labels or {}
    out = {}
    for col in df.columns:
        names = labels.get(col, {})
        cells = []
        for v in df[col].tolist():
            if v is not None and not (isinstance(v, float) and np.isnan(v)) and names:
                key = v
                if isinstance(v, float) and v.is_integer():
                    key = int(v)
                if key in names or v in names:
                    cells.append(str(names.get(key, names.get(v))))
                    continue
            cells.append(_text(v))
        out[col] = cells
    frame = pd.DataFrame(out, dtype=object)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame


def read_export(path: str | os.PathLike[str], *, sheet: str | None = None) -> SurveyExport:
    """Read a survey-tool export into text cells (see the module docstring for formats).

    The index of ``frame`` is the row number as the user sees it in the file (case
    number for SPSS), so that problems point at real rows.
    """
    from rd_methods.readers import read_table

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".sav":
        frame, fmt, info = _read_sav(path), "sav", "SPSS"
    else:
        frame, read_info = read_table(path, sheet=sheet)
        fmt, info = read_info.format, read_info.describe()
        frame = _drop_tag_row(frame)
    frame = frame.astype(object).where(frame.notna(), None)
    tool = "spss" if fmt == "sav" else _tool(frame.columns)
    return SurveyExport(frame=frame, path=str(path), format=fmt, tool=tool, info=info)


# --------------------------------------------------------------------------- import
def _matches(header: str, name: str) -> bool:
    h, n = _norm(header), _norm(name)
    return h == n or h.rsplit("/", 1)[-1] == n or any(h.startswith(n + sep) for sep in (". ", ": ", " - "))


def _find(columns: Sequence[str], names: Sequence[str], what: str, problems: list[str]) -> str | None:
    """First of ``names`` matching exactly one column; problems when none or several."""
    for name in names:
        hits = [c for c in columns if _norm(c) == _norm(name)] or [c for c in columns if _matches(c, name)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            problems.append(f"{what} : « {name} » désigne plusieurs colonnes ({', '.join(hits)}) ; donner le nom exact")
            return None
    if names:
        problems.append(f"{what} : aucune colonne « {' » ou « '.join(names)} » dans l'export")
    return None


def _rows(index: Sequence[Any], limit: int = 6) -> str:
    shown = ", ".join(str(i) for i in list(index)[:limit])
    return shown + (f"… ({len(index)} lignes)" if len(index) > limit else "")


def _dates(values: pd.Series) -> tuple[pd.Series, list[Any]]:
    out, bad = [], []
    for row, v in values.items():
        if v is None:
            out.append(None)
            continue
        text = str(v).strip()
        m = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
        d = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})", text)
        try:
            if m:
                out.append(pd.Timestamp(int(m[1]), int(m[2]), int(m[3])).date().isoformat())
            elif d:
                out.append(pd.Timestamp(int(d[3]), int(d[2]), int(d[1])).date().isoformat())
            else:
                raise ValueError(text)
        except ValueError:
            out.append(None)
            bad.append(row)
    return pd.Series(out, index=values.index, dtype=object), bad


def _pseudonym(raw_id: str, salt: str) -> str:
    return "R" + hashlib.sha256(f"{salt}\x1f{raw_id}".encode()).hexdigest()[:10].upper()


def import_export(
    export: SurveyExport | str | os.PathLike[str],
    mapping: str | os.PathLike[str] | Mapping[str, Any],
    *,
    wave: int | None = None,
    salt: str | None = None,
    pseudonymise: str | None = None,
    include_incomplete: bool = False,
) -> ImportResult:
    """Turn a survey-tool export into ``survey_items`` and ``survey_responses``.

    Parameters
    ----------
    export : SurveyExport or path
        An export read by :func:`read_export`, or its path.
    mapping : path or dict
        The YAML mapping (format in the module docstring).
    wave : int, optional
        Wave of every response; overrides the mapping's ``wave``.
    salt : str, optional
        Secret salt of the hashed pseudonyms (required with ``pseudonymise: hash``;
        default the environment variable ``RD_METHODS_SURVEY_SALT``). Keep it with the
        campaign, never in the repository: it is what makes ids impossible to reverse
        by guessing, and the same salt links the waves.
    pseudonymise : {"hash", "sequential"}, optional
        Overrides the mapping's method. ``sequential`` numbers the responses ``R0001…``
        in the order of the rows of the file.
    include_incomplete : bool
        LimeSurvey writes a response as soon as a respondent leaves the first page;
        one that was never submitted has an empty submission date (``submitdate``,
        "Date submitted", « Date de soumission »). Such responses are left out by default
        (``ImportResult.n_incomplete`` counts them, :meth:`ImportResult.describe` says
        so); with ``True`` they are kept, flagged in ``ImportResult.incomplete`` and by
        an empty ``submitted_on``. When the mapping gives no ``submitted_on``, the
        LimeSurvey submission date is used.

    Returns
    -------
    ImportResult
        ``items`` (``item_id, scale, text, reverse, min, max``) and ``responses``
        (``respondent_id, wave, stakeholder_group, actor_id, submitted_on``, then one
        ``Int64`` column per item), sorted by wave and respondent.

    Raises
    ------
    SurveyImportError
        Listing every problem at once: unmapped columns, unmapped answer texts (with
        their rows), unknown groups, codes out of range, duplicated respondents.

    Examples
    --------
    >>> res = import_export("tests/fixtures/survey_exports/limesurvey_en.csv",
    ...                     "tests/fixtures/survey_exports/mapping.yml", salt="s")  # doctest: +SKIP
    """
    spec = load_mapping(mapping)
    if not isinstance(export, SurveyExport):
        export = read_export(export)
    frame = export.frame
    columns = list(frame.columns)
    problems: list[str] = []
    used: dict[str, str] = {}  # column -> role

    # incomplete responses (LimeSurvey: empty submission date), left out unless asked for
    submit_names = {_norm(c) for c in LIMESURVEY_SUBMITDATE}
    submit_col = next((c for c in columns if _norm(c) in submit_names), None) if export.tool == "limesurvey" else None
    incomplete = pd.Series(False, index=frame.index)
    if submit_col is not None:
        incomplete = frame[submit_col].map(lambda v: v is None or str(v).strip() == "")
        if not spec["submitted_on"]:
            spec = {**spec, "submitted_on": [submit_col]}
    n_incomplete = int(incomplete.sum())
    if n_incomplete and not include_incomplete:
        frame = frame.loc[~incomplete]
        incomplete = incomplete.loc[frame.index]

    def take(names, what):
        col = _find(columns, names, what, problems)
        if col is not None:
            used[col] = what
        return col

    # respondent columns
    id_col = take(spec["respondent_id"], "respondent_id") if spec["respondent_id"] else None
    date_col = take(spec["submitted_on"], "submitted_on") if spec["submitted_on"] else None
    actor_col = take(spec["actor_id"], "actor_id") if spec["actor_id"] else None
    n = len(frame)

    # wave
    wave_spec = spec["wave"]
    if wave is not None:
        waves = pd.Series(int(wave), index=frame.index)
    elif isinstance(wave_spec, Mapping):
        col = take(_as_list(wave_spec.get("column")), "wave")
        values = {_norm(k): v for k, v in (wave_spec.get("values") or {}).items()}
        waves = pd.Series(1, index=frame.index)
        if col is not None:
            unknown: dict[str, list] = {}
            for row, v in frame[col].items():
                key = _norm(v) if v is not None else ""
                if key in values:
                    waves[row] = int(values[key])
                elif _number(key) is not None and float(_number(key)).is_integer():
                    waves[row] = int(_number(key))
                else:
                    unknown.setdefault(str(v), []).append(row)
            for text, rows in unknown.items():
                problems.append(f"wave (colonne « {col} ») : valeur « {text} » sans vague (lignes {_rows(rows)})")
    else:
        waves = pd.Series(int(wave_spec), index=frame.index)

    # stakeholder group
    group_spec = spec["stakeholder_group"]
    if isinstance(group_spec, str):
        groups = pd.Series(group_spec, index=frame.index, dtype=object)
    else:
        col = take(_as_list(group_spec.get("column")), "stakeholder_group")
        values = {_norm(k): v for k, v in (group_spec.get("values") or {}).items()}
        values.update({g: g for g in STAKEHOLDER_GROUPS})
        groups = pd.Series(None, index=frame.index, dtype=object)
        if col is not None:
            unknown = {}
            for row, v in frame[col].items():
                key = _norm(v) if v is not None else ""
                if key in values:
                    groups[row] = values[key]
                else:
                    unknown.setdefault("(vide)" if v is None else str(v), []).append(row)
            for text, rows in unknown.items():
                problems.append(
                    f"stakeholder_group (colonne « {col} ») : réponse « {text} » sans code de groupe (lignes {_rows(rows)})"
                )

    # items
    answers: dict[str, pd.Series] = {}
    for item in spec["items"]:
        col = take(item["column"], f"item {item['item_id']}")
        if col is None:
            continue
        codes = item["answers"]
        unknown, out_of_range = {}, {}
        values = pd.Series(pd.NA, index=frame.index, dtype="Int64")
        for row, v in frame[col].items():
            if v is None:
                continue
            key = _norm(v)
            if key == "" or key in spec["missing"]:
                continue
            if key in codes:
                values[row] = int(codes[key])
                continue
            number = _number(key)
            if number is not None and number.is_integer():
                if item["min"] <= number <= item["max"]:
                    values[row] = int(number)
                else:
                    out_of_range.setdefault(str(v), []).append(row)
                continue
            unknown.setdefault(str(v), []).append(row)
        if unknown:
            listed = "; ".join(f"« {t} » (lignes {_rows(r)})" for t, r in sorted(unknown.items()))
            problems.append(f"item {item['item_id']} (colonne « {col} ») : réponses sans code : {listed}")
        if out_of_range:
            listed = "; ".join(f"« {t} » (lignes {_rows(r)})" for t, r in sorted(out_of_range.items()))
            problems.append(
                f"item {item['item_id']} (colonne « {col} ») : codes hors de [{item['min']}, {item['max']}] : {listed}"
            )
        answers[item["item_id"]] = values

    # every other column must be ignored, free text or tool metadata
    def listed(column: str, patterns: Sequence[str]) -> bool:
        return any(fnmatch.fnmatchcase(_norm(column), _norm(p)) or _matches(column, p) for p in patterns)

    free_text = [c for c in columns if c not in used and listed(c, spec["free_text"])]
    meta = {_norm(m) for m in TOOL_METADATA}
    ignored = [c for c in columns
               if c not in used and c not in free_text and (_norm(c) in meta or listed(c, spec["ignore"]))]
    unmapped = [c for c in columns if c not in used and c not in free_text and c not in ignored]
    if unmapped:
        problems.insert(0, "colonnes non décrites dans la correspondance (à mettre dans items, ignore ou free_text) : "
                        + ", ".join(f"« {c} »" for c in unmapped))

    # identifiers
    method = pseudonymise or spec["pseudonymise"]
    if method not in ("hash", "sequential"):
        raise ValueError("pseudonymise must be 'hash' or 'sequential'")
    salt = salt if salt is not None else os.environ.get("RD_METHODS_SURVEY_SALT")
    if id_col is None and spec["respondent_id"] == [] and method == "hash":
        method = "sequential"  # nothing to hash: one respondent per row
    if method == "hash" and not salt:
        problems.append("pseudonymise: hash demande un sel secret (--salt, RD_METHODS_SURVEY_SALT ou paramètre salt)")
    raw_ids = None
    if id_col is not None:
        raw_ids = frame[id_col].map(lambda v: None if v is None else str(v).strip())
        empty = raw_ids.index[raw_ids.isna() | (raw_ids == "")].tolist()
        if empty:
            problems.append(f"respondent_id (colonne « {id_col} ») vide aux lignes {_rows(empty)}")
        keys = pd.DataFrame({"id": raw_ids.map(lambda s: None if s is None else _norm(s)), "wave": waves})
        dup = keys.dropna().duplicated(keep=False)
        if dup.any():
            problems.append(f"respondent_id (colonne « {id_col} ») : même répondant deux fois dans une vague "
                            f"(lignes {_rows(dup[dup].index.tolist())})")
    dates = pd.Series(None, index=frame.index, dtype=object)
    if date_col is not None:
        dates, bad = _dates(frame[date_col])
        if date_col == submit_col:  # an incomplete response kept has no date: not an error
            bad = [row for row in bad if not incomplete.get(row, False)]
        if bad:
            problems.append(f"submitted_on (colonne « {date_col} ») : date illisible aux lignes {_rows(bad)}")

    if problems:
        raise SurveyImportError(problems, Path(export.path).name)

    if method == "hash":
        ids = raw_ids.map(lambda s: _pseudonym(_norm(s), salt))
    else:  # numbered in the order of the rows of the file
        width = max(4, len(str(n)))
        ids = pd.Series([f"R{i:0{width}d}" for i in range(1, n + 1)], index=frame.index)
    responses = pd.DataFrame({
        "respondent_id": ids.astype(str).to_numpy(),
        "wave": waves.astype("int64").to_numpy(),
        "stakeholder_group": groups.to_numpy(),
        "actor_id": frame[actor_col].to_numpy() if actor_col else None,
        "submitted_on": dates.to_numpy(),
    })
    for item_id, values in answers.items():
        responses[item_id] = values.reset_index(drop=True).astype("Int64")
    flags = pd.Series(incomplete.to_numpy(dtype=bool))
    order = responses.sort_values(["wave", "respondent_id"], kind="stable").index
    responses = responses.loc[order].reset_index(drop=True)
    flags = flags.loc[order].reset_index(drop=True).rename("incomplete")
    items = pd.DataFrame(
        [{k: it[k] for k in ("item_id", "scale", "text", "reverse", "min", "max")} for it in spec["items"]]
    )
    return ImportResult(items=items, responses=responses, source=export,
                        ignored_columns=ignored, free_text_columns=free_text, n_incomplete=n_incomplete,
                        incomplete_kept=bool(include_incomplete), incomplete=flags)


# --------------------------------------------------------------------------- writing
def _csv_text(frame: pd.DataFrame) -> str:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "true", False: "false"})
    return out.to_csv(index=False, lineterminator="\n")


def write_survey_tables(
    folder: str | os.PathLike[str],
    result: ImportResult,
    *,
    force: bool = False,
    append: bool = False,
) -> list[Path]:
    """Write ``survey_items.csv`` and ``survey_responses.csv`` into a campaign folder.

    Each file is written to a temporary file in the same folder, then moved into place
    (``os.replace``, atomic on one file system); both temporary files are complete
    before either replaces anything, so a crash leaves the previous tables intact.

    Parameters
    ----------
    folder : path
        The campaign folder (holding ``campaign.yml``).
    result : ImportResult
        From :func:`import_export`.
    force : bool
        Replace existing survey tables.
    append : bool
        Add these responses (typically a new wave) to the existing ``survey_responses``;
        the items must be the same and no (respondent, wave) may repeat.

    Returns
    -------
    list of Path
        The files written.
    """
    folder = Path(folder)
    items_path, responses_path = folder / "survey_items.csv", folder / "survey_responses.csv"
    existing = [p for p in (items_path, responses_path) if p.exists()]
    responses = result.responses
    if append:
        if not responses_path.exists() or not items_path.exists():
            raise RdMethodsError("--append : pas encore de tables d'enquête dans la campagne", "importer d'abord sans --append")
        old_items = pd.read_csv(items_path, dtype=str, keep_default_na=False)
        new_items = pd.read_csv(pd.io.common.StringIO(_csv_text(result.items)), dtype=str, keep_default_na=False)
        cols = ["item_id", "scale", "reverse", "min", "max"]
        if not old_items[cols].reset_index(drop=True).equals(new_items[cols].reset_index(drop=True)):
            raise RdMethodsError("--append : les items diffèrent de ceux de survey_items.csv",
                                 "utiliser la même correspondance que pour la vague précédente")
        old = pd.read_csv(responses_path, dtype=str, keep_default_na=False, na_values=[""])
        new = pd.read_csv(pd.io.common.StringIO(_csv_text(responses)), dtype=str, keep_default_na=False, na_values=[""])
        both = pd.concat([old, new], ignore_index=True)
        dup = both.duplicated(subset=["respondent_id", "wave"], keep=False)
        if dup.any():
            waves = sorted(set(both.loc[dup, "wave"]))
            raise RdMethodsError(f"--append : {int(dup.sum()) // 2} répondant(s) déjà présents dans la vague {', '.join(waves)}",
                                 "vérifier --wave, ou utiliser --force pour remplacer les tables")
        both["_w"] = both["wave"].astype(int)
        responses_text = both.sort_values(["_w", "respondent_id"], kind="stable").drop(columns="_w").to_csv(
            index=False, lineterminator="\n")
    else:
        if existing and not force:
            raise RdMethodsError(
                f"{', '.join(p.name for p in existing)} existe(nt) déjà dans {folder}",
                "--force pour remplacer, --append pour ajouter une vague",
            )
        responses_text = _csv_text(responses)
    written = []
    temps = []
    try:
        for path, text in ((items_path, _csv_text(result.items)), (responses_path, responses_text)):
            fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=folder)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            temps.append((tmp, path))
        for tmp, path in temps:
            os.replace(tmp, path)
            written.append(path)
    finally:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return written
