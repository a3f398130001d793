"""Reads for the escalation pages, each a fixed number of queries."""

from django.shortcuts import get_object_or_404

from plans.choices import UserRole
from plans.permissions import plans_visible_to

from .models import OPEN_STATUSES, Escalation, EscalationPath

# Roles that may open escalations, and the paths open to each. Participants
# get only their own organisation's escalations, through plans_visible_to.
PATHS_BY_ROLE = {
    UserRole.PAB: (EscalationPath.BSC, EscalationPath.REC),
    UserRole.ADMIN: (EscalationPath.BSC, EscalationPath.REC),
    UserRole.OSM: (EscalationPath.BSC,),
    UserRole.ELEXON: (EscalationPath.BSC,),
    UserRole.RECCM: (EscalationPath.REC,),
    UserRole.PARTICIPANT: (EscalationPath.BSC, EscalationPath.REC),
}


def can_see_escalations(user) -> bool:
    return user.role in PATHS_BY_ROLE


def escalation_list_for_user(user):
    """Return (open, closed) escalations the user may see, with their hearings."""
    escalations = (
        Escalation.objects.filter(
            plan__in=plans_visible_to(user), path__in=PATHS_BY_ROLE[user.role]
        )
        .select_related("plan__organisation", "hearing", "raised_by")
        .order_by("-raised_at", "-id")
    )
    open_list, closed_list = [], []
    for escalation in escalations:
        (open_list if escalation.status in OPEN_STATUSES else closed_list).append(escalation)
    return open_list, closed_list


def escalation_get_for_user(*, user, escalation_id: int) -> Escalation:
    """Return the escalation if its plan is visible to `user`, else raise Http404."""
    return get_object_or_404(
        Escalation.objects.select_related(
            "plan__organisation", "raised_by", "hearing__presentation_uploaded_by"
        ).prefetch_related("periods", "reports__period"),
        pk=escalation_id,
        plan__in=plans_visible_to(user),
    )


def can_open_escalation(user, escalation) -> bool:
    if user.role == UserRole.PARTICIPANT:
        return user.organisation_id == escalation.plan.organisation_id
    return escalation.path in PATHS_BY_ROLE.get(user.role, ())
