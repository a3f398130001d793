"""Submitting reports and reviewing them.

A report is written once, in one transaction with its lines, its evidence
files, the audit row and (when a workaround no longer mitigates) the plan's
escalation, or the report's addition to the escalation already open.
Afterwards only the review status and the reviewer's decision on each revised
fix date change.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from plans.choices import DefectStatus, UserRole
from plans.models import PlanEvent
from plans.services.notifications import (
    participant_addresses,
    role_addresses,
    send_email_on_commit,
)
from plans.services.transitions import plan_lock

from ..models import (
    LINE_DECISION_FIELDS,
    Report,
    ReportEvidence,
    ReportingPeriod,
    ReportLine,
    ReportMessage,
    ReportMessageKind,
    ReportRoute,
    ReportStatus,
    RevisedDateDecision,
)
from ..schedule import report_zone
from .schedule import REPORTING_STATES

logger = logging.getLogger(__name__)

REVIEWER_ROLE = {ReportRoute.BSC: UserRole.OSM, ReportRoute.REC: UserRole.RECCM}


class ReportChanged(Exception):
    """Raised when the report or period is no longer as the actor saw it, so nothing was done."""


@dataclass
class LineInput:
    """The participant's input for one open item."""

    item_id: int
    workaround_mitigates: bool
    evidence: str
    fix_progress: str
    confidence: str
    revised_fix_date: date | None = None
    revised_date_reason: str = ""
    files: list = field(default_factory=list)


def report_route_for(plan) -> str:
    """Return the route of a plan's reports: REC-led go to the REC Code Manager, others to OSMs.

    BSCCo takes the reporting of DIP defects, so DIP-led plans go to the OSMs.
    """
    return ReportRoute.REC if plan.lead_code_body == "REC" else ReportRoute.BSC


def open_items(plan):
    """Return the plan's items a report must cover: every item whose defect is not closed."""
    return plan.items.exclude(defect_status=DefectStatus.CLOSED).order_by("position", "id")


def _check_participant(*, actor, plan) -> None:
    if actor.role != UserRole.PARTICIPANT or actor.organisation_id != plan.organisation_id:
        raise PermissionDenied("Only participant users of the plan's organisation may do this.")


def _check_reviewer(*, actor, report) -> None:
    if actor.role != REVIEWER_ROLE[report.route]:
        raise PermissionDenied(
            f"Reports on {report.route}-led plans are reviewed by the "
            f"{UserRole(REVIEWER_ROLE[report.route]).label}."
        )


def _clean_lines(*, items, lines: list[LineInput]) -> list[LineInput]:
    """Check that `lines` cover exactly the open `items`; raise ValidationError otherwise."""
    by_item = {line.item_id: line for line in lines}
    expected = {item.pk for item in items}
    if set(by_item) != expected:
        raise ValidationError(
            "The report must cover every open item of the plan; reload the page and try again."
        )
    errors = []
    max_bytes = settings.WORKOFF_MAX_UPLOAD_BYTES
    for item in items:
        line = by_item[item.pk]
        if line.revised_fix_date == item.expected_fix_date:
            line.revised_fix_date = None
        if line.revised_fix_date is not None and not line.revised_date_reason.strip():
            errors.append(f"{item.reference}: give the reason the fix date moved.")
        if line.revised_fix_date is None:
            line.revised_date_reason = ""
        for upload in line.files:
            if upload.size > max_bytes:
                errors.append(
                    f"{item.reference}: {upload.name} is {upload.size} bytes; "
                    f"the largest evidence file accepted is {max_bytes} bytes."
                )
    if errors:
        raise ValidationError(errors)
    return [by_item[item.pk] for item in items]


def existing_report_message(report) -> str:
    """Return the message shown when a period that already has a report is reported again."""
    zone = report_zone()
    submitted = date_format(report.submitted_at.astimezone(zone), "j M Y H:i T")
    user = report.submitted_by
    name = user.get_full_name() or user.username
    return (
        f"A report for this period was submitted on {submitted} by {name}; "
        "submitted reports cannot be changed."
    )


def period_not_open_message(period) -> str:
    """Return the message for a period whose reporting has not started, with its start."""
    start = date_format(period.period_start.astimezone(report_zone()), "j M Y H:i T")
    return (
        f"Report {period.sequence} on plan #{period.plan_id} cannot be filled in yet: "
        f"its reporting period starts on {start}."
    )


def _refuse_existing(period) -> None:
    existing = Report.objects.select_related("submitted_by").filter(period=period).first()
    if existing is not None:
        raise ReportChanged(existing_report_message(existing))


def report_submit(*, period_id: int, actor, lines: list[LineInput]) -> Report:
    """Submit the participant's report for a period and return it.

    The period must have started and the plan must be in monitoring or
    escalated. A report after the due time is accepted and marked late.
    A line stating that the workaround no longer mitigates escalates a plan in
    monitoring, or adds the report to the active escalation of a plan already
    escalated, in the same transaction. `report.escalation_outcome` is then
    the WorkaroundEscalation, or None when nothing was escalated. Raises
    PermissionDenied for anyone but the plan's participant users,
    ReportChanged when the period already has a report (the stored report is
    left as it is) or has not started, ValidationError for incomplete lines.
    """
    from escalation.services import escalation_raise_for_workaround_failure

    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    _check_participant(actor=actor, plan=period.plan)
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = plan_lock(plan_id=period.plan_id)
            _refuse_existing(period)
            if plan.state not in REPORTING_STATES:
                raise ReportChanged(
                    f"The plan is {plan.get_state_display().lower()}, so it takes no reports."
                )
            if period.period_start > now:
                raise ReportChanged(period_not_open_message(period))

            items = list(open_items(plan))
            cleaned = _clean_lines(items=items, lines=lines)
            report = Report.objects.create(
                period=period,
                plan=plan,
                route=report_route_for(plan),
                submitted_by=actor,
                submitted_at=now,
                is_late=now > period.due_at,
                status_changed_at=now,
            )
            _create_lines(report=report, cleaned=cleaned)
            failing = [line.item_id for line in cleaned if not line.workaround_mitigates]
            references = {item.pk: item.reference for item in items}
            failing_references = [references[item_id] for item_id in failing]
            PlanEvent.objects.create(
                plan=plan,
                action="reporting.report_submitted",
                from_state=plan.state,
                to_state=plan.state,
                actor=actor,
                data={
                    "report_id": report.pk,
                    "period_sequence": period.sequence,
                    "late": report.is_late,
                    "failing_item_ids": failing,
                },
            )
            outcome = None
            if failing:
                outcome = escalation_raise_for_workaround_failure(
                    plan=plan, report=report, item_references=failing_references
                )
            report.escalation_outcome = outcome
            send_email_on_commit(
                to=role_addresses([REVIEWER_ROLE[report.route]]),
                subject_template="emails/reporting/submitted_subject.txt",
                body_template="emails/reporting/submitted_body.txt",
                context={
                    "report": report,
                    "plan": plan,
                    "failing": len(failing),
                    "failing_references": failing_references,
                    "outcome": outcome,
                },
                plan_id=plan.pk,
            )
    except IntegrityError as error:
        # Another submission for the same period committed first, and the
        # one-to-one `period` field lets only one report in.
        existing = Report.objects.select_related("submitted_by").filter(period=period).first()
        if existing is None:
            raise
        raise ReportChanged(existing_report_message(existing)) from error
    logger.info(
        "report submitted report_id=%s plan_id=%s period_id=%s late=%s actor_id=%s",
        report.pk,
        plan.pk,
        period.pk,
        report.is_late,
        actor.pk,
    )
    return report


def _create_lines(*, report, cleaned: list[LineInput]) -> None:
    for entry in cleaned:
        line = ReportLine.objects.create(
            report=report,
            item_id=entry.item_id,
            workaround_mitigates=entry.workaround_mitigates,
            evidence=entry.evidence.strip(),
            fix_progress=entry.fix_progress.strip(),
            confidence=entry.confidence,
            revised_fix_date=entry.revised_fix_date,
            revised_date_reason=entry.revised_date_reason.strip(),
            revised_date_decision=(RevisedDateDecision.PENDING if entry.revised_fix_date else ""),
        )
        for upload in entry.files:
            evidence = ReportEvidence(
                line=line,
                original_name=upload.name[:255],
                content_type=(getattr(upload, "content_type", "") or "")[:100],
                size=upload.size,
            )
            evidence.file.save(upload.name, upload, save=False)
            evidence.save()


def _lock_report(report_id: int) -> Report:
    report = Report.objects.select_related("plan").get(pk=report_id)
    plan = plan_lock(plan_id=report.plan_id)
    report = Report.objects.select_for_update().select_related("period").get(pk=report_id)
    report.plan = plan
    return report


def _review_step(*, report_id: int, actor, kind: str, text: str, allowed, new_status, check):
    with transaction.atomic():
        report = _lock_report(report_id)
        check(actor=actor, report=report)
        if report.status not in allowed:
            raise ReportChanged(
                f"The report is now {report.get_status_display().lower()}; reload the page."
            )
        now = timezone.now()
        ReportMessage.objects.create(
            report=report, author=actor, kind=kind, text=text, created_at=now
        )
        report.status = new_status
        report.status_changed_at = now
        report.save(update_fields=["status", "status_changed_at"])
        PlanEvent.objects.create(
            plan=report.plan,
            action=f"reporting.report_{new_status}",
            from_state=report.plan.state,
            to_state=report.plan.state,
            actor=actor,
            comment=text,
            data={"report_id": report.pk},
        )
        if kind == ReportMessageKind.ANSWER:
            to = role_addresses([REVIEWER_ROLE[report.route]])
        else:
            to = participant_addresses(report.plan)
        send_email_on_commit(
            to=to,
            subject_template="emails/reporting/review_subject.txt",
            body_template="emails/reporting/review_body.txt",
            context={"report": report, "plan": report.plan, "kind": kind, "text": text},
            plan_id=report.plan_id,
        )
    logger.info(
        "report review step report_id=%s status=%s actor_id=%s", report.pk, new_status, actor.pk
    )
    return report


def _participant_check(*, actor, report):
    _check_participant(actor=actor, plan=report.plan)


AWAITING_REVIEW = (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)


def pending_revised_dates_message(report) -> str:
    """Return why `report` cannot be acknowledged yet, naming its undecided revised dates."""
    references = list(
        report.lines.filter(revised_date_decision=RevisedDateDecision.PENDING)
        .order_by("item__position", "item_id")
        .values_list("item__reference", flat=True)
    )
    if not references:
        return ""
    if len(references) > 1:
        names = ", ".join(references[:-1]) + " and " + references[-1]
        subject = f"the revised fix dates for {names} still await"
    else:
        subject = f"the revised fix date for {references[0]} still awaits"
    return (
        f"The report cannot be acknowledged yet: {subject} your decision. Accept or refuse "
        "each revised date first, or send the participant a query."
    )


def _acknowledge_check(*, actor, report) -> None:
    _check_reviewer(actor=actor, report=report)
    message = pending_revised_dates_message(report)
    if message:
        raise ValidationError(message)


def report_acknowledge(*, report_id: int, actor, comment: str = "") -> Report:
    """Acknowledge a report awaiting review (the OSM for BSC, REC Code Manager for REC).

    Raises ValidationError while a revised fix date in the report awaits the
    reviewer's decision. A query is allowed meanwhile.
    """
    return _review_step(
        report_id=report_id,
        actor=actor,
        kind=ReportMessageKind.ACKNOWLEDGE,
        text=comment.strip(),
        allowed=AWAITING_REVIEW,
        new_status=ReportStatus.ACKNOWLEDGED,
        check=_acknowledge_check,
    )


def report_query(*, report_id: int, actor, comment: str) -> Report:
    """Send a report back to its participant with a question.

    Raises ValidationError when the comment is empty.
    """
    if not comment.strip():
        raise ValidationError("A query needs a comment: say what the participant should answer.")
    return _review_step(
        report_id=report_id,
        actor=actor,
        kind=ReportMessageKind.QUERY,
        text=comment.strip(),
        allowed=AWAITING_REVIEW,
        new_status=ReportStatus.QUERIED,
        check=_check_reviewer,
    )


def report_answer(*, report_id: int, actor, text: str) -> Report:
    """Record the participant's answer to the reviewer's query on a report.

    Only the plan's participant users may answer. Raises ValidationError when
    the text is empty.
    """
    if not text.strip():
        raise ValidationError("The answer is empty. Write your answer to the reviewer's query.")
    return _review_step(
        report_id=report_id,
        actor=actor,
        kind=ReportMessageKind.ANSWER,
        text=text.strip(),
        allowed=(ReportStatus.QUERIED,),
        new_status=ReportStatus.ANSWERED,
        check=_participant_check,
    )


def report_line_decide(*, line_id: int, actor, accept: bool) -> ReportLine:
    """Accept or refuse the revised fix date on a report line (the report's reviewer).

    The item's agreed fix date stays as it is either way. The decision is
    kept on the line and audited with the item and both dates. It is e-mailed
    to the plan's contact and its organisation's participant users.
    """
    with transaction.atomic():
        line = ReportLine.objects.select_related("report").get(pk=line_id)
        report = _lock_report(line.report_id)
        _check_reviewer(actor=actor, report=report)
        line = (
            ReportLine.objects.select_for_update(of=("self",))
            .select_related("item")
            .get(pk=line_id)
        )
        if line.revised_date_decision != RevisedDateDecision.PENDING:
            raise ReportChanged("The revised date has already been decided; reload the page.")
        decision = RevisedDateDecision.ACCEPTED if accept else RevisedDateDecision.REFUSED
        line.revised_date_decision = decision
        line.revised_date_decided_by = actor
        line.revised_date_decided_at = timezone.now()
        line.save(update_fields=sorted(LINE_DECISION_FIELDS))
        item = line.item
        PlanEvent.objects.create(
            plan=report.plan,
            action=f"reporting.revised_date_{decision}",
            from_state=report.plan.state,
            to_state=report.plan.state,
            actor=actor,
            data={
                "report_id": report.pk,
                "item_id": item.pk,
                "item": item.reference,
                "revised_fix_date": line.revised_fix_date.isoformat(),
                "agreed_fix_date": (
                    item.expected_fix_date.isoformat() if item.expected_fix_date else None
                ),
            },
        )
        send_email_on_commit(
            to=participant_addresses(report.plan),
            subject_template="emails/reporting/revised_date_subject.txt",
            body_template="emails/reporting/revised_date_body.txt",
            context={"report": report, "plan": report.plan, "line": line, "item": item},
            plan_id=report.plan_id,
        )
    logger.info(
        "revised fix date decided line_id=%s decision=%s actor_id=%s", line.pk, decision, actor.pk
    )
    return line
