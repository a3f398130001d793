"""Raising escalations and working them through the PAB.

Every step locks the plan with plan_lock, so two people acting on the same
escalation at once run one after the other and the second gets
EscalationChanged. Steps that change the plan's state go through
plan_transition; the others write a PlanEvent with the plan's state
unchanged, so the plan's audit trail contains every step. E-mails are queued to
send after the commit.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from plans.choices import CodeBody, PlanState, UserRole
from plans.models import PlanEvent
from plans.services.notifications import (
    participant_addresses,
    role_addresses,
    send_email_on_commit,
)
from plans.services.transitions import PlanChanged, plan_lock, plan_transition

from .models import (
    OPEN_STATUSES,
    Escalation,
    EscalationPath,
    EscalationReason,
    EscalationStatus,
    Hearing,
    HearingOutcome,
)

logger = logging.getLogger(__name__)

# Who may raise an escalation by hand, and who is e-mailed about each step, per path.
RAISERS = {
    EscalationPath.BSC: frozenset({UserRole.OSM, UserRole.ELEXON}),
    EscalationPath.REC: frozenset({UserRole.RECCM}),
}
REVIEWERS = {
    EscalationPath.BSC: (UserRole.OSM, UserRole.ELEXON),
    EscalationPath.REC: (UserRole.RECCM,),
}
HEARING_SETTERS = frozenset({UserRole.PAB, UserRole.ELEXON})


class EscalationChanged(Exception):
    """The escalation is no longer in the status the actor saw, so nothing was done."""

    def __init__(self, escalation):
        self.escalation = escalation
        status = escalation.get_status_display().lower()
        super().__init__(
            f"The escalation changed while you were working on it: it is now {status}. "
            "Reload the page to see its current state; your action was not applied."
        )


def escalation_path_for(plan) -> str:
    """Return the path of a plan's escalations: REC for REC-led plans, else BSC.

    BSCCo receives the reporting for DIP defects, so DIP-led plans follow the
    BSC path, as do plans that name no lead code body.
    """
    return EscalationPath.REC if plan.lead_code_body == CodeBody.REC else EscalationPath.BSC


def _notify(*, escalation, template: str, to, extra=None) -> None:
    send_email_on_commit(
        to=to,
        subject_template=f"emails/escalation/{template}_subject.txt",
        body_template=f"emails/escalation/{template}_body.txt",
        context={"escalation": escalation, "plan": escalation.plan, **(extra or {})},
        plan_id=escalation.plan_id,
    )


def _everyone(escalation) -> list[str]:
    return (
        participant_addresses(escalation.plan)
        + role_addresses(REVIEWERS[escalation.path])
        + role_addresses([UserRole.PAB])
    )


def _record_step(*, plan, action: str, actor, comment: str = "", data=None) -> PlanEvent:
    """Write the audit row of an escalation step that leaves the plan's state as it is."""
    return PlanEvent.objects.create(
        plan=plan,
        action=action,
        from_state=plan.state,
        to_state=plan.state,
        actor=actor,
        comment=comment,
        data=data or {},
    )


def _raise_locked(*, plan, reason, actor, periods=(), reports=(), comment="") -> Escalation | None:
    """Escalate a locked plan in monitoring, or attach the evidence to its open escalation.

    Returns the new escalation, or None when the plan was not in monitoring.
    """
    if plan.state != PlanState.MONITORING:
        open_escalation = Escalation.objects.filter(plan=plan, status__in=OPEN_STATUSES).first()
        if open_escalation is not None:
            open_escalation.periods.add(*periods)
            open_escalation.reports.add(*reports)
        return None

    path = escalation_path_for(plan)
    plan_transition(
        plan=plan,
        method="escalate",
        actor=actor,
        action="escalation.raised",
        comment=comment,
        data={
            "reason": reason,
            "path": path,
            "period_ids": [p.pk for p in periods],
            "report_ids": [r.pk for r in reports],
        },
    )
    escalation = Escalation.objects.create(
        plan=plan, reason=reason, path=path, raised_by=actor, comment=comment
    )
    escalation.periods.add(*periods)
    escalation.reports.add(*reports)
    _notify(escalation=escalation, template="raised", to=_everyone(escalation))
    logger.info(
        "escalation raised escalation_id=%s plan_id=%s reason=%s actor_id=%s",
        escalation.pk,
        plan.pk,
        reason,
        getattr(actor, "pk", None),
    )
    return escalation


def escalation_raise_for_no_engagement(*, plan_id: int, periods, now) -> Escalation | None:
    """Escalate a plan whose periods passed their grace period without a report.

    Called by the chase job (no actor) inside its delivery transaction.
    Returns None when the plan is no longer in monitoring; an open escalation
    then gains the periods.
    """
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        return _raise_locked(
            plan=plan, reason=EscalationReason.NO_ENGAGEMENT, actor=None, periods=periods
        )


def escalation_raise_for_workaround_failure(*, plan, report, actor) -> Escalation | None:
    """Escalate a plan whose report states that a workaround no longer mitigates.

    Runs inside the report's transaction, on the plan the caller has locked.
    """
    return _raise_locked(
        plan=plan,
        reason=EscalationReason.WORKAROUND_FAILURE,
        actor=actor,
        periods=[report.period],
        reports=[report],
        comment="A report states that a workaround no longer fully mitigates the defect.",
    )


def escalation_raise_manual(*, plan_id: int, actor, comment: str) -> Escalation:
    """Escalate a plan in monitoring by hand.

    Only the lead code body's reviewers may: an OSM or Elexon for the BSC
    path, the REC Code Manager for the REC path. Raises PlanChanged when the
    plan is not in monitoring.
    """
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        if actor.role not in RAISERS[escalation_path_for(plan)]:
            raise PermissionDenied("Only the lead code body's reviewers may escalate this plan.")
        if plan.state != PlanState.MONITORING:
            raise PlanChanged(plan)
        return _raise_locked(
            plan=plan, reason=EscalationReason.MANUAL, actor=actor, comment=comment.strip()
        )


def _lock_escalation(*, escalation_id: int, expected_statuses) -> Escalation:
    escalation = Escalation.objects.select_related("plan").get(pk=escalation_id)
    plan = plan_lock(plan_id=escalation.plan_id)
    escalation = Escalation.objects.select_for_update().get(pk=escalation_id)
    escalation.plan = plan
    if escalation.status not in expected_statuses:
        raise EscalationChanged(escalation)
    return escalation


def escalation_set_hearing(*, escalation_id: int, actor, hearing_date, comment: str = ""):
    """Set the BSC PAB hearing of an escalation on the BSC path (a PAB member or Elexon)."""
    if actor.role not in HEARING_SETTERS:
        raise PermissionDenied("Only a PAB member or Elexon may set a PAB hearing.")
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.RAISED]
        )
        if escalation.path != EscalationPath.BSC:
            raise PermissionDenied(
                "A REC-path escalation goes to the REC PAB through the REC Code Manager."
            )
        hearing = Hearing.objects.create(
            escalation=escalation, hearing_date=hearing_date, set_by=actor
        )
        escalation.status = EscalationStatus.HEARING_SET
        escalation.save(update_fields=["status"])
        _record_step(
            plan=escalation.plan,
            action="escalation.hearing_set",
            actor=actor,
            comment=comment,
            data={"escalation_id": escalation.pk, "hearing_date": hearing_date.isoformat()},
        )
        _notify(escalation=escalation, template="hearing_set", to=_everyone(escalation))
    logger.info("escalation hearing set escalation_id=%s actor_id=%s", escalation.pk, actor.pk)
    return hearing


def escalation_refer_to_rec_pab(*, escalation_id: int, actor, hearing_date, comment: str = ""):
    """Refer a REC-path escalation to the REC PAB, on a meeting date (the REC Code Manager)."""
    if actor.role != UserRole.RECCM:
        raise PermissionDenied("Only the REC Code Manager may refer an escalation to the REC PAB.")
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.RAISED]
        )
        if escalation.path != EscalationPath.REC:
            raise PermissionDenied("A BSC-path escalation is heard by the BSC PAB.")
        hearing = Hearing.objects.create(
            escalation=escalation, hearing_date=hearing_date, set_by=actor
        )
        escalation.status = EscalationStatus.WITH_REC_PAB
        escalation.save(update_fields=["status"])
        _record_step(
            plan=escalation.plan,
            action="escalation.referred_to_rec_pab",
            actor=actor,
            comment=comment,
            data={"escalation_id": escalation.pk, "hearing_date": hearing_date.isoformat()},
        )
        _notify(escalation=escalation, template="hearing_set", to=_everyone(escalation))
    logger.info("escalation sent to REC PAB escalation_id=%s actor_id=%s", escalation.pk, actor.pk)
    return hearing


def escalation_upload_presentation(*, escalation_id: int, actor, upload) -> Hearing:
    """Store the participant's presentation for a BSC PAB hearing, replacing an earlier one."""
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.HEARING_SET]
        )
        plan = escalation.plan
        if actor.role != UserRole.PARTICIPANT or actor.organisation_id != plan.organisation_id:
            raise PermissionDenied("Only the plan's participant may upload its presentation.")
        hearing = escalation.hearing
        hearing.presentation.save(upload.name, upload, save=False)
        hearing.presentation_name = upload.name[:255]
        hearing.presentation_uploaded_by = actor
        hearing.presentation_uploaded_at = timezone.now()
        hearing.save()
        _record_step(
            plan=plan,
            action="escalation.presentation_uploaded",
            actor=actor,
            data={"escalation_id": escalation.pk, "size": upload.size},
        )
        _notify(escalation=escalation, template="presentation", to=role_addresses([UserRole.PAB]))
    logger.info("escalation presentation uploaded escalation_id=%s", escalation.pk)
    return hearing


def escalation_record_outcome(*, escalation_id: int, actor, outcome: str, comment: str):
    """Record the PAB's outcome: return the plan to monitoring, or refer the participant.

    A return goes through plan.return_to_monitoring and excuses the periods
    missed until now; a referral leaves the plan escalated.
    """
    from reporting.services import periods_excuse_unreported

    if actor.role != UserRole.PAB:
        raise PermissionDenied("Only a PAB member may record the outcome of a hearing.")
    if outcome not in HearingOutcome.values:
        raise ValueError(f"Unknown hearing outcome {outcome!r}; expected 'return' or 'refer'.")
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id,
            expected_statuses=[EscalationStatus.HEARING_SET, EscalationStatus.WITH_REC_PAB],
        )
        plan = escalation.plan
        now = timezone.now()
        data = {"escalation_id": escalation.pk, "outcome": outcome}
        if outcome == HearingOutcome.RETURN_TO_MONITORING:
            plan_transition(
                plan=plan,
                method="return_to_monitoring",
                actor=actor,
                action="escalation.returned_to_monitoring",
                comment=comment,
                data=data,
            )
            periods_excuse_unreported(plan=plan, now=now, actor=actor)
            escalation.status = EscalationStatus.RETURNED
        else:
            _record_step(
                plan=plan, action="escalation.referred", actor=actor, comment=comment, data=data
            )
            escalation.status = EscalationStatus.REFERRED
        escalation.closed_at = now
        escalation.save(update_fields=["status", "closed_at"])

        hearing = escalation.hearing
        hearing.outcome = outcome
        hearing.outcome_comment = comment
        hearing.outcome_by = actor
        hearing.outcome_at = now
        hearing.save(update_fields=["outcome", "outcome_comment", "outcome_by", "outcome_at"])
        _notify(escalation=escalation, template="outcome", to=_everyone(escalation))
    logger.info(
        "escalation outcome recorded escalation_id=%s outcome=%s actor_id=%s",
        escalation.pk,
        outcome,
        actor.pk,
    )
    return escalation
