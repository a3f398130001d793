"""Facts about a worksheet that openpyxl's read-only mode does not expose.

Read-only mode hides merged ranges, and with data_only=True a formula cell
without a stored result reads as empty, indistinguishable from a blank cell.
Both are read here from the worksheet part itself. A cheap byte scan runs
first, so a sheet without formulas or error cells is never parsed twice.
"""

import re
import zipfile
from dataclasses import dataclass, field

from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

CHUNK_BYTES = 1024 * 1024
# Byte patterns of a formula element (<f>, <f t="shared" .../>, or with a
# namespace prefix) and of an error cell (t="e"). Plain substring tests scan a
# sheet formatted down to row 1,048,576 about twice as fast as a regular
# expression; a false match only costs one more parse of the sheet.
_FORMULA_MARKS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ", b":f/")
_ERROR_MARKS = (b't="e"', b"t='e'")
_MERGES_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCells[\s>/]")
_MERGES_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?mergeCells\s*>|<(?:[\w.-]+:)?mergeCells[^>]*/>")
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
_OVERLAP = 64


@dataclass
class SheetFacts:
    # (min_col, min_row, max_col, max_row) of each merged range, 1-based.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    has_formulas: bool = False
    has_error_cells: bool = False


def scan_sheet(archive: zipfile.ZipFile, part: str) -> SheetFacts:
    """Stream the worksheet part once, noting formulas, error cells and merged ranges."""
    facts = SheetFacts()
    merge_xml = b""
    in_merges = False
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(CHUNK_BYTES)
            if not chunk:
                break
            window = tail + chunk
            if not facts.has_formulas:
                facts.has_formulas = any(mark in window for mark in _FORMULA_MARKS)
            if not facts.has_error_cells:
                facts.has_error_cells = any(mark in window for mark in _ERROR_MARKS)
            if not in_merges and b"mergeCells" in window:
                start = _MERGES_START.search(window)
                if start:
                    in_merges = True
                    merge_xml = window[start.start() :]
            elif in_merges:
                merge_xml += chunk
            tail = window[-_OVERLAP:]
            if in_merges and _MERGES_END.search(merge_xml):
                break
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


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def scan_cells(archive: zipfile.ZipFile, part: str, *, max_row: int) -> FormulaFacts:
    """Find formula cells without a stored result, and error cells, up to max_row."""
    facts = FormulaFacts()
    with archive.open(part) as stream:
        for _event, element in iterparse(stream, events=("end",)):
            name = _local(element.tag)
            if name == "row":
                row_number = element.get("r")
                element.clear()
                if row_number and int(row_number) >= max_row:
                    break
                continue
            if name != "c":
                continue
            ref = element.get("r")
            if not ref:
                continue
            column_letter, row = coordinate_from_string(ref)
            column = column_index_from_string(column_letter)
            formula = None
            value = None
            for child in element:
                child_name = _local(child.tag)
                if child_name == "f":
                    formula = child
                elif child_name == "v":
                    value = child
            if formula is not None and (value is None or not (value.text or "")):
                facts.uncached.append((row, column))
            elif element.get("t") == "e" and value is not None:
                facts.errors.append((row, column, value.text or ""))
    return facts
