"""Reads behind the review queue, the PAB page and the plan page's lifecycle panel.

Each selector runs a fixed number of queries whatever the number of plans,
items or events, so the pages stay as fast with 500 plans as with 5.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from .choices import CodeBody, PlanState, Route, UserRole
from .models import Item, PabDecision, Plan, PlanEvent, PlanVersion, ReviewDecision
from .parties import CODE_BODY_REVIEWER, needs_pab_approval, required_parties
from .permissions import plans_visible_to
from .services.lifecycle import WITHDRAWABLE_STATES, plan_eligibility

# The plans each reviewer role is a required party of, as a filter.
_PARTY_FILTER = {
    UserRole.MHHSP: Q(route=Route.SIT),
    UserRole.QSP: Q(route=Route.QAD),
    **{
        role: Q(code_bodies__contains=str(code_body))
        for code_body, role in CODE_BODY_REVIEWER.items()
    },
}


def plans_for_review(*, user):
    """Return the plans a reviewer may open from the queue: every plan ever submitted."""
    return plans_visible_to(user).filter(submitted_at__isnull=False)


def plans_awaiting_decision(*, user):
    """Return the submitted plans waiting for the decision of `user`'s party, oldest first.

    Administrators see every submitted plan; roles that are never a party
    see none.
    """
    plans = plans_for_review(user=user).filter(state=PlanState.SUBMITTED)
    if user.role == UserRole.ADMIN or user.is_superuser:
        return plans.order_by("submitted_at", "id")
    party_filter = _PARTY_FILTER.get(user.role)
    if party_filter is None:
        return Plan.objects.none()
    decided = ReviewDecision.objects.filter(
        plan=OuterRef("pk"), review_round=OuterRef("review_round"), party=user.role
    )
    return plans.filter(party_filter).filter(~Exists(decided)).order_by("submitted_at", "id")


def with_review_rows(queryset):
    """Add what a queue row shows (organisation, items, this round's decisions)."""
    return queryset.select_related("organisation").prefetch_related(
        Prefetch("items", queryset=Item.objects.order_by("position", "id")),
        Prefetch(
            "decisions",
            queryset=ReviewDecision.objects.select_related("actor").order_by("created_at", "id"),
        ),
    )


def days_waiting(plan, *, now=None) -> int | None:
    if plan.submitted_at is None:
        return None
    return ((now or timezone.now()) - plan.submitted_at).days


def plans_awaiting_pab():
    """Return agreed plans impacting the BSC that wait for the PAB, oldest agreement first."""
    return with_review_rows(
        Plan.objects.filter(state=PlanState.AGREED, code_bodies__contains=str(CodeBody.BSC))
    ).order_by("agreed_at", "id")


@dataclass
class PartyStatus:
    role: str
    label: str
    decision: ReviewDecision | None = None

    @property
    def pending(self) -> bool:
        return self.decision is None


@dataclass
class LifecyclePanel:
    """Everything the plan page's lifecycle panel shows, read in a fixed number of queries."""

    plan: Plan
    parties: list[PartyStatus]
    round_decisions: list[ReviewDecision]
    earlier_decisions: list[ReviewDecision]
    pab_decisions: list[PabDecision]
    versions: list[PlanVersion]
    events: list[PlanEvent]
    needs_pab: bool
    can_submit: bool = False
    can_withdraw: bool = False
    blocker_lines: list[str] = field(default_factory=list)

    @property
    def pending_parties(self) -> list[PartyStatus]:
        return [party for party in self.parties if party.pending]


def lifecycle_panel(*, plan: Plan, user) -> LifecyclePanel:
    """Read a plan's review status, versions and audit trail for its plan page."""
    from .services.lifecycle import blocker_lines

    decisions = list(
        ReviewDecision.objects.filter(plan=plan)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    current = [d for d in decisions if d.review_round == plan.review_round]
    by_party = {d.party: d for d in current}
    parties = [
        PartyStatus(role=role, label=UserRole(role).label, decision=by_party.get(role))
        for role in required_parties(route=plan.route, code_bodies=plan.code_bodies)
    ]
    panel = LifecyclePanel(
        plan=plan,
        parties=parties,
        round_decisions=current,
        earlier_decisions=[d for d in decisions if d.review_round != plan.review_round],
        pab_decisions=list(
            PabDecision.objects.filter(plan=plan).select_related("actor").order_by("created_at")
        ),
        versions=list(
            PlanVersion.objects.filter(plan=plan).select_related("submitted_by").order_by("number")
        ),
        events=list(
            PlanEvent.objects.filter(plan=plan).select_related("actor").order_by("created_at", "id")
        ),
        needs_pab=needs_pab_approval(code_bodies=plan.code_bodies),
    )

    is_owner = (
        user.is_authenticated
        and user.role == UserRole.PARTICIPANT
        and user.organisation_id == plan.organisation_id
    )
    if is_owner and plan.state in (PlanState.DRAFT, PlanState.RETURNED):
        blockers = plan_eligibility(plan=plan).submission_blockers
        panel.blocker_lines = blocker_lines(blockers)
        panel.can_submit = not blockers
    panel.can_withdraw = is_owner and plan.state in WITHDRAWABLE_STATES
    return panel
