"""Reading plan workbooks (.xlsx) into plain objects, without the database."""

from .reader import read_workbook
from .types import ParsedItem, ParsedPlan, WorkbookError, WorkbookRejected

__all__ = ["ParsedItem", "ParsedPlan", "WorkbookError", "WorkbookRejected", "read_workbook"]
