"""Raising escalations and working them through the BSC PAB or the REC PAB.

Every step locks the plan with plan_lock, so two people acting on the same
escalation at once run one after the other and the second gets
EscalationChanged. Steps that change the plan's state go through
plan_transition. The other steps write a PlanEvent and leave the plan's
state unchanged, so the plan's audit trail contains every step. E-mails are queued to
send after the commit.

Roles: on the BSC path a BSC PAB member (or Elexon) sets the hearing and a BSC
PAB member records the outcome and, after a referral, the compliance finding.
On the REC path the REC Code Manager refers the escalation to the REC PAB,
whose members record the outcome and the compliance finding.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
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
    ACTIVE_STATUSES,
    Escalation,
    EscalationPath,
    EscalationReason,
    EscalationStatus,
    Hearing,
    HearingOutcome,
    Presentation,
    TriggerKind,
    file_sha256,
)

logger = logging.getLogger(__name__)

# Roles that may raise an escalation by hand, and reviewer roles e-mailed about each step, per path.
RAISERS = {
    EscalationPath.BSC: frozenset({UserRole.OSM, UserRole.ELEXON}),
    EscalationPath.REC: frozenset({UserRole.RECCM}),
}
REVIEWERS = {
    EscalationPath.BSC: (UserRole.OSM, UserRole.ELEXON),
    EscalationPath.REC: (UserRole.RECCM,),
}
# The board that hears each path's escalations and records their outcomes.
BOARD_ROLE = {EscalationPath.BSC: UserRole.PAB, EscalationPath.REC: UserRole.REC_PAB}
# Roles that may set a BSC PAB hearing.
HEARING_SETTERS = frozenset({UserRole.PAB, UserRole.ELEXON})


class EscalationChanged(Exception):
    """Raised when the escalation is no longer in the status the actor saw, so nothing was done.

    On a closed escalation the message gives the date it was closed and who closed it.
    """

    def __init__(self, escalation):
        self.escalation = escalation
        super().__init__(closed_message(escalation) or _changed_message(escalation))


def _changed_message(escalation) -> str:
    status = escalation.get_status_display().lower()
    return (
        f"The escalation changed while you were working on it: it is now {status}. "
        "Reload the page to see its current state; your action was not applied."
    )


def _local_day(moment) -> str:
    from reporting.schedule import report_zone

    return f"{moment.astimezone(report_zone()):%d/%m/%Y}"


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else "the system"


def closed_message(escalation) -> str:
    """Return why no step can be taken on a closed escalation, or "" while it is active."""
    if escalation.status == EscalationStatus.COMPLIANT:
        return (
            f"Compliance was already recorded on {_local_day(escalation.compliance_recorded_at)} "
            f"by {_name(escalation.compliance_recorded_by)}; nothing changed."
        )
    if escalation.status == EscalationStatus.RETURNED:
        hearing = getattr(escalation, "hearing", None)
        by = _name(hearing.outcome_by) if hearing else "the board"
        return (
            f"This escalation was closed on {_local_day(escalation.closed_at)}, when {by} "
            "returned the plan to monitoring; nothing changed."
        )
    return ""


@dataclass(frozen=True)
class WorkaroundEscalation:
    """The escalation a failed workaround led to: raised now, or an active one it joined."""

    escalation: Escalation
    raised: bool


def escalation_path_for(plan) -> str:
    """Return the path of a plan's escalations: REC for REC-led plans, else BSC.

    BSCCo receives the reporting for DIP defects, so DIP-led plans follow the
    BSC path, as do plans that name no lead code body.
    """
    return EscalationPath.REC if plan.lead_code_body == CodeBody.REC else EscalationPath.BSC


def escalation_active_for(plan) -> Escalation | None:
    """Return the escalation that keeps `plan` escalated, if any (at most one exists)."""
    return Escalation.objects.filter(plan=plan, status__in=ACTIVE_STATUSES).first()


def _notify(*, escalation, template: str, to, extra=None) -> None:
    send_email_on_commit(
        to=to,
        subject_template=f"emails/escalation/{template}_subject.txt",
        body_template=f"emails/escalation/{template}_body.txt",
        context={"escalation": escalation, "plan": escalation.plan, **(extra or {})},
        plan_id=escalation.plan_id,
    )


def _board_addresses(escalation) -> list[str]:
    return role_addresses([BOARD_ROLE[escalation.path]])


def _everyone(escalation) -> list[str]:
    return (
        participant_addresses(escalation.plan)
        + role_addresses(REVIEWERS[escalation.path])
        + _board_addresses(escalation)
    )


def _check_board(*, actor, escalation, doing: str) -> None:
    role = BOARD_ROLE[escalation.path]
    if actor.role != role:
        raise PermissionDenied(
            f"Only a {UserRole(role).label} may {doing} on a {escalation.path}-path escalation."
        )


def _record_step(*, plan, action: str, actor, comment: str = "", data=None, at=None) -> PlanEvent:
    """Write the audit row of an escalation step that leaves the plan's state as it is.

    `at` dates the row (default now). The chase job passes the time of its run.
    """
    return PlanEvent.objects.create(
        plan=plan,
        action=action,
        from_state=plan.state,
        to_state=plan.state,
        actor=actor,
        comment=comment,
        data=data or {},
        created_at=at or timezone.now(),
    )


def _raise_locked(
    *, plan, reason, actor, periods=(), reports=(), comment="", trigger=None, now=None
) -> Escalation:
    """Escalate a locked plan in monitoring, or raise PlanChanged in any other state.

    `actor` is None when the system raises it, and `trigger` then records why.
    `now` dates the escalation and its audit entry (default the current time).
    """
    path = escalation_path_for(plan)
    trigger = trigger or {}
    now = now or timezone.now()
    plan_transition(
        plan=plan,
        method="escalate",
        actor=actor,
        action="escalation.raised",
        comment=comment,
        data={
            "reason": reason,
            "path": path,
            "raised_by": "system" if actor is None else actor.username,
            "trigger": trigger,
            "period_ids": [p.pk for p in periods],
            "report_ids": [r.pk for r in reports],
        },
        # A chase run as of another time (`chase_reports --now`) dates the
        # entry to that time.
        at=now,
    )
    escalation = Escalation.objects.create(
        plan=plan,
        reason=reason,
        path=path,
        raised_by=actor,
        comment=comment,
        trigger=trigger,
        raised_at=now,
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


def _grace_deadline(due_at: dt.datetime) -> dt.datetime:
    """Return when the grace period after `due_at` ends: the same local time, N local days on."""
    from reporting.schedule import local_date, local_moment, report_zone

    local_due = due_at.astimezone(report_zone())
    day = local_date(due_at) + dt.timedelta(days=settings.WORKOFF_REPORT_GRACE_DAYS)
    return local_moment(day, local_due.time())


def _automatic_comment(trigger: dict) -> str:
    """Return the reason, in words, of an escalation the system raises on `trigger`."""
    from django.utils.dateparse import parse_datetime

    from reporting.schedule import report_zone

    if trigger["kind"] == TriggerKind.REPORT_MISSING:
        deadline = parse_datetime(trigger["deadline"]).astimezone(report_zone())
        return (
            f"Raised automatically: the report for period {trigger['period_sequence']} was "
            f"not received by {deadline:%d/%m/%Y %H:%M} {deadline.tzname()}."
        )
    return f"Raised automatically: {Escalation(trigger=trigger).trigger_summary}."


def escalation_raise_for_no_engagement(*, plan_id: int, periods, now) -> Escalation | None:
    """Escalate a plan whose periods passed their grace period without a report.

    The chase job calls this (with no actor) inside its delivery transaction,
    so the system raises the escalation, with the earliest period as its
    trigger. Returns None when the plan is no longer in monitoring. In that
    case its active escalation, if any, gains the periods, with an audit entry.
    """
    periods = sorted(periods, key=lambda period: (period.due_at, period.pk))
    if not periods:
        return None
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        if plan.state != PlanState.MONITORING:
            active = escalation_active_for(plan)
            if active is not None and periods:
                active.periods.add(*periods)
                _record_step(
                    plan=plan,
                    action="escalation.periods_added",
                    actor=None,
                    data={
                        "escalation_id": active.pk,
                        "period_ids": [p.pk for p in periods],
                        "period_sequences": [p.sequence for p in periods],
                    },
                    at=now,
                )
            return None
        first = periods[0]
        trigger = {
            "kind": TriggerKind.REPORT_MISSING,
            "period_id": first.pk,
            "period_sequence": first.sequence,
            "due_at": first.due_at.isoformat(),
            "deadline": _grace_deadline(first.due_at).isoformat(),
        }
        return _raise_locked(
            plan=plan,
            reason=EscalationReason.NO_ENGAGEMENT,
            actor=None,
            periods=periods,
            comment=_automatic_comment(trigger),
            trigger=trigger,
            now=now,
        )


def escalation_raise_for_workaround_failure(
    *, plan, report, item_references
) -> WorkaroundEscalation | None:
    """Escalate a plan whose report states that a workaround no longer mitigates.

    Runs inside the report's transaction, on the plan the caller has locked.
    A plan in monitoring is escalated by the system, with the report as the
    trigger. A plan already escalated keeps its active escalation, which
    gains the report (audited, and the board of its path is e-mailed).
    Returns None when the plan has no active escalation and is not in
    monitoring, so nothing was escalated.
    """
    if plan.state != PlanState.MONITORING:
        active = escalation_active_for(plan)
        if active is None:
            return None
        active.reports.add(report)
        active.periods.add(report.period)
        _record_step(
            plan=plan,
            action="escalation.report_added",
            actor=None,
            data={
                "escalation_id": active.pk,
                "report_id": report.pk,
                "period_sequence": report.period.sequence,
                "item_references": list(item_references),
            },
        )
        _notify(
            escalation=active,
            template="report_added",
            to=_board_addresses(active),
            extra={"report": report, "item_references": list(item_references)},
        )
        logger.info("escalation gained report escalation_id=%s report_id=%s", active.pk, report.pk)
        return WorkaroundEscalation(escalation=active, raised=False)

    trigger = {
        "kind": TriggerKind.WORKAROUND_FAILURE,
        "report_id": report.pk,
        "period_sequence": report.period.sequence,
        "item_references": list(item_references),
    }
    escalation = _raise_locked(
        plan=plan,
        reason=EscalationReason.WORKAROUND_FAILURE,
        actor=None,
        periods=[report.period],
        reports=[report],
        comment=_automatic_comment(trigger),
        trigger=trigger,
    )
    return WorkaroundEscalation(escalation=escalation, raised=True)


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


def latest_hearing_date(today: dt.date) -> dt.date:
    """Return the latest hearing date accepted on `today`: the same day a year on.

    A hearing on 29 February is accepted up to 28 February of the next year.
    """
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def check_hearing_date(hearing_date) -> None:
    """Raise ValidationError for a hearing date before today or more than a year ahead."""
    today = timezone.localdate()
    if hearing_date < today:
        raise ValidationError(
            {
                "hearing_date": f"The hearing date {hearing_date:%d/%m/%Y} is in the past; "
                f"give today ({today:%d/%m/%Y}) or a later date."
            }
        )
    latest = latest_hearing_date(today)
    if hearing_date > latest:
        raise ValidationError(
            {
                "hearing_date": f"The hearing date {hearing_date:%d/%m/%Y} is more than a year "
                f"ahead; give a date up to {latest:%d/%m/%Y}."
            }
        )


def check_outcome_date(hearing) -> None:
    """Raise ValidationError when today (local date) is before the hearing date."""
    today = timezone.localdate()
    if today < hearing.hearing_date:
        raise ValidationError(
            f"The hearing is on {hearing.hearing_date:%d/%m/%Y}; its outcome can be recorded "
            "from that day on."
        )


def _create_hearing(*, escalation_id, actor, hearing_date, comment, path, status, action):
    check_hearing_date(hearing_date)
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.RAISED]
        )
        if escalation.path != path:
            if path == EscalationPath.BSC:
                raise PermissionDenied(
                    "A REC-path escalation goes to the REC PAB through the REC Code Manager."
                )
            raise PermissionDenied("A BSC-path escalation is heard by the BSC PAB.")
        hearing = Hearing.objects.create(
            escalation=escalation, hearing_date=hearing_date, set_by=actor
        )
        escalation.status = status
        escalation.save(update_fields=["status"])
        _record_step(
            plan=escalation.plan,
            action=action,
            actor=actor,
            comment=comment,
            data={"escalation_id": escalation.pk, "hearing_date": hearing_date.isoformat()},
        )
        _notify(escalation=escalation, template="hearing_set", to=_everyone(escalation))
    logger.info(
        "escalation hearing set escalation_id=%s status=%s actor_id=%s",
        escalation.pk,
        status,
        actor.pk,
    )
    return hearing


def escalation_set_hearing(*, escalation_id: int, actor, hearing_date, comment: str = ""):
    """Set the BSC PAB hearing of a BSC-path escalation (a BSC PAB member or Elexon).

    Raises ValidationError for a hearing date before today or more than a year ahead.
    """
    if actor.role not in HEARING_SETTERS:
        raise PermissionDenied("Only a BSC PAB member or Elexon may set a PAB hearing.")
    return _create_hearing(
        escalation_id=escalation_id,
        actor=actor,
        hearing_date=hearing_date,
        comment=comment,
        path=EscalationPath.BSC,
        status=EscalationStatus.HEARING_SET,
        action="escalation.hearing_set",
    )


def escalation_refer_to_rec_pab(*, escalation_id: int, actor, hearing_date, comment: str = ""):
    """Refer a REC-path escalation to the REC PAB, on a meeting date (the REC Code Manager).

    Raises ValidationError for a meeting date before today or more than a year ahead.
    """
    if actor.role != UserRole.RECCM:
        raise PermissionDenied("Only the REC Code Manager may refer an escalation to the REC PAB.")
    return _create_hearing(
        escalation_id=escalation_id,
        actor=actor,
        hearing_date=hearing_date,
        comment=comment,
        path=EscalationPath.REC,
        status=EscalationStatus.WITH_REC_PAB,
        action="escalation.referred_to_rec_pab",
    )


def escalation_upload_presentation(*, escalation_id: int, actor, upload) -> Presentation:
    """Store the participant's presentation for a BSC PAB hearing as a new record.

    An earlier presentation is kept. The audit entry names the file and its
    SHA-256, and records which presentation the new one replaces.
    """
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.HEARING_SET]
        )
        plan = escalation.plan
        if actor.role != UserRole.PARTICIPANT or actor.organisation_id != plan.organisation_id:
            raise PermissionDenied("Only the plan's participant may upload its presentation.")
        hearing = escalation.hearing
        previous = hearing.presentations.order_by("-uploaded_at", "-id").first()
        presentation = Presentation(
            hearing=hearing,
            original_name=upload.name[:255],
            size=upload.size,
            sha256=file_sha256(upload),
            uploaded_by=actor,
        )
        presentation.file.save(upload.name, upload, save=False)
        presentation.save()
        _record_step(
            plan=plan,
            action=(
                "escalation.presentation_uploaded"
                if previous is None
                else "escalation.presentation_replaced"
            ),
            actor=actor,
            data={
                "escalation_id": escalation.pk,
                "presentation_id": presentation.pk,
                "file_name": presentation.original_name,
                "sha256": presentation.sha256,
                "size": presentation.size,
                "replaces_presentation_id": getattr(previous, "pk", None),
            },
        )
        _notify(escalation=escalation, template="presentation", to=_board_addresses(escalation))
    logger.info(
        "escalation presentation uploaded escalation_id=%s presentation_id=%s",
        escalation.pk,
        presentation.pk,
    )
    return presentation


def escalation_record_outcome(*, escalation_id: int, actor, outcome: str, comment: str):
    """Record the board's outcome: return the plan to monitoring, or refer the participant.

    Role: the board of the escalation's path (BSC PAB or REC PAB member).
    Raises ValidationError before the hearing date. A return goes through
    plan.return_to_monitoring and excuses the periods missed until now. A
    referral leaves the plan escalated until the board records compliance.
    """
    from reporting.services import periods_excuse_unreported

    if outcome not in HearingOutcome.values:
        raise ValueError(f"Unknown hearing outcome {outcome!r}; expected 'return' or 'refer'.")
    _check_board(
        actor=actor,
        escalation=Escalation.objects.get(pk=escalation_id),
        doing="record the outcome of a hearing",
    )
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id,
            expected_statuses=[EscalationStatus.HEARING_SET, EscalationStatus.WITH_REC_PAB],
        )
        hearing = escalation.hearing
        check_outcome_date(hearing)
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
            escalation.closed_at = now
        else:
            data["framework"] = escalation.framework_label
            _record_step(
                plan=plan, action="escalation.referred", actor=actor, comment=comment, data=data
            )
            escalation.status = EscalationStatus.REFERRED
        escalation.save(update_fields=["status", "closed_at"])

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


def compliance_blocker(escalation) -> str:
    """Return why compliance cannot be recorded on a referred escalation now, or "".

    The board cannot find a participant compliant again while the plan's
    latest report, submitted after the referral, states that a workaround no
    longer mitigates. A later report that shows every workaround mitigating lifts
    the block, because the latest word from the participant then supports the
    finding. Reports from before the referral were in front of the board when
    it referred, so they do not block.
    """
    from reporting.models import Report

    referred_at = escalation.hearing.outcome_at
    latest = (
        Report.objects.filter(plan_id=escalation.plan_id)
        .select_related("period")
        .order_by("-submitted_at", "-id")
        .first()
    )
    if latest is None or referred_at is None or latest.submitted_at < referred_at:
        return ""
    failing = list(
        latest.lines.filter(workaround_mitigates=False)
        .order_by("item__position", "item_id")
        .values_list("item__reference", flat=True)
    )
    if not failing:
        return ""
    if len(failing) > 1:
        names = ", ".join(failing[:-1]) + " and " + failing[-1]
        statement = f"the workarounds for {names} no longer mitigate"
    else:
        statement = f"the workaround for {failing[0]} no longer mitigates"
    return (
        f"Compliance cannot be recorded yet: report {latest.period.sequence}, submitted on "
        f"{_local_day(latest.submitted_at)} after the referral, says {statement}. "
        "Record compliance once a later report shows every workaround mitigating again."
    )


def escalation_record_compliance(*, escalation_id: int, actor, comment: str) -> Escalation:
    """Record that a referred participant is compliant again; return the plan to monitoring.

    Role: the board of the escalation's path. Status: referred, with the plan
    escalated. The referral stays on the hearing. The escalation becomes
    compliant, the periods missed until now are excused, and everyone on the
    escalation is e-mailed. Raises ValidationError when the comment is empty,
    or while the plan's latest report, submitted after the referral, states
    that a workaround no longer mitigates (see compliance_blocker).
    """
    from reporting.services import periods_excuse_unreported

    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say how the participant became compliant again."})
    _check_board(
        actor=actor,
        escalation=Escalation.objects.get(pk=escalation_id),
        doing="record compliance",
    )
    with transaction.atomic():
        escalation = _lock_escalation(
            escalation_id=escalation_id, expected_statuses=[EscalationStatus.REFERRED]
        )
        blocker = compliance_blocker(escalation)
        if blocker:
            raise ValidationError(blocker)
        plan = escalation.plan
        now = timezone.now()
        plan_transition(
            plan=plan,
            method="return_to_monitoring",
            actor=actor,
            action="escalation.compliance_recorded",
            comment=comment,
            data={
                "escalation_id": escalation.pk,
                "framework": escalation.framework_label,
                "referred_at": escalation.hearing.outcome_at.isoformat(),
            },
        )
        periods_excuse_unreported(plan=plan, now=now, actor=actor)
        escalation.status = EscalationStatus.COMPLIANT
        escalation.closed_at = now
        escalation.compliance_recorded_by = actor
        escalation.compliance_recorded_at = now
        escalation.compliance_comment = comment
        escalation.save(
            update_fields=[
                "status",
                "closed_at",
                "compliance_recorded_by",
                "compliance_recorded_at",
                "compliance_comment",
            ]
        )
        _notify(escalation=escalation, template="compliant", to=_everyone(escalation))
    logger.info(
        "escalation compliance recorded escalation_id=%s actor_id=%s", escalation.pk, actor.pk
    )
    return escalation
