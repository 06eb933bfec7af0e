"""rd_methods.workbook: a campaign kept in one tables.xlsx (issue 23).

Round trip (export then load = the same typed tables), drop-down lists generated from the
contract, errors named by sheet and cell, a table given twice, `new --workbook`,
`export-workbook`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from rd_methods import workbook
from rd_methods.campaign import Campaign, validate
from rd_methods.cli import main
from rd_methods.errors import ValidationFailed
from rd_methods.schemas import ACTOR_CATEGORIES, TABLES, Field, TableSpec
from rd_methods.workbook import FIRST_DATA_ROW, HEADER_ROW, LISTS_SHEET, README_SHEET, WORKBOOK_NAME

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo-2025"


def _assert_same_tables(a: Campaign, b: Campaign) -> None:
    assert list(a.tables) == list(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True, obj=name)


def _workbook_campaign(source: Path, target: Path) -> Path:
    """A campaign folder holding only campaign.yml and tables.xlsx exported from ``source``."""
    target.mkdir(parents=True)
    shutil.copy(source / "campaign.yml", target / "campaign.yml")
    assert main(["export-workbook", str(source), "--out", str(target / WORKBOOK_NAME)]) == 0
    return target


@pytest.fixture
def mini_workbook(isolated_dirs, mini_path) -> Path:
    """The mini campaign (CSV and xlsx files mixed) kept in one workbook at <raw>/mini."""
    return _workbook_campaign(mini_path, isolated_dirs["raw"] / "mini")


# --------------------------------------------------------------------------- round trip
@pytest.mark.slow
def test_demo_2025_round_trips_exactly(tmp_path, isolated_dirs):
    folder = _workbook_campaign(DEMO, isolated_dirs["raw"] / "demo-2025")
    assert sorted(p.name for p in folder.iterdir()) == ["campaign.yml", WORKBOOK_NAME]
    original = Campaign.load(DEMO, use_processed=False)
    again = Campaign.load(folder, use_processed=False)
    _assert_same_tables(original, again)  # values, dtypes, column order, every table
    assert len(again.tables) == len(original.tables) >= 16 and len(again["actors"]) == len(original["actors"]) > 2000
    assert again.report.read_info["actors"].sheet == "actors"
    assert again.report.read_info["actors"].header_row == HEADER_ROW
    assert not any("ignoré" in n for n in again.report.notes)
    # rd-methods list names the tables the workbook's sheets hold
    from rd_methods.publish.catalog import list_campaigns

    (listed,) = list_campaigns(isolated_dirs["raw"])
    assert listed["tables"] == sorted(original.tables)


def test_mixed_campaign_with_empty_optional_tables_round_trips(tmp_path, isolated_dirs, mini_path):
    source = tmp_path / "mini"
    shutil.copytree(mini_path, source)
    for name in ("ties", "jobs", "participations", "survey_items", "survey_responses", "sroi_inputs"):  # an .xlsx too
        next(source.glob(f"{name}.*")).unlink()
    (source / "events.csv").write_text("event_id;kind;project_id;held_on;title\n", "cp1252")  # header only
    original = Campaign.load(source, use_processed=False)
    assert "events" not in original.tables and "ties" not in original.tables
    folder = _workbook_campaign(source, isolated_dirs["raw"] / "mini")
    wb = openpyxl.load_workbook(folder / WORKBOOK_NAME)
    assert wb["ties"].max_row == HEADER_ROW  # empty optional table: labels, help and header only
    assert [c.value for c in wb["ties"][HEADER_ROW]] == TABLES["ties"].columns
    again = Campaign.load(folder, use_processed=False)
    _assert_same_tables(original, again)
    assert "table vide (en-tête seul) ignorée : tables.xlsx › ties" in again.report.notes


# --------------------------------------------------------------------------- layout and lists
def test_every_coded_column_has_its_drop_down_list(mini_workbook):
    wb = openpyxl.load_workbook(mini_workbook / WORKBOOK_NAME)
    assert wb.sheetnames == [README_SHEET, *TABLES, LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    lists = wb[LISTS_SHEET]
    n_lists = 0
    for name, spec in TABLES.items():
        ws = wb[name]
        header = [c.value for c in ws[HEADER_ROW]]
        assert header[: len(spec.columns)] == spec.columns
        assert ws.freeze_panes == f"A{FIRST_DATA_ROW}"
        validations = {str(r).split(":")[0]: dv for dv in ws.data_validations.dataValidation for r in dv.sqref.ranges}
        for j, f in enumerate(spec.fields):
            letter = openpyxl.utils.get_column_letter(j + 1)
            if f.codes:
                dv = validations[f"{letter}{FIRST_DATA_ROW}"]
                assert dv.type == "list" and dv.showErrorMessage
                ref = dv.formula1.split("!")[1].replace("$", "")
                values = [c.value for row in lists[ref] for c in row]
                assert values == list(f.codes), (name, f.name)
                n_lists += 1
            if f.kind == "date":
                assert ws.column_dimensions[letter].number_format == "DD/MM/YYYY"
    assert n_lists == sum(1 for t in TABLES.values() for f in t.fields if f.codes) >= 15
    # the category list of actors: C4 down to at least row 5000
    dv = next(dv for dv in wb["actors"].data_validations.dataValidation if "C4" in str(dv.sqref))
    assert str(dv.sqref).startswith("C4:C") and int(str(dv.sqref).split(":C")[1]) >= 5000
    assert wb["actors"]["C1"].value == "Catégorie" and "liste déroulante" in wb["actors"]["C2"].value
    assert "À lire" == wb.sheetnames[0] and "cellule" in " ".join(str(c.value) for c in wb[README_SHEET]["A"])
    assert set(ACTOR_CATEGORIES) <= {c.value for c in lists["B"]}


def test_a_table_added_to_the_contract_appears_in_the_workbook(monkeypatch):
    extra = TableSpec("grants", "Income and expenses.", "economic model", (
        Field("year", "int", "Year.", "2024", ge=1900, le=2100),
        Field("direction", "code", "Income or expense.", "income", codes=("income", "expense")),
        Field("amount_eur", "float", "Amount.", "1000", ge=0),
    ))
    monkeypatch.setattr(workbook, "TABLES", {**TABLES, "grants": extra})
    wb = workbook.build_workbook()
    ws = wb["grants"]
    assert [c.value for c in ws[HEADER_ROW]] == ["year", "direction", "amount_eur"]
    # no French label yet: the contract's description (never the bare name, which is the header's)
    assert ws["B1"].value == "Income or expense"
    dv = next(dv for dv in ws.data_validations.dataValidation if dv.type == "list")
    ref = dv.formula1.split("!")[1].replace("$", "")
    assert [c.value for row in wb[LISTS_SHEET][ref] for c in row] == ["income", "expense"]
    year = next(dv for dv in ws.data_validations.dataValidation if "A4" in str(dv.sqref))
    assert (year.type, year.operator, year.formula1, year.formula2) == ("whole", "between", "1900", "2100")


# --------------------------------------------------------------------------- errors by sheet and cell
def test_errors_name_the_sheet_and_the_cell_all_at_once(mini_workbook, isolated_dirs):
    path = mini_workbook / WORKBOOK_NAME
    wb = openpyxl.load_workbook(path)
    actors = wb["actors"]
    assert actors["A5"].value == "A02"  # row 4 is the first data row
    actors["C5"] = "martien"  # unknown category
    actors["E6"] = "31/02/2020"  # impossible date, typed as text
    wb["contributions"]["A4"] = "P99"  # unknown project
    wb.save(path)
    report = validate("mini")
    errors = report.errors.set_index("cell")
    assert errors.loc["C5", ["sheet", "column", "value", "rule"]].tolist() == ["actors", "category", "martien", "isin"]
    assert errors.loc["E6", ["sheet", "column", "rule"]].tolist() == ["actors", "member_since", "type_date"]
    assert errors.loc["A4", ["sheet", "column", "value", "rule"]].tolist() == ["contributions", "project_id", "P99", "reference"]
    text = report.format()
    assert "tables.xlsx › actors, cellule C5, colonne category, valeur « martien » : valeur inconnue" in text
    assert "actors, cellule E6" in text and "contributions, cellule A4" in text
    with pytest.raises(ValidationFailed):
        Campaign.load("mini")
    assert not any(isolated_dirs["processed"].iterdir())  # nothing written on error


def test_missing_column_names_the_sheet_and_header_row(mini_workbook):
    path = mini_workbook / WORKBOOK_NAME
    wb = openpyxl.load_workbook(path)
    wb["projects"]["C3"] = None  # header "need" erased
    wb.save(path)
    err = validate("mini").errors
    rec = err[err["rule"] == "missing_column"].iloc[0]
    assert (rec["sheet"], rec["row"], rec["column"]) == ("projects", HEADER_ROW, "need")
    assert "tables.xlsx › projects, ligne 3" in validate("mini").format()


def test_table_both_in_workbook_and_in_a_file_is_an_error(mini_workbook, mini_path):
    shutil.copy(mini_path / "jobs.csv", mini_workbook / "jobs.csv")
    report = validate("mini")
    rec = report.errors[report.errors["rule"] == "ambiguous_source"]
    assert len(rec) == 1 and rec.iloc[0]["sheet"] == "jobs"
    assert "table jobs donnée deux fois" in report.format() and "jobs.csv" in report.format()


# --------------------------------------------------------------------------- commands
def test_new_workbook_scaffold_then_fill_one_actor(isolated_dirs, capsys):
    assert main(["new", "jura-2026", "--workbook"]) == 0
    folder = isolated_dirs["raw"] / "jura-2026"
    assert sorted(p.name for p in folder.iterdir()) == ["campaign.yml", WORKBOOK_NAME]
    report = validate("jura-2026")
    assert report.errors["rule"].tolist() == ["required_table"]  # actors sheet has no data row
    assert report.errors.iloc[0]["sheet"] == "actors"
    wb = openpyxl.load_workbook(folder / WORKBOOK_NAME)
    for col, value in zip("ABCG", ["A0001", "Coopérative", "social_economy", "non"], strict=True):
        wb["actors"][f"{col}{FIRST_DATA_ROW}"] = value
    wb.save(folder / WORKBOOK_NAME)
    camp = Campaign.load("jura-2026")
    assert camp["actors"][["actor_id", "category", "personal"]].values.tolist() == [["A0001", "social_economy", False]]
    assert set(camp.tables) == {"actors"}


def test_export_workbook_refuses_invalid_campaign_and_existing_file(isolated_dirs, tmp_path, capsys):
    out = tmp_path / "out.xlsx"
    broken = ROOT / "tests" / "broken" / "unknown_category"
    assert main(["export-workbook", str(broken), "--out", str(out)]) == 1
    assert not out.exists()  # nothing written for an invalid campaign
    out.write_bytes(b"x")
    assert main(["export-workbook", str(ROOT / "tests" / "fixtures" / "mini"), "--out", str(out)]) == 1
    assert "existe déjà" in capsys.readouterr().err and out.read_bytes() == b"x"
    assert main(["export-workbook", str(ROOT / "tests" / "fixtures" / "mini"), "--out", str(out), "--force"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[1] == "actors"


def test_formula_like_text_stays_text():
    df = pd.DataFrame({"actor_id": ["A1"], "name": ["=SOMME(A1)"], "category": ["other"], "personal": [False]})
    ws = workbook.build_workbook({"actors": df})["actors"]
    assert ws[f"B{FIRST_DATA_ROW}"].data_type == "s" and ws[f"G{FIRST_DATA_ROW}"].value == "non"



def test_blank_optional_sheet_is_an_absent_table_but_blank_actors_is_an_error(mini_workbook):
    path = mini_workbook / WORKBOOK_NAME
    wb = openpyxl.load_workbook(path)
    for name in ("ties", "actors"):
        wb.remove(wb[name])
        wb.create_sheet(name)  # blank: not even the header
    wb.save(path)
    report = validate("mini")
    assert "table vide (feuille sans en-tête) ignorée : tables.xlsx › ties" in report.notes
    rules = report.errors[report.errors["sheet"] == "actors"]["rule"].tolist()
    assert rules == ["empty_file"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_reads_the_drop_down_lists(tmp_path, mini_path):
    """LibreOffice (when installed) keeps every list as a cell-content-is-in-list validation."""
    import re
    import subprocess
    import zipfile

    xlsx = workbook.write_workbook(tmp_path / "t.xlsx", Campaign.load(mini_path, use_processed=False).tables)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "ods", str(xlsx), "--outdir", str(tmp_path)],
                   check=True, capture_output=True, timeout=180)
    content = zipfile.ZipFile(tmp_path / "t.ods").read("content.xml").decode("utf-8")
    lists = re.findall(r'table:condition="of:cell-content-is-in-list\(\[\$listes\.\$([A-Z]+)\$2:\.\$\1\$(\d+)\]\)"'
                       r'[^>]*table:display-list="unsorted"', content)
    n_coded = sum(1 for t in TABLES.values() for f in t.fields if f.codes)
    assert len({col for col, _ in lists}) == n_coded + 1  # every coded column, and oui/non


def test_reference_columns_offer_the_ids_of_their_sheet():
    ws = workbook.build_workbook()["contributions"]
    by_start = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    project, actor = by_start["A4"], by_start["B4"]  # project_id -> projects.project_id, actor_id -> actors.actor_id
    assert (project.type, project.formula1, project.errorStyle) == ("list", "'projects'!$A$4:$A$5000", "warning")
    assert actor.formula1 == "'actors'!$A$4:$A$5000"
