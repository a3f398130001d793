"""Writer of plan workbooks: the blank templates, a plan exported into the
template, and a CSV of a plan's items.

The workbook layout matches what `plans.imports` reads, so reading an
exported workbook gives back the plan it was written from.
"""

import csv
import io
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from plans.choices import (
    PARTICIPANT_ROLES,
    CodeBody,
    DefectStatus,
    PlanKind,
    Rating,
    ReportingInterval,
    Route,
    Severity,
)
from plans.imports import layout
from plans.imports.cells import encode_ooxml_escapes

from . import texts

DATE_FORMAT = "dd/mm/yyyy"
TEXT_FORMAT = "@"
# Dates the template's date checks accept, as Excel serial numbers
# (45292 is 01/01/2024, 49674 is 31/12/2035).
DATE_MIN_SERIAL = 45292
DATE_MAX_SERIAL = 49674
DATE_RANGE_TEXT = "01/01/2024 and 31/12/2035"

# Text starting with one of these is a formula to Excel (or to a spreadsheet
# opening a CSV), so it is written as text: a string cell in the workbook,
# a leading apostrophe in CSV.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
BANNER_FONT = Font(name="Calibri", bold=True, size=14, color="FFFFFF")
BANNER_FILL = PatternFill("solid", fgColor="1F3864")
NOTE_FONT = Font(name="Calibri", size=10, color="404040")
HEADER_FONT = Font(name="Calibri", bold=True, size=10, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F5597")
LABEL_FONT = Font(name="Calibri", bold=True, size=10)
LABEL_FILL = PatternFill("solid", fgColor="D9E1F2")
BODY_FONT = Font(name="Calibri", size=10)
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center", horizontal="center")
SEVERE_FILL = PatternFill(start_color="F8CBAD", end_color="F8CBAD", fill_type="solid")
SEVERE_FONT = Font(color="9C0006")

YES_NO = ("Yes", "No")
CODE_BODY_COMBINATIONS = ("BSC", "REC", "DIP", "BSC/REC", "BSC/DIP", "REC/DIP", "BSC/REC/DIP")

# Drop-down values of each items-sheet column kind (role only warns).
LIST_VALUES = {
    "severity": tuple(member.label for member in Severity),
    "status": tuple(member.label for member in DefectStatus),
    "role": PARTICIPANT_ROLES,
    "code_bodies": CODE_BODY_COMBINATIONS,
    "yes_no": YES_NO,
    "rating": tuple(member.label for member in Rating),
}
PARTICIPANT_LISTS = {
    "participant_role": PARTICIPANT_ROLES,
    "route": tuple(member.label for member in Route),
    "lead_code_body": tuple(member.label for member in CodeBody),
    "reporting_interval": tuple(member.label for member in ReportingInterval),
}


# Cell helpers


def _set_text(cell, value: str) -> None:
    """Write text as a string cell, never as a formula, whatever it starts with.

    Control characters and literal "_xHHHH_" text are written as Excel's
    _xHHHH_ escapes, so that Excel and the reader read back the same text.
    """
    value = encode_ooxml_escapes(value)
    cell.value = value
    if value.startswith(FORMULA_TRIGGERS):
        # openpyxl treats a value starting with "=" as a formula, so forcing
        # the type keeps it text. The quote prefix keeps Excel from turning
        # it, or a value starting with another FORMULA_TRIGGERS character,
        # into a formula when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True


def _set_date(cell, value: date | None) -> None:
    cell.number_format = DATE_FORMAT
    if value is not None:
        cell.value = value


def _banner(sheet, kind: str, index: int, last_column: int) -> None:
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_column)
    title = sheet.cell(1, 1, texts.BANNERS[kind][index])
    title.font = BANNER_FONT
    title.fill = BANNER_FILL
    title.alignment = Alignment(vertical="center")
    note = sheet.cell(2, 1, texts.NOTES[kind][index])
    note.font = NOTE_FONT
    note.alignment = Alignment(vertical="center")
    sheet.row_dimensions[1].height = 26
    sheet.row_dimensions[2].height = 18


def _header(sheet, row: int, headers) -> None:
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row, column, text)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGNMENT
        cell.border = BORDER


def _label(cell, text: str) -> None:
    cell.value = text
    cell.font = LABEL_FONT
    cell.fill = LABEL_FILL
    cell.alignment = TOP_WRAP
    cell.border = BORDER


def _body(cell, number_format: str = TEXT_FORMAT) -> None:
    cell.font = BODY_FONT
    cell.alignment = TOP_WRAP
    cell.border = BORDER
    cell.number_format = number_format


def _list_validation(values, *, warn_only: bool = False) -> DataValidation:
    shown = ", ".join(values)
    return DataValidation(
        type="list",
        formula1='"' + ",".join(values) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning" if warn_only else "stop",
        errorTitle="Value not in list",
        error=f"Choose a value from the drop-down list: {shown}",
    )


def _date_validation() -> DataValidation:
    return DataValidation(
        type="date",
        operator="between",
        formula1=str(DATE_MIN_SERIAL),
        formula2=str(DATE_MAX_SERIAL),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="Date required",
        error=f"Enter a date between {DATE_RANGE_TEXT} in the form dd/mm/yyyy.",
    )


# Sheets


def _introduction(workbook, kind: str) -> None:
    sheet = workbook.active
    sheet.title = layout.SHEET_INTRODUCTION
    _banner(sheet, kind, 0, 2)
    rows = list(texts.INTRODUCTION[kind]) + [
        (layout.INTRO_TYPE_LABEL, layout.TEMPLATE_TYPE[kind]),
        (layout.INTRO_VERSION_LABEL, layout.CURRENT_TEMPLATE_VERSION),
    ]
    for row, (label, text) in enumerate(rows, start=3):
        _label(sheet.cell(row, 1), label)
        cell = sheet.cell(row, 2, text)
        _body(cell)
    for row, height in enumerate(texts.INTRODUCTION_ROW_HEIGHTS[kind], start=3):
        sheet.row_dimensions[row].height = height
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100


def _participant(workbook, kind: str, plan) -> None:
    sheet = workbook.create_sheet(layout.SHEET_PARTICIPANT)
    _banner(sheet, kind, 1, 2)
    _header(sheet, layout.HEADER_ROW, ("Field", "Value"))
    for label, field, row in layout.PARTICIPANT_FIELDS:
        _label(sheet.cell(row, 1), label)
        cell = sheet.cell(row, 2)
        if field == "submission_date":
            _body(cell, DATE_FORMAT)
            validation = _date_validation()
            validation.add(cell.coordinate)
            sheet.add_data_validation(validation)
        else:
            _body(cell)
        if field in PARTICIPANT_LISTS:
            validation = _list_validation(
                PARTICIPANT_LISTS[field], warn_only=field == "participant_role"
            )
            validation.add(cell.coordinate)
            sheet.add_data_validation(validation)
        if plan is not None:
            _write_participant_value(cell, field, getattr(plan, field, None))
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 52
    sheet.freeze_panes = "A4"


def _write_participant_value(cell, field: str, value) -> None:
    if field == "submission_date":
        _set_date(cell, value)
    elif field == "reporting_interval" and value:
        cell.value = ReportingInterval(value).label
    elif value:
        _set_text(cell, str(value))


def _versions(workbook, kind: str, plan) -> None:
    sheet = workbook.create_sheet(layout.SHEET_VERSIONS)
    _banner(sheet, kind, 2, 4)
    _header(sheet, layout.HEADER_ROW, [text for text, _ in layout.VERSION_HEADERS])
    validation = _date_validation()
    validation.add("B4:B53")
    sheet.add_data_validation(validation)
    history = list(getattr(plan, "version_history", None) or []) if plan is not None else []
    for row, entry in enumerate(history, start=layout.FIRST_DATA_ROW):
        for column, (_, key) in enumerate(layout.VERSION_HEADERS, start=1):
            cell = sheet.cell(row, column)
            value = entry.get(key)
            if key == "date":
                _body(cell, DATE_FORMAT)
                if isinstance(value, str) and value:
                    value = date.fromisoformat(value)
                _set_date(cell, value)
            else:
                _body(cell)
                if value:
                    _set_text(cell, str(value))
    for letter, width in zip("ABCD", (10, 13, 24, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"


def _guidance(workbook, kind: str) -> None:
    sheet = workbook.create_sheet(layout.SHEET_GUIDANCE)
    _banner(sheet, kind, 3, 3)
    _header(sheet, layout.HEADER_ROW, ("Column", "Guidance", "Mandatory"))
    columns = {column.header: column for column in layout.item_columns(kind)}
    for row, (header, guidance) in enumerate(texts.GUIDANCE[kind], start=layout.FIRST_DATA_ROW):
        name = sheet.cell(row, 1, header)
        name.font = LABEL_FONT
        name.alignment = TOP_WRAP
        name.border = BORDER
        text = sheet.cell(row, 2, guidance)
        text.font = BODY_FONT
        text.alignment = TOP_WRAP
        text.border = BORDER
        mandatory = "Yes" if layout.is_mandatory(columns[header], kind) else "No"
        flag = sheet.cell(row, 3, mandatory)
        flag.font = BODY_FONT
        flag.alignment = Alignment(vertical="top", horizontal="center")
        flag.border = BORDER
    for row, height in enumerate(texts.GUIDANCE_ROW_HEIGHTS[kind], start=layout.FIRST_DATA_ROW):
        sheet.row_dimensions[row].height = height
    for letter, width in zip("ABC", (34, 100, 11), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A4"


def _items_sheet(workbook, kind: str, items) -> None:
    columns = layout.item_columns(kind)
    sheet = workbook.create_sheet(layout.ITEMS_SHEET[kind])
    last = len(columns)
    last_letter = get_column_letter(last)
    _banner(sheet, kind, 4, last)
    _header(sheet, layout.HEADER_ROW, [column.header for column in columns])
    sheet.row_dimensions[layout.HEADER_ROW].height = 54

    first, end = layout.FIRST_DATA_ROW, layout.VALIDATED_LAST_ROW
    by_kind: dict[str, list[str]] = {}
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        by_kind.setdefault(column.kind, []).append(f"{letter}{first}:{letter}{end}")
    for column_kind, ranges in by_kind.items():
        if column_kind == "date":
            validation = _date_validation()
        elif column_kind in LIST_VALUES:
            validation = _list_validation(LIST_VALUES[column_kind], warn_only=column_kind == "role")
        else:
            continue
        for cell_range in ranges:
            validation.add(cell_range)
        sheet.add_data_validation(validation)

    severity_letter = get_column_letter(
        next(i for i, c in enumerate(columns, start=1) if c.field == "severity")
    )
    top = f"{severity_letter}{first}"
    sheet.conditional_formatting.add(
        f"{top}:{severity_letter}{end}",
        FormulaRule(
            formula=[f'OR({top}="S1 Critical",{top}="S2 Major")'],
            fill=SEVERE_FILL,
            font=SEVERE_FONT,
        ),
    )
    sheet.freeze_panes = "C4"
    sheet.auto_filter.ref = f"A{layout.HEADER_ROW}:{last_letter}{layout.HEADER_ROW}"
    sheet.print_title_rows = f"{layout.HEADER_ROW}:{layout.HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    for row, item in enumerate(items, start=first):
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(row, index)
            value = getattr(item, column.field, None)
            if column.kind == "date":
                _body(cell, DATE_FORMAT)
                _set_date(cell, _as_date(value))
                continue
            _body(cell)
            text = cell_text(column.kind, value)
            if text:
                _set_text(cell, text)


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and value:
        return date.fromisoformat(value)
    return value


def cell_text(kind: str, value) -> str:
    """Return the text a non-date item value shows in the template ("S3 Moderate", "Yes")."""
    if value is None or value == "":
        return ""
    if kind == "severity":
        return Severity(value).label
    if kind == "rating":
        return Rating(value).label
    if kind == "status":
        return DefectStatus(value).label if value in DefectStatus.values else str(value)
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "code_bodies":
        return "/".join(str(body) for body in value)
    return str(value)


def _workbook(kind: str, plan) -> bytes:
    if kind not in PlanKind.values:
        raise ValueError(f"unknown plan kind {kind!r}")
    workbook = Workbook()
    workbook.properties.creator = "MHHS"
    workbook.properties.title = f"MHHS {layout.TEMPLATE_TYPE[kind]}"
    _introduction(workbook, kind)
    _participant(workbook, kind, plan)
    _versions(workbook, kind, plan)
    _guidance(workbook, kind)
    _items_sheet(workbook, kind, list(getattr(plan, "items", None) or []) if plan else [])
    for sheet in workbook.worksheets[:4]:
        sheet.page_setup.orientation = "portrait"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template(kind: str) -> bytes:
    """Return a blank template (.xlsx bytes) for a plan kind."""
    return _workbook(kind, None)


def export_workbook(plan_data) -> bytes:
    """Write a plan into the template and return the .xlsx bytes.

    `plan_data` is any object with the attribute names of ParsedPlan (kind,
    the sheet-2 fields, version_history and items with ParsedItem's names).
    """
    return _workbook(plan_data.kind, plan_data)


def _csv_safe(text: str) -> str:
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def export_csv(plan_data) -> str:
    """Return the plan's items as CSV text with the template's header texts.

    Fields that a spreadsheet would run as a formula (starting with =, +, -,
    @, tab or carriage return) get a leading apostrophe. Encode the result as
    UTF-8 to write it.
    """
    columns = layout.item_columns(plan_data.kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    for item in plan_data.items:
        row = []
        for column in columns:
            value = getattr(item, column.field, None)
            if column.kind == "date":
                value = _as_date(value)
                row.append(value.strftime("%d/%m/%Y") if value else "")
            else:
                row.append(_csv_safe(cell_text(column.kind, value)))
        writer.writerow(row)
    return buffer.getvalue()
