"""Creating a plan and changing its details while the participant drafts it.

State changes do not happen here: they go through plans.services.transitions.
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..choices import CODE_BODY_ORDER, PlanKind, Route
from ..models import Plan
from ..permissions import is_participant
from .transitions import plan_lock, state_phrase

logger = logging.getLogger(__name__)

# Fields of sheet 2 that a participant may set on the plan page.
DETAIL_FIELDS = (
    "route",
    "lead_code_body",
    "reporting_interval",
    "contact_name",
    "contact_email",
    "participant_role",
)


class PlanNotEditable(Exception):
    """Raised when a plan's items or details are changed outside draft or returned."""

    def __init__(self, plan):
        self.plan = plan
        super().__init__(
            f"{plan.title} is {state_phrase(plan.state)}, so its items and details cannot be "
            "changed. A plan can be edited only while it is a draft or has been returned."
        )


def route_errors(*, kind: str, route: str) -> dict[str, str]:
    """Return a form error for a route that does not fit the plan kind, or nothing."""
    if kind == PlanKind.QAD_ACTION and route != Route.QAD:
        return {"route": "A QAD Action Plan must use the QAD route."}
    if kind == PlanKind.TESTING_WORK_OFF and route == Route.QAD:
        return {"route": "The QAD route is only for QAD Action Plans; choose SIT or QT."}
    return {}


def check_participant_of(*, actor, plan) -> None:
    """Raise PermissionDenied unless `actor` is a participant user of the plan's organisation."""
    if not is_participant(actor) or actor.organisation_id != plan.organisation_id:
        raise PermissionDenied("Only participant users of the plan's organisation may change it.")


def plan_create(
    *,
    actor,
    kind: str,
    route: str,
    lead_code_body: str | None,
    reporting_interval: str | None,
    contact_name: str = "",
    contact_email: str = "",
    participant_role: str = "",
) -> Plan:
    """Create a draft plan for the actor's organisation.

    Only a participant user may create a plan. Raises ValidationError when the
    route does not fit the kind.
    """
    if not is_participant(actor):
        raise PermissionDenied("Only participant users create plans.")
    errors = route_errors(kind=kind, route=route)
    if errors:
        raise ValidationError(errors)

    organisation = actor.organisation
    plan = Plan.objects.create(
        kind=kind,
        route=route,
        organisation=organisation,
        participant_name=organisation.name,
        participant_role=participant_role,
        contact_name=contact_name,
        contact_email=contact_email,
        lead_code_body=lead_code_body or None,
        reporting_interval=reporting_interval or None,
        created_by=actor,
    )
    logger.info("plan created plan_id=%s actor_id=%s", plan.pk, actor.pk)
    return plan


def plan_update_details(*, plan_id: int, actor, data: dict) -> Plan:
    """Change the sheet-2 details of a draft or returned plan.

    `data` maps names from DETAIL_FIELDS to new values; other keys are
    ignored. Raises PlanNotEditable outside draft and returned, and
    ValidationError when the route does not fit the kind.
    """
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        check_participant_of(actor=actor, plan=plan)
        if not plan.is_editable:
            raise PlanNotEditable(plan)
        changes = {name: data[name] for name in DETAIL_FIELDS if name in data}
        route = changes.get("route", plan.route)
        errors = route_errors(kind=plan.kind, route=route)
        if errors:
            raise ValidationError(errors)
        for name, value in changes.items():
            if name in ("lead_code_body", "reporting_interval"):
                value = value or None
            setattr(plan, name, value)
        plan.save()
    logger.info("plan details updated plan_id=%s actor_id=%s", plan.pk, actor.pk)
    return plan


def plan_recompute_code_bodies(*, plan: Plan) -> list[str]:
    """Set plan.code_bodies to the union of its items' code bodies and save it.

    The caller holds the plan's row lock inside a transaction.
    """
    found = set()
    for code_bodies in plan.items.values_list("code_bodies", flat=True):
        found.update(code_bodies)
    plan.code_bodies = [str(body) for body in CODE_BODY_ORDER if body in found]
    plan.save(update_fields=["code_bodies", "updated_at"])
    return plan.code_bodies
