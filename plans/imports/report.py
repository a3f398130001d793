"""JSON form of a parsed plan, as the import report and the import command print it."""

from dataclasses import fields
from datetime import date

from .types import ParsedItem, ParsedPlan

PLAN_FIELDS = (
    "kind",
    "route",
    "participant_id",
    "participant_name",
    "participant_role",
    "contact_name",
    "contact_email",
    "submission_date",
    "plan_version",
    "lead_code_body",
    "reporting_interval",
    "template_version",
)
ITEM_REPORT_FIELDS = tuple(f.name for f in fields(ParsedItem))


def _json_value(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(entry) for entry in value]
    if isinstance(value, dict):
        return {key: _json_value(entry) for key, entry in value.items()}
    if isinstance(value, str):
        # TextChoices members are str subclasses; report the plain value.
        return str(value)
    return value


def item_as_dict(item: ParsedItem) -> dict:
    return {name: _json_value(getattr(item, name)) for name in ITEM_REPORT_FIELDS}


def plan_as_dict(plan: ParsedPlan) -> dict:
    """Return the plan as JSON-ready data: dates ISO, choices as their values."""
    data = {name: _json_value(getattr(plan, name)) for name in PLAN_FIELDS}
    data["code_bodies"] = list(plan.code_bodies)
    data["version_history"] = _json_value(plan.version_history)
    data["items"] = [item_as_dict(item) for item in plan.items]
    return data
