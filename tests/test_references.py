"""The bibliography: every work cited in docs/methods.md and the notebooks is in it; its page renders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rd_methods import references
from rd_methods.publish.references import (
    TOPIC_LABELS,
    render_references_page,
    write_references_page,
)

ROOT = Path(__file__).resolve().parents[1]
#: works the pages cite by name rather than by author and year
NAMED = ("La Fonda", "Green Book", "Social Value UK", "SROI Guide", "France Stratégie", "Impact Management Project",
         "curveball", "Aalen–Johansen", "Kaplan–Meier", "Firth", "Kish", "Holm", "Sobol", "Louvain")


def _cited_texts() -> dict[str, str]:
    texts = {"docs/methods.md": (ROOT / "docs" / "methods.md").read_text("utf-8")}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text("utf-8"))
        texts[f"notebooks/{path.name}"] = "\n".join("".join(c["source"]) for c in nb["cells"])
    return {name: re.sub(r"\s+", " ", text) for name, text in texts.items()}


def test_every_author_year_citation_is_in_the_bibliography():
    texts = _cited_texts()
    found = [(name, authors, year) for name, text in texts.items() for authors, year in references.find_citations(text)]
    assert len(found) > 50, "the citation finder finds the pages' citations"
    missing = sorted({(name, a, y) for name, a, y in found if references.resolve(a, y) is None})
    assert missing == [], f"cited but not in rd_methods/data/references.yaml: {missing}"


def test_works_cited_by_name_are_in_the_bibliography():
    texts = " ".join(_cited_texts().values())
    aliases = {a for fields in references.load().values() for a in fields.get("aliases") or []}
    for name in NAMED:
        if name in texts:
            assert name in aliases, f"« {name} » is cited but no entry has it as an alias"


def test_the_works_the_brief_names_are_there():
    keys = set(references.load())
    assert {"lafonda", "mayne2001", "mayne2012", "abadie2010", "callaway2021", "ferman2019", "ferman2021",
            "firth1993", "putter2007", "aalen1978", "riondato2016", "martin2012", "nicholls2012",
            "france_strategie2021", "green_book2022", "holm1979", "kish1965", "mcdonald1999", "sobol2001",
            "saltelli2010", "burt1992", "gould1989", "strona2014", "latapy2008"} <= keys


def test_entries_are_complete_and_dois_well_formed():
    for key, fields in references.load().items():
        assert re.fullmatch(r"[a-z_]+\d{0,4}", key), key
        assert fields["authors"] and all(isinstance(a, str) and a for a in fields["authors"]), key
        assert fields["year"] is None or 1900 < fields["year"] < 2030, key
        assert fields.get("topic") in TOPIC_LABELS, key
        if fields.get("doi"):
            assert re.fullmatch(r"10\.\d{4,5}/\S+", fields["doi"]), key


def test_cite_and_its_errors():
    assert references.cite("callaway2021") == ('<a href="../references.html#callaway2021">'
                                               "Callaway et Sant&#x27;Anna (2021)</a>")
    assert references.cite("putter2007", link=False) == "Putter, Fiocco et Geskus (2007)"
    assert references.cite("strona2014", link=False) == "Strona et al. (2014)"
    with pytest.raises(references.UnknownReference, match="'nobody1999' is not in"):
        references.cite("nobody1999")
    assert references.resolve("Abadie, Diamond & Hainmueller", 2010) == "abadie2010"
    assert references.resolve("Abadie", 2011) is None


def test_references_page_has_one_anchor_per_entry_and_french_headings(tmp_path):
    page = write_references_page(tmp_path / "reports").read_text("utf-8")
    assert page == render_references_page()
    assert '<html lang="fr">' in page and "<h1>Références bibliographiques</h1>" in page
    for key in references.load():
        assert page.count(f'id="{key}"') == 1, key
    assert "Chaîne de valeur élargie" in page and "Synthèse et analyse de contribution" in page
    assert 'href="https://doi.org/10.1177/1356389012451663"' in page
    assert not list((tmp_path / "reports").glob(".references.*")), "no temporary file left"


def test_notebook_pages_link_their_citations_to_the_bibliography():
    from rd_methods.publish.html import link_citations

    page = ("<p>Contrôle synthétique (Abadie, Diamond et Hainmueller, 2010) ; centralité de Freeman (1979) ; "
            "Dupont (2020).</p><pre>Mayne (2012)</pre><a href='x'>Mayne (2012)</a><h2>Mayne (2012)</h2>")
    out = link_citations(page)
    assert '<a class="rd-cite" href="../references.html#abadie2010">Abadie, Diamond et Hainmueller, 2010</a>' in out
    assert 'de <a class="rd-cite" href="../references.html#freeman1979">Freeman (1979)</a>' in out
    assert "Dupont (2020)" in out and "#dupont" not in out  # not in the bibliography: plain text
    assert out.count("rd-cite") == 2  # code, links and headings left alone
