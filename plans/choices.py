"""Fixed vocabularies of plans and items, shared by the models, the workbook
reader and writer, the forms and the eligibility rules.

Values are what the database and the JSON import report carry; labels are
what the workbook's drop-downs and the pages show.
"""

from django.db import models


class PlanKind(models.TextChoices):
    TESTING_WORK_OFF = "testing_work_off", "Testing Work Off Plan"
    QAD_ACTION = "qad_action", "QAD Action Plan"


class Route(models.TextChoices):
    SIT = "SIT", "SIT"
    QT = "QT", "QT"
    QAD = "QAD", "QAD"


class CodeBody(models.TextChoices):
    BSC = "BSC", "BSC"
    REC = "REC", "REC"
    DIP = "DIP", "DIP"


# Canonical order of code bodies wherever a set of them is stored or shown.
CODE_BODY_ORDER = (CodeBody.BSC, CodeBody.REC, CodeBody.DIP)


class ReportingInterval(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class Severity(models.TextChoices):
    S1 = "S1", "S1 Critical"
    S2 = "S2", "S2 Major"
    S3 = "S3", "S3 Moderate"
    S4 = "S4", "S4 Minor"
    S5 = "S5", "S5 Low"


class DefectStatus(models.TextChoices):
    OPEN = "Open", "Open"
    IN_PROGRESS = "In Progress", "In Progress"
    FIX_READY_FOR_RETEST = "Fix Ready for Retest", "Fix Ready for Retest"
    CLOSED = "Closed", "Closed"
    DEFERRED = "Deferred", "Deferred"


class Rating(models.TextChoices):
    """Confidence in a fix date, and the QSP's risk rating of a QAD finding."""

    HIGH = "High", "High"
    MEDIUM = "Medium", "Medium"
    LOW = "Low", "Low"


# The role drop-downs of the template only warn on other text, so a role is
# stored as free text. These are the values the drop-down offers.
PARTICIPANT_ROLES = (
    "Supplier",
    "LDSO",
    "Smart Data Service",
    "Advanced Data Service",
    "Unmetered Supplies Data Service",
    "Smart Metering Service",
    "Advanced Metering Service",
    "UMSO",
    "Other",
)


class UserRole(models.TextChoices):
    PARTICIPANT = "participant", "Participant user"
    MHHSP = "mhhsp", "MHHS Programme reviewer"
    ELEXON = "elexon", "Elexon Qualification reviewer"
    RECCM = "reccm", "REC Code Manager"
    DIP = "dip", "DIP Manager"
    QSP = "qsp", "Qualification Service Provider"
    OSM = "osm", "Operational Support Manager"
    PAB = "pab", "BSC PAB member"
    REC_PAB = "rec_pab", "REC PAB member"
    ADMIN = "admin", "Administrator"


class PlanState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    AGREED = "agreed", "Agreed"
    PAB_APPROVED = "pab_approved", "PAB approved"
    MONITORING = "monitoring", "Monitoring"
    ESCALATED = "escalated", "Escalated"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSED = "closed", "Closed"
