from django import template
from django.conf import settings

from escalation.models import ACTIVE_STATUSES, Escalation
from escalation.services import RAISERS, escalation_path_for
from plans.choices import PlanState, UserRole
from reporting.selectors import periods_for_plans
from reporting.services.schedule import REPORTING_STATES

register = template.Library()


@register.inclusion_tag("reporting/partials/plan_reporting.html", takes_context=True)
def plan_reporting(context, plan):
    """Render the plan's due, late and submitted reports and its open escalation (two queries)."""
    user = context["user"]
    grouped = periods_for_plans([plan.pk])
    open_escalation = (
        Escalation.objects.filter(plan_id=plan.pk, status__in=ACTIVE_STATUSES)
        .select_related("hearing")
        .first()
        if plan.state == PlanState.ESCALATED
        else None
    )
    has_periods = any(grouped.values())
    return {
        "plan": plan,
        "user": user,
        "request": context.get("request"),
        "shown": has_periods or plan.state in REPORTING_STATES,
        "sections": [
            ("due", "Due", grouped["due"]),
            ("late", "Late", grouped["late"]),
            ("submitted", "Submitted", grouped["submitted"]),
        ],
        "zone": settings.WORKOFF_REPORT_TIME_ZONE,
        "show_plan": False,
        "can_report": (
            user.role == UserRole.PARTICIPANT
            and user.organisation_id == plan.organisation_id
            and plan.state in REPORTING_STATES
        ),
        "open_escalation": open_escalation,
        "raise_allowed": plan.state == PlanState.MONITORING
        and user.role in RAISERS[escalation_path_for(plan)],
    }
