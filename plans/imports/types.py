"""Results of reading a plan workbook: the parsed plan, its items and the errors."""

from dataclasses import asdict, dataclass, field
from datetime import date

from plans.choices import CODE_BODY_ORDER


@dataclass(frozen=True)
class WorkbookError:
    """One problem found in a workbook.

    `row` is the Excel row number (1-based) and `column` the exact header text
    of the items sheet or the label of sheets 1-2 ("Participant ID"). Any of
    sheet, row, column and value is None when the problem is not tied to it.
    A file that is not a workbook has none of them.
    """

    sheet: str | None
    row: int | None
    column: str | None
    value: str | None
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class WorkbookRejected(Exception):
    """Raised when a workbook cannot be read as a plan; carries every error found,
    and the warnings found before the reader stopped."""

    def __init__(self, errors: list[WorkbookError], warnings: list[WorkbookError] = ()):
        self.errors = list(errors)
        self.warnings = list(warnings)
        super().__init__("; ".join(error.message for error in self.errors[:3]))


@dataclass
class ParsedItem:
    reference: str = ""
    defect_number: str = ""
    severity: str | None = None
    defect_status: str = ""
    defect_title: str = ""
    description: str = ""
    role: str = ""
    placing_reliance_implications: str = ""
    test_step: str = ""
    business_requirement_reference: str = ""
    impact_live_operations: str = ""
    impact_migration: str = ""
    impact_supplier_migration_schedules: str = ""
    code_bodies: list[str] = field(default_factory=list)
    settlement_retail_risk: str = ""
    workaround_description: str = ""
    workaround_fully_mitigates: bool | None = None
    workaround_monitoring: str = ""
    proposed_fix: str = ""
    fix_fully_mitigates: bool | None = None
    expected_fix_date: date | None = None
    expected_resolution_date: date | None = None
    fix_before_migration: bool | None = None
    confidence: str | None = None
    proposed_retest_model: str = ""
    risk_rating: str | None = None
    # Excel row the item was read from; 0 for an item not read from a workbook.
    row: int = 0


@dataclass
class ParsedPlan:
    kind: str
    route: str | None = None
    participant_id: str = ""
    participant_name: str = ""
    participant_role: str = ""
    contact_name: str = ""
    contact_email: str = ""
    submission_date: date | None = None
    plan_version: str = ""
    lead_code_body: str | None = None
    reporting_interval: str | None = None
    # Version read from sheet 1, or None when the workbook named none and was read by layout.
    template_version: str | None = None
    # One {"version", "date", "author", "change_detail"} dict per row of sheet 3.
    version_history: list[dict] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)
    # Excel row of each item by reference, and of each sheet-2 field by ParsedPlan field name.
    row_of: dict[str, int] = field(default_factory=dict)
    field_rows: dict[str, int] = field(default_factory=dict)
    # Problems that do not stop the import, such as a missing sheet 1 or 3,
    # in the shape of the errors.
    warnings: list[WorkbookError] = field(default_factory=list)

    @property
    def code_bodies(self) -> list[str]:
        """Code bodies impacted by any item, in canonical order."""
        found = {body for item in self.items for body in item.code_bodies}
        return [body for body in CODE_BODY_ORDER if body in found]
