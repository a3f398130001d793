"""Writing plan workbooks: blank templates, plan exports and CSV."""

from .writer import build_template, export_csv, export_workbook

__all__ = ["build_template", "export_csv", "export_workbook"]
