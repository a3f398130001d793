"""Reads for the escalation pages, each a fixed number of queries."""

from django.shortcuts import get_object_or_404

from plans.choices import UserRole
from plans.permissions import plans_visible_to

from .models import ACTIVE_STATUSES, Escalation, EscalationPath

# Roles that may open escalations, and the paths open to each. Participants
# get only their own organisation's escalations, through plans_visible_to.
PATHS_BY_ROLE = {
    UserRole.PAB: (EscalationPath.BSC,),
    UserRole.REC_PAB: (EscalationPath.REC,),
    UserRole.ADMIN: (EscalationPath.BSC, EscalationPath.REC),
    UserRole.OSM: (EscalationPath.BSC,),
    UserRole.ELEXON: (EscalationPath.BSC,),
    UserRole.RECCM: (EscalationPath.REC,),
    UserRole.PARTICIPANT: (EscalationPath.BSC, EscalationPath.REC),
}


def can_see_escalations(user) -> bool:
    return user.role in PATHS_BY_ROLE


def escalation_list_for_user(user):
    """Return (active, settled) escalations the user may see, with their hearings.

    Active escalations keep their plan escalated (a referral included, until
    the board records compliance); settled ones no longer do.
    """
    escalations = (
        Escalation.objects.filter(
            plan__in=plans_visible_to(user), path__in=PATHS_BY_ROLE[user.role]
        )
        .select_related("plan__organisation", "hearing", "raised_by")
        .prefetch_related("hearing__presentations")
        .order_by("-raised_at", "-id")
    )
    active_list, settled_list = [], []
    for escalation in escalations:
        (active_list if escalation.status in ACTIVE_STATUSES else settled_list).append(escalation)
    return active_list, settled_list


def escalation_get_for_user(*, user, escalation_id: int) -> Escalation:
    """Return the escalation if its plan is visible to `user`, else raise Http404."""
    return get_object_or_404(
        Escalation.objects.select_related(
            "plan__organisation", "raised_by", "hearing", "compliance_recorded_by"
        ).prefetch_related("periods", "reports__period", "hearing__presentations__uploaded_by"),
        pk=escalation_id,
        plan__in=plans_visible_to(user),
    )


def can_open_escalation(user, escalation) -> bool:
    if user.role == UserRole.PARTICIPANT:
        return user.organisation_id == escalation.plan.organisation_id
    return escalation.path in PATHS_BY_ROLE.get(user.role, ())


def latest_presentation(hearing):
    """Return the hearing's most recent presentation (from the prefetched rows), or None."""
    if hearing is None:
        return None
    presentations = list(hearing.presentations.all())
    return presentations[-1] if presentations else None
