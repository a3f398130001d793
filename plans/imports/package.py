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
# Parts that openpyxl loads whole into memory (shared strings, styles, the
# workbook part) are capped much lower than worksheets, which it streams.
MAX_LOADED_PART_UNCOMPRESSED = 64 * 1024 * 1024
# Deflate cannot compress better than about 1,032:1, so a member declaring more
# is lying about its sizes; worksheets of empty formatted rows reach a few
# hundred to one, which stays accepted.
MAX_COMPRESSION_RATIO = 1_100
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

WORKSHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)


def _reject(message: str) -> list[WorkbookError]:
    return [WorkbookError(None, None, None, None, message)]


def describe_non_zip(data: bytes) -> str:
    """Return the message for a file that is not a zip package."""
    if data.startswith(OLE_MAGIC):
        # An encrypted .xlsx is an OLE compound file whose directory holds an
        # "EncryptionInfo" stream; directory names are stored as UTF-16LE.
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
    content_types = ""
    if "[content_types].xml" in names:
        info = archive.getinfo(
            next(m.filename for m in members if m.filename.lower() == "[content_types].xml")
        )
        if info.file_size <= MAX_LOADED_PART_UNCOMPRESSED:
            try:
                content_types = archive.read(info).decode("utf-8", "replace")
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
                content_types = ""
    if any(name.endswith("vbaproject.bin") for name in names) or (
        "macroenabled" in content_types.lower()
    ):
        return _reject(
            "Macro-enabled workbooks (.xlsm) are not accepted. Save the plan as Excel "
            "Workbook (.xlsx) and upload it again."
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
        is_worksheet = bool(WORKSHEET_PART.match(member.filename))
        if (
            total > MAX_TOTAL_UNCOMPRESSED
            or ratio > MAX_COMPRESSION_RATIO
            or (not is_worksheet and member.file_size > MAX_LOADED_PART_UNCOMPRESSED)
        ):
            return _reject(
                "The workbook unpacks to far more data than a plan holds (a possible zip "
                "bomb), so it was not opened. Upload the plan in the .xlsx template."
            )

    if "xl/workbook.xml" not in names:
        return _reject(
            "The file is a zip archive but not an Excel workbook (it has no xl/workbook.xml). "
            "Use the .xlsx template."
        )
    return []
