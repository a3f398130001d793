"""Workbooks built in the test for faults that testing the importer found.

They cover rows far below the items, blank mandatory cells, repeated headers,
odd numbers and formulas, hand-made XML, oversized packages, missing sheets,
Excel's _xHHHH_ escapes, and the messages of the import and export commands.
"""

import io
import json
import logging
import re
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans.choices import UserRole
from plans.eligibility import evaluate
from plans.imports import package as package_checks
from plans.imports import read_workbook, reader
from plans.models import Organisation, User
from plans.services.imports import plan_import_workbook
from plans.workbooks import export_workbook

from .test_import_variants import (
    BASE,
    BASE_QAD,
    DETAILS,
    ITEMS,
    edit_items,
    edited,
    formatted_to_bottom,
    read,
    rejected,
    rewrite_part,
)

SHEET5 = "xl/worksheets/sheet5.xml"
AS_OF = date(2026, 12, 4)


def copy_row(sheet, source: int, target: int, **values) -> None:
    """Copy the item in row source to row target, then set values by column number."""
    for column in range(1, sheet.max_column + 1):
        sheet.cell(target, column, sheet.cell(source, column).value)
    for column, value in values.items():
        sheet.cell(target, int(column.lstrip("c")), value)


def replace_cell(content: bytes, ref: str, cell_xml: bytes) -> bytes:
    pattern = rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode()
    assert re.search(pattern, content), ref
    return re.sub(pattern, cell_xml, content, count=1)


def run_command(data: bytes, tmp_path, *extra: str) -> tuple[int, dict]:
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    status = 0
    try:
        call_command(
            "import_plan", str(path), "--dry-run", "--json", "--as-of", "2026-12-04", *extra,
            stdout=out,
        )  # fmt: skip
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue())


# Rows far below the items


def test_item_below_long_gap_is_read():
    def change(sheet):
        copy_row(sheet, 6, 2600, c1="PRT-0042-WOP-009", c2="SIT-DEF-4109", c3="S1 Critical")

    plan = read(edit_items(change))
    assert [item.row for item in plan.items] == [4, 5, 6, 2600]
    assert plan.items[3].severity == "S1"
    result = evaluate(plan, plan.items, as_of=AS_OF)
    assert result.eligible is False
    assert result.failing_rules == [1]


def test_item_below_formatted_rows_is_read():
    item_row = (
        b'<row r="50000"><c r="A50000" t="inlineStr"><is><t>PRT-0042-WOP-004</t></is></c>'
        b'<c r="B50000" t="inlineStr"><is><t>SIT-DEF-4104</t></is></c></row>'
    )
    data = rewrite_part(
        BASE.read_bytes(), SHEET5, lambda content: formatted_to_bottom(content, item_row)
    )
    errors = rejected(data)
    # The item is read (its blank mandatory cells are errors), not dropped.
    assert {e.row for e in errors} == {50_000}
    assert ("Severity" in {e.column for e in errors}) is True


def test_content_below_read_rows_is_error():
    far = reader.MAX_CONTENT_ROW + 5

    def change(content: bytes) -> bytes:
        row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>X</t></is></c></row>' % (far, far)
        return content.replace(b"</sheetData>", row + b"</sheetData>")

    errors = rejected(rewrite_part(BASE.read_bytes(), SHEET5, change))
    assert [(e.sheet, e.row) for e in errors] == [(ITEMS, far)]
    assert f"Row {far:,}" in errors[0].message


# Blank mandatory cells


def test_blank_mandatory_cells_are_errors():
    def change(sheet):
        sheet.cell(4, 3).value = None  # Severity
        sheet.cell(5, 4).value = None  # Defect Status
        sheet.cell(6, 14).value = None  # Code Body Impacted
        sheet.cell(6, 25).value = " "  # Proposed retest model

    errors = rejected(edit_items(change))
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        (ITEMS, 4, "Severity"),
        (ITEMS, 5, "Defect Status"),
        (ITEMS, 6, "Code Body Impacted"),
        (ITEMS, 6, "Proposed retest model"),
    ]
    assert "Cell N6 is empty" in errors[2].message


def test_blank_rule_columns_are_eligibility_failures():
    def change(sheet):
        sheet.cell(4, 16).value = None  # Workaround description
        sheet.cell(4, 17).value = None  # Does workaround fully mitigate defect?
        sheet.cell(5, 18).value = None  # How will you know that the workaround is working?
        sheet.cell(6, 21).value = None  # Expected fix date?
        sheet.cell(6, 22).value = None  # Expected resolution date?
        sheet.cell(4, 13).value = None  # optional column M

    plan = read(edit_items(change))
    result = evaluate(plan, plan.items, as_of=AS_OF)
    assert result.failing_rules == [3, 4, 5]
    assert {(f.rule, f.item) for f in result.failures} == {
        (3, "PRT-0042-WOP-001"),
        (4, "PRT-0042-WOP-002"),
        (5, "PRT-0042-WOP-003"),
    }


def test_qad_item_without_severity_accepted():
    plan = read(edit_items(lambda sheet: setattr(sheet.cell(4, 3), "value", None), BASE_QAD))
    assert plan.items[0].severity is None


def test_qad_blank_risk_rating_is_error():
    errors = rejected(edit_items(lambda sheet: setattr(sheet.cell(5, 26), "value", None), BASE_QAD))
    assert [(e.row, e.column) for e in errors] == [(5, "QSP Risk Rating")]


# Repeated headers


def test_repeated_header_names_both_columns():
    def change(sheet):
        sheet.cell(3, 26, "Severity")
        for row in (4, 5, 6):
            sheet.cell(row, 26, "S1 Critical")

    errors = rejected(edit_items(change))
    assert [(e.sheet, e.row, e.column) for e in errors] == [(ITEMS, 3, "Severity")]
    assert "column C and column Z" in errors[0].message


# Numbers and formulas


@pytest.mark.parametrize("serial", [20270301, 2958466, 99999999, 1e300])
def test_large_number_in_date_cell_is_not_a_date(serial):
    def change(sheet):
        sheet.cell(4, 21, serial).number_format = "General"

    errors = rejected(edit_items(change))
    assert [(e.sheet, e.row, e.column) for e in errors] == [(ITEMS, 4, "Expected fix date?")]
    assert "not a date" in errors[0].message


def test_large_number_in_date_formatted_cell():
    def change(sheet):
        sheet.cell(10, 2, 99999999).number_format = "dd/mm/yyyy"

    errors = rejected(edited(**{"2._Participant_Details": change}))
    assert [(e.sheet, e.row, e.column, e.value) for e in errors] == [
        (DETAILS, 10, "Submission Date", "99999999")
    ]


@pytest.mark.parametrize("empty_value", [b"<v/>", b"<v></v>", b"<v />"])
def test_formula_with_empty_string_result(empty_value):
    cell = b'<c r="M4" t="str"><f>IF(G4="Supplier","","x")</f>' + empty_value + b"</c>"
    data = rewrite_part(BASE.read_bytes(), SHEET5, lambda c: replace_cell(c, "M4", cell))
    assert read(data).items[0].impact_supplier_migration_schedules == ""


def test_uncached_formula_in_cells_without_r():
    def change(content: bytes) -> bytes:
        row = re.search(rb'<row r="5".*?</row>', content).group(0)
        without_r = re.sub(rb'<row r="5"', b"<row", row)
        without_r = re.sub(rb'<c r="[A-Z]+5"', b"<c", without_r)
        start = re.match(rb"<row[^>]*>", without_r).group(0)
        cells = re.findall(rb"<c[ >].*?(?:/>|</c>)", without_r)
        # Column W is the 23rd cell when every cell of the row is written.
        assert len(cells) == 25
        cells[22] = b'<c><f>IF(1,"Yes","No")</f></c>'
        return content.replace(row, start + b"".join(cells) + b"</row>")

    errors = rejected(rewrite_part(BASE.read_bytes(), SHEET5, change))
    assert [(e.row, e.column) for e in errors] == [(5, "Is fix date prior to migration start?")]


@pytest.mark.parametrize("ref", [b"A1", b"A1:D9"])
def test_wrong_dimension_does_not_hide_cells(ref):
    def change(content: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="' + ref + b'"', content)

    data = BASE.read_bytes()
    for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", SHEET5):
        data = rewrite_part(data, part, change)
    plan = read(data)
    assert len(plan.items) == 3
    assert plan.participant_id == "PRT-0042"
    assert plan.template_version == "1.0"


# Package limits


def test_highly_compressed_sheet_is_zip_bomb():
    def change(content: bytes) -> bytes:
        text = b"Y" * (4 * 1024 * 1024)
        return replace_cell(
            content, "E4", b'<c r="E4" t="inlineStr"><is><t>' + text + b"</t></is></c>"
        )

    data = rewrite_part(BASE.read_bytes(), SHEET5, change)
    assert len(data) < 100_000
    errors = rejected(data)
    assert "zip bomb" in errors[0].message


def test_part_over_size_cap_names_part(monkeypatch):
    monkeypatch.setattr(package_checks, "MAX_WORKSHEET_UNCOMPRESSED", 1024 * 1024)
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%x</t></is></c></row>' % (n, n, n * 7919)
        for n in range(1, 40_000)
    )
    buffer = io.BytesIO(BASE.read_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet9.xml", b"<worksheet><sheetData>" + rows)
    errors = rejected(buffer.getvalue())
    assert "xl/worksheets/sheet9.xml unpacks to 3 MB" in errors[0].message
    assert "delete the unused rows" in errors[0].message


def test_cell_text_run_too_long_rejected_before_parsing(monkeypatch):
    monkeypatch.setattr(package_checks, "MAX_COMPRESSION_RATIO", 10_000)

    def change(content: bytes) -> bytes:
        text = b"Y" * (3 * 1024 * 1024)
        return replace_cell(
            content, "E4", b'<c r="E4" t="inlineStr"><is><t>' + text + b"</t></is></c>"
        )

    errors = rejected(rewrite_part(BASE.read_bytes(), SHEET5, change))
    # The sheet is refused as a whole by the byte scan, before a cell is parsed.
    assert [(e.sheet, e.row, e.column) for e in errors] == [(ITEMS, None, None)]
    assert "32,767" in errors[0].message


def test_sample_ratios_below_cap():
    paths = sorted(BASE.parent.glob("*.xls*")) + sorted(BASE.parent.parent.glob("*.xlsx"))
    for path in filter(zipfile.is_zipfile, paths):
        for info in zipfile.ZipFile(path).infolist():
            ratio = info.file_size / max(info.compress_size, 1)
            assert ratio < package_checks.MAX_COMPRESSION_RATIO / 5, (path.name, info.filename)


# Missing sheets and sheet 1


def test_missing_version_sheet_is_warning():
    workbook = openpyxl.load_workbook(BASE)
    workbook["3. Version Control"].title = "Versions"
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = read(buffer.getvalue())
    assert plan.version_history == []
    assert [(w.sheet, w.row) for w in plan.warnings] == [("3. Version Control", None)]
    assert "version history" in plan.warnings[0].message


def test_missing_introduction_sheet_is_warning():
    workbook = openpyxl.load_workbook(BASE)
    workbook["1. Introduction"].title = "Intro"
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan = read(buffer.getvalue())
    assert plan.template_version is None
    assert len(plan.items) == 3
    assert [w.sheet for w in plan.warnings] == ["1. Introduction"]
    assert "Template Version" in plan.warnings[0].message


def test_warnings_in_command_report(tmp_path):
    workbook = openpyxl.load_workbook(BASE)
    workbook["3. Version Control"].title = "Versions"
    buffer = io.BytesIO()
    workbook.save(buffer)
    status, report = run_command(buffer.getvalue(), tmp_path)
    assert status == 0
    assert [w["sheet"] for w in report["warnings"]] == ["3. Version Control"]

    path = tmp_path / "plan.xlsx"
    out = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", "--as-of", "2026-12-04", stdout=out)
    assert "warning: 3. Version Control:" in out.getvalue()


def test_template_version_formula_without_result():
    data = edited(**{"1._Introduction": lambda sheet: sheet.cell(9, 2, '="1.0"')})
    errors = rejected(data)
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        ("1. Introduction", 9, "Template Version")
    ]
    assert "no calculated value" in errors[0].message


# Damaged packages


def test_zip_without_content_types(caplog):
    data = rewrite_part(BASE.read_bytes(), "docProps/app.xml", lambda content: content)
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename != "[Content_Types].xml":
                target.writestr(info.filename, source.read(info))
    errors = rejected(buffer.getvalue())
    assert "[Content_Types].xml" in errors[0].message


def test_damaged_workbook_logs_no_traceback(caplog):
    data = rewrite_part(BASE.read_bytes(), "xl/workbook.xml", lambda content: b"<workbook")
    with caplog.at_level(logging.DEBUG, logger="plans.imports.reader"):
        errors = rejected(data)
    assert "damaged" in errors[0].message
    shown = [record for record in caplog.records if record.levelno >= logging.INFO]
    assert shown
    assert all(record.exc_info is None for record in shown)


# Text dates


@pytest.mark.parametrize(
    "text",
    [
        "1-Feb-27",
        "1 Feb 27",
        "2027/02/01",
        "2027.02.01",
        "01 / 02 / 2027",
        "01/02/2027 9:30 AM",
        "Feb 1, 2027",
        "February 1st, 2027",
        "1st of February 2027",
        "2027-02-01T00:00:00",
        "2027-02-01T09:30:00Z",
    ],
)
def test_more_text_date_spellings(text):
    data = edit_items(lambda sheet: sheet.cell(4, 21, text))
    assert read(data).items[0].expected_fix_date == date(2027, 2, 1)


def test_numeric_text_date_stays_day_first():
    data = edit_items(lambda sheet: sheet.cell(4, 21, "02/01/2027"))
    assert read(data).items[0].expected_fix_date == date(2027, 1, 2)


# Invisible characters


def test_zero_width_space_defect_number_is_duplicate():
    errors = rejected(edit_items(lambda sheet: sheet.cell(5, 2, "SIT-DEF-4101\u200b")))
    assert [(e.row, e.column, e.value) for e in errors] == [(5, "Defect Number", "SIT-DEF-4101")]


def test_row_of_zero_width_characters_is_blank():
    def change(sheet):
        sheet.cell(7, 1, "\u200b")
        sheet.cell(7, 5, "\ufeff \u2060")
        sheet.cell(7, 16, "\u200c\u200d")

    plan = read(edit_items(change))
    assert [item.row for item in plan.items] == [4, 5, 6]


def test_inner_invisible_characters_kept():
    data = edit_items(lambda sheet: sheet.cell(4, 5, "\u200bsoft\u00adhyphen\u200bjoin\u200b"))
    assert read(data).items[0].defect_title == "soft\u00adhyphen\u200bjoin"


# Macro sheets


@pytest.mark.parametrize(
    ("part", "content_type"),
    [
        ("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml"),
        (
            "xl/dialogsheets/sheet1.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
        ),
        ("xl/custom/other.xml", "application/vnd.ms-excel.intlmacrosheet+xml"),
    ],
)
def test_excel_4_macro_sheets_rejected(part, content_type):
    def add_type(content: bytes) -> bytes:
        override = f'<Override PartName="/{part}" ContentType="{content_type}"/>'.encode()
        return content.replace(b"</Types>", override + b"</Types>")

    data = rewrite_part(BASE.read_bytes(), "[Content_Types].xml", add_type)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(part, b"<xm:macrosheet/>")
    message = rejected(buffer.getvalue())[0].message
    assert "macro" in message.lower()
    assert "Excel Workbook (.xlsx)" in message


# Plans with no items


def test_plan_without_items_not_eligible(tmp_path):
    data = edit_items(lambda sheet: sheet.delete_rows(4, 3))
    status, report = run_command(data, tmp_path)
    assert status == 0
    assert report["plan"]["items"] == []
    assert report["eligibility"]["eligible"] is False
    assert report["eligibility"]["other_blockers"][0]["reason"] == "The plan has no items"

    out = io.StringIO()
    path = tmp_path / "plan.xlsx"
    call_command("import_plan", str(path), "--dry-run", "--as-of", "2026-12-04", stdout=out)
    assert "Not eligible" in out.getvalue()
    assert "The plan has no items" in out.getvalue()


# Excel's _xHHHH_ escapes


def test_escapes_decoded_in_inline_and_shared_strings():
    def change(content: bytes) -> bytes:
        cell = b'<c r="L4" t="inlineStr"><is><t>VT_x000B_here _x005F_x0041_</t></is></c>'
        return replace_cell(content, "L4", cell)

    def shared(content: bytes) -> bytes:
        return content.replace(
            b">Half-hourly consumption rejected on clock-change day</t>",
            b">Half_x002D_hourly _x005F_x0041_ and _x0041_</t>",
        )

    data = rewrite_part(BASE.read_bytes(), SHEET5, change)
    data = rewrite_part(data, "xl/sharedStrings.xml", shared)
    first = read(data).items[0]
    assert first.impact_migration == "VT\x0bhere _x0041_"
    assert first.defect_title == "Half-hourly _x0041_ and A"


def test_export_keeps_escape_like_text():
    plan = read(BASE.read_bytes())
    plan.items[0].defect_title = "Literal _x0041_ text"
    plan.items[1].description = "Vertical\x0btab"
    data = export_workbook(plan)
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read(SHEET5)
    assert b"_x005F_x0041_" in sheet_xml
    again = read_workbook(data, filename="export.xlsx")
    assert again.items[0].defect_title == "Literal _x0041_ text"
    assert again.items[1].description == "Vertical\x0btab"


# export_plan output paths


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["missing/plan.xlsx", "."])
def test_export_command_bad_path_is_command_error(tmp_path, target):
    organisation = Organisation.objects.create(name="Example", participant_id="PRT-0042")
    actor = User.objects.create_user(username="root", role=UserRole.ADMIN)
    result = plan_import_workbook(
        data=BASE.read_bytes(), filename="plan.xlsx", actor=actor, organisation=organisation
    )
    with pytest.raises(CommandError) as raised:
        call_command("export_plan", str(result.plan.pk), str(tmp_path / target))
    assert "Could not write" in str(raised.value)
