"""The run / list / inspect / open commands: exit codes, one-line errors with a hint."""

import shutil
from pathlib import Path

import pytest

from rd_methods.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "notebooks"
DATA = FIXTURES / "data"


@pytest.fixture
def env(tmp_path, monkeypatch):
    nb_dir = tmp_path / "notebooks"
    nb_dir.mkdir()
    for name in ("10_ok", "20_raising", "90_synthesis"):
        shutil.copy(FIXTURES / f"{name}.ipynb", nb_dir)
    monkeypatch.setenv("RD_METHODS_DATA_DIR", str(DATA))
    monkeypatch.setenv("RD_METHODS_NOTEBOOKS_DIR", str(nb_dir))
    monkeypatch.setenv("RD_METHODS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("RD_METHODS_PROCESSED_DIR", str(tmp_path / "processed"))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    return tmp_path


def _one_error(err: str) -> list[str]:
    lines = [x for x in err.strip().splitlines() if x.strip()]
    assert "Traceback" not in err
    return lines


@pytest.mark.slow
def test_run_exit_codes_and_site_path(env, capsys):
    assert main(["run", "tiny", "--only", "10", "--jobs", "1", "--edition", "public"]) == 0
    out = capsys.readouterr().out
    assert f"Site : {env / 'reports' / 'index.html'}" in out
    assert (env / "reports" / "tiny" / "10_ok.html").is_file()
    assert not (env / "reports" / "tiny" / "10_ok.research.html").exists()
    # a failing notebook makes the exit status 1, the others still publish
    assert main(["run", "tiny", "--only", "20,90", "--jobs", "2", "--edition", "research"]) == 1
    captured = capsys.readouterr()
    assert "tiny : au moins un notebook en échec" in captured.err
    assert (env / "reports" / "tiny" / "90_synthesis.research.html").is_file()

    # open prints the path (no display here: no browser is started)
    assert main(["open"]) == 0
    assert capsys.readouterr().out.strip() == str(env / "reports" / "index.html")
    assert main(["open", "tiny", "--no-browser"]) == 0
    assert capsys.readouterr().out.strip() == str(env / "reports" / "tiny" / "index.html")

    # list shows the campaign, its tables and the last publication
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "tiny  Petite campagne de test  (2020–2024)" in out
    assert "tables : actors" in out and "(failed)" in out


@pytest.mark.parametrize(
    "argv, message, hint",
    [
        (["run", "tyni"], "campagne introuvable : tyni", "tiny"),
        (["run", "tiny", "--only", "77"], "aucun notebook ne correspond à « 77 »", "10_ok"),
        (["run", "tiny", "--jobs", "0"], "--jobs doit être au moins 1", "--jobs 2"),
        (["inspect", "nope"], "notebook introuvable : nope", "10_ok"),
        (["open", "nope"], "la campagne nope n'est pas encore publié", "rd-methods run nope"),
    ],
)
def test_user_mistakes_are_one_line_plus_hint(env, capsys, argv, message, hint):
    assert main(argv) == 1
    lines = _one_error(capsys.readouterr().err)
    assert len(lines) == 2, lines
    assert lines[0].startswith("rd-methods: erreur : ") and message in lines[0]
    assert lines[1].strip().startswith("piste :") and hint in lines[1]


def test_broken_campaign_is_one_message_and_exit_1(env, tmp_path, capsys):
    broken = tmp_path / "data" / "broken"
    broken.mkdir(parents=True)
    (broken / "campaign.yml").write_text("id: broken\ntitle: Cassée\n", "utf-8")
    assert main(["--data-dir", str(tmp_path / "data"), "run", "broken"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("rd-methods: erreur : ") and "broken" in err
    assert not (env / "reports" / "broken").exists()


def test_inspect_shows_every_parameter_with_help(env, capsys):
    assert main(["inspect", "90"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "90_synthesis — Synthèse"
    assert "tables requises : actors" in out
    assert 'data_dir     str = ""' in out
    assert "dossier des campagnes ; vide = data/raw du projet" in out  # help with '=' kept
    assert 'results_dir  str = ""' in out


def test_help_everywhere(capsys):
    for command in ("run", "list", "inspect", "open"):
        with pytest.raises(SystemExit) as exit_:
            main([command, "--help"])
        assert exit_.value.code == 0
        assert "usage: rd-methods " + command in capsys.readouterr().out


@pytest.mark.slow
def test_param_sets_a_notebook_parameter_typed_and_recorded(env, capsys):
    import json

    shutil.copy(FIXTURES / "30_slow.ipynb", env / "notebooks")
    reports = env / "elsewhere"
    # the folder option after the sub-command; --param typed from the cell (float), decimal comma ok
    assert main(["run", "tiny", "--only", "30", "--jobs", "1", "--edition", "public",
                 "--reports-dir", str(reports), "--param", "slow_seconds=0,25"]) == 0
    res = json.loads((reports / "tiny" / "results.json").read_text("utf-8"))
    assert res["fixture.slept"]["value"] == 0.25
    prov = json.loads((reports / "tiny" / "provenance.json").read_text("utf-8"))
    assert prov["overrides"] == {"slow_seconds": 0.25}
    assert "0.25" in (reports / "tiny" / "30_slow.html").read_text("utf-8")
    assert not (env / "reports").exists()


def test_param_errors_are_one_line_before_anything_runs(env, capsys):
    assert main(["run", "tiny", "--only", "10", "--param", "no_such=1"]) == 1
    err = _one_error(capsys.readouterr().err)
    assert "paramètre inconnu : no_such" in err[0]
    shutil.copy(FIXTURES / "30_slow.ipynb", env / "notebooks")
    assert main(["run", "tiny", "--only", "30", "--param", "slow_seconds=vite"]) == 1
    assert "valeur invalide pour un paramètre de type float" in capsys.readouterr().err
    assert main(["run", "tiny", "--param", "campaign=autre"]) == 1
    assert "fixé par le lanceur" in capsys.readouterr().err
    assert main(["run", "tiny", "--param", "oops"]) == 1
    assert "NOM=VALEUR" in capsys.readouterr().err
    assert not (env / "reports").exists()
