"""Facts about a worksheet that openpyxl's read-only mode does not expose.

Read-only mode hides merged ranges, and with data_only=True a formula cell
without a stored result reads as empty, indistinguishable from a blank cell.
It also cannot tell where the last row with content is without parsing every
row. These facts are read here from the worksheet part itself: a byte-level
pass over the tags comes first, so a sheet formatted down to row 1,048,576
is never parsed as XML past its last row with content.
"""

import re
import zipfile
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

CHUNK_BYTES = 1024 * 1024
# Maximum run of bytes without a "<" that a worksheet may contain. The maximum
# text Excel puts in a cell is 32,767 characters, under 330 KB even written as
# numeric character references, so a longer run is not a cell Excel wrote,
# and parsing it would keep the whole run in memory. It must not be less than
# CHUNK_BYTES, because the check looks at one chunk boundary at a time.
MAX_TEXT_RUN_BYTES = CHUNK_BYTES

# Starts of the tags that give a row content (a cell value, an inline string,
# a formula), with or without a namespace prefix. A match counts when a
# space, ">" or "/" follows it, and "<" cannot occur in XML text, so each
# match is a real tag. Substring searches scan a sheet formatted down to row
# 1,048,576 in under a second, where a regular expression over every tag
# takes two or more.
_FORMULA_STARTS = (b"<f", b":f")
_CONTENT_STARTS = (b"<v", b"<is", b":v", b":is") + _FORMULA_STARTS
_TAG_NAME_END = frozenset(b" \t\r\n>/")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s>/])([^>]*)>")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']\s*(\d+)""")
# End of the sheet data: tags after it (such as <xm:f> in a data validation
# extension) are no cell content.
_DATA_END = re.compile(
    rb"</(?:[A-Za-z_][\w.-]*:)?sheetData\s*>|<(?:[A-Za-z_][\w.-]*:)?sheetData[^>]*/>"
)
_ERROR_MARKS = (b't="e"', b"t='e'")
_MERGES_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCells[\s>/]")
_MERGES_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?mergeCells\s*>|<(?:[\w.-]+:)?mergeCells[^>]*/>")
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")


class SheetTooLong(Exception):
    """Raised when a worksheet contains a text run far longer than any Excel cell."""


@dataclass
class SheetFacts:
    # (min_col, min_row, max_col, max_row) of each merged range, 1-based.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    has_formulas: bool = False
    has_error_cells: bool = False
    # Last row with a cell value, an inline string or a formula. It is 0 when
    # no row has one, and None when that row has no r attribute to number it.
    last_content_row: int | None = 0


_UNKNOWN = -1


def _last_tag(region: bytes, start: bytes, end: int) -> int:
    """Return the position of the last tag opening with start before end, or -1."""
    position = region.rfind(start, 0, end)
    while position >= 0:
        after = position + len(start)
        if after < len(region) and region[after] in _TAG_NAME_END:
            return position
        position = region.rfind(start, 0, position)
    return -1


def _last_row_tag(region: bytes, end: int) -> int | None:
    """Return the r of the last row tag before end: None if there is none, _UNKNOWN
    if that row has no r attribute."""
    position = max(region.rfind(b"<row", 0, end), region.rfind(b":row", 0, end))
    while position >= 0:
        match = _ROW_TAG.match(region, region.rfind(b"<", 0, position + 1))
        if match and match.end() <= end:
            number = _ROW_NUMBER.search(match.group(1))
            return int(number.group(1)) if number else _UNKNOWN
        position = max(region.rfind(b"<row", 0, position), region.rfind(b":row", 0, position))
    return None


def _scan_data(facts: SheetFacts, region: bytes, row: int | None) -> tuple[int | None, bool]:
    """Record the content of one region of sheet data.

    Return the number of the row open at the region's end and whether the
    sheet data goes on past the region.
    """
    data_end = _DATA_END.search(region)
    limit = data_end.start() if data_end else len(region)
    if not facts.has_formulas:
        facts.has_formulas = any(_last_tag(region, start, limit) >= 0 for start in _FORMULA_STARTS)
    mark = max(_last_tag(region, start, limit) for start in _CONTENT_STARTS)
    if mark >= 0:
        # The content belongs to the last row opened before it, in this
        # region or in an earlier one.
        found = _last_row_tag(region, mark)
        facts.last_content_row = found if found is not None else (row or 0)
    found = _last_row_tag(region, limit)
    if found is not None:
        row = found
    return row, data_end is None


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetFacts:
    """Stream the worksheet part once, recording its last row with content, its
    formulas, error cells and merged ranges. Raise SheetTooLong for a text run
    longer than any cell."""
    facts = SheetFacts()
    merge_xml = b""
    in_merges = False
    in_data = True
    row = None
    tail = b""
    # Offset in the part of the first byte of tail, and of the last "<" seen.
    offset = 0
    last_open = 0
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            chunk_start = offset + len(tail)
            first_open = chunk.find(b"<")
            gap_end = chunk_start + (first_open if first_open >= 0 else len(chunk))
            if gap_end - last_open > MAX_TEXT_RUN_BYTES:
                raise SheetTooLong(part)
            if first_open >= 0:
                last_open = chunk_start + chunk.rfind(b"<")

            window = tail + chunk
            # Only whole tags are scanned: the bytes after the last ">" wait
            # for the next chunk.
            cut = window.rfind(b">") + 1 if chunk else len(window)
            region, tail = window[:cut], window[cut:]
            offset += cut
            if len(tail) > MAX_TEXT_RUN_BYTES:
                # A tag that never closes is no worksheet Excel wrote either.
                raise SheetTooLong(part)

            if in_data:
                row, in_data = _scan_data(facts, region, row)
            if not facts.has_error_cells:
                facts.has_error_cells = any(mark in region for mark in _ERROR_MARKS)
            if not in_merges and b"mergeCells" in region:
                start = _MERGES_START.search(region)
                if start:
                    in_merges = True
                    merge_xml = region[start.start() :]
            elif in_merges:
                merge_xml += region
            if in_merges and _MERGES_END.search(merge_xml):
                break
            if not chunk:
                break
    if facts.last_content_row == _UNKNOWN:
        facts.last_content_row = None
    if merge_xml:
        facts.merges = _parse_merges(merge_xml)
    return facts


def _parse_merges(fragment: bytes) -> list[tuple[int, int, int, int]]:
    end = _MERGES_END.search(fragment)
    fragment = fragment[: end.end()] if end else fragment
    # The fragment is cut out of the sheet, so namespace prefixes declared on
    # the root element are dropped to keep it well-formed.
    fragment = _PREFIX.sub(rb"<\1", fragment)
    fragment = re.sub(rb"\sxmlns(:\w+)?=\"[^\"]*\"", b"", fragment)
    root = fromstring(fragment)
    merges = []
    for element in root.iter():
        ref = element.get("ref")
        if element.tag == "mergeCell" and ref:
            try:
                bounds = range_boundaries(ref)
            except ValueError:
                continue
            if None not in bounds:
                merges.append(bounds)
    return merges


@dataclass
class FormulaFacts:
    # (row, column) of formula cells with no stored result.
    uncached: list[tuple[int, int]] = field(default_factory=list)
    # (row, column, error text) of cells holding an Excel error such as #REF!.
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    # (row, column) -> stored <v> text of the number cells asked for in `wanted`.
    raw_values: dict[tuple[int, int], str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def scan_cells(
    archive: zipfile.ZipFile, part: str, *, max_row: int, wanted: frozenset = frozenset()
) -> FormulaFacts:
    """Find formula cells without a stored result, and error cells, up to max_row.

    Cells and rows without the optional r attribute are placed by counting,
    as openpyxl places them. The stored number of each (row, column) in
    wanted is returned as well.
    """
    facts = FormulaFacts()
    row_counter = 0
    column_counter = 0
    with archive.open(part) as stream:
        for event, element in iterparse(stream, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    number = element.get("r")
                    row_counter = int(float(number)) if number else row_counter + 1
                    column_counter = 0
                continue
            if name == "row":
                element.clear()
                if row_counter >= max_row:
                    break
                continue
            if name != "c":
                continue
            ref = element.get("r")
            if ref:
                column_letter, row = coordinate_from_string(ref)
                column = column_index_from_string(column_letter)
                column_counter = column
            else:
                column_counter += 1
                row, column = row_counter, column_counter
            formula = None
            value = None
            for child in element:
                child_name = _local(child.tag)
                if child_name == "f":
                    formula = child
                elif child_name == "v":
                    value = child
            if (row, column) in wanted and value is not None and element.get("t", "n") == "n":
                facts.raw_values[(row, column)] = value.text or ""
            if formula is not None and not _has_result(element, value):
                facts.uncached.append((row, column))
            elif element.get("t") == "e" and value is not None:
                facts.errors.append((row, column, value.text or ""))
    return facts


def _has_result(cell, value) -> bool:
    if value is None:
        return False
    if value.text:
        return True
    # A string formula whose result is "" is stored as t="str" with an empty <v>.
    return cell.get("t") == "str"
