"""Blank templates built by plans.workbooks match the sample templates' layout."""

import io
from pathlib import Path

import openpyxl
import pytest

from plans.choices import PlanKind
from plans.imports import WorkbookRejected, read_workbook
from plans.imports.layout import ITEMS_SHEET, item_columns
from plans.workbooks import build_template

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLES = {
    PlanKind.TESTING_WORK_OFF: DATA / "blank_testing_work_off_plan.xlsx",
    PlanKind.QAD_ACTION: DATA / "blank_qad_action_plan.xlsx",
}


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _validations(sheet):
    return sorted(
        (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator, dv.errorStyle, dv.error)
        for dv in sheet.data_validations.dataValidation
    )


def _values(sheet):
    return [
        (cell.coordinate, cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_template_sheets_match_sample(kind):
    built = _load(build_template(kind))
    sample = openpyxl.load_workbook(SAMPLES[kind])
    assert built.sheetnames == sample.sheetnames
    for name in sample.sheetnames:
        assert _values(built[name]) == _values(sample[name]), name
        assert built[name].freeze_panes == sample[name].freeze_panes, name
        merged = sorted(str(r) for r in built[name].merged_cells.ranges)
        assert merged == sorted(str(r) for r in sample[name].merged_cells.ranges), name


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_template_validations_match_sample(kind):
    built = _load(build_template(kind))
    sample = openpyxl.load_workbook(SAMPLES[kind])
    for name in sample.sheetnames:
        assert _validations(built[name]) == _validations(sample[name]), name


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_template_items_sheet_layout(kind):
    sheet = _load(build_template(kind))[ITEMS_SHEET[kind]]
    headers = [cell.value for cell in sheet[3]]
    assert headers == [column.header for column in item_columns(kind)]
    assert sheet.freeze_panes == "C4"
    assert sheet["A1"].font.b is True
    rules = [rule.formula for rules in sheet.conditional_formatting._cf_rules.values()
             for rule in rules]  # fmt: skip
    assert rules == [['OR(C4="S1 Critical",C4="S2 Major")']]


def test_template_type_and_version_cells():
    sheet = _load(build_template(PlanKind.QAD_ACTION))["1. Introduction"]
    assert (sheet["A8"].value, sheet["B8"].value) == ("Template Type", "QAD Action Plan")
    assert (sheet["A9"].value, sheet["B9"].value) == ("Template Version", "1.0")
    assert sheet["B9"].data_type == "s"


def test_template_date_cell_format():
    sheet = _load(build_template(PlanKind.TESTING_WORK_OFF))["2. Participant Details"]
    assert sheet["B10"].number_format == "dd/mm/yyyy"
    assert sheet["B11"].number_format == "@"


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_blank_template_reads_as_its_kind(kind):
    with pytest.raises(WorkbookRejected) as rejected:
        read_workbook(build_template(kind), filename="blank.xlsx")
    # Only the empty participant details stop a blank template.
    assert {e.sheet for e in rejected.value.errors} == {"2. Participant Details"}
    assert "Participant ID" in {e.column for e in rejected.value.errors}


def test_unknown_kind_rejected():
    with pytest.raises(ValueError):
        build_template("weekly_plan")
