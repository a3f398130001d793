"""Checks on the uploaded file as a package, made before openpyxl opens it.

openpyxl reports a wrong file type, a macro-enabled workbook or a zip bomb
only as a low-level exception, or not at all, so these checks name the problem
in words a participant can act on.
"""

import io
import re
import zipfile

from .types import WorkbookError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Limits against zip bombs. The real template unpacks to about 60 KB, and a
# 2,000-item plan to about 2.5 MB, so these leave wide room for real plans
# while stopping a small upload from unpacking into gigabytes.
MAX_MEMBERS = 1_000
MAX_TOTAL_UNCOMPRESSED = 256 * 1024 * 1024
# Cap on every part that openpyxl loads whole (shared strings, styles,
# workbook). A cell contains at most 32,767 characters, and 10,000 items of
# 26 columns with a few hundred characters each stay well below it.
MAX_PART_UNCOMPRESSED = 64 * 1024 * 1024
# Worksheets are streamed row by row in read-only mode, so they may be
# larger: a sheet whose rows are formatted one by one down to row 1,048,576
# unpacks to 50-95 MB and must still be read. A huge single cell is stopped
# by the compression-ratio cap and the byte scan for long text runs instead.
MAX_WORKSHEET_UNCOMPRESSED = 200 * 1024 * 1024
# Maximum compression ratio (uncompressed / compressed size) of one part.
# Measured ratios: every part of the sample and case workbooks is at most
# 17.7:1 (the shared strings of the 2,000-item case). Sheets of empty
# formatted rows reach 10.6:1 to 28:1 (Python's zlib at level 6), and a sheet
# with a 32,767-character cell of one repeated letter 9.3:1. A part of one
# repeated character reaches about 1,000:1, the most deflate can do.
MAX_COMPRESSION_RATIO = 200
# Parts smaller than this are not judged by their ratio: they cannot be a
# bomb, and a small part of zeros (printer settings) compresses very well.
RATIO_CHECK_MIN_BYTES = 1024 * 1024
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

# Excel 4.0 macro sheets and dialog sheets run code like VBA does. Their
# parts may sit anywhere in the package, so content types and workbook
# relationships are checked as well as part names.
_MACRO_PART_FOLDERS = ("xl/macrosheets/", "xl/dialogsheets/")
_MACRO_MARKS = ("macroenabled", "macrosheet", "dialogsheet")

WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _reject(message: str) -> list[WorkbookError]:
    return [WorkbookError(None, None, None, None, message)]


def describe_non_zip(data: bytes) -> str:
    """Return the message for a file that is not a zip package."""
    if data.startswith(OLE_MAGIC):
        # An encrypted .xlsx is an OLE compound file whose directory contains
        # an "EncryptionInfo" stream. Directory names are stored as UTF-16LE.
        if "EncryptionInfo".encode("utf-16-le") in data:
            return (
                "The workbook is password-protected (encrypted). Remove the password in "
                "Excel (File > Info > Protect Workbook > Encrypt with Password), save it as "
                "Excel Workbook (.xlsx) and upload it again."
            )
        return (
            "The file is an Excel 97-2003 (.xls) workbook, which cannot be read. Open it in "
            "Excel, save it as Excel Workbook (.xlsx) and upload it again."
        )
    if not data:
        return "The file is empty. Upload the plan as an Excel Workbook (.xlsx) using the template."
    return (
        "The file is not an Excel workbook. Use the .xlsx template, save it as Excel "
        "Workbook (.xlsx) and upload it again."
    )


def _small_part_text(archive: zipfile.ZipFile, members, lower_name: str) -> str:
    """Return a part's text in lower case, or "" when it is absent, too large or unreadable."""
    info = next((m for m in members if m.filename.lower() == lower_name), None)
    if info is None or info.file_size > MAX_PART_UNCOMPRESSED:
        return ""
    try:
        return archive.read(info).decode("utf-8", "replace").lower()
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        return ""


def check_package(data: bytes) -> list[WorkbookError]:
    """Return the errors that stop the file being opened as an .xlsx workbook."""
    if not data.startswith(ZIP_MAGIC):
        return _reject(describe_non_zip(data))

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return _reject(
            "The file is damaged or not a complete Excel workbook. Open it in Excel, save it "
            "as Excel Workbook (.xlsx) and upload it again."
        )

    if len(members) > MAX_MEMBERS:
        return _reject(
            f"The workbook package holds {len(members)} parts, more than the {MAX_MEMBERS} "
            "accepted. Upload the plan in the .xlsx template."
        )

    names = {member.filename.lower() for member in members}
    if "[content_types].xml" not in names:
        return _reject(
            "The file is a zip archive but not an Excel workbook (it has no "
            "[Content_Types].xml part). Save the plan from Excel as Excel Workbook (.xlsx) "
            "and upload it again."
        )
    package_text = _small_part_text(archive, members, "[content_types].xml") + _small_part_text(
        archive, members, "xl/_rels/workbook.xml.rels"
    )
    if any(name.endswith("vbaproject.bin") for name in names) or ("macroenabled" in package_text):
        return _reject(
            "Macro-enabled workbooks (.xlsm) are not accepted. Save the plan as Excel "
            "Workbook (.xlsx) and upload it again."
        )
    if any(name.startswith(_MACRO_PART_FOLDERS) for name in names) or any(
        mark in package_text for mark in _MACRO_MARKS
    ):
        return _reject(
            "The workbook contains an Excel 4.0 macro sheet or a dialog sheet, and "
            "macro-enabled workbooks are not accepted. Delete that sheet, save the plan as "
            "Excel Workbook (.xlsx) and upload it again."
        )

    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            return _reject(
                "The workbook is password-protected (encrypted). Remove the password, save it "
                "as Excel Workbook (.xlsx) and upload it again."
            )
        if member.compress_type not in ALLOWED_COMPRESSION:
            return _reject(
                f"The workbook part {member.filename} uses a compression method Excel does "
                "not write. Save the plan from Excel as Excel Workbook (.xlsx)."
            )
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        too_compressed = member.file_size >= RATIO_CHECK_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO
        if total > MAX_TOTAL_UNCOMPRESSED or too_compressed:
            return _reject(
                "The workbook unpacks to far more data than a plan holds (a possible zip "
                "bomb), so it was not opened. Upload the plan in the .xlsx template."
            )
        is_worksheet = bool(WORKSHEET_PART.match(member.filename))
        cap = MAX_WORKSHEET_UNCOMPRESSED if is_worksheet else MAX_PART_UNCOMPRESSED
        if member.file_size > cap:
            megabytes = member.file_size / (1024 * 1024)
            hint = (
                " If it is a sheet formatted far below the plan, delete the unused rows "
                "below the last item and save the workbook again."
                if is_worksheet
                else ""
            )
            return _reject(
                f"The workbook part {member.filename} unpacks to {megabytes:,.0f} MB, more "
                f"than the {cap // (1024 * 1024)} MB a plan can need, so the workbook was "
                f"not opened.{hint}"
            )

    if "xl/workbook.xml" not in names:
        return _reject(
            "The file is a zip archive but not an Excel workbook (it has no xl/workbook.xml). "
            "Use the .xlsx template."
        )
    return []
