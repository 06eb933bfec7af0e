"""rd_methods.readers: encodings, delimiters, decimal comma, dates, Excel title rows, bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from rd_methods.readers import (
    ReadError,
    detect_encoding,
    parse_bools,
    parse_dates,
    parse_numbers,
    read_table,
)

ROOT = Path(__file__).resolve().parents[1]


def test_cp1252_semicolon_decimal_comma_day_first(tmp_path):
    p = tmp_path / "activities.csv"
    p.write_bytes("code;libellé;montant;date\nA;Société générale;12 500,50;14/03/2025\nB;Café à Noël;-3,25;01/02/2024\n"
                  .encode("cp1252"))
    df, info = read_table(p)
    assert (info.encoding, info.delimiter, info.decimal, info.header_row, info.n_rows) == ("cp1252", ";", ",", 1, 2)
    assert df["libellé"].tolist() == ["Société générale", "Café à Noël"]
    assert list(df.index) == [2, 3]  # header is row 1
    values, bad = parse_numbers(df["montant"], info.decimal)
    assert values.tolist() == [12500.5, -3.25] and not bad.any()
    dates, bad = parse_dates(df["date"])
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2025-03-14", "2024-02-01"] and not bad.any()
    assert "cp1252" in info.describe() and "« ; »" in info.describe()


def test_utf8_bom_comma_and_blank_lines_keep_file_rows(tmp_path):
    p = tmp_path / "projects.csv"
    p.write_bytes("project_id,title,cost\nP1,Épicerie,1.5\n\nP2,\"Garage, solidaire\",2\n".encode("utf-8-sig"))
    df, info = read_table(p)
    assert (info.encoding, info.delimiter, info.decimal) == ("utf-8-sig", ",", ".")
    assert list(df.columns) == ["project_id", "title", "cost"]  # no BOM left in the first name
    assert list(df.index) == [2, 4]  # blank line 3 skipped, numbering kept
    assert df.loc[4, "title"] == "Garage, solidaire"
    assert str(df["cost"].dtype) == "str"


def test_latin1_without_cp1252_specific_bytes_reads(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes("a;b\nété;Noël\n".encode("latin-1"))
    df, info = read_table(p)
    assert info.encoding in {"cp1252", "latin_1", "iso8859_1"}
    assert df.loc[2, "a"] == "été" and df.loc[2, "b"] == "Noël"


def test_csv_title_line_found_with_expected_columns(tmp_path):
    p = tmp_path / "jobs.csv"
    p.write_text("Export emplois 2024;;\nproject_id;year;fte\nP1;2024;1,5\n", "utf-8")
    df, info = read_table(p, expected_columns=["project_id", "year", "fte"])
    assert info.header_row == 2 and list(df.index) == [3]
    assert df.loc[3, "fte"] == "1,5" and info.decimal == ","


def test_xlsx_title_rows_and_excel_row_numbers(mini_path):
    df, info = read_table(mini_path / "contributions.xlsx",
                          expected_columns=["project_id", "actor_id", "resource", "quantity", "unit", "year"])
    assert (info.format, info.sheet, info.header_row, info.n_rows) == ("xlsx", "contributions", 3, 5)
    assert list(df.index) == [4, 5, 6, 7, 8]
    assert df.loc[4, "quantity"] == "5000" and df.loc[7, "quantity"] == "12.5"
    assert pd.isna(df.loc[5, "value_eur"]) and df.loc[8, "year"] == "2020"


def test_xlsx_merged_title_found_without_expected_columns(tmp_path):
    p = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "Titre fusionné"
    ws.merge_cells("A1:C2")
    ws["A3"] = "Généré le 14/03/2025"
    ws.append(["a", "b", "c"])
    ws.append([1, "x", None])
    ws.append([2.5, "y", True])
    wb.save(p)
    df, info = read_table(p)
    assert info.header_row == 4 and list(df.columns) == ["a", "b", "c"]
    assert df.to_dict("index") == {5: {"a": "1", "b": "x", "c": np.nan}, 6: {"a": "2.5", "b": "y", "c": "true"}}


def test_xlsx_dates_become_iso_text(tmp_path):
    import datetime as dt

    p = tmp_path / "d.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["held_on"])
    wb.active.append([dt.datetime(2025, 3, 14)])
    wb.save(p)
    df, _ = read_table(p)
    assert df.loc[2, "held_on"] == "2025-03-14"


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "vide"),
        (b"   \n\n", "vide"),
        (bytes((i * 37 + 11) % 256 for i in range(600)), "binaire"),
        (b"PK\x03\x04" + b"\x00" * 40, "Excel (.xlsx)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, ".xls"),
    ],
    ids=["empty", "blank", "binary", "zip-xlsx", "ole-xls"],
)
def test_bad_csv_files_raise_clear_errors(tmp_path, content, fragment):
    p = tmp_path / "t.csv"
    p.write_bytes(content)
    with pytest.raises(ReadError) as exc:
        read_table(p)
    assert fragment in exc.value.message and exc.value.hint


def test_unsupported_suffix_and_corrupt_xlsx(tmp_path):
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(ReadError, match="format non pris en charge"):
        read_table(tmp_path / "t.json")
    (tmp_path / "t.xlsx").write_bytes(b"not a zip at all")
    with pytest.raises(ReadError, match="classeur Excel illisible"):
        read_table(tmp_path / "t.xlsx")


def test_sav_is_read(tmp_path):
    import pyreadstat

    p = tmp_path / "s.sav"
    pyreadstat.write_sav(pd.DataFrame({"item_a": [1.0, 5.0, np.nan], "grp": ["x", "y", "z"]}), str(p))
    df, info = read_table(p)
    assert info.format == "sav" and list(df.index) == [1, 2, 3]
    assert df["item_a"].tolist()[:2] == ["1", "5"] and pd.isna(df["item_a"].iloc[2])


def test_detect_encoding():
    assert detect_encoding("éà".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfabc") == "utf-8-sig"
    assert detect_encoding("Société; l’œuvre € 12,5".encode("cp1252")) == "cp1252"


def test_parse_numbers_french_forms():
    s = pd.Series(["1 234,5", "1\u202f000", "1.234,5", "12", "abc", None, "-0,5"])
    v, bad = parse_numbers(s, decimal=",")
    assert v.tolist()[:4] == [1234.5, 1000.0, 1234.5, 12.0] and v.iloc[6] == -0.5
    assert bad.tolist() == [False, False, False, False, True, False, False]
    v, bad = parse_numbers(pd.Series(["3.25", "1e3"]))
    assert v.tolist() == [3.25, 1000.0] and not bad.any()


def test_parse_dates_formats_and_invalid():
    v, bad = parse_dates(pd.Series(["2025-03-14", "14/03/2025", "31/02/2025", "2025-03-14 10:30:00", None, "hier"]))
    assert str(v.dtype) == "datetime64[ns]"
    assert v.iloc[0] == v.iloc[1] == pd.Timestamp("2025-03-14")
    assert v.iloc[3] == pd.Timestamp("2025-03-14 10:30")
    assert bad.tolist() == [False, False, True, False, False, True]


def test_parse_bools():
    v, bad = parse_bools(pd.Series(["true", "FAUX", "oui", "Non", "1", "0", "peut-être", None]))
    assert v.tolist() == [True, False, True, False, True, False, False, False]
    assert bad.tolist() == [False] * 6 + [True, False]


# --------------------------------------------------------------------------- thousands separators (issue 23)
NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        # thousands by spaces (as French spreadsheets save them), with the decimal comma: any convention
        (f"1{NNBSP}650,00", ",", 1650.0),
        (f"1{NBSP}650,00", ",", 1650.0),
        ("1 650,00", ",", 1650.0),
        (f"1{NNBSP}650,00", ".", 1650.0),
        (f"-12{NNBSP}345{NNBSP}678,5", ",", -12345678.5),
        ("1 650", ".", 1650.0),
        ("1'650.25", ".", 1650.25),
        # the other mark as thousands separator, followed by the decimal mark: unambiguous
        ("1.650,00", ",", 1650.0),
        ("1,650.00", ".", 1650.0),
        ("1.650.000", ",", 1650000.0),
        ("1,650,000", ".", 1650000.0),
        # a single mark: a decimal mark unless it could be a thousands separator
        ("12,5", ",", 12.5),
        ("12,5", ".", 12.5),
        ("0,650", ".", 0.65),
        ("1234,567", ".", 1234.567),
        ("1,650", ",", 1.65),  # the file's decimal mark: read per the file's convention
        ("1.650", ".", 1.65),
        # ambiguous or malformed: never a number
        ("1,650", ".", None),  # 1.65 or 1650? in a decimal-point file: error
        ("1.650", ",", None),  # 1.65 or 1650? in a decimal-comma file: error (read 1.65 before issue 23)
        ("12 5", ",", None),  # not grouped by three (read 125 before issue 23)
        ("1 65,0", ",", None),
        ("1.650,000.5", ",", None),
        ("1,650,5", ",", None),
        ("1.650,00", ".", 1650.0),
    ],
)
def test_parse_number_text_rule(text, decimal, expected):
    from rd_methods.readers import parse_number_text

    got = parse_number_text(text, decimal)
    if expected is None:
        assert np.isnan(got), f"{text!r} ({decimal}) must stay unread, got {got}"
    else:
        assert got == expected


def test_parse_numbers_fast_path_never_misreads_a_dot_in_a_comma_file():
    v, bad = parse_numbers(pd.Series(["1.650", "2.5", "3", "4,25"]), decimal=",")
    assert np.isnan(v.iloc[0]) and v.tolist()[1:] == [2.5, 3.0, 4.25]
    assert bad.tolist() == [True, False, False, False]


def test_french_spreadsheet_csv_with_narrow_no_break_spaces_validates(tmp_path):
    """A CSV saved from a French spreadsheet: `;`, decimal comma, U+202F / U+00A0 thousands."""
    from rd_methods.schemas import validate_table

    p = tmp_path / "sroi_inputs.csv"
    p.write_bytes(("stakeholder_group;description;value_eur\n"
                   f"members;Temps bénévole;1{NNBSP}650,00\n"
                   f"local_authorities;Subvention;45{NBSP}000,00\n"
                   "partners;Mécénat;1 200,5\n"
                   "beneficiaries;Cotisations;1.650\n").encode())
    df, info = read_table(p)
    assert info.decimal == ","
    typed, errors = validate_table("sroi_inputs", df, decimal=info.decimal)
    assert typed["value_eur"].tolist()[:3] == [1650.0, 45000.0, 1200.5]
    # the ambiguous cell is reported on its row, not read as 1.65
    assert errors[["row", "column", "value", "rule"]].values.tolist() == [[5, "value_eur", "1.650", "type_number"]]
    # and validation says why, with the two readings
    from rd_methods.campaign import validate

    shutil.copy(ROOT / "tests" / "fixtures" / "mini" / "campaign.yml", tmp_path / "campaign.yml")
    (tmp_path / "actors.csv").write_text("actor_id,name,category,personal\nA01,Coop,social_economy,non\n", "utf-8")
    report = validate(tmp_path)
    msg = report.errors.set_index("rule").loc["type_number", "message"]
    assert msg == ("nombre ambigu : « . » sépare-t-il les milliers ou les décimales ? (marque décimale du fichier : "
                   "« , ») ; écrire 1650 ou 1,65")


def test_comma_delimited_csv_with_quoted_french_numbers(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(f'a,b\nx,"1{NNBSP}650,00"\ny,"12,5"\nz,"2,75"\n', "utf-8")
    df, info = read_table(p)
    assert (info.delimiter, info.decimal) == (",", ",")
    v, bad = parse_numbers(df["b"], info.decimal)
    assert v.tolist() == [1650.0, 12.5, 2.75] and not bad.any()


def test_decimal_detection_ignores_ambiguous_cells(tmp_path):
    # "1,650" and "2,500" could be thousands: no evidence; "3.25" is: the file is decimal-point
    p = tmp_path / "t.csv"
    p.write_text("a;b\nx;1,650\ny;2,500\nz;3.25\n", "utf-8")
    df, info = read_table(p)
    assert info.decimal == "."
    v, bad = parse_numbers(df["b"], info.decimal)
    assert bad.tolist() == [True, True, False] and v.iloc[2] == 3.25
