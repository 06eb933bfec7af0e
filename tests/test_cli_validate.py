"""`rd-methods validate` on the broken corpus (tests/broken/) and `rd-methods new`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from rd_methods.campaign import Campaign
from rd_methods.cli import main
from rd_methods.errors import ValidationFailed
from rd_methods.schemas import TABLES

TESTS = Path(__file__).resolve().parent
BROKEN = TESTS / "broken"
ROOT = TESTS.parent

# case -> (file, row as seen in the file or None, column or None, rule, fragment of the message)
CASES = {
    "missing_column": ("projects.csv", 1, "need", "missing_column", "colonne obligatoire absente"),
    "wrong_type": ("contributions.csv", 3, "quantity", "type_number", "valeur « beaucoup » : nombre attendu"),
    "duplicate_id": ("actors.csv", 5, "actor_id", "unique", "doit être unique"),
    "unknown_category": ("actors.csv", 3, "category", "isin", "valeur « entreprise » : valeur inconnue"),
    "dangling_reference": ("contributions.csv", 3, "project_id", "reference", "valeur « P9 » : projet inconnu"),
    "likert_out_of_range": ("survey_responses.csv", 3, "coop_1", "range", "valeur « 7 » : réponse hors de l'échelle"),
    "empty_file": ("projects.csv", None, None, "empty_file", "fichier vide"),
    "unreadable_encoding": ("projects.csv", None, None, "unreadable", "contenu binaire illisible"),
    "csv_is_xlsx": ("projects.csv", None, None, "wrong_format", "en réalité un classeur Excel (.xlsx)"),
    # read correctly: header found under the merged title rows, Excel row numbers kept
    "xlsx_merged_title": ("projects.xlsx", 6, "need", "isin", "valeur « transport » : valeur inconnue"),
    "yaml_invalid": ("campaign.yml", 2, None, "yaml", "YAML invalide"),
    "yaml_no_id": ("campaign.yml", None, "id", "required", "clé obligatoire « id » absente"),
}


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_is_complete():
    assert sorted(p.name for p in BROKEN.iterdir() if p.is_dir()) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_broken_case(case, isolated_dirs, capsys):
    file, row, column, rule, fragment = CASES[case]
    folder = BROKEN / case
    before = _snapshot(folder)
    project_processed = ROOT / "data" / "processed"
    processed_before = sorted(project_processed.rglob("*")) if project_processed.exists() else []

    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out
    where = [file] + ([f"ligne {row}"] if row else []) + ([f"colonne {column}"] if column else [])
    line = next((ln for ln in out.splitlines() if ln.startswith(f"  - {', '.join(where)}") and f"[règle {rule}]" in ln), None)
    assert line is not None, out
    assert fragment in line

    with pytest.raises(ValidationFailed) as exc:
        Campaign.load(folder)
    errs = exc.value.report.errors
    hit = errs[(errs["file"] == file) & (errs["rule"] == rule)]
    assert len(hit) >= 1
    assert (hit["row"].isna() if row is None else hit["row"] == row).any()
    assert exc.value.hint.startswith("rd-methods validate")

    # nothing written anywhere
    assert _snapshot(folder) == before
    for name in ("processed", "reports", "raw"):
        assert list(isolated_dirs[name].iterdir()) == []
    assert (sorted(project_processed.rglob("*")) if project_processed.exists() else []) == processed_before


def test_single_defect_per_case(capsys):
    """Each case has exactly one defect (duplicate_id reports both occurrences of the id)."""
    for case in sorted(CASES):
        main(["validate", str(BROKEN / case)])
        out = capsys.readouterr().out
        n = sum(1 for ln in out.splitlines() if ln.startswith("  - ") and "[règle " in ln)
        assert n == (2 if case == "duplicate_id" else 1), (case, out)


def test_valid_campaign_exits_0_with_notes(mini_path, tmp_path, capsys):
    assert main(["validate", str(mini_path)]) == 0
    out = capsys.readouterr().out
    assert "Campagne mini" in out and ": valide" in out and "encodage cp1252" in out
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "campaign.yml").write_text((BROKEN / "unknown_category" / "campaign.yml").read_text("utf-8")
                                         .replace("id: unknown_category", "id: c"), "utf-8")
    (folder / "actors.csv").write_text("actor_id,name,category,personal\nA1,Coop,social_economy,false\n", "utf-8")
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "tables optionnelles absentes : projects, project_stages" in out


def test_unknown_campaign_one_line_and_hint(isolated_dirs, capsys):
    assert main(["validate", "nope"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "rd-methods: erreur : campagne introuvable : nope"
    assert err[1].startswith("  piste : aucune campagne dans")


def test_console_script_exit_code():
    exe = Path(sys.executable).with_name("rd-methods")
    proc = subprocess.run([str(exe), "validate", str(BROKEN / "dangling_reference")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "contributions.csv, ligne 3, colonne project_id, valeur « P9 »" in proc.stdout


def test_new_scaffolds_templates_and_refuses_existing(isolated_dirs, capsys):
    assert main(["new", "jura-2026"]) == 0
    folder = isolated_dirs["raw"] / "jura-2026"
    assert sorted(p.name for p in folder.iterdir()) == sorted(["campaign.yml"] + [f"{t}.csv" for t in TABLES])
    for name, spec in TABLES.items():
        assert (folder / f"{name}.csv").read_text("utf-8") == ",".join(spec.columns) + "\n"
    yml = (folder / "campaign.yml").read_text("utf-8")
    assert yml.startswith("# ") and "id: jura-2026 " in yml and "min_cell: 5" in yml
    capsys.readouterr()
    # the scaffold is one step from valid: it only lacks actors
    assert main(["validate", "jura-2026"]) == 1
    out = capsys.readouterr().out
    assert "[règle required_table]" in out and "table vide (en-tête seul) ignorée : jobs.csv" in out
    (folder / "actors.csv").write_text("actor_id,name,category,member_college,member_since,commune_code,personal\n"
                                       "A0001,Coopérative,social_economy,,,39300,false\n", "utf-8")
    assert main(["validate", "jura-2026"]) == 0
    before = _snapshot(folder)
    assert main(["new", "jura-2026"]) == 1
    assert "existe déjà" in capsys.readouterr().err
    assert _snapshot(folder) == before
    assert main(["new", "../evil"]) == 1
    assert sorted(p.name for p in isolated_dirs["raw"].iterdir()) == ["jura-2026"]


def test_data_dir_option_does_not_leak_into_the_process(tmp_path, monkeypatch):
    import os

    from rd_methods.cli import main

    monkeypatch.delenv("RD_METHODS_DATA_DIR", raising=False)
    assert main(["--data-dir", str(tmp_path), "validate", "nowhere"]) == 1
    assert "RD_METHODS_DATA_DIR" not in os.environ
