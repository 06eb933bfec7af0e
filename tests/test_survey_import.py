"""Import of survey-tool exports (rd_methods.survey_import) and the import-survey command.

The fixtures in tests/fixtures/survey_exports hold the same six answers exported by each
tool, following its documented export format:
- limesurvey_en_codes.csv: LimeSurvey "Export responses", question-code headers
  (array sub-questions as ``coop[SQ001]``), answer codes (A1…A5), ``,``;
- limesurvey_fr_texts.csv: LimeSurvey with French interface, "question code & question
  text" headers, full answer texts, ``;``, UTF-8 with BOM;
- kobotoolbox.csv: KoboToolbox "XML values and headers", group paths, ``;``, quoted, HXL
  tag row, select_multiple ``services`` expanded as ``services/<choice>`` columns;
- export.xlsx: a plain sheet with a timestamp column and answer texts;
- export.sav: SPSS file with value labels (9 = "Je ne sais pas");
- limesurvey_fr_incomplete.csv: LimeSurvey, French interface, full metadata labels
  (« ID de la réponse », « Date de soumission », « Dernière page », « Langue de départ »,
  « Tête de série », « Date de lancement », « Date de la dernière action », « Adresse IP »,
  « URL de provenance »), the same six answers in an order that is not the submission
  order, and two incomplete responses (empty « Date de soumission », « Dernière page » 1
  and 2) between them, as LimeSurvey writes a response once its first page is left.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rd_methods import survey
from rd_methods.cli import main
from rd_methods.survey_import import (
    SurveyImportError,
    import_export,
    load_mapping,
    read_export,
    write_survey_tables,
)

FIXTURES = Path(__file__).parent / "fixtures" / "survey_exports"
MAPPING = FIXTURES / "mapping.yml"
SALT = "test-salt"
EXPORTS = ["limesurvey_en_codes.csv", "limesurvey_fr_texts.csv", "kobotoolbox.csv", "export.xlsx", "export.sav"]


def _pid(code: str) -> str:
    """The documented pseudonym: R + 10 hex digits of sha256(salt, 0x1f, normalised id)."""
    return "R" + hashlib.sha256(f"{SALT}\x1f{code.casefold()}".encode()).hexdigest()[:10].upper()


# The six answers, by hand from the questionnaires (coop_3 as asked, not reversed;
# "Je ne sais pas" and blanks are missing).
EXPECTED = pd.DataFrame(
    {
        "code": ["AB12", "CD34", "EF56", "GH78", "IJ90", "KL11"],
        "stakeholder_group": ["members", "partners", "beneficiaries", "members", "partners", "beneficiaries"],
        "submitted_on": ["2025-03-03", "2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"],
        "coop_1": [5, 4, 3, 2, 5, 4],
        "coop_2": [4, 4, None, 3, 5, 3],
        "coop_3": [2, 1, 3, 4, 1, 2],
        "trust_1": [4, 3, 2, None, 5, 4],
        "trust_2": [5, 4, 3, 2, 4, 4],
    }
)


def _expected_responses() -> pd.DataFrame:
    exp = EXPECTED.assign(respondent_id=EXPECTED["code"].map(_pid), wave=1)
    exp = exp.sort_values("respondent_id").reset_index(drop=True)
    return exp


@pytest.mark.parametrize("name", EXPORTS)
def test_every_format_imports_to_the_same_tables(name):
    result = import_export(FIXTURES / name, MAPPING, salt=SALT)
    resp = result.responses
    assert list(resp.columns) == ["respondent_id", "wave", "stakeholder_group", "actor_id", "submitted_on",
                                  "coop_1", "coop_2", "coop_3", "trust_1", "trust_2"]
    exp = _expected_responses()
    assert resp["respondent_id"].tolist() == exp["respondent_id"].tolist()
    assert resp["stakeholder_group"].tolist() == exp["stakeholder_group"].tolist()
    assert resp["submitted_on"].tolist() == exp["submitted_on"].tolist()
    assert (resp["wave"] == 1).all()
    for item in ["coop_1", "coop_2", "coop_3", "trust_1", "trust_2"]:
        assert str(resp[item].dtype) == "Int64"
        assert resp[item].astype("Float64").tolist() == pd.Series(exp[item], dtype="Float64").tolist(), item
    assert result.items.to_dict("list") == {
        "item_id": ["coop_1", "coop_2", "coop_3", "trust_1", "trust_2"],
        "scale": ["cooperation"] * 3 + ["trust"] * 2,
        "text": ["Je coopère avec d'autres acteurs du territoire.", "Je sais à qui m'adresser pour monter un projet.",
                 "Je travaille surtout seul.", "Je fais confiance aux autres sociétaires.",
                 "Les décisions sont prises de façon transparente."],
        "reverse": [False, False, True, False, False],
        "min": [1] * 5,
        "max": [5] * 5,
    }
    # identifiers and free text never come out
    text = resp.to_csv(index=False)
    for code in EXPECTED["code"]:
        assert code not in text
    assert "Marie Dupont" not in text and "commentaire" not in text.lower()
    assert len(result.free_text_columns) == 1


def test_tool_detection_and_kobo_tag_row():
    kobo = read_export(FIXTURES / "kobotoolbox.csv")
    assert kobo.tool == "kobotoolbox" and len(kobo.frame) == 6  # tag row skipped
    assert not kobo.frame.iloc[0].astype(str).str.startswith("#").any()
    assert read_export(FIXTURES / "limesurvey_fr_texts.csv").tool == "limesurvey"
    assert read_export(FIXTURES / "export.sav").tool == "spss"
    result = import_export(kobo, MAPPING, salt=SALT)
    assert "_uuid" in result.ignored_columns and "services/formation" in result.ignored_columns


def test_imported_tables_feed_the_analysis():
    result = import_export(FIXTURES / "kobotoolbox.csv", MAPPING, salt=SALT)
    scores = survey.score_scales(result.responses, result.items)
    coop = scores.loc[scores["scale"] == "cooperation"].set_index("respondent_id")["score"]
    # AB12: 5, 4 and coop_3 = 2 reversed to 4 -> 13 / 3
    assert coop[_pid("AB12")] == pytest.approx(13 / 3)
    # EF56 skipped coop_2: 3 and (6 - 3) -> 3
    assert coop[_pid("EF56")] == pytest.approx(3.0)


def test_incomplete_mapping_reports_columns_and_answers_together(tmp_path):
    mapping = load_mapping(MAPPING)  # validates the shipped example
    assert len(mapping["items"]) == 5
    import yaml

    raw = yaml.safe_load(MAPPING.read_text("utf-8"))
    del raw["items"]["trust_2"]  # its column is now unmapped
    del raw["answers"]["accord"]["Plutôt pas d'accord"]  # an answer text is now unmapped
    del raw["stakeholder_group"]["values"]["Bénéficiaire"]
    raw["free_text"] = []
    with pytest.raises(SurveyImportError) as info:
        import_export(FIXTURES / "limesurvey_fr_texts.csv", raw, salt=SALT)
    problems = info.value.problems
    assert "trust[SQ002]. Confiance" in problems[0] and "commentaire. Un commentaire ?" in problems[0]
    # file rows as the user sees them (header = row 1): answers "2" of GH78 (row 5),
    # AB12 and KL11 (rows 2, 7), EF56 (row 4); the two "Bénéficiaire" rows 4 and 7
    assert len(problems) == 5
    assert "stakeholder_group" in problems[1] and "« Bénéficiaire »" in problems[1] and "(lignes 4, 7)" in problems[1]
    assert problems[2].startswith("item coop_1") and "« Plutôt pas d'accord » (lignes 5)" in problems[2]
    assert problems[3].startswith("item coop_3") and "« Plutôt pas d'accord » (lignes 2, 7)" in problems[3]
    assert problems[4].startswith("item trust_1") and "(lignes 4)" in problems[4]
    assert "5 problème(s), rien n'a été écrit" in info.value.message
    # nothing written by the command either
    camp = tmp_path / "c1"
    camp.mkdir()
    (camp / "campaign.yml").write_text("id: c1\n", encoding="utf-8")
    bad = tmp_path / "bad.yml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code = main(["import-survey", str(FIXTURES / "limesurvey_fr_texts.csv"), "--mapping", str(bad),
                 "--campaign", str(camp), "--salt", SALT])
    assert code == 1
    assert sorted(p.name for p in camp.iterdir()) == ["campaign.yml"]


def test_mapping_errors_are_reported_together():
    with pytest.raises(SurveyImportError) as info:
        load_mapping({"stakeholder_group": "friends", "pseudonymise": "md5",
                      "items": {"bad id": {"min": 1, "max": 5}, "ok": {"scale": "s", "answers": "nope"}}})
    text = "\n".join(info.value.problems)
    for fragment in ("identifiant invalide", "« scale » manquant", "jeu de réponses « nope »", "friends", "md5"):
        assert fragment in text


def test_sequential_ids_and_duplicate_respondents(tmp_path):
    res = import_export(FIXTURES / "limesurvey_en_codes.csv", MAPPING, pseudonymise="sequential")
    assert res.responses["respondent_id"].tolist() == ["R0001", "R0002", "R0003", "R0004", "R0005", "R0006"]
    # numbered in file order (this file happens to be in submission order)
    assert res.responses["coop_1"].tolist() == EXPECTED["coop_1"].tolist()
    dup = tmp_path / "dup.csv"
    lines = (FIXTURES / "limesurvey_en_codes.csv").read_text("utf-8").splitlines()
    dup.write_text("\n".join([*lines, lines[1].replace('"1",', '"7",', 1)]) + "\n", encoding="utf-8")
    with pytest.raises(SurveyImportError, match="même répondant deux fois"):
        import_export(dup, MAPPING, salt=SALT)
    with pytest.raises(SurveyImportError, match="sel secret"):
        import_export(FIXTURES / "limesurvey_en_codes.csv", MAPPING, salt="")


def _campaign(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "c2"
    folder.mkdir(parents=True)
    (folder / "campaign.yml").write_text("id: c2\n", encoding="utf-8")
    return folder


def test_cli_writes_tables_refuses_overwrite_and_appends_a_wave(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("RD_METHODS_SURVEY_SALT", raising=False)
    folder = _campaign(tmp_path)
    data_dir = str(folder.parent)
    args = ["--data-dir", data_dir, "import-survey", str(FIXTURES / "kobotoolbox.csv"), "--mapping", str(MAPPING),
            "--campaign", "c2"]
    assert main(args) == 0
    salt = (folder / ".survey_salt").read_text("utf-8").strip()
    assert len(salt) == 32
    items = pd.read_csv(folder / "survey_items.csv")
    resp = pd.read_csv(folder / "survey_responses.csv")
    assert items["reverse"].tolist() == [False, False, True, False, False]
    assert len(resp) == 6 and resp["coop_2"].isna().sum() == 1
    before = (folder / "survey_responses.csv").read_bytes()
    capsys.readouterr()
    assert main(args) == 1  # refuses to overwrite
    assert "--force" in capsys.readouterr().err
    assert (folder / "survey_responses.csv").read_bytes() == before
    # the same people answer wave 2 in LimeSurvey: the salt kept in the campaign links them
    assert main([*args[:3], str(FIXTURES / "limesurvey_en_codes.csv"), *args[4:], "--wave", "2", "--append"]) == 0
    both = pd.read_csv(folder / "survey_responses.csv")
    assert both.groupby("wave").size().to_dict() == {1: 6, 2: 6}
    assert set(both.loc[both["wave"] == 1, "respondent_id"]) == set(both.loc[both["wave"] == 2, "respondent_id"])
    assert main([*args[:3], str(FIXTURES / "limesurvey_en_codes.csv"), *args[4:], "--wave", "2", "--append"]) == 1
    assert main([*args, "--force", "--dry-run"]) == 0
    assert pd.read_csv(folder / "survey_responses.csv").shape[0] == 12  # dry run wrote nothing
    assert not list(folder.glob("*.tmp"))


def test_write_is_atomic_when_the_second_file_fails(tmp_path, monkeypatch):
    folder = _campaign(tmp_path)
    result = import_export(FIXTURES / "export.xlsx", MAPPING, salt=SALT)
    write_survey_tables(folder, result)
    before = {p.name: p.read_bytes() for p in folder.glob("survey_*.csv")}
    import rd_methods.survey_import as si

    real = si._csv_text
    calls = []

    def flaky(frame):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disque plein")
        return real(frame)

    monkeypatch.setattr(si, "_csv_text", flaky)
    with pytest.raises(OSError):
        write_survey_tables(folder, result, force=True)
    assert {p.name: p.read_bytes() for p in folder.glob("survey_*.csv")} == before
    assert not list(folder.glob(".*.tmp"))


def test_cli_unknown_campaign(tmp_path, capsys):
    code = main(["--data-dir", str(tmp_path), "import-survey", str(FIXTURES / "export.sav"), "--mapping",
                 str(MAPPING), "--campaign", "nowhere", "--salt", SALT])
    assert code == 1 and "campaign.yml" in capsys.readouterr().err


def test_copy_of_fixture_folder_is_self_contained(tmp_path):
    # the example mapping works from any place (no relative path inside)
    shutil.copy(MAPPING, tmp_path / "m.yml")
    assert len(import_export(FIXTURES / "export.sav", tmp_path / "m.yml", salt=SALT).responses) == 6


# --------------------------------------------------------------------------- issue 19
#: Only what the questionnaire needs: items, answers, respondent and group columns;
#: no LimeSurvey metadata column listed anywhere.
MINIMAL = {
    "respondent_id": "code",
    "stakeholder_group": {"column": "profil",
                          "values": {"Sociétaire": "members", "Partenaire": "partners", "Bénéficiaire": "beneficiaries"}},
    "missing": ["Je ne sais pas"],
    "answers": {"accord": {"Pas du tout d'accord": 1, "Plutôt pas d'accord": 2, "Ni d'accord ni pas d'accord": 3,
                           "Plutôt d'accord": 4, "Tout à fait d'accord": 5}},
    "items": {
        "coop_1": {"column": "coop[SQ001]", "scale": "cooperation", "answers": "accord",
                   "text": "Je coopère avec d'autres acteurs du territoire."},
        "coop_2": {"column": "coop[SQ002]", "scale": "cooperation", "answers": "accord",
                   "text": "Je sais à qui m'adresser pour monter un projet."},
        "coop_3": {"column": "coop[SQ003]", "scale": "cooperation", "answers": "accord", "reverse": True,
                   "text": "Je travaille surtout seul."},
        "trust_1": {"column": "trust[SQ001]", "scale": "trust", "answers": "accord",
                    "text": "Je fais confiance aux autres sociétaires."},
        "trust_2": {"column": "trust[SQ002]", "scale": "trust", "answers": "accord",
                    "text": "Les décisions sont prises de façon transparente."},
    },
}
INCOMPLETE = FIXTURES / "limesurvey_fr_incomplete.csv"
FILE_ORDER = ["KL11", "AB12", "CD34", "GH78", "EF56", "IJ90"]  # complete responses, as in the file


def test_limesurvey_french_export_with_incomplete_responses_imports_with_item_mappings_only():
    res = import_export(INCOMPLETE, MINIMAL, salt=SALT)
    exp = _expected_responses()
    assert res.responses["respondent_id"].tolist() == exp["respondent_id"].tolist()
    for item in ["coop_1", "coop_2", "coop_3", "trust_1", "trust_2"]:
        assert res.responses[item].astype("Float64").tolist() == pd.Series(exp[item], dtype="Float64").tolist()
    # the submission date is LimeSurvey's own column, found without mapping
    assert res.responses["submitted_on"].tolist() == exp["submitted_on"].tolist()
    assert res.n_incomplete == 2 and not res.incomplete_kept and not res.incomplete.any()
    assert "2 réponse(s) incomplète(s)" in res.describe() and "écartée(s)" in res.describe()
    for meta in ["ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ", "Tête de série",
                 "Date de lancement", "Date de la dernière action", "Adresse IP", "URL de provenance"]:
        assert meta in res.ignored_columns or meta == "Date de soumission", meta
    assert "MN22" not in res.responses.to_csv() and _pid("MN22") not in res.responses["respondent_id"].tolist()


def test_include_incomplete_keeps_them_flagged_and_sequential_follows_the_file():
    res = import_export(INCOMPLETE, MINIMAL, pseudonymise="sequential", include_incomplete=True)
    resp = res.responses
    assert resp["respondent_id"].tolist() == [f"R{i:04d}" for i in range(1, 9)]
    # file rows 3 and 6 (MN22, OP33) are the incomplete ones: flagged, no submission date
    assert res.incomplete.tolist() == [False, False, True, False, False, True, False, False]
    assert resp.loc[res.incomplete, "submitted_on"].isna().all()
    assert resp.loc[~res.incomplete, "submitted_on"].notna().all()
    assert resp.loc[2, ["coop_1", "coop_2"]].tolist()[0] == 4 and pd.isna(resp.loc[2, "coop_2"])
    assert "dont 2 réponse(s) incomplète(s)" in res.describe()
    # without them, R0001… follow the file's row order, not the submission dates
    seq = import_export(INCOMPLETE, MINIMAL, pseudonymise="sequential").responses
    by_code = EXPECTED.set_index("code")
    assert seq["respondent_id"].tolist() == [f"R{i:04d}" for i in range(1, 7)]
    assert seq["coop_1"].tolist() == by_code.loc[FILE_ORDER, "coop_1"].tolist()
    assert seq["submitted_on"].tolist() == by_code.loc[FILE_ORDER, "submitted_on"].tolist()
    assert seq["submitted_on"].tolist() != sorted(seq["submitted_on"])


def test_limesurvey_english_metadata_labels_are_recognised(tmp_path):
    lines = (FIXTURES / "limesurvey_en_codes.csv").read_text("utf-8").splitlines()
    labels = ['"Response ID"', '"Date submitted"', '"Last page"', '"Start language"', '"Seed"', '"Date started"',
              '"Date last action"']
    head = lines[0].split(",")
    head[:7] = labels
    head = [*head, '"IP address"', '"Referrer URL"']
    rows = [f"{line},\"\",\"\"" for line in lines[1:]]
    rows[2] = rows[2].replace('"2025-03-04 10:30:00","3"', '"","1"', 1)  # EF56 never submitted
    path = tmp_path / "en_labels.csv"
    path.write_text("\n".join([",".join(head), *rows]) + "\n", encoding="utf-8")
    mapping = {**MINIMAL, "stakeholder_group": {"column": "profil", "values": {"A1": "members", "A2": "partners",
                                                                             "A3": "beneficiaries"}},
               "missing": ["A9"], "free_text": ["commentaire"],
               "answers": {"accord": {f"A{i}": i for i in range(1, 6)}}}
    res = import_export(path, mapping, salt=SALT)
    assert res.source.tool == "limesurvey" and res.n_incomplete == 1 and len(res.responses) == 5
    assert _pid("EF56") not in res.responses["respondent_id"].tolist()
    assert {"Response ID", "Date started", "Date last action", "IP address", "Referrer URL"} <= set(res.ignored_columns)


def test_cli_reports_incomplete_responses_and_keeps_them_on_request(tmp_path, capsys):
    import yaml

    folder = _campaign(tmp_path)
    mapping = tmp_path / "minimal.yml"
    mapping.write_text(yaml.safe_dump(MINIMAL, allow_unicode=True), encoding="utf-8")
    base = ["--data-dir", str(folder.parent), "import-survey", str(INCOMPLETE), "--mapping", str(mapping),
            "--campaign", "c2", "--salt", SALT]
    assert main(base) == 0
    out = capsys.readouterr().out
    assert "2 réponse(s) incomplète(s)" in out and "--include-incomplete" in out
    assert len(pd.read_csv(folder / "survey_responses.csv")) == 6
    assert main([*base, "--force", "--include-incomplete", "--sequential"]) == 0
    written = pd.read_csv(folder / "survey_responses.csv")
    assert len(written) == 8 and written["submitted_on"].isna().sum() == 2
    assert written["respondent_id"].tolist() == [f"R{i:04d}" for i in range(1, 9)]
