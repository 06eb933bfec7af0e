"""Robust table readers for campaign files as real exports arrive.

:func:`read_table` reads a ``.csv``, ``.xlsx`` (or SPSS ``.sav`` / Stata ``.dta``) file into
a DataFrame of **text cells** (pandas ``str``, empty cell = missing) and says what it
detected in a :class:`ReadInfo`: encoding, delimiter, decimal mark, header row, sheet.
Typing (numbers, dates, booleans) is the job of :mod:`rd_methods.schemas`, which needs the
detected decimal mark and reports a bad cell with its row as the user sees it in the file.

What a CSV may look like:

- encoding UTF-8 (with or without BOM), Windows-1252 or Latin-1 (UTF-8 is preferred
  whenever the bytes are valid UTF-8; otherwise charset-normalizer decides);
- delimiter ``,`` or ``;`` (or tab), counted on the header line;
- decimal comma (``12,5``), detected on the data cells;
- dates ``2025-03-14`` or ``14/03/2025`` (day first): parsed by :func:`parse_dates`.

An Excel sheet may carry title rows (merged or not) above the header: the header row is
the first row that holds the expected columns when they are given, else the first row
whose cells are mostly non-empty text.

The index of the returned DataFrame is the **row number in the file** as the user sees
it: in a CSV the header is row 1 (when there is no title line), in a sheet it is the
Excel row number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from pathlib import Path

import numpy as np
import pandas as pd

from rd_methods.errors import RdMethodsError

__all__ = [
    "ReadInfo",
    "ReadError",
    "read_table",
    "read_workbook",
    "workbook_sheets",
    "detect_encoding",
    "parse_numbers",
    "parse_number_text",
    "parse_dates",
    "parse_bools",
    "SUPPORTED_SUFFIXES",
]

SUPPORTED_SUFFIXES = (".csv", ".xlsx", ".sav", ".dta")

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_WESTERN = {"utf_8", "utf-8", "ascii", "cp1252", "windows-1252", "latin_1", "latin-1", "iso8859_1",
            "iso-8859-1", "iso8859_15", "iso-8859-15", "cp1250", "mac_roman"}
_HEADER_SCAN_ROWS = 30
_NBSP = "\u00a0\u202f"  # no-break and narrow no-break spaces (real characters: pyarrow regexes lack \u escapes)


class ReadError(RdMethodsError):
    """A file that cannot be read as a table (empty, binary, wrong format...)."""


@dataclass(frozen=True)
class ReadInfo:
    """What :func:`read_table` detected about one file.

    Attributes
    ----------
    path : str
        File read.
    format : str
        ``csv``, ``xlsx``, ``sav`` or ``dta``.
    encoding, delimiter, decimal : str or None
        Detected text encoding, field delimiter and decimal mark (CSV only; ``decimal`` is
        ``"."`` for binary formats, whose numbers are native).
    header_row : int
        Row number of the header in the file (1 = first line / first sheet row).
    sheet : str or None
        Sheet read (Excel only).
    n_rows : int
        Number of data rows (blank lines excluded).
    """

    path: str
    format: str
    encoding: str | None
    delimiter: str | None
    decimal: str
    header_row: int
    sheet: str | None
    n_rows: int

    def describe(self) -> str:
        """One-line human summary, e.g. ``csv, cp1252, ';', décimale ',', en-tête ligne 1``."""
        parts = [self.format]
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.encoding:
            parts.append(f"encodage {self.encoding}")
        if self.delimiter:
            parts.append("séparateur " + ("tabulation" if self.delimiter == "\t" else f"« {self.delimiter} »"))
        if self.format == "csv":
            parts.append(f"décimale « {self.decimal} »")
        parts.append(f"en-tête ligne {self.header_row}")
        parts.append(f"{self.n_rows} lignes")
        return ", ".join(parts)

    def to_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- encoding
def detect_encoding(raw: bytes) -> str:
    """Return the text encoding of ``raw`` bytes.

    UTF-8 with BOM gives ``"utf-8-sig"``; bytes that decode as UTF-8 give ``"utf-8"``;
    otherwise charset-normalizer's best guess among Western encodings, falling back to
    ``"cp1252"``. Raises :class:`ReadError` for binary content (NUL or many control bytes).

    Examples
    --------
    >>> detect_encoding("Société;café".encode("cp1252"))
    'cp1252'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    sample = raw[:200_000]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if b"\x00" in sample or (sample and controls / len(sample) > 0.01):
        raise ReadError(
            "contenu binaire illisible (ce n'est pas un fichier texte CSV)",
            "exporter la table en CSV (UTF-8 ou Windows-1252) ou en .xlsx",
        )
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is not None and best.encoding.lower().replace("-", "_") in {e.replace("-", "_") for e in _WESTERN}:
        enc = best.encoding.lower()
        # charset-normalizer reports latin-1 / mac_roman for most cp1252 text: cp1252 is the
        # superset used by Windows exports, keep it whenever it decodes.
        if enc in {"latin_1", "iso8859_1", "mac_roman", "cp1250", "iso8859_15"}:
            try:
                raw.decode("cp1252")
                return "cp1252"
            except UnicodeDecodeError:
                return enc
        return enc
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        pass
    raise ReadError(
        "encodage illisible (ni UTF-8 ni Windows-1252 / Latin-1)",
        "réenregistrer le fichier en CSV UTF-8",
    )


# --------------------------------------------------------------------------- header detection
def _find_header(rows: Sequence[Sequence[str | None]], expected: Iterable[str] | None) -> int:
    """Index (0-based, in ``rows``) of the header row."""
    expected = [e.strip().lower() for e in expected or []]
    if expected:
        best, best_hits = None, 0
        for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
            cells = {str(c).strip().lower() for c in row if c is not None and str(c).strip()}
            hits = sum(e in cells for e in expected)
            if hits == len(expected):
                return i
            if hits > best_hits:
                best, best_hits = i, hits
        if best is not None and best_hits >= max(1, len(expected) // 2):
            return best
    # first row whose cells are mostly non-empty, non-numeric text, and as wide as the data
    width = max((sum(1 for c in r if c is not None and str(c).strip()) for r in rows[:_HEADER_SCAN_ROWS]), default=0)
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
        texts = [c for c in cells if not _looks_numeric(c)]
        if cells and len(cells) >= max(1, 0.5 * width) and len(texts) >= 0.8 * len(cells):
            return i
    return 0


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"-?[\d\s.,]+", text))


# --------------------------------------------------------------------------- CSV
def _read_csv(path: Path, expected: Sequence[str] | None) -> tuple[pd.DataFrame, ReadInfo]:
    raw = path.read_bytes()
    if not raw.strip():
        raise ReadError("fichier vide (pas même une ligne d'en-tête)", "écrire au moins la ligne d'en-tête des colonnes")
    if raw.startswith(_ZIP_MAGIC):
        raise ReadError(
            "ce fichier .csv est en réalité un classeur Excel (.xlsx)",
            f"renommer {path.name} en {path.stem}.xlsx, ou l'exporter au format CSV",
        )
    if raw.startswith(_OLE_MAGIC):
        raise ReadError(
            "ce fichier .csv est en réalité un classeur Excel ancien (.xls)",
            "l'ouvrir dans un tableur et l'enregistrer en .xlsx ou en CSV",
        )
    encoding = detect_encoding(raw)
    text = raw.decode(encoding)
    lines = text.splitlines()
    # header: scan the first lines split on the most frequent delimiter of each
    head = lines[:_HEADER_SCAN_ROWS]

    def _delim(line: str) -> str:
        counts = {d: line.count(d) for d in (";", ",", "\t")}
        return max(counts, key=lambda d: (counts[d], d == ","))

    first = next((ln for ln in head if ln.strip()), "")
    delimiter = _delim(first)
    split = [next(csv.reader([ln], delimiter=delimiter)) if ln.strip() else [] for ln in head]
    header_idx = _find_header(split, expected)
    if header_idx > 0:  # title lines above: take the delimiter of the header line itself
        delimiter = _delim(head[header_idx])
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skiprows=header_idx,
            skip_blank_lines=False,
            skipinitialspace=True,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise ReadError(f"CSV mal formé : {exc}", "vérifier le séparateur et les guillemets du fichier") from exc
    header_row = header_idx + 1
    df.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(df), name="row")
    df = _tidy(df)
    decimal = _detect_decimal(df)
    info = ReadInfo(str(path), "csv", encoding, delimiter, decimal, header_row, None, len(df))
    return df, info


def _detect_decimal(df: pd.DataFrame) -> str:
    """Decimal mark of a CSV: ``","`` when more cells are unambiguous decimal-comma numbers
    (``12,5``, ``1 650,00``, ``1.650,5``) than unambiguous decimal-point ones; ambiguous cells
    (``1,650``, ``1.650``: thousands or decimals?) count for neither."""
    comma = dot = 0
    ambiguous = r"-?[1-9]\d{0,2}[.,]\d{3}"
    for col in df.columns:
        s = df[col].dropna()
        if s.empty:
            continue
        s = s.iloc[:2000]
        amb = s.str.fullmatch(ambiguous)
        comma += int((s.str.fullmatch(r"-?\d[\d\s" + _NBSP + r"'.]*,\d+") & ~amb).sum())
        dot += int((s.str.fullmatch(r"-?\d[\d\s" + _NBSP + r"',]*\.\d+") & ~amb).sum())
    return "," if comma > dot else "."


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Strip names and cells, empty -> NaN, drop blank rows and unnamed empty columns."""
    df = df.rename(columns=lambda c: str(c).strip().lstrip("\ufeff"))
    keep = [c for c in df.columns if not (c.startswith("Unnamed:") and df[c].isna().all()) and c != ""]
    df = df[keep]
    out = {}
    for col in df.columns:
        s = df[col].astype("str")
        s = s.str.strip()
        out[col] = s.mask(s == "")
    df = pd.DataFrame(out, index=df.index, columns=list(df.columns)) if out else df
    if len(df.columns):
        df = df[df.notna().any(axis=1)]
    return df


# --------------------------------------------------------------------------- Excel
def _cell_text(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    text = str(v).strip()
    return text or None


def _open_workbook(path: Path):
    import zipfile

    from openpyxl import load_workbook

    if path.stat().st_size == 0:
        raise ReadError("fichier vide", "exporter la table à nouveau")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ReadError(
            "classeur Excel illisible (fichier corrompu ou pas un .xlsx)",
            "l'ouvrir dans un tableur et l'enregistrer à nouveau en .xlsx",
        ) from exc


def _sheet_frame(path: Path, ws, sheet: str, expected: Sequence[str] | None) -> tuple[pd.DataFrame, ReadInfo]:
    """Text cells of one worksheet; ``df.attrs["column_letters"]`` maps each column to its letter."""
    from openpyxl.utils import get_column_letter

    rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(min_row=1, values_only=True)]
    if not any(any(c is not None for c in r) for r in rows):
        raise ReadError(f"feuille « {sheet} » vide", "mettre la ligne d'en-tête et les données sur la première feuille")
    header_idx = _find_header(rows, expected)
    header = [c if c is not None else f"Unnamed: {j}" for j, c in enumerate(rows[header_idx])]
    width = len(header)
    body = [list(r[:width]) + [None] * (width - len(r)) for r in rows[header_idx + 1:]]
    df = pd.DataFrame(body, columns=header, dtype=object)
    header_row = header_idx + 1
    df.index = pd.RangeIndex(header_row + 1, header_row + 1 + len(df), name="row")
    df = _tidy(df)
    letters = {}
    for j, c in enumerate(header):
        letters.setdefault(str(c).strip().lstrip("\ufeff"), get_column_letter(j + 1))
    df.attrs["column_letters"] = letters
    info = ReadInfo(str(path), "xlsx", None, None, ".", header_row, sheet, len(df))
    return df, info


def _read_xlsx(path: Path, expected: Sequence[str] | None, sheet: str | None, table: str | None) -> tuple[pd.DataFrame, ReadInfo]:
    wb = _open_workbook(path)
    try:
        names = wb.sheetnames
        if sheet is None:
            sheet = table if table in names else names[0]
        elif sheet not in names:
            raise ReadError(f"feuille « {sheet} » absente (feuilles : {', '.join(names)})")
        return _sheet_frame(path, wb[sheet], sheet, expected)
    finally:
        wb.close()


def workbook_sheets(path: str | Path) -> list[str]:
    """Names of the sheets of an ``.xlsx`` workbook (raises :class:`ReadError` if unreadable)."""
    wb = _open_workbook(Path(path))
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_workbook(
    path: str | Path, sheets: dict[str, Sequence[str] | None]
) -> dict[str, tuple[pd.DataFrame, ReadInfo] | ReadError]:
    """Read several sheets of one workbook, opening it once.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` workbook.
    sheets : dict
        Sheet name -> expected columns (to find the header row below label rows), or None.

    Returns
    -------
    dict
        Sheet name -> ``(df, info)`` as :func:`read_table` returns them, or the
        :class:`ReadError` of that sheet (absent, empty). ``df.attrs["column_letters"]``
        maps each header to its column letter (``D``), to name cells in errors.

    Examples
    --------
    >>> out = read_workbook("data/raw/x/tables.xlsx", {"actors": ["actor_id"]})  # doctest: +SKIP
    >>> df, info = out["actors"]                                                 # doctest: +SKIP
    """
    path = Path(path)
    wb = _open_workbook(path)
    out: dict[str, tuple[pd.DataFrame, ReadInfo] | ReadError] = {}
    try:
        names = set(wb.sheetnames)
        for sheet, expected in sheets.items():
            if sheet not in names:
                out[sheet] = ReadError(f"feuille « {sheet} » absente (feuilles : {', '.join(wb.sheetnames)})")
                continue
            try:
                out[sheet] = _sheet_frame(path, wb[sheet], sheet, expected)
            except ReadError as exc:
                out[sheet] = exc
    finally:
        wb.close()
    return out


# --------------------------------------------------------------------------- SPSS / Stata
def _read_stat(path: Path, kind: str) -> tuple[pd.DataFrame, ReadInfo]:
    import pyreadstat

    reader = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    try:
        df, _meta = reader(str(path))
    except Exception as exc:  # pyreadstat raises its own ReadstatError family
        raise ReadError(f"fichier {kind.upper()} illisible : {exc}", "l'exporter à nouveau depuis le logiciel statistique") from exc
    df = pd.DataFrame({c: [_cell_text(v) for v in df[c].tolist()] for c in df.columns}, dtype=object)
    df.index = pd.RangeIndex(1, len(df) + 1, name="row")  # case number
    df = _tidy(df)
    return df, ReadInfo(str(path), kind, None, None, ".", 0, None, len(df))


# --------------------------------------------------------------------------- entry point
def read_table(
    path: str | Path,
    *,
    expected_columns: Sequence[str] | None = None,
    sheet: str | None = None,
    table: str | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read one table file into text cells, detecting its format.

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx``, ``.sav`` or ``.dta`` file.
    expected_columns : sequence of str, optional
        Columns the table must have; used to find the header row below title rows.
    sheet : str, optional
        Excel sheet; default the sheet named like ``table``, else the first one.
    table : str, optional
        Contract table name (to pick the sheet).

    Returns
    -------
    df : DataFrame
        One ``str`` column per header cell (stripped; empty cell = missing), blank rows
        dropped; the index (``row``) is the row number in the file as the user sees it.
    info : ReadInfo
        What was detected.

    Raises
    ------
    ReadError
        Empty file, binary or undecodable content, a ``.csv`` that is an Excel file,
        unreadable workbook, unsupported suffix.

    Examples
    --------
    >>> df, info = read_table("data/raw/demo-2025/actors.csv")  # doctest: +SKIP
    >>> info.describe()  # doctest: +SKIP
    'csv, encodage utf-8, séparateur « , », décimale « . », en-tête ligne 1, 3012 lignes'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ReadError(f"fichier introuvable : {path}")
    if suffix == ".csv" or suffix == ".txt":
        return _read_csv(path, expected_columns)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, expected_columns, sheet, table)
    if suffix in (".sav", ".dta"):
        return _read_stat(path, suffix[1:])
    raise ReadError(
        f"format non pris en charge : {path.name}",
        "formats acceptés : " + ", ".join(SUPPORTED_SUFFIXES),
    )


# --------------------------------------------------------------------------- typing helpers
_SIGNED_RE = re.compile(r"([+\-\u2212]?)(.*)")
_PLAIN_RE = re.compile(r"(\d*)([.,])(\d+)")
_SPACE_GROUPED_RE = re.compile(r"(\d{1,3}(?:[ " + _NBSP + r"']\d{3})+)(?:([.,])(\d+))?")
_MARK_GROUPED_RE = re.compile(r"(\d{1,3}(?:([.,])\d{3})(?:\2\d{3})*)(?:([.,])(\d+))?")


def parse_number_text(text: str, decimal: str = ".") -> float:
    """Read one number as people write it; NaN when it is not a number or is ambiguous.

    The rule (``decimal`` is the file's decimal mark, ``"."`` or ``","``):

    1. digits, optionally signed: ``1650``;
    2. one mark followed by digits (``12,5``, ``1.25``): the mark is the decimal mark. When it
       is **not** the file's mark and could be a thousands separator (1 to 3 digits before it,
       not starting with 0, exactly 3 after: ``1,650`` in a ``.`` file, ``1.650`` in a ``,``
       file) the value is **ambiguous**: NaN (reported as an error, never guessed);
    3. thousands grouped by three with a space, U+00A0, U+202F or ``'``: ``1 650``,
       ``1 650,00``, ``1 650.5`` (the mark after the groups is the decimal mark);
    4. thousands grouped with ``.`` or ``,``: ``1.650,00`` / ``1,650.00`` (the other mark
       follows: unambiguous), or two groups or more without decimals (``1.650.000``).

    Anything else (``12 5``, ``1,65,0``, ``1.650,000.5``) is NaN.

    Examples
    --------
    >>> parse_number_text("1\u202f650,00", decimal=",")
    1650.0
    >>> parse_number_text("1,650", decimal=","), parse_number_text("12,5", decimal=".")
    (1.65, 12.5)
    >>> import math; math.isnan(parse_number_text("1,650", decimal="."))
    True
    """
    sign, body = _SIGNED_RE.fullmatch(text.strip()).groups()
    factor = -1.0 if sign in ("-", "\u2212") else 1.0
    if body.isdigit() and body.isascii():
        return factor * float(body)
    m = _PLAIN_RE.fullmatch(body)
    if m:
        whole, mark, frac = m.groups()
        if mark != decimal and len(frac) == 3 and 1 <= len(whole) <= 3 and not whole.startswith("0"):
            return float("nan")  # "1,650" in a "." file, "1.650" in a "," file: thousands or decimal?
        return factor * float(f"{whole or '0'}.{frac}")
    m = _SPACE_GROUPED_RE.fullmatch(body)
    if m:
        groups, _mark, frac = m.groups()
        whole = re.sub(r"\D", "", groups)
        return factor * float(f"{whole}.{frac}" if frac else whole)
    m = _MARK_GROUPED_RE.fullmatch(body)
    if m:
        groups, sep, mark, frac = m.groups()
        if mark is not None and mark == sep:
            return float("nan")
        whole = groups.replace(sep, "")
        return factor * float(f"{whole}.{frac}" if frac else whole)
    return float("nan")


def parse_numbers(s: pd.Series, decimal: str = ".") -> tuple[pd.Series, pd.Series]:
    """Parse text cells to float64; return ``(values, bad)`` where ``bad`` flags unparsable cells.

    Plain numbers in the file's convention take a fast path; every other cell follows the
    rule of :func:`parse_number_text`: thousands separators (space, U+00A0, U+202F, ``'``,
    or the mark that is not the decimal one) are accepted with the decimal comma or point,
    and an ambiguous cell (``1,650`` in a file whose decimal mark is ``.``) is flagged
    ``bad``, never read as a possibly wrong number.

    Examples
    --------
    >>> v, bad = parse_numbers(pd.Series(["12,5", "1 000", "1\u202f650,00", "x", None]), decimal=",")
    >>> v.tolist()[:3], bad.tolist()
    ([12.5, 1000.0, 1650.0], [False, False, False, True, False])
    """
    text = s.astype("str")
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    if decimal == ",":  # "1.650" parses as 1.65 above: in a decimal-comma file it is ambiguous
        dotted = text.str.contains(".", regex=False).fillna(False).astype(bool)
        values = values.mask(dotted)
    todo = text.notna() & values.isna()
    if todo.any():  # the careful rule only for the cells plain parsing missed (fast path for clean files)
        values.loc[todo] = [parse_number_text(t, decimal) for t in text[todo].tolist()]
    bad = s.notna() & values.isna()
    return values, bad


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S",
                 "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%d/%m/%y")


def parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse text dates (``2025-03-14``, ``14/03/2025``, day first) to ``datetime64[ns]``.

    Returns ``(values, bad)``; ``bad`` flags non-empty cells that are not a valid date
    (e.g. ``31/02/2025``).

    Examples
    --------
    >>> v, bad = parse_dates(pd.Series(["2025-03-14", "14/03/2025", "2025-13-01"]))
    >>> v.dt.strftime("%Y-%m-%d").tolist()[:2], bad.tolist()
    (['2025-03-14', '2025-03-14'], [False, False, True])
    """
    text = s.astype("str")
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = text.notna()
    for fmt in _DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce")
        ok = parsed.notna()
        if ok.any():
            out.loc[ok[ok].index] = parsed[ok].astype("datetime64[ns]")
            todo.loc[ok[ok].index] = False
    return out, todo


_TRUE = {"true", "vrai", "oui", "yes", "1", "t", "o", "y", "x", "1.0"}
_FALSE = {"false", "faux", "non", "no", "0", "f", "n", "0.0"}


def parse_bools(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse ``true/false``, ``vrai/faux``, ``oui/non``, ``1/0`` (any case) to bool.

    Returns ``(values, bad)``; missing cells give ``False`` in ``values`` (the schema decides
    whether a missing cell is allowed) and unknown words are flagged in ``bad``.

    Examples
    --------
    >>> v, bad = parse_bools(pd.Series(["Oui", "faux", "peut-être"]))
    >>> v.tolist(), bad.tolist()
    ([True, False, False], [False, False, True])
    """
    low = s.astype("str").str.strip().str.lower()
    is_true = low.isin(_TRUE)
    is_false = low.isin(_FALSE)
    bad = s.notna() & ~is_true & ~is_false
    return is_true.astype(bool), bad
