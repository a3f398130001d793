"""Exported workbooks read back as the plan they were written from; text that
looks like a formula stays text in the workbook and in CSV."""

import csv
import dataclasses
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from plans.imports import read_workbook
from plans.workbooks import export_csv, export_workbook

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = DATA / "cases"
EXPECTED = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
ACCEPTED = sorted(
    [CASES / name for name, case in EXPECTED.items()
     if not name.startswith("_") and case["outcome"] == "accept"]
    + [DATA / "sit_supplier_plan.xlsx", DATA / "qt_ldso_plan.xlsx",
       DATA / "qad_agent_action_plan.xlsx"]
)  # fmt: skip


def _read(path: Path):
    return read_workbook(path.read_bytes(), filename=path.name)


def _comparable(plan) -> dict:
    """Plan fields without the positions that depend on the source layout."""
    data = dataclasses.asdict(plan)
    for key in ("template_version", "row_of", "field_rows"):
        data.pop(key)
    for item in data["items"]:
        item.pop("row")
    return data


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda path: path.name)
def test_export_round_trip(path):
    plan = _read(path)
    again = read_workbook(export_workbook(plan), filename="export.xlsx")
    assert _comparable(again) == _comparable(plan)
    assert again.template_version == "1.0"
    assert [item.row for item in again.items] == list(range(4, 4 + len(plan.items)))


def test_formula_like_text_written_as_text():
    plan = _read(CASES / "C11_formula_like_text.xlsx")
    data = export_workbook(plan)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet5.xml")
    assert b"<f>" not in sheet_xml
    assert b"<f " not in sheet_xml
    sheet = openpyxl.load_workbook(io.BytesIO(data))["5. Testing Work Off Items"]
    for coordinate in ("E4", "E5", "E6", "F4", "P5", "S6"):
        assert sheet[coordinate].data_type == "s", coordinate
    assert sheet["E4"].value.startswith("=HYPERLINK(")
    assert sheet["S6"].value == "=cmd|' /C notepad'!'A1'"


def test_formula_like_text_in_other_fields():
    plan = _read(CASES / "C00a_baseline_sit.xlsx")
    plan.participant_name = "=1+1 Energy"
    plan.items[0].test_step = "@step"
    plan.items[1].role = "-Supplier"
    plan.items[2].proposed_retest_model = "\rretest"
    again = read_workbook(export_workbook(plan), filename="export.xlsx")
    assert again.participant_name == "=1+1 Energy"
    assert again.items[0].test_step == "@step"
    assert again.items[1].role == "-Supplier"
    # Reading trims the leading carriage return, as it does for any text.
    assert again.items[2].proposed_retest_model == "retest"


def test_export_dates_are_real_dates():
    plan = _read(CASES / "C01a_uk_text_dates.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(export_workbook(plan)))["5. Testing Work Off Items"]
    cell = sheet["U4"]
    assert cell.is_date
    assert cell.number_format == "dd/mm/yyyy"
    assert cell.value.date().isoformat() == "2027-03-04"


def test_csv_prefixes_formula_triggers():
    plan = _read(CASES / "C11_formula_like_text.xlsx")
    rows = list(csv.reader(io.StringIO(export_csv(plan))))
    header, first, second, third = rows
    title = header.index("Defect Title")
    assert first[title].startswith("'=HYPERLINK(")
    assert second[title] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert third[title] == "'=1+2 (tab-led title)"
    assert first[header.index("Description of defect")].startswith("'+1+1")
    assert second[header.index("Workaround description")] == "'-2+3 rows are retried; see runbook"
    assert third[header.index("Description of proposed fix")] == "'=cmd|' /C notepad'!'A1'"
    assert first[header.index("Defect Number")] == "SIT-DEF-4101"
    assert first[header.index("Expected fix date?")] == "04/03/2027"


def test_csv_tab_and_carriage_return_prefixed():
    plan = _read(CASES / "C00a_baseline_sit.xlsx")
    plan.items[0].defect_title = "\tindented"
    plan.items[1].defect_title = "\rreturn"
    rows = list(csv.reader(io.StringIO(export_csv(plan))))
    title = rows[0].index("Defect Title")
    assert rows[1][title] == "'\tindented"
    assert rows[2][title] == "'\rreturn"


def test_csv_yes_no_and_code_bodies():
    plan = _read(CASES / "C00a_baseline_sit.xlsx")
    rows = list(csv.DictReader(io.StringIO(export_csv(plan))))
    assert rows[0]["Does workaround fully mitigate defect?"] == "Yes"
    assert rows[2]["Does fix fully mitigate defect?"] == "No"
    assert rows[0]["Code Body Impacted"] == "BSC/DIP"
    assert rows[0]["Severity"] == "S3 Moderate"


def test_csv_non_ascii_text_unchanged():
    plan = _read(CASES / "C27_non_ascii_text.xlsx")
    encoded = export_csv(plan).encode("utf-8")
    rows = list(csv.DictReader(io.StringIO(encoded.decode("utf-8"))))
    assert rows[0]["Description of defect"] == plan.items[0].description
    assert rows[1]["Role (Supplier, Data Service etc.)"] == "Cyflenwr"
    assert "\u00ad" in rows[2]["Proposed retest model"]
    assert "😀" in rows[0]["Description of defect"]


def test_qad_csv_has_risk_rating_column():
    plan = _read(CASES / "C33_qad_high_risk_rating.xlsx")
    rows = list(csv.DictReader(io.StringIO(export_csv(plan))))
    assert [row["QSP Risk Rating"] for row in rows] == ["Medium", "High", "Low"]
