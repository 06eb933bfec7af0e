"""rd_methods.schemas and rd_methods.campaign: typing, every check, cross-table checks, cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from rd_methods import paths
from rd_methods.campaign import Campaign, MissingTable, validate, write_processed
from rd_methods.errors import CampaignNotFound, ValidationFailed
from rd_methods.schemas import SCHEMA_VERSION, TABLES, check_campaign_meta, contract_markdown

ROOT = Path(__file__).resolve().parents[1]

EXPECTED_DTYPES = {
    "actors": {"actor_id": "str", "name": "str", "category": "str", "member_college": "str",
               "member_since": "datetime64[ns]", "commune_code": "str", "personal": "bool"},
    "activities": {"activity_id": "str", "project_id": "str", "function": "str", "kind": "str", "year": "int64",
                   "cost_eur": "float64", "staff_hours": "float64"},
    "contributions": {"project_id": "str", "actor_id": "str", "resource": "str", "quantity": "float64",
                      "unit": "str", "value_eur": "float64", "year": "int64"},
    "jobs": {"project_id": "str", "year": "int64", "fte": "float64", "headcount": "int64",
             "insertion_headcount": "int64"},
    "ties": {"source_id": "str", "target_id": "str", "kind": "str", "start_year": "int64", "end_year": "Int64",
             "project_id": "str", "weight": "float64"},
    "survey_items": {"item_id": "str", "scale": "str", "text": "str", "reverse": "bool", "min": "int64", "max": "int64"},
    "survey_responses": {"respondent_id": "str", "wave": "int64", "stakeholder_group": "str", "actor_id": "str",
                         "submitted_on": "datetime64[ns]", "coop_1": "Int64", "coop_2": "Int64", "trust_1": "Int64"},
    "territory_panel": {"territory_code": "str", "territory_name": "str", "year": "int64", "treated": "bool",
                        "population": "int64", "employment": "float64", "jobseekers": "float64",
                        "establishments_created": "float64", "median_income": "float64"},
    "finances": {"year": "int64", "direction": "str", "kind": "str", "amount_eur": "float64", "actor_id": "str",
                 "project_id": "str", "description": "str"},
}


def _errors(report) -> list[tuple]:
    return [(r.file, None if pd.isna(r.row) else int(r.row), r.column, r.rule) for r in report.errors.itertuples()]


def _rewrite(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding)
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding)


# --------------------------------------------------------------------------- registry
def test_registry_has_the_sixteen_contract_tables():
    assert list(TABLES) == ["actors", "projects", "project_stages", "activities", "contributions", "outcomes",
                            "jobs", "events", "participations", "ties", "survey_items", "survey_responses",
                            "territory_panel", "sroi_impact_map", "sroi_inputs", "finances"]
    assert TABLES["actors"].required_columns == ["actor_id", "name", "category", "personal"]
    assert TABLES["project_stages"].unique_together == ("project_id", "stage")
    assert TABLES["territory_panel"].unique_together == ("territory_code", "year")
    assert ("actor_id", "actors", "actor_id") in TABLES["contributions"].references
    assert re.fullmatch(r"[0-9a-f]{12}", SCHEMA_VERSION)


def test_docs_data_contract_matches_the_code():
    doc = (ROOT / "docs" / "data-contract.md").read_text("utf-8")
    assert doc == contract_markdown(), (
        "docs/data-contract.md is stale: regenerate with\n  .venv/bin/python -c \"from rd_methods.schemas import "
        "contract_markdown; open('docs/data-contract.md','w',encoding='utf-8').write(contract_markdown())\"")
    for spec in TABLES.values():
        assert f"### {spec.name}" in doc
        for f in spec.fields:
            assert f"| `{f.name}` |" in doc


# --------------------------------------------------------------------------- loading the mini campaign
def test_mini_loads_with_contract_dtypes_and_values(mini_path, isolated_dirs):
    camp = Campaign.load(mini_path)
    assert camp.id == "mini" and camp.period == (2018, 2024) and camp.synthetic is True
    assert camp.organisation == "A01" and camp.territory == "Lons-le-Saunier (Jura)"
    assert camp.min_cell == 3 and camp.discount_rate == 0.035
    assert camp.monetisation == {"volunteer_hour_eur": 13.5, "staff_hour_eur": 32.0}
    assert set(camp.tables) == set(TABLES) and camp.ground_truth is None
    for name, dtypes in EXPECTED_DTYPES.items():
        assert {c: str(t) for c, t in camp[name].dtypes.items()} == dtypes, name
    actors = camp["actors"].set_index("actor_id")
    # cp1252 + ';' + dd/mm/yyyy + oui/non
    assert actors.loc["A05", "name"] == "Hélène Brûlé" and actors.loc["A05", "personal"]
    assert actors.loc["A01", "member_since"] == pd.Timestamp("2016-03-01")
    assert pd.isna(actors.loc["A03", "member_college"]) and actors["personal"].sum() == 2
    # decimal comma
    assert camp["activities"]["cost_eur"].sum() == pytest.approx(27500.75)
    assert camp["activities"]["staff_hours"].sum() == pytest.approx(610.5)
    # xlsx with a merged title row
    contrib = camp["contributions"]
    assert len(contrib) == 5 and contrib["value_eur"].sum() == 15800.0 and contrib["value_eur"].isna().sum() == 2
    assert contrib["quantity"].tolist() == [5000.0, 40.0, 10000.0, 12.5, 1.0]
    responses = camp["survey_responses"]
    assert responses["trust_1"].isna().sum() == 1 and responses["coop_1"].sum() == 17
    assert camp["ties"]["end_year"].isna().sum() == 2
    assert camp["territory_panel"]["employment"].iloc[0] == 15400.5
    assert camp["sroi_inputs"]["value_eur"].tolist() == [20000.0, 1500.5]
    assert list(camp["actors"].index) == list(range(8))  # plain RangeIndex for users
    assert camp.report.read_info["actors"].encoding == "cp1252"
    assert camp.report.read_info["contributions"].header_row == 3


def test_meta_defaults_filled(mini_copy):
    yml = mini_copy / "campaign.yml"
    text = yml.read_text("utf-8")
    yml.write_text(text.split("sroi:")[0], "utf-8")  # drop sroi + disclosure
    camp = Campaign.load("mini")
    assert camp.min_cell == 5 and camp.discount_rate == 0.032  # default: France Stratégie 2021
    assert camp.meta["tables"] == {}


def test_check_campaign_meta_problems():
    meta, problems = check_campaign_meta({"id": "x", "title": "", "territory": "J", "organisation": "A",
                                          "period": [2025, 2016], "synthetic": "yes",
                                          "sroi": {"discount_rate": 3.5}, "disclosure": {"min_cell": 0},
                                          "tables": {"acteurs": "a.csv"}}, "y")
    rules = {(k, r) for k, _, r, _ in problems}
    assert rules == {("title", "required"), ("id", "id_matches_folder"), ("period", "period"),
                     ("synthetic", "type_bool"), ("sroi.discount_rate", "range"), ("disclosure.min_cell", "ge"),
                     ("tables.acteurs", "isin")}
    _, problems = check_campaign_meta(["not", "a", "mapping"])
    assert problems[0][2] == "yaml_mapping"


def test_missing_table_and_has(mini_copy):
    (mini_copy / "jobs.csv").unlink()
    camp = Campaign.load("mini")
    assert not camp.has("jobs") and camp.has("actors") and "jobs" not in camp
    with pytest.raises(MissingTable, match="jobs") as exc:
        camp["jobs"]
    assert isinstance(exc.value, KeyError)
    assert "table optionnelle absente : jobs" in camp.report.notes


def test_header_only_table_is_noted_not_loaded(mini_copy):
    (mini_copy / "jobs.csv").write_text("project_id,year,fte,headcount,insertion_headcount\n", "utf-8")
    report = validate("mini")
    assert report.ok and "table vide (en-tête seul) ignorée : jobs.csv" in report.notes
    assert not Campaign.load("mini", use_processed=False).has("jobs")


def test_table_mapping_in_campaign_yml(mini_copy):
    (mini_copy / "jobs.csv").rename(mini_copy / "export_emplois.csv")
    with open(mini_copy / "campaign.yml", "a", encoding="utf-8") as fh:
        fh.write("tables:\n  jobs: export_emplois.csv\n")
    camp = Campaign.load("mini")
    assert camp["jobs"]["fte"].sum() == 3.5


# --------------------------------------------------------------------------- not found / failure
def test_campaign_not_found_lists_available(mini_copy):
    with pytest.raises(CampaignNotFound) as exc:
        Campaign.load("mni")
    assert "mni" in exc.value.message and "mini" in exc.value.hint


def test_load_raises_validation_failed_with_report(mini_copy):
    _rewrite(mini_copy / "jobs.csv", "P1,2021,2.0,3,1", "P1,2021,2.0,3,4")
    with pytest.raises(ValidationFailed) as exc:
        Campaign.load("mini")
    assert exc.value.message == "1 problème dans la campagne mini"
    assert exc.value.hint == "rd-methods validate mini"
    assert _errors(exc.value.report) == [("jobs.csv", 3, "insertion_headcount", "insertion_le_headcount")]


def test_every_problem_reported_at_once(mini_copy):
    # four defects in four files, plus a type error and a duplicate in the same file
    _rewrite(mini_copy / "actors.csv", "A03;Fromagerie du Revermont;enterprise", "A03;Fromagerie du Revermont;entreprise",
             "cp1252")
    _rewrite(mini_copy / "project_stages.csv", "P2,abandoned,2020-06-30", "P2,workshop,30/06/2020")
    _rewrite(mini_copy / "ties.csv", "A01,A02,funding,2017,2022,,1", "A01,A99,funding,2017,2012,,1")
    _rewrite(mini_copy / "participations.csv", "E3,A08,participant", "E9,A08,participant")
    _rewrite(mini_copy / "events.csv", "E2,territorial_event,,2019-10-12", "E2,territorial_event,,12 oct 2019")
    _rewrite(mini_copy / "survey_responses.csv", "R3,1,partners,A03,2019-11-07,5,1,4", "R3,1,partners,A03,2019-11-07,5,0,4")
    _rewrite(mini_copy / "outcomes.csv", "P1,employees,economic", "P7,employees,economic")
    report = validate("mini")
    assert sorted(_errors(report), key=str) == sorted([
        ("actors.csv", 4, "category", "isin"),
        ("project_stages.csv", 8, "project_id, stage", "unique_together"),
        ("project_stages.csv", 9, "project_id, stage", "unique_together"),
        ("outcomes.csv", 3, "project_id", "reference"),
        ("events.csv", 3, "held_on", "type_date"),
        ("participations.csv", 10, "event_id", "reference"),
        ("ties.csv", 3, "end_year", "end_after_start"),
        ("ties.csv", 3, "target_id", "reference"),
        ("survey_responses.csv", 4, "coop_2", "range"),
    ], key=str)
    values = dict(zip(report.errors["rule"], report.errors["value"], strict=False))
    assert values["isin"] == "entreprise" and values["unique_together"] == "P2, workshop" and values["type_date"] == "12 oct 2019" and values["range"] == "0"
    text = report.format()
    assert "actors.csv, ligne 4, colonne category, valeur « entreprise »" in text
    assert "9 problèmes à corriger" in text


def test_cross_table_checks(mini_copy):
    _rewrite(mini_copy / "campaign.yml", "organisation: A01", "organisation: Z99")
    _rewrite(mini_copy / "survey_responses.csv", "coop_2,trust_1", "coop_2,trust_9")
    (mini_copy / "events.csv").unlink()  # participations now point to an absent table
    report = validate("mini")
    errs = _errors(report)
    assert ("campaign.yml", None, "organisation", "reference") in errs
    assert ("survey_responses.csv", 1, "trust_9", "unknown_item_column") in errs
    assert ("participations.csv", None, "event_id", "reference_table") in errs
    assert len(errs) == 3
    assert "items sans colonne dans survey_responses.csv : trust_1" in report.notes


def test_missing_column_not_double_reported_and_optional_column_may_be_omitted(mini_copy):
    _rewrite(mini_copy / "events.csv", "event_id,kind,project_id,held_on,title", "event_id,kind,held_on,title\n#")
    # events.csv now lacks project_id (nullable: allowed) but its rows are shifted: rewrite properly
    (mini_copy / "events.csv").write_text("event_id,kind,held_on\nE1,workshop,2018-06-01\nE2,meeting,2019-10-12\n"
                                          "E3,meeting,2019-10-15\n", "utf-8")
    (mini_copy / "jobs.csv").write_text("project_id,year,fte\nP1,2020,1.5\n", "utf-8")
    report = validate("mini")
    assert sorted(_errors(report)) == [("jobs.csv", 1, "headcount", "missing_column"),
                                       ("jobs.csv", 1, "insertion_headcount", "missing_column")]


def test_wrong_bool_int_and_range(mini_copy):
    _rewrite(mini_copy / "survey_items.csv", "trust_1,trust,J'ai confiance dans la coopérative.,false,1,5",
             "trust_1,trust,J'ai confiance dans la coopérative.,peut-être,1.5,1")
    _rewrite(mini_copy / "sroi_impact_map.csv", "0.2,0,0.3,0.1,3,0", "1.2,0,0.3,0.1,0,0")
    report = validate("mini")
    assert sorted(_errors(report)) == sorted([
        ("survey_items.csv", 4, "reverse", "type_bool"),
        ("survey_items.csv", 4, "min", "type_int"),
        ("sroi_impact_map.csv", 2, "deadweight", "le"),
        ("sroi_impact_map.csv", 2, "duration_years", "ge"),
    ])


def test_ambiguous_files_and_ignored_files(mini_copy):
    shutil.copy(mini_copy / "jobs.csv", mini_copy / "jobs.xlsx")
    (mini_copy / "notes_reunion.txt").write_text("x")
    report = validate("mini")
    assert [e[3] for e in _errors(report)] == ["ambiguous_file"]
    assert "fichier ignoré (pas une table du contrat) : notes_reunion.txt" in report.notes


# --------------------------------------------------------------------------- processed cache
def test_write_processed_and_reuse(mini_copy, isolated_dirs):
    camp = Campaign.load("mini")
    target = write_processed(camp, paths.processed_dir() / "mini")
    assert sorted(p.name for p in target.iterdir()) == sorted([f"{t}.parquet" for t in TABLES] + ["manifest.json"])
    assert [p.name for p in isolated_dirs["processed"].iterdir()] == ["mini"]  # no temp folder left
    manifest = json.loads((target / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["fingerprint"] == camp.fingerprint
    assert set(manifest["files"]) == {"campaign.yml", *(p.name for p in mini_copy.iterdir() if p.suffix in (".csv", ".xlsx"))}
    cached = Campaign.load("mini")
    assert cached.from_processed and not camp.from_processed
    assert cached.fingerprint == camp.fingerprint and cached.meta == camp.meta
    for name in TABLES:
        pd.testing.assert_frame_equal(cached[name], camp[name], check_exact=True)
    assert cached.report.read_info["actors"].encoding == "cp1252"
    # rewriting replaces the folder atomically
    write_processed(cached, target)
    assert [p.name for p in isolated_dirs["processed"].iterdir()] == ["mini"]


@pytest.mark.parametrize("change", ["edit", "add", "remove", "same_size"])
def test_changed_raw_file_is_always_noticed(mini_copy, change):
    write_processed(Campaign.load("mini"))
    jobs = mini_copy / "jobs.csv"
    if change == "edit":
        _rewrite(jobs, "P1,2021,2.0,3,1", "P1,2021,2.5,3,1")
    elif change == "add":
        shutil.copy(jobs, mini_copy / "extra_notes.csv")
    elif change == "remove":
        jobs.unlink()
    else:  # same size, same mtime: only the content differs
        st = jobs.stat()
        _rewrite(jobs, "P1,2021,2.0", "P1,2021,3.0")
        os.utime(jobs, ns=(st.st_atime_ns, st.st_mtime_ns))
    camp = Campaign.load("mini")
    assert not camp.from_processed
    if change in ("edit", "same_size"):
        assert camp["jobs"]["fte"].sum() == pytest.approx(4.0 if change == "edit" else 4.5)


def test_processed_ignored_for_another_folder_with_same_id(mini_copy, tmp_path):
    write_processed(Campaign.load("mini"))
    other = tmp_path / "elsewhere" / "mini"
    shutil.copytree(mini_copy, other)
    _rewrite(other / "jobs.csv", "P1,2021,2.0", "P1,2021,9.0")
    camp = Campaign.load(other)
    assert not camp.from_processed and camp["jobs"]["fte"].sum() == 10.5


def test_nothing_written_for_invalid_campaign(mini_copy, isolated_dirs):
    camp = Campaign.load("mini")
    _rewrite(mini_copy / "jobs.csv", "P1,2021,2.0,3,1", "P1,2021,-2.0,3,1")
    with pytest.raises(ValidationFailed):
        Campaign.load("mini")
    camp.report.errors = pd.DataFrame([{"file": "x", "row": 1, "column": "c", "value": 1, "rule": "r", "message": "m"}])
    with pytest.raises(ValidationFailed):
        write_processed(camp)
    assert list(isolated_dirs["processed"].iterdir()) == []


def test_fingerprint_depends_on_content_not_location(mini_copy, tmp_path):
    other = tmp_path / "copy" / "mini"
    shutil.copytree(mini_copy, other)
    a, b = Campaign.load("mini", use_processed=False), Campaign.load(other, use_processed=False)
    assert a.fingerprint == b.fingerprint and re.fullmatch(r"[0-9a-f]{64}", a.fingerprint)
    _rewrite(other / "actors.csv", "Noël Gaudin", "Noël Gaudin ", "cp1252")
    assert Campaign.load(other, use_processed=False).fingerprint != a.fingerprint


# --------------------------------------------------------------------------- demo campaigns
@pytest.mark.parametrize("campaign", ["demo-2024", "demo-2025"])
def test_demo_campaigns_validate(campaign, isolated_dirs):
    folder = ROOT / "data" / "raw" / campaign
    if not (folder / "campaign.yml").exists():
        pytest.skip(f"{campaign} not generated yet")
    start = time.perf_counter()
    report = validate(folder)
    assert report.ok, report.format()
    camp = Campaign.load(folder, use_processed=False)
    assert time.perf_counter() - start < 60
    assert camp.id == campaign and camp.synthetic
    assert camp["actors"]["actor_id"].eq(camp.organisation).sum() == 1
    if camp.ground_truth is not None:
        assert camp.ground_truth["organisation"]["actor_id"] == camp.organisation


def test_validate_table_tolerates_column_case_and_reports_text_values():
    from rd_methods.schemas import validate_table

    raw = pd.DataFrame({"Project_ID ": ["P1", "P2"], "Year": ["2020", "deux mille"], "fte": ["1,5", "2"],
                        "headcount": ["2", "3"], "insertion_headcount": ["1", "0"]},
                       index=pd.Index([2, 3], name="row"), dtype="str")
    typed, errors = validate_table("jobs", raw, decimal=",")
    assert list(typed.columns) == ["project_id", "year", "fte", "headcount", "insertion_headcount"]
    assert errors[["row", "column", "value", "rule"]].values.tolist() == [[3, "year", "deux mille", "type_int"]]
    assert typed["fte"].tolist() == [1.5, 2.0]
