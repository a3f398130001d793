"""The lifecycle panel of the plan page: submission, decisions, versions and timeline."""

from django import template

from ..lifecycle_forms import SubmitForm, WithdrawForm
from ..review_selectors import lifecycle_panel

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
    "escalation.raised": "Escalated",
    "escalation.hearing_set": "PAB hearing set",
    "escalation.presentation_uploaded": "Presentation uploaded",
    "escalation.referred": "Referred under the Performance Assurance Framework",
    "escalation.referred_to_rec_pab": "Referred to the REC PAB",
    "escalation.returned_to_monitoring": "Returned to monitoring",
    "reporting.report_submitted": "Report submitted",
}


@register.filter
def action_label(value):
    """Return the words for an audit action code; unknown codes show as they are."""
    return ACTION_LABELS.get(value, value)


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
