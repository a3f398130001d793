"""Layout of the plan workbook template: sheet names, labels and the columns
of the items sheet, shared by the reader and the writer."""

from dataclasses import dataclass

from plans.choices import PlanKind

SHEET_INTRODUCTION = "1. Introduction"
SHEET_PARTICIPANT = "2. Participant Details"
SHEET_VERSIONS = "3. Version Control"
SHEET_GUIDANCE = "4. Guidance"
ITEMS_SHEET = {
    PlanKind.TESTING_WORK_OFF: "5. Testing Work Off Items",
    PlanKind.QAD_ACTION: "5. QAD Action Plan Items",
}

# Template Type text on sheet 1 for each kind.
TEMPLATE_TYPE = {
    PlanKind.TESTING_WORK_OFF: "Testing Work Off Plan",
    PlanKind.QAD_ACTION: "QAD Action Plan",
}

# Template versions whose layout this reader reads.
KNOWN_TEMPLATE_VERSIONS = ("1.0",)
CURRENT_TEMPLATE_VERSION = "1.0"

# Sheet 1: label in column A, value in column B.
INTRO_TYPE_LABEL = "Template Type"
INTRO_VERSION_LABEL = "Template Version"
INTRO_TYPE_ROW = 8
INTRO_VERSION_ROW = 9

# Sheet 2: (label in column A, ParsedPlan field, row in the template).
PARTICIPANT_FIELDS = (
    ("Participant Name", "participant_name", 4),
    ("Participant ID", "participant_id", 5),
    ("Participant Role", "participant_role", 6),
    ("Qualification Route", "route", 7),
    ("Contact Name", "contact_name", 8),
    ("Contact Email", "contact_email", 9),
    ("Submission Date", "submission_date", 10),
    ("Plan Version", "plan_version", 11),
    ("Lead Code Body", "lead_code_body", 12),
    ("Reporting Interval", "reporting_interval", 13),
)

VERSION_HEADERS = (
    ("Version", "version"),
    ("Date", "date"),
    ("Author", "author"),
    ("Change Detail", "change_detail"),
)

HEADER_ROW = 3
FIRST_DATA_ROW = 4
# Rows of the template covered by drop-downs and date checks.
VALIDATED_LAST_ROW = 503


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    # Conversion applied to the cell: text, severity, status, role, code_bodies, yes_no,
    # date or rating.
    kind: str
    mandatory_wop: bool
    mandatory_qad: bool
    width: float


ITEM_COLUMNS = (
    Column("Reference", "reference", "text", True, True, 16),
    Column("Defect Number", "defect_number", "text", True, True, 14),
    Column("Severity", "severity", "severity", True, False, 13),
    Column("Defect Status", "defect_status", "status", True, True, 14),
    Column("Defect Title", "defect_title", "text", True, True, 28),
    Column("Description of defect", "description", "text", True, True, 48),
    Column("Role (Supplier, Data Service etc.)", "role", "role", True, True, 18),
    Column(
        "Placing Reliance Implications", "placing_reliance_implications", "text", True, True, 34
    ),
    Column("Test Step Defect Relates to", "test_step", "text", True, True, 22),
    Column(
        "Business Requirement Reference for Defect Non-Compliance",
        "business_requirement_reference",
        "text",
        True,
        True,
        22,
    ),
    Column("Impact of defect on live operations", "impact_live_operations", "text", True, True, 38),
    Column("Impact of defect on migration", "impact_migration", "text", True, True, 34),
    Column(
        "If Supplier, impact of defect on Supplier's migration schedules",
        "impact_supplier_migration_schedules",
        "text",
        False,
        False,
        34,
    ),
    Column("Code Body Impacted", "code_bodies", "code_bodies", True, True, 13),
    Column(
        "Settlement and/or retail risk the defect maps to",
        "settlement_retail_risk",
        "text",
        True,
        True,
        34,
    ),
    Column("Workaround description", "workaround_description", "text", True, True, 40),
    Column(
        "Does workaround fully mitigate defect?",
        "workaround_fully_mitigates",
        "yes_no",
        True,
        True,
        14,
    ),
    Column(
        "How will you know that the workaround is working?",
        "workaround_monitoring",
        "text",
        True,
        True,
        36,
    ),
    Column("Description of proposed fix", "proposed_fix", "text", True, True, 40),
    Column("Does fix fully mitigate defect?", "fix_fully_mitigates", "yes_no", True, True, 13),
    Column("Expected fix date?", "expected_fix_date", "date", True, True, 13),
    Column("Expected resolution date?", "expected_resolution_date", "date", True, True, 13),
    Column(
        "Is fix date prior to migration start?", "fix_before_migration", "yes_no", True, True, 13
    ),
    Column("Confidence level on meeting fix date", "confidence", "rating", True, True, 13),
    Column("Proposed retest model", "proposed_retest_model", "text", True, True, 32),
)
QSP_RISK_COLUMN = Column("QSP Risk Rating", "risk_rating", "rating", False, True, 12)


def item_columns(kind: str) -> tuple[Column, ...]:
    """Return the items-sheet columns of a plan kind, in template order."""
    if kind == PlanKind.QAD_ACTION:
        return ITEM_COLUMNS + (QSP_RISK_COLUMN,)
    return ITEM_COLUMNS


def is_mandatory(column: Column, kind: str) -> bool:
    return column.mandatory_qad if kind == PlanKind.QAD_ACTION else column.mandatory_wop


# Mandatory columns that a blank cell does not make unreadable. Eligibility
# rules 3 (workaround), 4 (how it is monitored) and 5 (fix and resolution
# dates) judge them, so the participant is shown the rule a blank cell breaks.
RULE_JUDGED_FIELDS = frozenset(
    {
        "workaround_description",
        "workaround_fully_mitigates",
        "workaround_monitoring",
        "expected_fix_date",
        "expected_resolution_date",
    }
)


# Every ParsedItem field read from the items sheet, in template order.
ITEM_FIELDS = tuple(column.field for column in ITEM_COLUMNS + (QSP_RISK_COLUMN,))

# Maximum length the database keeps for these fields. Longer text is a reader
# error rather than a database failure at save time.
MAX_LENGTH = {
    "participant_id": 32,
    "participant_name": 200,
    "participant_role": 100,
    "contact_name": 200,
    "contact_email": 254,
    "plan_version": 32,
    "reference": 64,
    "defect_number": 64,
    "role": 200,
}
