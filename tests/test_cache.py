"""Data-aware reuse of executed notebooks (rd_methods.publish.cache and the runner)."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from helpers import DATA, FIXTURES

from rd_methods.publish import cache, runner


def test_inputs_key_moves_with_each_input():
    base = dict(notebook=b"{}", parameters={"campaign": "x"}, tables={"actors": "a"},
                settings={"id": "x"}, environment={"package": "p"}, upstream=None)
    k = cache.inputs_key(**base)
    assert k == cache.inputs_key(**dict(base, parameters={"campaign": "x"}))
    for field, other in [("notebook", b"{ }"), ("parameters", {"campaign": "y"}), ("tables", {"actors": "b"}),
                         ("settings", {"id": "y"}), ("environment", {"package": "q"}), ("upstream", "r")]:
        assert cache.inputs_key(**dict(base, **{field: other})) != k, field


def test_table_digest_is_content_based():
    a = pd.DataFrame({"x": [1.0, 2.0], "y": ["a", None]})
    assert cache.table_digest(a) == cache.table_digest(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", None]}))
    assert cache.table_digest(a) != cache.table_digest(a.assign(x=[1.0, 2.5]))
    assert cache.table_digest(a) != cache.table_digest(a.astype({"x": "float32"}))
    assert cache.table_digest(a.iloc[:0]) != cache.table_digest(a)


def _layout(tmp: Path, mp) -> Path:
    """The tiny campaign plus an events table; 10_ok reads actors, 12_events reads events too."""
    data = tmp / "data"
    shutil.copytree(DATA, data)
    (data / "tiny" / "events.csv").write_text(
        "event_id,kind,project_id,held_on,title\nE1,workshop,,2021-03-04,Atelier\n", "utf-8")
    nb_dir = tmp / "notebooks"
    nb_dir.mkdir()
    for name in ("10_ok", "90_synthesis"):
        shutil.copy(FIXTURES / f"{name}.ipynb", nb_dir)
    nb = json.loads((FIXTURES / "10_ok.ipynb").read_text("utf-8"))
    nb["metadata"]["rd_methods"]["requires"] = ["actors", "events"]
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        cell["source"] = src.replace('"fixture.n_actors", len(actors)', '"fixture.n_events", len(camp["events"])')
    (nb_dir / "12_events.ipynb").write_text(json.dumps(nb), "utf-8")
    mp.setenv("RD_METHODS_DATA_DIR", str(data))
    mp.setenv("RD_METHODS_NOTEBOOKS_DIR", str(nb_dir))
    mp.setenv("RD_METHODS_REPORTS_DIR", str(tmp / "reports"))
    mp.setenv("RD_METHODS_PROCESSED_DIR", str(tmp / "processed"))
    return data / "tiny"


def _statuses(run) -> dict[str, bool]:
    return {o.stem: o.reused for o in run.notebooks}


@pytest.mark.slow
def test_rerun_reuses_what_did_not_change(tmp_path, monkeypatch):
    camp_dir = _layout(tmp_path, monkeypatch)
    lines: list[str] = []
    (cold,) = runner.run(["tiny"], jobs=2, echo=lines.append)
    assert cold.ok and _statuses(cold) == {"10_ok": False, "12_events": False, "90_synthesis": False}
    report = tmp_path / "reports" / "tiny"
    cold_results = (report / "results.json").read_text("utf-8")
    keys = {n["stem"]: n["inputs_key"] for n in json.loads((report / "run.json").read_text("utf-8"))["notebooks"]}
    assert all(keys.values())

    # nothing changed: everything reused, results identical, the index says when each ran
    lines.clear()
    (again,) = runner.run(["tiny"], jobs=2, echo=lines.append)
    assert _statuses(again) == {"10_ok": True, "12_events": True, "90_synthesis": True}
    assert (report / "results.json").read_text("utf-8") == cold_results
    assert sum("repris (exécuté le" in line for line in lines) == 3
    assert "repris de l&#39;exécution du" in (report / "index.html").read_text("utf-8") or \
        "repris de l'exécution du" in (report / "index.html").read_text("utf-8")

    # one table changed: only the notebook reading it and the synthesis (its results moved) run
    with open(camp_dir / "events.csv", "a", encoding="utf-8") as fh:
        fh.write("E2,meeting,,2022-05-06,Réunion\n")
    (changed,) = runner.run(["tiny"], jobs=2, echo=lambda _: None)
    assert _statuses(changed) == {"10_ok": True, "12_events": False, "90_synthesis": False}
    res = json.loads((report / "results.json").read_text("utf-8"))
    assert res["fixture.n_events"]["value"] == 2

    # a re-saved file with the same content (another encoding, a different delimiter) changes nothing
    text = (camp_dir / "events.csv").read_text("utf-8")
    (camp_dir / "events.csv").write_bytes(text.replace(",", ";").encode("cp1252"))
    (same,) = runner.run(["tiny"], jobs=2, echo=lambda _: None)
    assert _statuses(same) == {"10_ok": True, "12_events": True, "90_synthesis": True}

    # --force executes again; a parameter change re-executes the notebooks that declare it
    (forced,) = runner.run(["tiny"], jobs=2, only=["12"], force=True, echo=lambda _: None)
    assert _statuses(forced)["12_events"] is False and _statuses(forced)["10_ok"] is True
    assert json.loads((report / "results.json").read_text("utf-8")) == res
