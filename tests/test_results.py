"""results.record / collect / to_json / campaign_results, on hand-built notebooks."""

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from rd_methods import results


def _notebook(path, payloads_per_cell):
    nb = nbformat.v4.new_notebook()
    for payloads in payloads_per_cell:
        cell = nbformat.v4.new_code_cell("results.record(...)")
        cell.outputs = [
            nbformat.v4.new_output("display_data", data={results.MIME_TYPE: p, "text/plain": p["label"]})
            for p in payloads
        ]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_code_cell("print(1)", outputs=[nbformat.v4.new_output("stream", text="1\n")]))
    nbformat.write(nb, path)
    return path


def test_record_converts_numpy_and_nan_and_checks_key():
    p = results.record("sroi.ratio", np.float64(2.5), label="Ratio SROI", unit="€", ci=(np.float32(1.5), np.int64(3)))
    assert p == {"key": "sroi.ratio", "value": 2.5, "label": "Ratio SROI", "unit": "€", "ci": [1.5, 3], "note": None}
    assert isinstance(p["ci"][1], int)
    assert results.record("a.b", float("nan"), label="x")["value"] is None
    assert hasattr(p, "_ipython_display_") and p._ipython_display_() is None  # not echoed by IPython
    for bad in ("ratio", "Sroi.ratio", "sroi.", "sroi ratio.x"):
        with pytest.raises(ValueError, match="snake_case"):
            results.record(bad, 1, label="x")
    with pytest.raises(ValueError, match="label"):
        results.record("a.b", 1, label="")
    with pytest.raises(TypeError):
        results.record("a.b", [1, 2], label="x")


def test_format_result_is_french():
    line = results.format_result({"label": "Effet levier", "value": 3.25, "unit": "€", "ci": [2.1, 4.0], "note": None})
    assert line == "**Effet levier** : 3,25\u00a0€ (intervalle\u00a0: [2,10\u00a0; 4,00])"
    share = results.format_result({"key": "value_chain.support_share", "label": "Part", "value": 0.391, "unit": None,
                                   "ci": [0.35, 0.43], "note": "bootstrap"})
    assert share == "**Part** : 39\u00a0% (intervalle\u00a0: [35\u00a0%\u00a0; 43\u00a0%]) — bootstrap"


def test_collect_reads_notebooks_in_order_last_value_wins_and_keeps_ints(tmp_path):
    a = {"key": "net.density", "value": 0.12, "label": "Densité", "unit": None, "ci": [0.1, 0.14], "note": None}
    b = {"key": "net.n_actors", "value": 3012, "label": "Acteurs", "unit": "acteurs", "ci": None, "note": "n"}
    b2 = dict(b, value=3013)
    _notebook(tmp_path / "20_net.ipynb", [[a, b], [b2]])
    _notebook(tmp_path / "10_vc.ipynb", [[{"key": "vc.lev", "value": "élevé", "label": "Levier", "unit": None,
                                          "ci": None, "note": None}]])
    frame = results.collect(tmp_path)
    assert frame.columns.tolist() == results.COLUMNS
    assert frame[["notebook", "key"]].values.tolist() == [
        ["10_vc", "vc.lev"], ["20_net", "net.density"], ["20_net", "net.n_actors"]]
    assert frame["value"].tolist() == ["élevé", 0.12, 3013]
    assert isinstance(frame["value"].iloc[2], int)
    assert frame.loc[1, ["ci_low", "ci_high"]].tolist() == [0.1, 0.14]
    one = results.collect(tmp_path / "20_net.ipynb")
    assert len(one) == 2

    doc = results.to_json(frame)
    assert list(doc) == ["net.density", "net.n_actors", "vc.lev"]
    assert doc["net.density"] == {"value": 0.12, "label": "Densité", "unit": None, "ci": [0.1, 0.14],
                                  "note": None, "notebook": "20_net"}
    assert doc["net.n_actors"]["value"] == 3013 and doc["net.n_actors"]["ci"] is None
    json.dumps(doc)  # JSON-able


def test_campaign_results_prefers_run_dir_and_skips_synthesis(tmp_path, monkeypatch):
    p = {"key": "x.y", "value": 1, "label": "X", "unit": None, "ci": None, "note": None}
    _notebook(tmp_path / "20_a.ipynb", [[p]])
    _notebook(tmp_path / "90_synthesis.ipynb", [[dict(p, key="synthesis.n")]])
    monkeypatch.delenv("RD_METHODS_RUN_DIR", raising=False)
    assert results.campaign_results("c", tmp_path)["key"].tolist() == ["x.y"]
    monkeypatch.setenv("RD_METHODS_REPORTS_DIR", str(tmp_path / "nowhere"))
    assert results.campaign_results("c").empty
    monkeypatch.setenv("RD_METHODS_RUN_DIR", str(tmp_path))
    assert results.campaign_results("c")["key"].tolist() == ["x.y"]


def test_collect_empty_has_the_columns():
    assert results.collect_empty().columns.tolist() == results.COLUMNS
    assert results.to_json(results.collect_empty()) == {}
    assert isinstance(results.collect_empty(), pd.DataFrame)


def test_read_notebook_reads_what_nbformat_reads(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Titre\n\nDeux\nlignes"),
        nbformat.v4.new_code_cell("x = 1\nprint(x)", outputs=[
            nbformat.v4.new_output("stream", text="1\n2\n"),
            nbformat.v4.new_output("display_data", data={"text/html": "<p>a</p>\n<p>b</p>", "text/plain": "a\nb",
                                                         results.MIME_TYPE: {"key": "a.b", "value": 1}}),
        ]),
    ]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)  # writes multi-line strings as lists of lines
    assert isinstance(json.loads(path.read_text("utf-8"))["cells"][0]["source"], list)
    plain, node = results.read_notebook(path), nbformat.read(path, as_version=4)
    assert [c["source"] for c in plain["cells"]] == [c.source for c in node.cells]
    assert plain["cells"][1]["outputs"] == [dict(o) for o in node.cells[1].outputs]
