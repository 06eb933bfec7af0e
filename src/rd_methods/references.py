"""The project's one bibliography (``rd_methods/data/references.yaml``) and French citations.

Every work cited in ``docs/methods.md`` and the notebooks is an entry of the YAML file, by key.
The published site renders it as ``reports/references.html`` (one anchor per entry, the key);
a notebook cites a work in plain text, « Mayne (2012) », and the publisher links every such
citation of a page to its entry (:func:`rd_methods.publish.html.link_citations`); templates
(the impact report) use :func:`cite`::

    from rd_methods import references
    references.cite("mayne2012")    # '<a href="../references.html#mayne2012">Mayne (2012)</a>'

:func:`find_citations` finds the author–year citations of a text (« Abadie, Diamond &
Hainmueller 2010 », « Callaway et Sant'Anna (2021) ») and :func:`resolve` matches one to its
entry: the test of the bibliography uses them to check that nothing cited is missing.
"""

from __future__ import annotations

import functools
import html
import re
from importlib import resources
from typing import Any

import pandas as pd
import yaml

__all__ = ["ENTRY_COLUMNS", "PAGE", "load", "entries", "entry", "cite", "authors_text", "format_entry",
           "find_citations", "resolve", "UnknownReference"]

PAGE = "references.html"
ENTRY_COLUMNS = ["key", "authors", "year", "title", "container", "volume", "issue", "pages", "doi", "url",
                 "aliases", "topic"]
_REQUIRED = ("authors", "year", "title", "container")


class UnknownReference(KeyError):
    """A key that is not in the bibliography."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown reference"


@functools.lru_cache(maxsize=1)
def load() -> dict[str, dict[str, Any]]:
    """The bibliography as ``{key: fields}`` (read once from the package's YAML file).

    Raises
    ------
    ValueError
        When an entry lacks one of ``authors, year, title, container`` (the file is broken).
    """
    text = resources.files("rd_methods").joinpath("data/references.yaml").read_text("utf-8")
    data = yaml.safe_load(text) or {}
    for key, fields in data.items():
        missing = [f for f in _REQUIRED if f not in (fields or {})]
        if missing:
            raise ValueError(f"rd_methods/data/references.yaml: entry {key!r} lacks {', '.join(missing)}")
    return data


def entries() -> pd.DataFrame:
    """One row per entry, sorted by first author then year (columns :data:`ENTRY_COLUMNS`)."""
    rows = [{"key": key} | {c: fields.get(c) for c in ENTRY_COLUMNS[1:]} for key, fields in load().items()]
    frame = pd.DataFrame(rows, columns=ENTRY_COLUMNS)
    frame["_sort"] = [(_family(a[0]).lower(), y or 0) for a, y in zip(frame["authors"], frame["year"], strict=True)]
    return frame.sort_values("_sort", key=lambda s: s.map(str)).drop(columns="_sort").reset_index(drop=True)


def entry(key: str) -> dict[str, Any]:
    """The fields of one entry; :class:`UnknownReference` names the key when it is absent."""
    try:
        return load()[key]
    except KeyError:
        raise UnknownReference(f"{key!r} is not in rd_methods/data/references.yaml "
                               f"({len(load())} entries; add it there)") from None


def _family(author: str) -> str:
    return author.split(",")[0].strip()


def authors_text(authors: list[str], *, short: bool = True) -> str:
    """« Mayne », « Ferman et Pinto », « Abadie, Diamond et Hainmueller », « Putter et al. ».

    >>> authors_text(["Abadie, A.", "Diamond, A.", "Hainmueller, J."])
    'Abadie, Diamond et Hainmueller'
    >>> authors_text(["Strona, G.", "Nappo, D.", "Boccacci, F.", "Fattorini, S."])
    'Strona et al.'
    """
    names = [_family(a) for a in authors] if short else list(authors)
    if short and len(names) > 3:
        return f"{names[0]} et al."
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]


def cite(key: str, *, href: str = f"../{PAGE}", link: bool = True) -> str:
    """A short French citation of an entry, linked to its place in the bibliography page.

    Parameters
    ----------
    key : str
        Entry of the bibliography (:class:`UnknownReference` if absent).
    href : str
        The bibliography page as seen from the citing page (default: from a campaign's page).
    link : bool
        False gives the plain text.

    Examples
    --------
    >>> cite("mayne2012")
    '<a href="../references.html#mayne2012">Mayne (2012)</a>'
    >>> cite("callaway2021", link=False)
    "Callaway et Sant'Anna (2021)"
    >>> cite("lafonda", link=False)
    'La Fonda (s. d.)'
    """
    fields = entry(key)
    text = f"{authors_text(fields['authors'])} ({fields['year'] or 's. d.'})"
    if not link:
        return text
    return f'<a href="{html.escape(href, quote=True)}#{html.escape(key, quote=True)}">{html.escape(text)}</a>'


def format_entry(key: str) -> str:
    """The full reference as HTML, French style: authors (year). *Title*. Container, vol(issue), pages. DOI.

    >>> print(format_entry("mayne2012"))
    Mayne, J. (2012). <cite>Contribution analysis: coming of age?</cite> Evaluation, 18(3), 270–280. <a href="https://doi.org/10.1177/1356389012451663">doi:10.1177/1356389012451663</a>
    """
    f = entry(key)
    esc = html.escape
    title = str(f["title"]).strip()
    out = f"{esc(authors_text(f['authors'], short=False))} ({f['year'] or 's. d.'}). <cite>{esc(title)}</cite>"
    out += "" if title.endswith(("?", "!", ".")) else "."
    where = esc(str(f["container"]))
    if f.get("volume") is not None:
        where += f", {esc(str(f['volume']))}"
        if f.get("issue") is not None:
            where += f"({esc(str(f['issue']))})"
    if f.get("pages"):
        where += f", {esc(str(f['pages']))}"
    out += f" {where}."
    if f.get("doi"):
        doi = esc(str(f["doi"]), quote=True)
        out += f' <a href="https://doi.org/{doi}">doi:{doi}</a>'
    elif f.get("url"):
        out += f' <a href="{esc(str(f["url"]), quote=True)}">{esc(str(f["url"]))}</a>'
    return out


_NAME = r"(?:(?:van |de |ten |von )?[A-Z][A-Za-zÀ-ÿ'’\-]+)"
_CITATION = re.compile(
    rf"(?P<authors>{_NAME}(?:(?:, | et | & | and ){_NAME})*(?: et al\.?)?)(?:['’]s)?,? \(?(?P<year>(?:19|20)\d\d)\b")
_NOT_AUTHORS = {"Guide", "Network", "Project", "October", "Stratégie", "TOST", "Management", "Book", "UK"}


def find_citations(text: str) -> list[tuple[str, int]]:
    """Author–year citations of a text: ``[("Callaway et Sant'Anna", 2021), …]``.

    Words that precede a year without naming an author (« Guide 2012 », « October 2021 »)
    are left out: such works are cited by name (aliases of their entries).

    >>> find_citations("la méthode d'Abadie, Diamond & Hainmueller (2010) ; Mayne 2001")
    [('Abadie, Diamond & Hainmueller', 2010), ('Mayne', 2001)]
    """
    found = []
    for m in _CITATION.finditer(text):
        words = set(re.findall(r"[A-Za-zÀ-ÿ]+", m.group("authors"))) - {"et", "al", "and"}
        if not words <= _NOT_AUTHORS:
            found.append((m.group("authors"), int(m.group("year"))))
    return found


def resolve(authors: str, year: int) -> str | None:
    """The key of the entry an author–year citation refers to, or None.

    An entry matches when one of its authors' family names (or one of its aliases) is in
    the cited text and the year is the entry's.

    >>> resolve("Ferman & Pinto", 2021), resolve("Gelbach & Miller", 2008), resolve("Dupont", 2020)
    ('ferman2021', 'cameron2008', None)
    """
    for key, fields in load().items():
        if fields.get("year") != year:
            continue
        names = [_family(a) for a in fields["authors"]] + list(fields.get("aliases") or [])
        if any(re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", authors) for n in names):
            return key
    return None
