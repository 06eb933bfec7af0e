"""Pseudonyms, small-cell suppression and the publication scan for personal names."""

import nbformat
import numpy as np
import pandas as pd
import pytest

from rd_methods import disclosure


@pytest.fixture
def actors():
    return pd.DataFrame({
        "actor_id": ["P10", "A1", "P02", "P03", "P04"],
        "name": ["Zoé Martin-Lefèvre", "Mairie de Lons", "Jean  Dupont", "Camille", None],
        "personal": [True, False, True, True, True],
    })


def test_pseudonyms_are_numbered_by_actor_id(actors):
    assert disclosure.pseudonyms(actors).to_dict() == {
        "P02": "Personne 001", "P03": "Personne 002", "P04": "Personne 003", "P10": "Personne 004"}
    names = disclosure.display_names(actors)
    assert names["A1"] == "Mairie de Lons" and names["P10"] == "Personne 004"
    # 1,000 people: four digits, still sorted by id
    many = pd.DataFrame({"actor_id": [f"c{i:04d}" for i in range(1000)], "name": "x", "personal": True})
    assert disclosure.pseudonyms(many).iloc[-1] == "Personne 1000"


def test_suppress_small_blanks_counts_below_threshold_but_not_zero():
    data = pd.DataFrame({"group": list("abcd"), "n": [0, 3, 5, 12], "mean": [np.nan, 2.0, 3.0, 4.0]})
    out = disclosure.suppress_small(data, "n", min_cell=5, also=["mean"])
    assert out["n"].tolist()[0] == 0 and np.isnan(out["n"].iloc[1]) and out["n"].tolist()[2:] == [5, 12]
    assert np.isnan(out["mean"].iloc[1]) and out["mean"].iloc[3] == 4.0
    assert out["suppressed"].tolist() == [False, True, False, False]
    assert data["n"].tolist() == [0, 3, 5, 12]  # input untouched


def test_personal_names_keep_two_token_names_only(actors):
    assert disclosure.personal_names(actors).to_dict() == {"P02": "Jean Dupont", "P10": "Zoé Martin-Lefèvre"}


def test_scanner_matches_whole_names_case_and_space_insensitively(actors):
    scanner = disclosure.NameScanner(disclosure.personal_names(actors))
    assert scanner.find("Rencontre avec JEAN\n dupont et zoé martin-lefèvre.") == ["P02", "P10"]
    assert scanner.find("Jean Dupontel, MJean Dupont, Zoé Martin") == []
    assert scanner.find("Camille et Jean") == []
    assert not disclosure.NameScanner({"x": "Camille"})


def test_scanner_folds_case_fully_and_keeps_longest_name_first():
    scanner = disclosure.NameScanner({"a": "Anne Marie Dupont", "m": "Marie Dupont", "s": "Jörg Straße"})
    assert scanner.find("vu ANNE MARIE DUPONT") == ["a"]
    assert scanner.find("vu Marie  Dupont") == ["m"]
    assert scanner.find("JÖRG STRASSE et jörg straße") == ["s"]  # str.casefold: ß is ss
    assert scanner.find("Jörg Straßen") == []


def test_scanner_agrees_with_a_plain_regular_expression_on_random_texts():
    """The word prefilter never drops a name the full alternation would find."""
    import random
    import re

    rng = random.Random(7)
    first = ["Jean", "Zoé", "Anne-Marie", "Éric", "Léa", "Hugo", "O'Neil", "Maël"]
    last = ["Dupont", "Martin", "Lefèvre", "Durand", "Morel", "Ça", "Dupont-Morel"]
    names = {f"p{i:03d}": f"{rng.choice(first)} {rng.choice(last)}" for i in range(40)}
    names["p999"] = "Jean Claude Martin"
    scanner = disclosure.NameScanner(names)
    owner = {}
    for actor_id, name in sorted(names.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        owner.setdefault(name.casefold(), actor_id)
    full = re.compile(r"(?<!\w)(?:" + "|".join(
        r"\s+".join(re.escape(t) for t in name.split()) for name in sorted(owner, key=len, reverse=True)
    ) + r")(?!\w)")
    words = first + last + ["Claude", "et", "x", "é", "-", "\n", "  ", "<b>", "Jean\tMartin"]
    for _ in range(500):
        text = " ".join(rng.choice([w, w.upper(), w.lower()]) for w in rng.choices(words, k=12))
        expected = sorted({owner[" ".join(m.group(0).split())] for m in full.finditer(text.casefold())})
        assert scanner.find(text) == expected, text


def test_scan_notebook_names_page_and_cell_never_the_name(actors):
    scanner = disclosure.NameScanner(disclosure.personal_names(actors))
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Titre"),
        nbformat.v4.new_code_cell("who = 'Jean Dupont'"),
        nbformat.v4.new_code_cell("show()", outputs=[nbformat.v4.new_output(
            "display_data", data={"text/html": "<td>Zo&eacute; Martin-Lef&egrave;vre</td>", "text/plain": "x"})]),
        nbformat.v4.new_code_cell("print(x)", outputs=[nbformat.v4.new_output("stream", text="Personne 001\n")]),
    ]
    found = disclosure.scan_notebook(nb, scanner, "20_net.ipynb")
    assert [(f.page, f.cell, f.part, f.actor_id) for f in found] == [
        ("20_net.ipynb", 1, "source", "P02"), ("20_net.ipynb", 2, "sortie", "P10")]
    public = disclosure.scan_notebook(nb, scanner, "20_net.html", sources=False)
    assert [(f.cell, f.actor_id) for f in public] == [(2, "P10")]
    text = found[0].describe()
    assert "20_net.ipynb" in text and "cellule 1" in text and "Dupont" not in text


def test_scan_html_splits_by_cell(actors):
    scanner = disclosure.NameScanner(disclosure.personal_names(actors))
    page = (
        "<html><body><header>Campagne</header>"
        '<div class="jp-Cell jp-MarkdownCell"><p>Bonjour</p></div>'
        '<div id="cell-id=abc" class="jp-Cell jp-CodeCell"><pre>Jean <b>Dupont</b></pre></div>'
        '<div class="jp-Cell"><div class="jp-Cell-inputWrapper"><img alt="Zoé Martin-Lefèvre"></div></div>'
        "</body></html>"
    )
    found = disclosure.scan_html(page, scanner, "p.html")
    assert [(f.cell, f.actor_id) for f in found] == [(1, "P02"), (2, "P10")]
    assert disclosure.scan_html("<p>Jean Dupont</p>", scanner, "index.html")[0].cell is None
