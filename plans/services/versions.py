"""Frozen versions of a plan and what changed between them.

A version is written at each submission by `plans.services.lifecycle`. Its
snapshot is plain JSON (dates as ISO text), so later changes to the working
copy, or to the models, never change what a reviewer saw.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from ..imports.layout import ITEM_COLUMNS, PARTICIPANT_FIELDS, QSP_RISK_COLUMN
from ..models import Plan, PlanVersion

# Plan fields a version keeps: the participant's details of sheet 2 and the
# code bodies. State, review round and timestamps belong to the lifecycle.
PLAN_SNAPSHOT_FIELDS = (
    "kind",
    "route",
    "participant_name",
    "participant_role",
    "contact_name",
    "contact_email",
    "submission_date",
    "plan_version",
    "lead_code_body",
    "code_bodies",
    "reporting_interval",
    "template_version",
    "version_history",
)
# The template's columns: what the participant writes and a change list compares.
ITEM_COMPARED_FIELDS = tuple(column.field for column in ITEM_COLUMNS + (QSP_RISK_COLUMN,))
# The snapshot also keeps the reviewers' judgements as they stood at submission;
# a change list leaves them out because each review round sets them afresh.
ITEM_SNAPSHOT_FIELDS = ITEM_COMPARED_FIELDS + ("has_downstream_impact", "is_high_settlement_risk")

FIELD_LABELS = {
    **{column.field: column.header for column in ITEM_COLUMNS + (QSP_RISK_COLUMN,)},
    **{name: label for label, name, _row in PARTICIPANT_FIELDS},
    "kind": "Plan type",
    "code_bodies": "Code bodies impacted",
    "template_version": "Template version",
    "version_history": "Version control",
    "has_downstream_impact": "Downstream impact (reviewer judgement)",
    "is_high_settlement_risk": "High-impact settlement risk (reviewer judgement)",
}


# Snapshot fields that hold a date as ISO text, shown as dd/mm/yyyy.
DATE_FIELDS = frozenset({"submission_date", "expected_fix_date", "expected_resolution_date"})


def _date_text(value) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    try:
        return f"{date.fromisoformat(str(value)):%d/%m/%Y}"
    except ValueError:
        return str(value)


def value_text(name: str, value, *, max_length: int | None = None) -> str:
    """Format a snapshot or audit value of field `name` as the pages show it.

    Dates read dd/mm/yyyy, yes/no values Yes or No, code bodies BSC/REC, a
    missing value "—", and a version-control row "1.1 (04/03/2027, author):
    detail". Text longer than `max_length` characters, when given, ends in "…".
    """
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        text = "Yes" if value else "No"
    elif name in DATE_FIELDS:
        text = _date_text(value)
    elif name == "version_history" and isinstance(value, list):
        text = "; ".join(_history_text(entry) for entry in value)
    elif isinstance(value, list):
        text = "/".join(str(entry) for entry in value)
    else:
        text = str(value)
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1] + "…"
    return text


def _history_text(entry) -> str:
    if not isinstance(entry, dict):
        return str(entry)
    facts = [_date_text(entry["date"]) if entry.get("date") else "", entry.get("author") or ""]
    facts = ", ".join(fact for fact in facts if fact)
    text = str(entry.get("version") or "")
    if facts:
        text += f" ({facts})"
    if entry.get("change_detail"):
        text += f": {entry['change_detail']}"
    return text.strip()


def json_value(value):
    """Return a field value as JSON stores it: dates as ISO text, lists of text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        return [str(entry) if not isinstance(entry, dict) else entry for entry in value]
    return value


def plan_snapshot(*, plan: Plan) -> dict:
    """Build the JSON snapshot of a plan and every field of each of its items."""
    items = [
        {name: json_value(getattr(item, name)) for name in ITEM_SNAPSHOT_FIELDS}
        for item in plan.items.order_by("position", "id")
    ]
    return {
        "plan": {name: json_value(getattr(plan, name)) for name in PLAN_SNAPSHOT_FIELDS},
        "items": items,
    }


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object

    @property
    def old_text(self) -> str:
        return value_text(self.field, self.old)

    @property
    def new_text(self) -> str:
        return value_text(self.field, self.new)


@dataclass
class ItemChange:
    reference: str
    changes: list[FieldChange]


@dataclass
class VersionChanges:
    """Differences of one version from the version before it.

    Items are matched by reference, the participant's own identifier of a row,
    because a re-imported workbook creates new item rows.
    """

    number: int
    previous: int | None
    plan_changes: list[FieldChange] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[ItemChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.plan_changes or self.added or self.removed or self.changed)


def _field_changes(old: dict, new: dict, names) -> list[FieldChange]:
    return [
        FieldChange(name, FIELD_LABELS.get(name, name), old.get(name), new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    ]


def compare_snapshots(old: dict, new: dict) -> tuple[list, list, list, list]:
    """Return (plan field changes, items added, items removed, items changed)."""
    plan_changes = _field_changes(old["plan"], new["plan"], PLAN_SNAPSHOT_FIELDS)
    old_items = {item["reference"]: item for item in old["items"]}
    new_items = {item["reference"]: item for item in new["items"]}

    added = [item for reference, item in new_items.items() if reference not in old_items]
    removed = [item for reference, item in old_items.items() if reference not in new_items]
    changed = []
    for reference, item in new_items.items():
        if reference not in old_items:
            continue
        changes = _field_changes(old_items[reference], item, ITEM_COMPARED_FIELDS)
        if changes:
            changed.append(ItemChange(reference, changes))
    return plan_changes, added, removed, changed


def version_changes(*, plan: Plan, number: int) -> VersionChanges:
    """Compare version `number` of a plan with the version before it.

    Version 1 has no predecessor, so every item counts as added. Raises
    PlanVersion.DoesNotExist when the plan has no such version.
    """
    versions = {
        version.number: version
        for version in PlanVersion.objects.filter(plan=plan, number__in=(number - 1, number))
    }
    if number not in versions:
        raise PlanVersion.DoesNotExist(f"Plan {plan.pk} has no version {number}.")
    current = versions[number].snapshot
    previous = versions.get(number - 1)
    if previous is None:
        return VersionChanges(number=number, previous=None, added=list(current["items"]))

    plan_changes, added, removed, changed = compare_snapshots(previous.snapshot, current)
    return VersionChanges(
        number=number,
        previous=previous.number,
        plan_changes=plan_changes,
        added=added,
        removed=removed,
        changed=changed,
    )
