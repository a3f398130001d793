"""Access rules for plans, used by views, selectors and services alike.

A participant user sees only its own organisation's plans. Reviewers, OSMs
and PAB members see every plan that has been submitted at least once, but
never a draft that was not. Administrators see everything.
"""

from .choices import UserRole
from .models import Plan

STAFF_ROLES = frozenset(
    {
        UserRole.MHHSP,
        UserRole.ELEXON,
        UserRole.RECCM,
        UserRole.DIP,
        UserRole.QSP,
        UserRole.OSM,
        UserRole.PAB,
        UserRole.REC_PAB,
        UserRole.ADMIN,
    }
)


def is_participant(user) -> bool:
    return user.is_authenticated and user.role == UserRole.PARTICIPANT


def is_staff_role(user) -> bool:
    return user.is_authenticated and user.role in STAFF_ROLES


def plans_visible_to(user):
    """Return the queryset of plans that `user` may open."""
    if not user.is_authenticated:
        return Plan.objects.none()
    if user.role == UserRole.PARTICIPANT:
        return Plan.objects.filter(organisation_id=user.organisation_id)
    if user.role == UserRole.ADMIN or user.is_superuser:
        return Plan.objects.all()
    if user.role in STAFF_ROLES:
        return Plan.objects.filter(submitted_at__isnull=False)
    return Plan.objects.none()


def can_view_plan(user, plan) -> bool:
    return plans_visible_to(user).filter(pk=plan.pk).exists()


def can_edit_plan(user, plan) -> bool:
    """Participants edit their own organisation's plans while draft or returned."""
    return (
        is_participant(user) and plan.organisation_id == user.organisation_id and plan.is_editable
    )
