"""Workbooks generated in the test for each kind of fault in the case files, so
that a different file of the same kind is handled too."""

import io
import random
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from plans.imports import WorkbookRejected, read_workbook
from plans.imports import package as package_checks

CASES = Path(__file__).resolve().parent.parent / "data" / "cases"
BASE = CASES / "C00a_baseline_sit.xlsx"
BASE_QAD = CASES / "C00b_baseline_qad.xlsx"
ITEMS = "5. Testing Work Off Items"
DETAILS = "2. Participant Details"


def edited(path: Path = BASE, **sheets) -> bytes:
    """Return the workbook at path after calling sheets[name](worksheet) for each sheet."""
    workbook = openpyxl.load_workbook(path)
    for title, change in sheets.items():
        change(workbook[title.replace("_", " ")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def edit_items(change, path: Path = BASE) -> bytes:
    workbook = openpyxl.load_workbook(path)
    change(workbook[workbook.sheetnames[4]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_part(data: bytes, part: str, change) -> bytes:
    """Return the package with one part's bytes replaced by change(old bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = change(content)
            target.writestr(info.filename, content)
    return buffer.getvalue()


def read(data: bytes, name: str = "plan.xlsx"):
    return read_workbook(data, filename=name)


def rejected(data: bytes, name: str = "plan.xlsx"):
    with pytest.raises(WorkbookRejected) as raised:
        read_workbook(data, filename=name)
    return raised.value.errors


def item(plan, reference):
    return next(entry for entry in plan.items if entry.reference == reference)


# Dates


@pytest.mark.parametrize(
    "text",
    [
        "4/3/2027",
        "04.03.2027",
        "4-3-27",
        "4th March 2027",
        "4 Mar 2027",
        "Thursday 4 March 2027",
        "2027-03-04 00:00:00",
        "04/03/2027 17:30",
        " 04/03/2027\u00a0",
    ],
)
def test_text_date_spellings_read_day_first(text):
    data = edit_items(lambda sheet: sheet.cell(4, 21, text))
    assert read(data).items[0].expected_fix_date == date(2027, 3, 4)


@pytest.mark.parametrize("text", ["31/02/2027", "29/02/2027", "32/01/2027", "00/01/2027"])
def test_impossible_dates_are_errors(text):
    errors = rejected(edit_items(lambda sheet: sheet.cell(5, 22, text)))
    assert [(e.sheet, e.row, e.column, e.value) for e in errors] == [
        (ITEMS, 5, "Expected resolution date?", text)
    ]
    assert "not a real calendar date" in errors[0].message


def test_leap_day_date_accepted():
    data = edit_items(lambda sheet: sheet.cell(4, 22, "29/02/2028"))
    assert read(data).items[0].expected_resolution_date == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["TBC", "Q1 2027", "March 2027"])
def test_non_dates_are_errors(text):
    errors = rejected(edit_items(lambda sheet: sheet.cell(6, 21, text)))
    assert (errors[0].row, errors[0].column, errors[0].value) == (6, "Expected fix date?", text)
    assert "dd/mm/yyyy" in errors[0].message


def test_serial_numbers_in_1904_date_system():
    def change(workbook_sheet):
        workbook_sheet.parent.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
        cell = workbook_sheet.cell(4, 21, 45_000)
        cell.number_format = "General"

    data = edit_items(change)
    # In the 1904 system serial 45,000 is 1904-01-01 plus 45,000 days.
    assert read(data).items[0].expected_fix_date == date(1904, 1, 1) + timedelta(days=45_000)
    assert read(data).items[0].expected_fix_date == date(2027, 3, 16)


def test_serial_number_submission_date_text():
    data = edited(**{"2._Participant_Details": lambda sheet: sheet.cell(10, 2, "46395")})
    assert read(data).submission_date == date(2027, 1, 8)


# Formulas


def test_formula_without_value_in_date_column():
    # openpyxl saves formulas without a calculated value, as a script would.
    data = edit_items(lambda sheet: sheet.cell(5, 21, "=DATE(2027,3,4)"))
    errors = rejected(data)
    assert [(e.row, e.column) for e in errors] == [(5, "Expected fix date?")]
    assert "no calculated value" in errors[0].message


def test_formula_without_value_on_details_sheet():
    data = edited(**{"2._Participant_Details": lambda sheet: sheet.cell(12, 2, '=UPPER("bsc")')})
    errors = rejected(data)
    assert [(e.sheet, e.row, e.column) for e in errors] == [(DETAILS, 12, "Lead Code Body")]


def test_shared_formula_without_values():
    def change(content: bytes) -> bytes:
        text = content.decode()
        for row in (4, 5):
            text = re.sub(
                rf'<c r="Q{row}"([^>]*)>.*?</c>',
                rf'<c r="Q{row}"\1><f t="shared" si="0">IF(1,"Yes","No")</f></c>',
                text,
                count=1,
            )
        return text.encode()

    data = rewrite_part(BASE.read_bytes(), "xl/worksheets/sheet5.xml", change)
    errors = rejected(data)
    assert [(e.row, e.column) for e in errors] == [
        (4, "Does workaround fully mitigate defect?"),
        (5, "Does workaround fully mitigate defect?"),
    ]


def test_error_value_cell_is_an_error():
    def change(content: bytes) -> bytes:
        return re.sub(
            rb'<c r="E5"[^>]*>.*?</c>', b'<c r="E5" t="e"><v>#REF!</v></c>', content, count=1
        )

    errors = rejected(rewrite_part(BASE.read_bytes(), "xl/worksheets/sheet5.xml", change))
    assert [(e.row, e.column, e.value) for e in errors] == [(5, "Defect Title", "#REF!")]


# Package checks


def test_renamed_macro_workbook_rejected():
    errors = rejected((CASES / "C07a_macro_enabled.xlsm").read_bytes(), name="plan.xlsx")
    assert "macro" in errors[0].message.lower()


def test_macro_content_type_without_vba_part():
    def change(content: bytes) -> bytes:
        return content.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )

    data = rewrite_part(BASE.read_bytes(), "[Content_Types].xml", change)
    assert b"macroEnabled" in zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    assert "macro" in rejected(data)[0].message.lower()


def test_vba_part_alone_rejected():
    data = rewrite_part(BASE.read_bytes(), "docProps/app.xml", lambda content: content)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert "macro" in rejected(buffer.getvalue())[0].message.lower()


def test_ole_file_is_legacy_xls():
    data = package_checks.OLE_MAGIC + b"\x00" * 4000
    message = rejected(data)[0].message
    assert "97-2003" in message
    assert "Excel Workbook (.xlsx)" in message


def test_encrypted_ole_file_is_password_protected():
    # An encrypted .xlsx is an OLE compound file with an EncryptionInfo stream.
    directory_entry = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\x00")
    data = package_checks.OLE_MAGIC + b"\x00" * 504 + directory_entry + b"\x00" * 2000
    message = rejected(data)[0].message
    assert "password" in message.lower()
    assert "97-2003" not in message


@pytest.mark.parametrize("data", [b"", b"%PDF-1.7 not a workbook", b"Reference,Defect Number\n"])
def test_other_files_not_a_workbook(data):
    errors = rejected(data)
    assert len(errors) == 1
    assert ".xlsx" in errors[0].message


def test_truncated_zip_is_clean_error():
    data = BASE.read_bytes()
    errors = rejected(data[: len(data) // 2])
    assert len(errors) == 1
    assert "excel workbook (.xlsx)" in errors[0].message.lower()


def test_zip_without_workbook_part():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an Excel workbook" in rejected(buffer.getvalue())[0].message


def test_zip_bomb_shared_strings_rejected():
    buffer = io.BytesIO()
    source = zipfile.ZipFile(BASE)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename == "xl/sharedStrings.xml":
                with archive.open(info.filename, "w") as stream:
                    block = b" " * (1024 * 1024)
                    for _ in range(package_checks.MAX_PART_UNCOMPRESSED // len(block) + 1):
                        stream.write(block)
            else:
                archive.writestr(info.filename, source.read(info))
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    assert "zip bomb" in rejected(data)[0].message


def test_too_many_members_rejected():
    buffer = io.BytesIO(BASE.read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        for index in range(package_checks.MAX_MEMBERS):
            archive.writestr(f"customXml/item{index}.xml", b"<a/>")
    assert "parts" in rejected(buffer.getvalue())[0].message


def test_xml_entity_bomb_rejected():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>&lol3;</t></si></sst>'
    )
    data = rewrite_part(BASE.read_bytes(), "xl/sharedStrings.xml", lambda content: bomb)
    errors = rejected(data)
    assert len(errors) == 1
    assert "unsafe" in errors[0].message


def test_xml_entity_in_worksheet_rejected():
    def change(content: bytes) -> bytes:
        header = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY big "aaaaaaaaaa">]>'
        return header + re.sub(rb"^<\?xml[^>]*\?>", b"", content)

    errors = rejected(rewrite_part(BASE.read_bytes(), "xl/worksheets/sheet5.xml", change))
    assert "unsafe" in errors[0].message


# Text


def test_text_longer_than_excel_cell_is_error():
    # openpyxl cuts longer text to 32,767 characters when it writes a cell, so
    # the cell is written into the sheet XML directly.
    def change(content: bytes) -> bytes:
        cell = b'<c r="F6" t="inlineStr"><is><t>' + b"x" * 32_768 + b"</t></is></c>"
        return re.sub(rb'<c r="F6"[^>]*>.*?</c>', cell, content, count=1)

    data = rewrite_part(BASE.read_bytes(), "xl/worksheets/sheet5.xml", change)
    errors = rejected(data)
    assert [(e.row, e.column) for e in errors] == [(6, "Description of defect")]
    assert "32,767" in errors[0].message
    assert len(errors[0].value) < 300


def test_text_at_excel_limit_accepted():
    data = edit_items(lambda sheet: sheet.cell(6, 6, "x" * 32_767))
    assert len(read(data).items[2].description) == 32_767


def test_line_breaks_normalised():
    data = edit_items(lambda sheet: sheet.cell(4, 16, "  first\r\nsecond\rthird  "))
    assert read(data).items[0].workaround_description == "first\nsecond\nthird"


def test_reference_too_long_is_error():
    errors = rejected(edit_items(lambda sheet: sheet.cell(4, 1, "R" * 65)))
    assert (errors[0].row, errors[0].column) == (4, "Reference")


# Layout


def formatted_to_bottom(content: bytes, item_rows: bytes = b"") -> bytes:
    """Return sheet XML with an empty formatted cell in every row from 7 to 1,048,576,
    and item_rows (whole <row> elements, in row order) in place of their rows."""
    numbers = {int(n) for n in re.findall(rb'<row r="(\d+)"', item_rows)}
    rows = []
    for row in range(7, 1_048_577):
        if row in numbers:
            rows.append(re.search(rb'<row r="%d".*?</row>' % row, item_rows).group(0))
        else:
            rows.append(b'<row r="%d"><c r="Y%d" s="1"/></row>' % (row, row))
    content = content.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>")
    return re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:Y1048576"', content)


def test_trailing_formatted_rows_are_skipped():
    data = rewrite_part(BASE.read_bytes(), "xl/worksheets/sheet5.xml", formatted_to_bottom)
    assert len(data) < 10 * 1024 * 1024

    plan = read(data)

    assert len(plan.items) == 3
    assert [item.row for item in plan.items] == [4, 5, 6]


def test_whitespace_only_row_is_blank():
    def change(sheet):
        sheet.cell(7, 5, "   ")
        sheet.cell(7, 16, "\u00a0")
        for column in range(1, 26):
            sheet.cell(8, column, sheet.cell(6, column).value)
        sheet.cell(8, 1, "PRT-0042-WOP-004")
        sheet.cell(8, 2, "SIT-DEF-4104")

    plan = read(edit_items(change))
    assert [entry.row for entry in plan.items] == [4, 5, 6, 8]


def test_merged_cells_over_other_columns():
    def change(sheet):
        sheet.cell(5, 4).value = None
        sheet.merge_cells("D4:D5")
        sheet.cell(6, 24).value = None
        sheet.merge_cells("X5:X6")
        sheet.merge_cells("H4:I4")

    plan = read(edit_items(change))
    assert item(plan, "PRT-0042-WOP-002").defect_status == "Open"
    assert item(plan, "PRT-0042-WOP-003").confidence == "Medium"
    first = item(plan, "PRT-0042-WOP-001")
    assert first.test_step == first.placing_reliance_implications


def test_columns_shuffled_mapped_by_header():
    reference = read(BASE.read_bytes())

    def change(sheet):
        columns = [
            [sheet.cell(row, column).value for row in range(3, 7)] for column in range(1, 26)
        ]
        order = list(range(25))
        random.Random(7).shuffle(order)
        sheet.unmerge_cells("A1:Y1")
        sheet.unmerge_cells("A2:Y2")
        sheet.freeze_panes = None
        for target, source in enumerate(order, start=1):
            for offset, value in enumerate(columns[source]):
                sheet.cell(3 + offset, target).value = value

    shuffled = read(edit_items(change))
    assert [vars(entry) for entry in shuffled.items] == [vars(entry) for entry in reference.items]


def test_missing_mandatory_column_is_error():
    def change(sheet):
        sheet.cell(3, 18).value = "How do you know?"

    errors = rejected(edit_items(change))
    assert [(e.sheet, e.row, e.column) for e in errors] == [
        (ITEMS, 3, "How will you know that the workaround is working?")
    ]


def test_missing_optional_column_accepted():
    plan = read(edit_items(lambda sheet: sheet.delete_cols(13)))
    assert plan.items[0].impact_supplier_migration_schedules == ""


def test_qad_missing_risk_column_is_error():
    errors = rejected(edit_items(lambda sheet: sheet.delete_cols(26), path=BASE_QAD))
    assert [(e.column, e.row) for e in errors] == [("QSP Risk Rating", 3)]


def test_header_lower_down_found():
    def change(sheet):
        sheet.insert_rows(1, amount=4)

    plan = read(edit_items(change))
    assert [entry.row for entry in plan.items] == [8, 9, 10]


def test_no_template_version_read_by_layout():
    data = edited(**{"1._Introduction": lambda sheet: setattr(sheet.cell(9, 2), "value", None)})
    assert read(data).template_version is None


@pytest.mark.parametrize("value", [1, 1.0, " 1.0 "])
def test_template_version_number_accepted(value):
    data = edited(**{"1._Introduction": lambda sheet: sheet.cell(9, 2, value)})
    assert read(data).template_version == "1.0"


def test_unknown_template_version_names_versions():
    data = edited(**{"1._Introduction": lambda sheet: sheet.cell(9, 2, "2.0")})
    error = rejected(data)[0]
    assert (error.sheet, error.row, error.column, error.value) == (
        "1. Introduction",
        9,
        "Template Version",
        "2.0",
    )
    assert "1.0" in error.message


def test_kind_from_items_sheet_without_template_type():
    data = edited(
        BASE_QAD, **{"1._Introduction": lambda sheet: setattr(sheet.cell(8, 2), "value", None)}
    )
    assert read(data).kind == "qad_action"


def test_unknown_template_type_is_error():
    data = edited(**{"1._Introduction": lambda sheet: sheet.cell(8, 2, "Weekly Plan")})
    error = rejected(data)[0]
    assert (error.row, error.column, error.value) == (8, "Template Type", "Weekly Plan")


def test_missing_qad_items_sheet():
    workbook = openpyxl.load_workbook(BASE_QAD)
    del workbook["5. QAD Action Plan Items"]
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = rejected(buffer.getvalue())
    assert [e.sheet for e in errors] == ["5. QAD Action Plan Items"]


def test_items_sheet_of_other_kind_is_missing_sheet():
    workbook = openpyxl.load_workbook(BASE)
    workbook[ITEMS].title = "5. QAD Action Plan Items"
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = rejected(buffer.getvalue())
    assert [e.sheet for e in errors] == [ITEMS]


def test_every_error_collected():
    def change(sheet):
        sheet.cell(4, 3, "Sev 1")
        sheet.cell(5, 17, "Maybe")
        sheet.cell(6, 21, "31/02/2027")
        sheet.cell(6, 14, "BSC/XYZ")

    errors = rejected(edit_items(change))
    assert [(e.row, e.column) for e in errors] == [
        (4, "Severity"),
        (5, "Does workaround fully mitigate defect?"),
        (6, "Code Body Impacted"),
        (6, "Expected fix date?"),
    ]


# Values


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("S1 Critical", "S1"),
        ("s2 major", "S2"),
        ("S3", "S3"),
        ("S4 - Minor", "S4"),
        ("S5\u00a0Low", "S5"),
    ],
)
def test_severity_spellings(text, level):
    assert read(edit_items(lambda sheet: sheet.cell(4, 3, text))).items[0].severity == level


@pytest.mark.parametrize("text", ["Sev 2", "S6 Unknown", "S3 Major", "High", "3"])
def test_unknown_severity_names_cell(text):
    error = rejected(edit_items(lambda sheet: sheet.cell(6, 3, text)))[0]
    assert (error.sheet, error.row, error.column, error.value) == (
        ITEMS,
        6,
        "Severity",
        text.strip(),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Y", True), (" yes\u00a0", True), ("TRUE", True), (True, True), ("n", False),
     ("No ", False), ("false", False), (False, False)],
)  # fmt: skip
def test_yes_no_spellings(value, expected):
    plan = read(edit_items(lambda sheet: sheet.cell(4, 20, value)))
    assert plan.items[0].fix_fully_mitigates is expected


def test_code_body_spellings():
    plan = read(edit_items(lambda sheet: sheet.cell(4, 14, "dip, bsc")))
    assert plan.items[0].code_bodies == ["BSC", "DIP"]


def test_status_and_rating_case_insensitive():
    def change(sheet):
        sheet.cell(4, 4, "fix ready for RETEST")
        sheet.cell(4, 24, " medium")

    first = read(edit_items(change)).items[0]
    assert first.defect_status == "Fix Ready for Retest"
    assert first.confidence == "Medium"


def test_unknown_status_is_error():
    error = rejected(edit_items(lambda sheet: sheet.cell(5, 4, "Parked")))[0]
    assert (error.row, error.column, error.value) == (5, "Defect Status", "Parked")


def test_role_outside_list_kept_as_typed():
    plan = read(edit_items(lambda sheet: sheet.cell(4, 7, "  Meter Equipment Manager ")))
    assert plan.items[0].role == "Meter Equipment Manager"


def test_role_in_list_gets_list_spelling():
    plan = read(edit_items(lambda sheet: sheet.cell(4, 7, "smart data service")))
    assert plan.items[0].role == "Smart Data Service"


def test_details_drop_downs_matched_case_insensitively():
    def change(sheet):
        sheet.cell(7, 2, " sit")
        sheet.cell(12, 2, "dip ")
        sheet.cell(13, 2, "WEEKLY")

    plan = read(edited(**{"2._Participant_Details": change}))
    assert (plan.route, plan.lead_code_body, plan.reporting_interval) == ("SIT", "DIP", "weekly")


def test_unknown_route_is_error():
    data = edited(**{"2._Participant_Details": lambda sheet: sheet.cell(7, 2, "UAT")})
    error = rejected(data)[0]
    assert (error.sheet, error.row, error.column, error.value) == (
        DETAILS,
        7,
        "Qualification Route",
        "UAT",
    )


def test_route_must_fit_kind():
    data = edited(**{"2._Participant_Details": lambda sheet: sheet.cell(7, 2, "QAD")})
    error = rejected(data)[0]
    assert (error.row, error.column) == (7, "Qualification Route")


def test_missing_reference_and_defect_number():
    def change(sheet):
        sheet.cell(5, 1).value = None
        sheet.cell(6, 2).value = None

    errors = rejected(edit_items(change))
    assert [(e.row, e.column) for e in errors] == [(5, "Reference"), (6, "Defect Number")]


def test_duplicate_reference_is_error():
    errors = rejected(edit_items(lambda sheet: sheet.cell(6, 1, "prt-0042-wop-001")))
    assert [(e.row, e.column) for e in errors] == [(6, "Reference")]
    assert "row 4" in errors[0].message


def test_duplicate_defect_number_case_and_space():
    errors = rejected(edit_items(lambda sheet: sheet.cell(6, 2, " sit-def-4101 ")))
    assert [(e.row, e.column) for e in errors] == [(6, "Defect Number")]


def test_version_history_read():
    plan = read(BASE.read_bytes())
    assert plan.version_history
    assert set(plan.version_history[0]) == {"version", "date", "author", "change_detail"}
    assert isinstance(plan.version_history[0]["date"], date)


def test_item_rows_recorded():
    plan = read(BASE.read_bytes())
    assert plan.row_of == {"PRT-0042-WOP-001": 4, "PRT-0042-WOP-002": 5, "PRT-0042-WOP-003": 6}
    assert plan.field_rows["participant_id"] == 5
