"""rd-methods reproduce: the comparison rules by hand, then end to end on the tiny fixture
campaign (unchanged: exit 0; one datum changed: exit 1 naming the moved result) and, slow,
on two real notebooks of demo-2024 rerun with a different --jobs value."""

import json
import math
import shutil
from pathlib import Path

import pytest

from rd_methods.cli import main
from rd_methods.errors import RdMethodsError
from rd_methods.reproduce import compare_results, read_results

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
ROOT = Path(__file__).resolve().parents[1]


def doc(**values):
    return {k.replace("__", "."): ({"value": v, "ci": None, "unit": None, "notebook": "10_x"} if not isinstance(v, dict)
                                   else {"ci": None, "unit": None, "notebook": "10_x"} | v)
            for k, v in values.items()}


# --------------------------------------------------------------------------- rules
def test_exact_for_ints_strings_bools_tolerance_for_floats():
    pub = doc(a__n=27, a__name="A001", a__flag=True, a__x=0.1 + 0.2, a__y=1.0, a__z=None, a__big=5397.141718385)
    same = doc(a__n=27, a__name="A001", a__flag=True, a__x=0.3, a__y=1, a__z=None, a__big=5397.141718385 * (1 + 5e-10))
    table = compare_results(pub, same)
    assert (table["status"] == "match").all()
    gap = table.set_index("key").loc["a.big", "rel_diff"]
    assert math.isclose(gap, 5e-10, rel_tol=1e-3)

    moved = doc(a__n=28, a__name="A002", a__flag=1, a__x=0.3000001, a__y=1.0, a__z=0.0, a__big=5397.15)
    t = compare_results(pub, moved).set_index("key")
    assert t.loc["a.n", "status"] == "differs" and math.isclose(t.loc["a.n", "rel_diff"], 1 / 27)
    assert t.loc["a.name", "status"] == "differs"
    assert t.loc["a.flag", "status"] == "differs"          # True is not 1
    assert t.loc["a.x", "status"] == "differs"             # 3.3e-7 relative > 1e-9
    assert t.loc["a.z", "status"] == "differs"             # None is not 0
    assert t.loc["a.y", "status"] == "match"
    # a looser tolerance accepts the small float gaps, never the int one
    loose = compare_results(pub, moved, rtol=1e-5).set_index("key")["status"]
    assert loose["a.x"] == "match" and loose["a.big"] == "match" and loose["a.n"] == "differs"


def test_intervals_units_missing_and_extra_keys():
    pub = doc(s__ratio={"value": 1.92, "ci": [1.25, 3.09]}, s__gone=3, s__unit={"value": 2, "unit": "€"})
    new = doc(s__ratio={"value": 1.92, "ci": [1.25, 3.10]}, s__new=1, s__unit={"value": 2, "unit": "k€"})
    t = compare_results(pub, new)
    assert t["key"].tolist() == ["s.ratio", "s.unit", "s.gone", "s.new"]   # differences first
    by = t.set_index("key")
    assert (by.loc["s.ratio", "status"], by.loc["s.ratio", "field"]) == ("differs", "ci_high")
    assert (by.loc["s.unit", "status"], by.loc["s.unit", "field"]) == ("differs", "unit")
    assert by.loc["s.gone", "status"] == "missing" and by.loc["s.gone", "published"] == 3
    assert by.loc["s.new", "status"] == "extra" and by.loc["s.new", "rerun"] == 1
    # keys of notebooks that were not rerun are skipped
    only = compare_results(pub, {}, notebooks=["20_y"])
    assert set(only["status"]) == {"skipped"}
    with pytest.raises(ValueError, match="non-negative"):
        compare_results(pub, new, rtol=-1)


def test_read_results_errors(tmp_path):
    with pytest.raises(RdMethodsError, match="introuvables"):
        read_results(tmp_path / "results.json")
    (tmp_path / "results.json").write_text('{"a.b": 3}', "utf-8")
    with pytest.raises(RdMethodsError, match="n'a pas la forme"):
        read_results(tmp_path)


# --------------------------------------------------------------------------- end to end, tiny
@pytest.fixture
def tiny(tmp_path, monkeypatch):
    data = tmp_path / "raw"
    shutil.copytree(FIXTURES / "data", data)
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in ("10_ok", "90_synthesis"):
        shutil.copy(FIXTURES / f"{name}.ipynb", nb_dir)
    monkeypatch.setenv("RD_METHODS_DATA_DIR", str(data))
    monkeypatch.setenv("RD_METHODS_NOTEBOOKS_DIR", str(nb_dir))
    monkeypatch.setenv("RD_METHODS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("RD_METHODS_PROCESSED_DIR", str(tmp_path / "processed"))
    return tmp_path


@pytest.mark.slow
def test_reproduce_tiny_unchanged_then_one_datum_changed(tiny, capsys):
    assert main(["run", "tiny", "--jobs", "2", "--edition", "public"]) == 0
    published = tiny / "reports" / "tiny"
    before = {p.name: p.stat().st_mtime_ns for p in published.iterdir()}
    capsys.readouterr()

    # unchanged data, another --jobs value: every result identical, exit 0
    assert main(["reproduce", "tiny", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 identique(s), 0 différent(s), 0 absent(s) du recalcul, 0 nouveau(x)" in out
    assert "Reproduit : tous les résultats sont identiques" in out
    assert "fixture.share_personal" in out and "attention" not in out
    # --only: results of the notebooks not rerun are not compared
    assert main(["reproduce", "tiny", "--only", "10"]) == 0
    assert "2 identique(s)" in (out := capsys.readouterr().out) and "1 non recalculé(s)" in out

    # one datum changed: a person is no longer flagged personal -> share of persons moves
    actors = tiny / "raw" / "tiny" / "actors.csv"
    actors.write_text(actors.read_text("utf-8").replace("P003,Camille,citizen,,,,true", "P003,Camille,citizen,,,,false"),
                      "utf-8")
    assert main(["reproduce", "tiny", "--differences-only"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    row = next(x for x in lines if x.startswith("fixture.share_personal"))
    assert "différent (value)" in row and "0.5" in row and "0.3333333333" in row
    assert not any(x.startswith("fixture.n_actors") for x in lines)  # unchanged count not listed
    assert "les données brutes ont changé depuis la publication" in captured.out
    assert "Non reproduit : 1 résultat(s) diffèrent : fixture.share_personal" in captured.err
    # the published report was not touched, nor the processed cache of the published run
    assert {p.name: p.stat().st_mtime_ns for p in published.iterdir()} == before
    assert json.loads((published / "results.json").read_text("utf-8"))["fixture.share_personal"]["value"] == 0.5


def test_reproduce_without_publication_is_one_line_error(tiny, capsys):
    assert main(["reproduce", "tiny"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "résultats publiés introuvables" in err and "piste : publier d'abord la campagne" in err
    assert main(["reproduce", "nowhere"]) == 1
    assert "Traceback" not in capsys.readouterr().err


# --------------------------------------------------------------------------- end to end, demo
@pytest.mark.slow
def test_reproduce_demo_2024_two_notebooks_other_jobs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RD_METHODS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("RD_METHODS_PROCESSED_DIR", str(tmp_path / "processed"))
    assert main(["run", "demo-2024", "--only", "00,30", "--jobs", "2", "--edition", "public"]) == 0
    capsys.readouterr()
    assert main(["reproduce", "demo-2024", "--only", "00,30", "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "0 différent(s), 0 absent(s) du recalcul, 0 nouveau(x)" in out
    doc_ = json.loads((tmp_path / "reports" / "demo-2024" / "results.json").read_text("utf-8"))
    assert doc_["pipeline.n_ideas"]["value"] > 100 and "overview.n_actors" in doc_
