"""The one path by which a plan changes state.

Every lifecycle service (submission, decisions, PAB, monitoring, escalation,
closure) calls `plan_transition` inside its own `transaction.atomic()` block,
so the state change, the audit entry and whatever the caller writes next
commit or roll back together.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from ..choices import PlanState
from ..models import Plan, PlanEvent

logger = logging.getLogger(__name__)


class PlanConflict(Exception):
    """The plan's state does not allow the action, so nothing was done.

    Views return 409 with the exception's message for every subclass.
    """


class PlanChanged(PlanConflict):
    """The plan is no longer in the state the actor saw, so nothing was done.

    This is what the second of two people acting at once receives, and what a
    stale page receives.
    """

    def __init__(self, plan, expected_state=None):
        self.plan = plan
        self.expected_state = expected_state
        super().__init__(
            "The plan changed while you were working on it: it is now "
            f"{state_phrase(plan.state)}. "
            "Reload the page to see its current state; your action was not applied."
        )


class ActionNotAllowed(PlanConflict):
    """The action is not possible in the plan's current state, which the actor saw.

    `reason` states when the action is possible, such as "it can be withdrawn
    only while it is a draft, submitted or returned".
    """

    def __init__(self, plan, reason: str):
        self.plan = plan
        self.reason = reason
        super().__init__(f"This plan is {state_phrase(plan.state)}, and {reason}.")


# Words that complete "This plan is ..." for states whose label reads badly there.
_STATE_PHRASES = {
    PlanState.DRAFT: "a draft",
    PlanState.AGREED: "agreed by every required party",
    PlanState.PAB_APPROVED: "approved by the PAB",
    PlanState.MONITORING: "in monitoring",
    PlanState.ESCALATED: "escalated",
    PlanState.CLOSURE_REQUESTED: "waiting for a closure decision",
}


def state_phrase(state: str) -> str:
    """Return the words that complete "This plan is ..." for a state value."""
    if state in _STATE_PHRASES:
        return _STATE_PHRASES[state]
    return PlanState(state).label.lower()


def plan_lock(*, plan_id: int) -> Plan:
    """Return the plan with its row locked until the surrounding transaction ends.

    Must be called inside `transaction.atomic()`. Two services that lock the
    same plan run one after the other, so the second reads the first's result.
    """
    return Plan.objects.select_for_update().select_related("organisation").get(pk=plan_id)


def plan_transition(
    *,
    plan: Plan,
    method: str,
    actor,
    action: str,
    comment: str = "",
    data: dict | None = None,
    at: datetime | None = None,
) -> PlanEvent:
    """Apply the transition `method` to a locked plan, save it and audit it.

    The audit entry is dated `at`, or now; scheduled jobs run as of another
    time pass their run time.

    Raises PlanChanged when the plan is not in a source state of the
    transition (another request moved it first). The caller must hold the
    row lock from `plan_lock` inside `transaction.atomic()`.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("plan_transition must run inside transaction.atomic()")

    from_state = plan.state
    try:
        getattr(plan, method)()
        plan.save()
    except (TransitionNotAllowed, ConcurrentTransition) as error:
        raise PlanChanged(plan) from error

    event = PlanEvent.objects.create(
        plan=plan,
        action=action,
        from_state=from_state,
        to_state=plan.state,
        actor=actor,
        comment=comment,
        data=data or {},
        created_at=at or timezone.now(),
    )
    logger.info(
        "plan transition applied plan_id=%s action=%s from=%s to=%s actor_id=%s",
        plan.pk,
        action,
        from_state,
        plan.state,
        getattr(actor, "pk", None),
    )
    return event
