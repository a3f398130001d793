"""Reader of plan workbooks: turns the bytes of an uploaded .xlsx into a ParsedPlan.

The reader touches no database. It collects every error it can find and
raises WorkbookRejected with all of them, so a participant fixes a workbook
in one round rather than one error per upload.
"""

import io
import logging
import re
import warnings
import zipfile
from datetime import datetime

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from plans.choices import CodeBody, PlanKind, Route

from . import cells, layout
from .cells import CellValueError
from .package import check_package
from .sheetxml import SheetFacts, SheetTooLong, scan_cells, scan_sheet
from .types import ParsedItem, ParsedPlan, WorkbookError, WorkbookRejected

logger = logging.getLogger(__name__)

# openpyxl parses workbook XML with defusedxml only when it is installed.
# Without it, an entity-expansion bomb inside an upload would be expanded.
if not openpyxl.DEFUSEDXML:
    raise ImportError("defusedxml must be installed for plans.imports to read uploads safely")

# The header of the items sheet is looked for in this many rows from the top,
# so a banner or note added above it does not hide it.
HEADER_SEARCH_ROWS = 30
# A header row must contain this many of the expected texts to count as one.
HEADER_MIN_MATCHES = 5
# Rows are read down to the last row with content, wherever it is. Content
# below this row is an error rather than read, because walking a sheet
# formatted down to row 1,048,576 row by row takes about 15 seconds.
MAX_CONTENT_ROW = 100_000
# Upper bound on items in one plan, far above any real plan (the template
# validates 500 rows), so that a runaway sheet is rejected rather than stored.
MAX_ITEMS = 10_000
# Errors reported for one workbook. Past this, one last error states how many were left out.
MAX_ERRORS = 500

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# openpyxl turns a date-formatted number past 31/12/9999 into "#VALUE!" and
# emits this warning. The reader reports the number itself as "not a date".
warnings.filterwarnings(
    "ignore", message=r"Cell .* is marked as a date but the serial value", module=r"openpyxl\."
)
_DATE_OVERFLOW = "#VALUE!"


def _key(text) -> str:
    if not isinstance(text, str):
        return ""
    return " ".join(cells.normalise_text(text).split()).casefold()


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not cells.normalise_text(value))


def _is_empty(value) -> bool:
    return value is None or value == "" or value == []


def _blank_is_error(column: layout.Column, kind: str) -> bool:
    """Tell whether an empty cell of a mandatory column is a reader error.

    Reference and Defect Number have their own messages, and the columns the
    eligibility rules judge stay readable when empty.
    """
    if not layout.is_mandatory(column, kind):
        return False
    return column.field not in layout.RULE_JUDGED_FIELDS | {"reference", "defect_number"}


def _read_shared_strings(source) -> list[str]:
    """Read the shared strings part, keeping each string's _xHHHH_ escapes."""
    strings = []
    tag = f"{{{SHEET_MAIN_NS}}}si"
    for _event, element in iterparse(source):
        if element.tag == tag:
            strings.append(Text.from_tree(element).content)
            element.clear()
    return strings


class _ExcelReader(ExcelReader):
    """openpyxl 3.1's package reader, with shared strings kept as stored.

    openpyxl decodes only part of Excel's _xHHHH_ escapes in shared strings,
    and none in inline strings. Keeping both raw lets the reader decode every
    string cell once, the way Excel does.
    """

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                self.shared_strings = _read_shared_strings(source)


class _Errors:
    def __init__(self):
        self.items: list[WorkbookError] = []
        self.left_out = 0

    def add(self, sheet, row, column, value, message) -> None:
        if len(self.items) >= MAX_ERRORS:
            self.left_out += 1
            return
        self.items.append(WorkbookError(sheet, row, column, cells.display(value), message))

    def finish(self) -> list[WorkbookError]:
        errors = list(self.items)
        if self.left_out:
            errors.append(
                WorkbookError(
                    None, None, None, None, f"{self.left_out} more errors were not listed."
                )
            )
        return errors


class _SheetGrid:
    """Values of one sheet by Excel row, with merged cells filled in and formula facts."""

    def __init__(self, rows: dict[int, list], uncached: set, error_cells: dict):
        self.rows = rows
        self.uncached = uncached
        self.error_cells = error_cells


def read_workbook(data: bytes, *, filename: str) -> ParsedPlan:
    """Read a plan workbook; raise WorkbookRejected listing every error found."""
    package_errors = check_package(data)
    if package_errors:
        raise WorkbookRejected(package_errors)
    try:
        return _Reader(data).read()
    except WorkbookRejected:
        raise
    except Exception as error:
        if not _caused_by_unsafe_xml(error):
            # A damaged or hand-made package can make openpyxl or zipfile raise
            # almost anything. The participant gets a clean error rather than a
            # server error, and the log names the cause without a traceback.
            logger.info(
                "workbook could not be read filename=%s error=%s", filename, type(error).__name__
            )
            logger.debug("workbook read failure filename=%s", filename, exc_info=True)
            raise WorkbookRejected(
                [
                    WorkbookError(
                        None,
                        None,
                        None,
                        None,
                        "The workbook is damaged or not in the Excel Workbook (.xlsx) format, so "
                        "it could not be read. Open it in Excel, save it as Excel Workbook "
                        "(.xlsx) and upload it again.",
                    )
                ]
            ) from None
        logger.warning("workbook rejected for unsafe XML filename=%s", filename)
        raise WorkbookRejected(
            [
                WorkbookError(
                    None,
                    None,
                    None,
                    None,
                    "The workbook contains XML entity or DTD declarations, which Excel never "
                    "writes, so it was rejected as unsafe. Save the plan from Excel as Excel "
                    "Workbook (.xlsx).",
                )
            ]
        ) from None


def _caused_by_unsafe_xml(error: BaseException) -> bool:
    """Tell whether defusedxml raised the error, possibly wrapped by openpyxl."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


class _Reader:
    def __init__(self, data: bytes):
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        package = _ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        package.read()
        self.workbook = package.wb
        self.epoch: datetime = self.workbook.epoch
        self.errors = _Errors()
        self.warnings: list[WorkbookError] = []
        self._facts: dict[str, SheetFacts] = {}

    def warn(self, sheet, message) -> None:
        self.warnings.append(WorkbookError(sheet, None, None, None, message))

    def read(self) -> ParsedPlan:
        try:
            return self._read()
        finally:
            self.workbook.close()
            self.archive.close()

    def _read(self) -> ParsedPlan:
        names = self.workbook.sheetnames
        kind, template_version = self._read_introduction(names)
        plan = ParsedPlan(kind=kind or PlanKind.TESTING_WORK_OFF, template_version=template_version)

        if layout.SHEET_PARTICIPANT in names:
            self._read_participant(plan, known_kind=kind is not None)
        else:
            self.errors.add(
                layout.SHEET_PARTICIPANT,
                None,
                None,
                None,
                f"The sheet '{layout.SHEET_PARTICIPANT}' is missing. Use the .xlsx template "
                "and keep its sheet names.",
            )
        if layout.SHEET_VERSIONS in names:
            plan.version_history = self._read_versions()
        else:
            self.warn(
                layout.SHEET_VERSIONS,
                f"The sheet '{layout.SHEET_VERSIONS}' was not found, so no version history "
                "was read. Keep the template's sheet names to import the history.",
            )

        items_sheet = layout.ITEMS_SHEET[plan.kind]
        if kind is None and items_sheet not in names:
            message = (
                "The items sheet is missing: a plan needs a sheet named "
                f"'{layout.ITEMS_SHEET[PlanKind.TESTING_WORK_OFF]}' or "
                f"'{layout.ITEMS_SHEET[PlanKind.QAD_ACTION]}'."
            )
            self.errors.add(items_sheet, None, None, None, message)
        elif items_sheet not in names:
            self.errors.add(
                items_sheet,
                None,
                None,
                None,
                f"The sheet '{items_sheet}' is missing, so the plan has no items sheet. Use the "
                f"{layout.TEMPLATE_TYPE[plan.kind]} template and keep its sheet names.",
            )
        else:
            self._read_items(plan, items_sheet)

        errors = self.errors.finish()
        if errors:
            raise WorkbookRejected(errors, self.warnings)
        plan.warnings = list(self.warnings)
        return plan

    # Sheets

    def _sheet_facts(self, sheet) -> SheetFacts | None:
        """Return the scanned facts of a sheet's part, or None after recording why the
        sheet cannot be read safely. Each part is scanned once."""
        # openpyxl 3.1 keeps the part name of a read-only sheet in this private attribute.
        part = sheet._worksheet_path
        if part not in self._facts:
            try:
                self._facts[part] = scan_sheet(self.archive, part)
            except SheetTooLong:
                self.errors.add(
                    sheet.title,
                    None,
                    None,
                    None,
                    f"The sheet '{sheet.title}' holds a cell with more text than the "
                    f"{cells.MAX_CELL_CHARACTERS:,} characters an Excel cell holds, so it was "
                    "not read. Shorten the cell and upload the workbook again.",
                )
                self._facts[part] = None
        return self._facts[part]

    def _grid(self, title: str, *, max_row=None, max_col=None, scan: bool = True) -> _SheetGrid:
        """Read a sheet's values by row, down to its last row with content."""
        sheet = self.workbook[title]
        # A wrong <dimension ref> (such as "A1") would hide every cell outside it.
        sheet.reset_dimensions()
        facts = self._sheet_facts(sheet)
        if facts is None:
            return _SheetGrid({}, set(), {})
        last_row = facts.last_content_row
        if last_row is not None and max_row is None and last_row > MAX_CONTENT_ROW:
            self.errors.add(
                title,
                last_row,
                None,
                None,
                f"Row {last_row:,} of '{title}' has content, but only the first "
                f"{MAX_CONTENT_ROW:,} rows of a sheet are read. Move the plan's rows up, or "
                f"delete the content below row {MAX_CONTENT_ROW:,}, and upload it again.",
            )
            last_row = MAX_CONTENT_ROW
        if last_row is not None:
            max_row = last_row if max_row is None else min(max_row, last_row)
        if max_row == 0:
            return _SheetGrid({}, set(), {})

        rows: dict[int, list] = {}
        overflowed: set[tuple[int, int]] = set()
        number = 0
        for number, values in enumerate(
            sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True),
            start=1,
        ):
            if all(_is_blank(value) for value in values):
                continue
            row = list(values)
            for index, value in enumerate(row):
                if isinstance(value, str):
                    if value == _DATE_OVERFLOW:
                        overflowed.add((number, index + 1))
                    row[index] = cells.decode_ooxml_escapes(value)
            rows[number] = row
        last_row = number
        if not scan:
            return _SheetGrid(rows, set(), {})

        self._fill_merges(rows, facts)
        uncached: set = set()
        error_cells: dict = {}
        if facts.has_formulas or facts.has_error_cells or overflowed:
            found = scan_cells(
                self.archive, sheet._worksheet_path, max_row=last_row, wanted=frozenset(overflowed)
            )
            uncached = set(found.uncached)
            error_cells = {(row, column): text for row, column, text in found.errors}
            self._restore_overflowed(rows, overflowed, error_cells, found.raw_values)
        return _SheetGrid(rows, uncached, error_cells)

    @staticmethod
    def _restore_overflowed(rows, overflowed, error_cells, raw_values) -> None:
        """Put back the number of a date-formatted cell that openpyxl read as #VALUE!."""
        for row, column in overflowed:
            raw = raw_values.get((row, column))
            if (row, column) in error_cells or raw is None:
                continue
            try:
                number = float(raw)
            except ValueError:
                continue
            rows[row][column - 1] = int(number) if number.is_integer() else number

    @staticmethod
    def _fill_merges(rows: dict[int, list], facts: SheetFacts) -> None:
        for min_col, top, max_col_merge, bottom in facts.merges:
            source = rows.get(top)
            if source is None or len(source) < min_col:
                continue
            value = source[min_col - 1]
            if value is None:
                continue
            for row in range(top, bottom + 1):
                if row == top or row not in rows:
                    # Rows absent from the grid are blank: a merge does not turn
                    # an empty row into an item.
                    continue
                target = rows[row]
                for column in range(min_col, max_col_merge + 1):
                    if column <= len(target) and target[column - 1] is None:
                        target[column - 1] = value
            for column in range(min_col + 1, max_col_merge + 1):
                if column <= len(source) and source[column - 1] is None:
                    source[column - 1] = value

    def _cell_problem(self, grid: _SheetGrid, sheet, row, column_index, label) -> bool:
        """Record an error for a formula without result or an error value.

        Returns True if it found one.
        """
        if (row, column_index) in grid.uncached:
            self.errors.add(
                sheet,
                row,
                label,
                None,
                f"Cell {get_column_letter(column_index)}{row} holds a formula with no calculated "
                "value stored. Open the workbook in Excel, save it, and upload it again (or "
                "type the value instead of the formula).",
            )
            return True
        if (row, column_index) in grid.error_cells:
            text = grid.error_cells[(row, column_index)]
            self.errors.add(
                sheet,
                row,
                label,
                text,
                f"Cell {get_column_letter(column_index)}{row} holds the Excel error {text}. "
                "Correct the cell and upload the workbook again.",
            )
            return True
        return False

    def _labelled_values(self, title: str) -> tuple[_SheetGrid, dict[str, int]]:
        grid = self._grid(title, max_row=HEADER_SEARCH_ROWS + 20, max_col=4)
        label_rows: dict[str, int] = {}
        for number, values in grid.rows.items():
            label = _key(values[0]) if values else ""
            if label and label not in label_rows:
                label_rows[label] = number
        return grid, label_rows

    def _read_introduction(self, names) -> tuple[str | None, str | None]:
        """Return the plan kind (None if not stated) and the template version."""
        sheet = layout.SHEET_INTRODUCTION
        kind = None
        version = None
        if sheet in names:
            grid, label_rows = self._labelled_values(sheet)
            type_row = label_rows.get(_key(layout.INTRO_TYPE_LABEL), layout.INTRO_TYPE_ROW)
            type_text = self._intro_text(grid, type_row, layout.INTRO_TYPE_LABEL)
            if type_text:
                for plan_kind, template_type in layout.TEMPLATE_TYPE.items():
                    if _key(template_type) == _key(type_text):
                        kind = plan_kind
                if kind is None:
                    self.errors.add(
                        sheet,
                        type_row,
                        layout.INTRO_TYPE_LABEL,
                        type_text,
                        f"Template Type '{cells.display(type_text)}' is not known. It must be "
                        + " or ".join(f"'{text}'" for text in layout.TEMPLATE_TYPE.values())
                        + ".",
                    )
            version_row = label_rows.get(_key(layout.INTRO_VERSION_LABEL), layout.INTRO_VERSION_ROW)
            version_text = self._intro_text(grid, version_row, layout.INTRO_VERSION_LABEL)
            version = self._template_version(version_text, version_row)
        else:
            self.warn(
                sheet,
                f"The sheet '{sheet}' was not found, so its Template Type and Template "
                "Version were not read. The plan type was taken from the items sheet's name "
                f"and the workbook was read as template version "
                f"{layout.CURRENT_TEMPLATE_VERSION}.",
            )
        if kind is None:
            for plan_kind, items_sheet in layout.ITEMS_SHEET.items():
                if items_sheet in names:
                    kind = plan_kind
                    break
        return kind, version

    def _intro_text(self, grid: _SheetGrid, row: int, label: str) -> str:
        """Return the text of a sheet-1 value, or "" after recording an error."""
        sheet = layout.SHEET_INTRODUCTION
        if self._cell_problem(grid, sheet, row, 2, label):
            return ""
        raw = self._value(grid, row, 2)
        try:
            return cells.to_text(raw)
        except CellValueError as error:
            self.errors.add(sheet, row, label, raw, str(error))
            return ""

    def _template_version(self, text: str, row: int) -> str | None:
        if not text:
            return None
        for known in layout.KNOWN_TEMPLATE_VERSIONS:
            if text == known:
                return known
            try:
                if float(text) == float(known):
                    return known
            except ValueError:
                pass
        known_list = ", ".join(layout.KNOWN_TEMPLATE_VERSIONS)
        self.errors.add(
            layout.SHEET_INTRODUCTION,
            row,
            layout.INTRO_VERSION_LABEL,
            text,
            f"Template Version '{cells.display(text)}' is not a version this service reads; it "
            f"reads version {known_list}. Download the current template and copy the plan "
            "into it.",
        )
        return None

    @staticmethod
    def _value(grid: _SheetGrid, row: int, column: int):
        values = grid.rows.get(row)
        if not values or len(values) < column:
            return None
        return values[column - 1]

    def _read_participant(self, plan: ParsedPlan, *, known_kind: bool) -> None:
        sheet = layout.SHEET_PARTICIPANT
        grid, label_rows = self._labelled_values(sheet)
        raw: dict[str, object] = {}
        for label, field, template_row in layout.PARTICIPANT_FIELDS:
            row = label_rows.get(_key(label))
            if row is None:
                if _key(self._value(grid, template_row, 1)) in ("", _key(label)):
                    row = template_row
                else:
                    self.errors.add(
                        sheet,
                        template_row,
                        label,
                        None,
                        f"The label '{label}' is missing from column A. Do not change the labels "
                        "in column A.",
                    )
                    continue
            plan.field_rows[field] = row
            if self._cell_problem(grid, sheet, row, 2, label):
                continue
            raw[field] = self._value(grid, row, 2)

        def convert(field, label, function, *args, **kwargs):
            try:
                return function(raw.get(field), *args, **kwargs)
            except CellValueError as error:
                self.errors.add(
                    sheet, plan.field_rows.get(field), label, raw.get(field), str(error)
                )
                return None

        plan.participant_name = convert("participant_name", "Participant Name", cells.to_text) or ""
        plan.participant_id = convert("participant_id", "Participant ID", cells.to_text) or ""
        plan.participant_role = convert("participant_role", "Participant Role", cells.to_role) or ""
        plan.contact_name = convert("contact_name", "Contact Name", cells.to_text) or ""
        plan.contact_email = convert("contact_email", "Contact Email", cells.to_text) or ""
        plan.submission_date = convert(
            "submission_date", "Submission Date", cells.to_date, epoch=self.epoch
        )
        plan.plan_version = convert("plan_version", "Plan Version", cells.to_text) or ""
        plan.lead_code_body = convert("lead_code_body", "Lead Code Body", cells.to_choice, CodeBody)
        plan.reporting_interval = convert(
            "reporting_interval", "Reporting Interval", cells.to_interval
        )
        plan.route = convert("route", "Qualification Route", cells.to_choice, Route)

        if "participant_id" in plan.field_rows and not plan.participant_id:
            self.errors.add(
                sheet,
                plan.field_rows["participant_id"],
                "Participant ID",
                None,
                "The Participant ID is missing. Enter your participant ID in column B.",
            )
        if plan.contact_email and not _EMAIL.match(plan.contact_email):
            self.errors.add(
                sheet,
                plan.field_rows.get("contact_email"),
                "Contact Email",
                plan.contact_email,
                f"'{cells.display(plan.contact_email)}' is not an e-mail address.",
            )
        self._check_route(plan, raw)
        for label, field, _row in layout.PARTICIPANT_FIELDS:
            self._check_length(
                sheet, plan.field_rows.get(field), label, field, getattr(plan, field)
            )

    def _check_length(self, sheet, row, label, field, value) -> None:
        limit = layout.MAX_LENGTH.get(field)
        if limit and isinstance(value, str) and len(value) > limit:
            self.errors.add(
                sheet,
                row,
                label,
                value,
                f"{label} is {len(value)} characters long; at most {limit} are allowed.",
            )

    def _check_route(self, plan: ParsedPlan, raw: dict) -> None:
        sheet = layout.SHEET_PARTICIPANT
        row = plan.field_rows.get("route")
        if row is None:
            return
        if plan.route is None and _is_blank(raw.get("route")):
            if plan.kind == PlanKind.QAD_ACTION:
                plan.route = Route.QAD.value
                return
            self.errors.add(
                sheet,
                row,
                "Qualification Route",
                None,
                "The Qualification Route is missing. Choose SIT or QT.",
            )
            return
        if plan.route is None:
            return
        expects_qad = plan.kind == PlanKind.QAD_ACTION
        if expects_qad != (plan.route == Route.QAD):
            allowed = "QAD" if expects_qad else "SIT or QT"
            self.errors.add(
                sheet,
                row,
                "Qualification Route",
                plan.route,
                f"A {layout.TEMPLATE_TYPE[plan.kind]} is for route {allowed}, not {plan.route}. "
                "Use the template that matches the route.",
            )

    def _read_versions(self) -> list[dict]:
        sheet = layout.SHEET_VERSIONS
        grid = self._grid(sheet, max_col=8)
        header_row, columns = self._find_header(
            grid, sheet, [text for text, _ in layout.VERSION_HEADERS], minimum=2
        )
        if header_row is None:
            return []
        history = []
        for number in range(header_row + 1, max(grid.rows, default=header_row) + 1):
            values = grid.rows.get(number)
            if values is None:
                # The history ends at its first empty row.
                break
            entry = {}
            for text, key in layout.VERSION_HEADERS:
                index = columns.get(_key(text))
                value = values[index - 1] if index and index <= len(values) else None
                if index and self._cell_problem(grid, sheet, number, index, text):
                    value = None
                try:
                    if key == "date":
                        entry[key] = cells.to_date(value, epoch=self.epoch)
                    else:
                        entry[key] = cells.to_text(value)
                except CellValueError as error:
                    self.errors.add(sheet, number, text, value, str(error))
                    entry[key] = None if key == "date" else ""
            history.append(entry)
        return history

    def _find_header(self, grid: _SheetGrid, sheet: str, headers: list[str], *, minimum: int):
        """Return (header row, {header key: column}) of the first row naming enough headers.

        A header text found in two columns of that row is an error naming both,
        since either column could hold the values meant.
        """
        wanted = {_key(text) for text in headers}
        for number in sorted(grid.rows):
            if number > HEADER_SEARCH_ROWS:
                break
            values = grid.rows[number]
            found = {}
            repeats = []
            for index, value in enumerate(values, start=1):
                key = _key(value)
                if key not in wanted:
                    continue
                if key in found:
                    repeats.append((found[key], index, value))
                else:
                    found[key] = index
            if len(found) >= minimum:
                for first, second, value in repeats:
                    text = cells.normalise_text(value)
                    self.errors.add(
                        sheet,
                        number,
                        text,
                        text,
                        f"The header '{text}' is in both column {get_column_letter(first)} and "
                        f"column {get_column_letter(second)}. Keep one column with this header "
                        "and rename or delete the other.",
                    )
                return number, found
        return None, {}

    def _read_items(self, plan: ParsedPlan, sheet: str) -> None:
        if self._sheet_facts(self.workbook[sheet]) is None:
            return
        columns = layout.item_columns(plan.kind)
        header_grid = self._grid(sheet, max_row=HEADER_SEARCH_ROWS, scan=False)
        header_row, found = self._find_header(
            header_grid,
            sheet,
            [column.header for column in columns],
            minimum=min(HEADER_MIN_MATCHES, len(columns)),
        )
        if header_row is None:
            self.errors.add(
                sheet,
                None,
                None,
                None,
                f"No header row found in the first {HEADER_SEARCH_ROWS} rows of '{sheet}'. The "
                "header row must contain the column names of the template (Reference, Defect "
                "Number, Severity, ...).",
            )
            return

        present = []
        for column in columns:
            index = found.get(_key(column.header))
            if index is None:
                if layout.is_mandatory(column, plan.kind):
                    self.errors.add(
                        sheet,
                        header_row,
                        column.header,
                        None,
                        f"The column '{column.header}' is missing from the header row. Do not "
                        "rename or delete the template's columns.",
                    )
                continue
            present.append((column, index))
        if not present:
            return

        last_column = max(index for _, index in present)
        grid = self._grid(sheet, max_col=last_column)
        seen_defects: dict[str, int] = {}
        seen_references: dict[str, int] = {}
        for number in sorted(grid.rows):
            if number <= header_row:
                continue
            values = grid.rows[number]
            if all(_is_blank(values[index - 1]) for _, index in present if index <= len(values)):
                continue
            if len(plan.items) >= MAX_ITEMS:
                self.errors.add(
                    sheet,
                    number,
                    None,
                    None,
                    f"The plan has more than {MAX_ITEMS:,} items; split it or remove empty rows.",
                )
                break
            item = self._read_item(grid, sheet, number, values, present, plan.kind)
            self._check_identity(sheet, item, seen_defects, seen_references)
            plan.items.append(item)
            if item.reference:
                plan.row_of.setdefault(item.reference, number)

    def _read_item(self, grid, sheet, number, values, present, kind) -> ParsedItem:
        item = ParsedItem(row=number)
        for column, index in present:
            raw = values[index - 1] if index <= len(values) else None
            if self._cell_problem(grid, sheet, number, index, column.header):
                continue
            try:
                value = self._convert(column.kind, raw)
            except CellValueError as error:
                self.errors.add(sheet, number, column.header, raw, str(error))
                continue
            self._check_length(sheet, number, column.header, column.field, value)
            setattr(item, column.field, value)
            if _is_empty(value) and _blank_is_error(column, kind):
                self.errors.add(
                    sheet,
                    number,
                    column.header,
                    None,
                    f"Cell {get_column_letter(index)}{number} is empty, but '{column.header}' "
                    "is mandatory. Fill it in and upload the workbook again.",
                )
        return item

    def _convert(self, kind: str, raw):
        if kind == "text":
            return cells.to_text(raw)
        if kind == "severity":
            return cells.to_severity(raw)
        if kind == "status":
            return cells.to_status(raw)
        if kind == "role":
            return cells.to_role(raw)
        if kind == "code_bodies":
            return cells.to_code_bodies(raw)
        if kind == "yes_no":
            return cells.to_yes_no(raw)
        if kind == "date":
            return cells.to_date(raw, epoch=self.epoch)
        if kind == "rating":
            return cells.to_rating(raw)
        raise ValueError(f"unknown column kind {kind}")

    def _check_identity(self, sheet, item: ParsedItem, seen_defects, seen_references) -> None:
        if not item.reference:
            self.errors.add(
                sheet,
                item.row,
                "Reference",
                None,
                "The Reference is missing. Give every item its own reference.",
            )
        else:
            first = seen_references.setdefault(item.reference.casefold(), item.row)
            if first != item.row:
                self.errors.add(
                    sheet,
                    item.row,
                    "Reference",
                    item.reference,
                    f"Reference {item.reference} in row {item.row} is already used in row "
                    f"{first}. Give every item its own reference.",
                )
        if not item.defect_number:
            self.errors.add(
                sheet,
                item.row,
                "Defect Number",
                None,
                "The Defect Number is missing. Enter the defect ID from the defect log.",
            )
            return
        first = seen_defects.setdefault(item.defect_number.casefold(), item.row)
        if first != item.row:
            self.errors.add(
                sheet,
                item.row,
                "Defect Number",
                item.defect_number,
                f"Defect Number {item.defect_number} in row {item.row} repeats row {first}. "
                "List each defect once.",
            )
