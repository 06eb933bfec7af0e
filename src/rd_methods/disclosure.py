"""Disclosure control before publication: pseudonymise individuals, suppress small cells.

Actors marked ``personal`` in the ``actors`` table are individuals. Everything a notebook
displays names them by a stable pseudonym ("Personne 017"), numbered in the order of
their ``actor_id`` within the campaign, so the same person keeps the same pseudonym in
every page of a campaign. Counts of people below ``disclosure.min_cell`` (default 5) are
suppressed in published tables (the usual threshold rule of statistical disclosure
control, e.g. Eurostat / INSEE practice for small cells).

Before anything is published, :func:`scan_notebook` and :func:`scan_html` look for the
names of personal actors in every page (fail closed: the publisher refuses to publish a
campaign when one is found). A :class:`Finding` names the page and the cell, never the
name itself, so the refusal message can be shown and logged safely.
"""

from __future__ import annotations

import functools
import html as _html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rd_methods.errors import RdMethodsError

__all__ = [
    "DEFAULT_MIN_CELL",
    "pseudonyms",
    "display_names",
    "suppress_small",
    "personal_names",
    "NameScanner",
    "Finding",
    "scan_notebook",
    "scan_html",
    "PublicationRefused",
]

DEFAULT_MIN_CELL = 5


def _is_personal(actors: pd.DataFrame) -> pd.Series:
    return actors["personal"].fillna(False).astype(bool)


def pseudonyms(actors: pd.DataFrame) -> pd.Series:
    """Pseudonyms of the personal actors, indexed by ``actor_id``.

    Examples
    --------
    >>> actors = pd.DataFrame({"actor_id": ["c2", "a1", "c1"], "name": ["Zoé", "Mairie", "Yves"],
    ...                        "personal": [True, False, True]})
    >>> pseudonyms(actors).to_dict()
    {'c1': 'Personne 001', 'c2': 'Personne 002'}
    """
    ids = sorted(actors.loc[_is_personal(actors), "actor_id"].astype(str))
    width = max(3, len(str(len(ids))))
    return pd.Series(
        [f"Personne {i:0{width}d}" for i in range(1, len(ids) + 1)],
        index=pd.Index(ids, name="actor_id"),
        name="display_name",
        dtype=object,
    )


def display_names(actors: pd.DataFrame) -> pd.Series:
    """Name to show for every actor (``actor_id`` → name or pseudonym)."""
    names = actors.set_index(actors["actor_id"].astype(str))["name"].astype(object).copy()
    names.index.name = "actor_id"
    pseudo = pseudonyms(actors)
    names.loc[pseudo.index] = pseudo
    return names.rename("display_name")


def suppress_small(
    data: pd.DataFrame,
    counts: str | Sequence[str],
    min_cell: int = DEFAULT_MIN_CELL,
    also: Sequence[str] = (),
) -> pd.DataFrame:
    """Blank out counts of people below ``min_cell`` (zero is kept: it discloses no one).

    Parameters
    ----------
    data : DataFrame
        A published table about people.
    counts : str or list of str
        Count columns to check.
    min_cell : int
        Smallest count that may be published.
    also : list of str
        Other columns of the same rows to blank too (means, shares computed on the cell).

    Returns
    -------
    DataFrame
        A copy where small cells are NaN and a boolean column ``suppressed`` says which
        rows were touched.
    """
    counts = [counts] if isinstance(counts, str) else list(counts)
    out = data.copy()
    small = np.zeros(len(out), dtype=bool)
    for column in counts:
        values = pd.to_numeric(out[column], errors="coerce")
        mask = (values > 0) & (values < min_cell)
        small |= mask.to_numpy()
        out[column] = values.astype(float).mask(mask)
    for column in also:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).mask(small)
    out["suppressed"] = small
    return out


# --------------------------------------------------------------------------- publication scan
class PublicationRefused(RdMethodsError):
    """A page would show the name of a personal actor: nothing of the campaign is published."""

    def __init__(self, message: str, findings: Sequence[Finding] = (), hint: str | None = None):
        super().__init__(message, hint)
        self.findings = list(findings)


@dataclass(frozen=True)
class Finding:
    """Where a personal name was found: the page, the cell (0-based index), the part.

    ``actor_id`` lets the data owner find the person; the name itself is never kept.
    """

    page: str
    cell: int | None
    part: str
    actor_id: str

    def describe(self) -> str:
        where = f"cellule {self.cell}" if self.cell is not None else "hors cellule"
        return f"{self.page}, {where} ({self.part}) : nom d'une personne (acteur {self.actor_id})"


def personal_names(actors: pd.DataFrame) -> pd.Series:
    """Names of the personal actors worth scanning for, indexed by ``actor_id``.

    Only names of two tokens or more ("Zoé Martin") are kept: a single first name or a
    single word would match ordinary text and make the scan useless.
    """
    if "name" not in actors or "personal" not in actors:
        return pd.Series([], dtype=object, name="name", index=pd.Index([], name="actor_id"))
    rows = actors.loc[_is_personal(actors) & actors["name"].notna(), ["actor_id", "name"]]
    names = rows["name"].astype(str).str.split().str.join(" ")
    keep = names.str.split().str.len() >= 2
    out = pd.Series(names[keep].to_numpy(), index=pd.Index(rows["actor_id"][keep].astype(str), name="actor_id"),
                    name="name", dtype=object)
    return out.sort_index()


class NameScanner:
    """Find exact names (caseless, whole words, any whitespace between tokens).

    Matching is done on ``str.casefold()`` text (Unicode caseless matching: "ZOÉ" is
    "zoé", "STRAẞE" is "straße"). Names are matched as whole words: "Zoé Martin" is not
    found in "Zoé Martinez". A page of half a megabyte (inline images, stylesheet) scans in
    a few milliseconds for thousands of names: only the names whose words all occur in the
    text are tried with a regular expression.

    Parameters
    ----------
    names : Series or mapping
        ``actor_id`` → name, e.g. from :func:`personal_names`.

    Examples
    --------
    >>> scanner = NameScanner({"c1": "Zoé Martin"})
    >>> scanner.find("Réunion avec ZOÉ   MARTIN hier")
    ['c1']
    >>> scanner.find("Zoé Martinez")
    []
    """

    def __init__(self, names: pd.Series | dict[str, str]):
        items = dict(names.items() if isinstance(names, pd.Series) else names.items())
        self._owner: dict[str, str] = {}
        # (order, pattern, words of the name) by one of the name's words: a name can only
        # be in a text that contains all its words, so that word selects the candidates
        self._by_word: dict[str, list[tuple[int, str, frozenset[str]]]] = {}
        # longest names first, so "Anne Marie Dupont" wins over "Marie Dupont"
        ordered = sorted(items.items(), key=lambda kv: (-len(str(kv[1])), str(kv[0])))
        for order, (actor_id, name) in enumerate(ordered):
            tokens = str(name).casefold().split()
            if len(tokens) < 2:
                continue
            key = " ".join(tokens)
            if key in self._owner:
                continue
            self._owner[key] = str(actor_id)
            words = frozenset(_WORD.findall(key))
            pattern = r"\s+".join(re.escape(t) for t in tokens)
            # index under the name's longest word (the rarest, roughly)
            anchor = max(sorted(words), key=len) if words else ""
            self._by_word.setdefault(anchor, []).append((order, pattern, words))

    def __bool__(self) -> bool:
        return bool(self._owner)

    def find(self, text: str) -> list[str]:
        """``actor_id`` of every name found in ``text`` (sorted, unique)."""
        if not self._owner or not text:
            return []
        folded = text.casefold()
        present = set(_WORD.findall(folded))
        present.add("")  # names without any word character (punctuation only)
        candidates = sorted(
            (order, pattern)
            for anchor in present.intersection(self._by_word)
            for order, pattern, words in self._by_word[anchor]
            if words <= present
        )
        if not candidates:
            return []
        regex = _name_regex(tuple(pattern for _, pattern in candidates))
        return sorted({self._owner.get(" ".join(m.group(0).split()), "?") for m in regex.finditer(folded)})


_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=256)
def _name_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def _output_texts(output: dict) -> Iterable[str]:
    if output.get("output_type") == "stream":
        yield _as_text(output.get("text"))
    elif output.get("output_type") == "error":
        yield _as_text(output.get("evalue"))
        yield _as_text(output.get("traceback"))
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue  # base64 pixels: nothing to read
        text = _as_text(value)
        yield _html.unescape(text) if "html" in mime or "svg" in mime else text


def scan_notebook(nb: Any, scanner: NameScanner, page: str, *, sources: bool = True) -> list[Finding]:
    """Scan an executed notebook (nbformat node or dict): outputs, and sources when published.

    ``sources=False`` for a public edition (code hidden): only markdown sources and outputs
    are read.
    """
    findings: list[Finding] = []
    if not scanner:
        return findings
    for index, cell in enumerate(nb["cells"]):
        parts: list[tuple[str, str]] = []
        if cell["cell_type"] != "code" or sources:
            parts.append(("source", _as_text(cell.get("source"))))
        for output in cell.get("outputs", []) or []:
            parts.extend(("sortie", text) for text in _output_texts(output))
        for part, text in parts:
            for actor_id in scanner.find(text):
                findings.append(Finding(page, index, part, actor_id))
    return sorted(set(findings), key=lambda f: (f.page, -1 if f.cell is None else f.cell, f.part, f.actor_id))


_CELL_START = re.compile(r'<div\s+(?:id="[^"]*"\s+)?class="jp-Cell[\s"]')
_TAG = re.compile(r"<[^>]+>")


def scan_html(page_html: str, scanner: NameScanner, page: str) -> list[Finding]:
    """Scan a rendered page: its visible text and attributes, split by notebook cell.

    Text before the first cell (header) and after the last is reported with ``cell=None``.
    Cells are numbered in the order nbconvert writes them, which is the notebook's order.
    """
    findings: list[Finding] = []
    if not scanner:
        return findings
    starts = [m.start() for m in _CELL_START.finditer(page_html)]
    bounds = [0, *starts, len(page_html)]
    for i in range(len(bounds) - 1):
        chunk = page_html[bounds[i] : bounds[i + 1]]
        cell = i - 1 if i > 0 else None
        # both the raw markup (attributes, alt text) and the visible text (tags removed)
        texts = (_html.unescape(chunk), _html.unescape(_TAG.sub(" ", chunk)))
        ids = sorted({a for t in texts for a in scanner.find(t)})
        findings.extend(Finding(page, cell, "page HTML", a) for a in ids)
    return findings
