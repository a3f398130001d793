"""The lifecycle panel of the plan page: submission, decisions, versions and timeline."""

import datetime
import functools
import importlib

from django import template

from ..lifecycle_forms import SubmitForm, WithdrawForm
from ..review_selectors import lifecycle_panel
from ..services.versions import value_text

register = template.Library()


@register.inclusion_tag("plans/partials/lifecycle.html", takes_context=True)
def plan_lifecycle(context, plan):
    """Render the panel; its reads are the fixed set of `lifecycle_panel`."""
    user = context["user"]
    panel = lifecycle_panel(plan=plan, user=user)
    return {
        "plan": plan,
        "panel": panel,
        "user": user,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "submit_form": SubmitForm.for_plan(plan) if panel.can_submit else None,
        "withdraw_form": WithdrawForm.for_plan(plan) if panel.can_withdraw else None,
    }


@register.filter
def state_label(value):
    """Return the display label of a plan state value such as "pab_approved"."""
    from ..choices import PlanState

    try:
        return PlanState(value).label
    except ValueError:
        return value or ""


# Labels of the plans app's audit actions. The reporting and escalation apps
# keep their own in `<app>/audit_labels.py`, merged in by `action_labels`.
ACTION_LABELS = {
    "plans.submitted": "Submitted",
    "plans.withdrawn": "Withdrawn",
    "plans.decision_recorded": "Decision recorded",
    "plans.returned": "Changes requested",
    "plans.rejected": "Rejected",
    "plans.agreed": "Agreed by every required party",
    "plans.pab_approved": "Approved by the PAB",
    "plans.pab_refused": "Refused by the PAB",
    "plans.monitoring_started": "Monitoring started",
    "plans.workbook_imported": "Workbook imported",
    "plans.item_added": "Item added",
    "plans.item_changed": "Item changed",
    "plans.item_removed": "Item removed",
}

# Used while an app's own label module is missing; the app's labels win.
_FALLBACK_LABELS = {
    "escalation.raised": "Escalated",
    "escalation.hearing_set": "PAB hearing set",
    "escalation.presentation_uploaded": "Presentation uploaded",
    "escalation.referred": "Referred under the Performance Assurance Framework",
    "escalation.referred_to_rec_pab": "Referred to the REC PAB",
    "escalation.returned_to_monitoring": "Returned to monitoring",
    "reporting.report_submitted": "Report submitted",
}

LABEL_MODULES = ("reporting.audit_labels", "escalation.audit_labels")


@functools.cache
def action_labels() -> dict[str, str]:
    """Return every known action code's label: the plans app's and each app's ACTION_LABELS."""
    labels = {**_FALLBACK_LABELS, **ACTION_LABELS}
    for name in LABEL_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            # Only the label module itself may be missing; a broken import inside it is a bug.
            if error.name != name:
                raise
            continue
        labels.update(getattr(module, "ACTION_LABELS", {}))
    return labels


def readable_action(code: str) -> str:
    """Turn an unknown code such as "reporting.report_queried" into "Report queried"."""
    words = (code or "").rsplit(".", 1)[-1].replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@register.filter
def action_label(value):
    """Return the label of an audit action code, or a readable form of an unknown code."""
    return action_labels().get(value) or readable_action(value)


def _date_text(value) -> str:
    """Format an ISO date text as dd/mm/yyyy; return other text unchanged."""
    try:
        return datetime.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def _references(value) -> str:
    return ", ".join(str(reference) for reference in value)


@register.filter
def event_details(event) -> list[str]:
    """Return short phrases for the key facts in an audit entry's data, in display order.

    The decision's party and outcome, and the comment, are shown by the
    template itself.
    """
    data = event.data or {}
    details = []
    item = data.get("item")
    if not item and event.action.startswith("plans.item_"):
        # Item entries name the item as "reference"; PAB entries use that key for the minute.
        item = data.get("reference")
    if item:
        details.append(f"item {item}")
    if data.get("revised_fix_date"):
        details.append(f"revised fix date {_date_text(data['revised_fix_date'])}")
    if event.action == "plans.submitted" and data.get("version"):
        details.append(f"version {data['version']}, review round {data.get('review_round')}")
    if data.get("downstream_items"):
        details.append(f"downstream impact: {_references(data['downstream_items'])}")
    if data.get("settlement_risk_items"):
        details.append(f"high-impact settlement risk: {_references(data['settlement_risk_items'])}")
    if data.get("meeting_date"):
        meeting = f"PAB meeting {_date_text(data['meeting_date'])}"
        if data.get("reference"):
            meeting += f", {data['reference']}"
        details.append(meeting)
    if data.get("hearing_date"):
        details.append(f"hearing {_date_text(data['hearing_date'])}")
    if event.action == "plans.workbook_imported" and isinstance(data.get("items"), int):
        count = data["items"]
        details.append(f"{count} item{'' if count == 1 else 's'}")
    if event.action == "plans.item_changed":
        details += _item_change_details(data)
    for change in data.get("risk_rating_changes") or ():
        old = change.get("old") or "no rating"
        details.append(f"QSP risk rating of {change.get('item')}: {old} → {change.get('new')}")
    return details


# Maximum length of an old or new value in the timeline of an item change.
# The audit entry keeps the whole value.
TIMELINE_VALUE_LENGTH = 120


def _item_change_details(data: dict) -> list[str]:
    """Return "Label: old → new" for each field an item change entry names."""
    changes = data.get("changes")
    if not changes:
        # Entries written before old and new values were recorded name the fields only.
        return [f"changed {', '.join(data['fields'])}"] if data.get("fields") else []
    phrases = []
    for change in changes:
        old = value_text(change["field"], change.get("old"), max_length=TIMELINE_VALUE_LENGTH)
        new = value_text(change["field"], change.get("new"), max_length=TIMELINE_VALUE_LENGTH)
        phrases.append(f"{change.get('label') or change['field']}: {old} → {new}")
    return phrases


@register.filter
def role_label(value):
    """Return the display label of a role value such as "reccm"."""
    from ..choices import UserRole

    try:
        return UserRole(value).label
    except ValueError:
        return value or ""


@register.filter
def decision_label(value):
    """Return the display label of a decision value such as "request_changes"."""
    from ..models import Decision

    try:
        return Decision(value).label.lower()
    except ValueError:
        return value or ""
