"""The report chase: reminders, overdue notices, second notices and escalations.

Each run selects periods by window ("due on or before this moment and not yet
noticed"), never by exact date, so a run missed during an outage is caught up
by the next one. Exactly-once rests on ChaseNotice's unique (period, kind):

1. claim: one INSERT ... SELECT ... ON CONFLICT DO NOTHING per kind inserts a
   notice row for every period in the kind's window; a concurrent run's insert
   of the same row does nothing.
2. deliver: per organisation, in one transaction, lock its unsent notices
   (SKIP LOCKED, so two runs never take the same row), escalate where due,
   send one e-mail listing them, set sent_at, commit.

A worker that dies after claiming leaves unsent rows, and the next run
delivers them. A worker that dies after the mail server accepted a message
but before the commit sends that one message again on the next run: for
that narrow window delivery is at-least-once.

Query count grows with the number of organisations e-mailed and plans
escalated in a run, not with the number of periods.
"""

import datetime as dt
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from plans.choices import PlanState, UserRole
from plans.models import Plan, User

from ..models import ChaseKind, ChaseNotice, Report, ReportingPeriod
from ..schedule import local_midnight, report_zone
from .schedule import REPORTING_STATES, schedule_extend

logger = logging.getLogger(__name__)

COUNT_KEYS = {
    ChaseKind.REMINDER: "reminders",
    ChaseKind.OVERDUE: "overdue_notices",
    ChaseKind.SECOND: "second_notices",
    ChaseKind.ESCALATION: "escalations",
}


class ChaseDeliveryFailed(Exception):
    """Raised after a run in which sending to one or more organisations failed.

    Their notices stay unsent, so a retry of the run delivers them.
    """


@dataclass
class ChaseResult:
    reminders: int = 0
    overdue_notices: int = 0
    second_notices: int = 0
    escalations: int = 0
    periods_created: int = 0
    failed_organisations: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "reminders": self.reminders,
            "overdue_notices": self.overdue_notices,
            "second_notices": self.second_notices,
            "escalations": self.escalations,
        }


@dataclass(frozen=True)
class Window:
    """Bounds on due_at (UTC) for one kind of notice; None means unbounded."""

    due_after: dt.datetime | None
    due_before: dt.datetime | None
    inclusive_upper: bool
    plan_states: tuple[str, ...]


def chase_windows(now: dt.datetime) -> dict[str, Window]:
    """Return the due_at window of each kind of notice at `now`.

    Reminder: from WORKOFF_REMINDER_DAYS_BEFORE local days before the due day
    until the due time. Overdue notice: from the due time until the second
    notice's day. Second notice: from WORKOFF_SECOND_NOTICE_DAYS_AFTER local
    days after the due day until the grace period is spent. Escalation: once
    WORKOFF_REPORT_GRACE_DAYS local days have passed since the due time.
    """
    zone = report_zone()
    local_now = now.astimezone(zone)
    today = local_now.date()
    second_from = local_midnight(
        today - dt.timedelta(days=settings.WORKOFF_SECOND_NOTICE_DAYS_AFTER - 1)
    )
    grace_back = dt.datetime.combine(
        today - dt.timedelta(days=settings.WORKOFF_REPORT_GRACE_DAYS), local_now.time(), tzinfo=zone
    ).astimezone(dt.UTC)
    reminder_until = local_midnight(
        today + dt.timedelta(days=settings.WORKOFF_REMINDER_DAYS_BEFORE + 1)
    )
    states = tuple(str(state) for state in REPORTING_STATES)
    return {
        # due_at in (now, reminder_until)
        ChaseKind.REMINDER: Window(now, reminder_until, False, states),
        # due_at in [second_from, now], written as (second_from - 1µs, now]
        ChaseKind.OVERDUE: Window(
            max(second_from - dt.timedelta(microseconds=1), grace_back), now, True, states
        ),
        # due_at in (grace_back, second_from)
        ChaseKind.SECOND: Window(grace_back, min(second_from, now), False, states),
        # due_at in (-inf, grace_back]
        ChaseKind.ESCALATION: Window(None, grace_back, True, (str(PlanState.MONITORING),)),
    }


def _claim(*, kind: str, window: Window, now: dt.datetime) -> int:
    """Insert a notice of `kind` for every unreported period in `window`; return how many."""
    notice_table = ChaseNotice._meta.db_table
    period_table = ReportingPeriod._meta.db_table
    plan_table = Plan._meta.db_table
    report_table = Report._meta.db_table

    conditions = ["p.excused_at IS NULL"]
    params: list = [kind, now]
    conditions.append("pl.state IN (" + ", ".join(["%s"] * len(window.plan_states)) + ")")
    params += list(window.plan_states)
    if window.due_after is not None:
        conditions.append("p.due_at > %s")
        params.append(window.due_after)
    if window.due_before is not None:
        conditions.append("p.due_at <= %s" if window.inclusive_upper else "p.due_at < %s")
        params.append(window.due_before)

    sql = (
        f"INSERT INTO {notice_table} (period_id, kind, created_at, sent_at) "
        f"SELECT p.id, %s, %s, NULL FROM {period_table} p "
        f"JOIN {plan_table} pl ON pl.id = p.plan_id "
        f"WHERE {' AND '.join(conditions)} "
        f"AND NOT EXISTS (SELECT 1 FROM {report_table} r WHERE r.period_id = p.id) "
        "ON CONFLICT (period_id, kind) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def _participant_emails(organisation_id: int) -> list[str]:
    users = User.objects.filter(
        organisation_id=organisation_id, role=UserRole.PARTICIPANT, is_active=True
    ).exclude(email="")
    return list(users.order_by("username").values_list("email", flat=True))


def _raise_escalations(notices, now) -> list:
    """Escalate each plan behind escalation notices; return the escalations raised."""
    from escalation.services import escalation_raise_for_no_engagement

    periods_by_plan = defaultdict(list)
    for notice in notices:
        if notice.kind == ChaseKind.ESCALATION:
            periods_by_plan[notice.period.plan_id].append(notice.period)
    raised = []
    for plan_id, periods in periods_by_plan.items():
        escalation = escalation_raise_for_no_engagement(plan_id=plan_id, periods=periods, now=now)
        if escalation is not None:
            raised.append(escalation)
    return raised


def _deliver_organisation(*, organisation_id: int, now, mail_connection, result: ChaseResult):
    """Deliver the organisation's unsent notices in one transaction (see the module docstring)."""
    with transaction.atomic():
        notices = list(
            ChaseNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(sent_at__isnull=True, period__plan__organisation_id=organisation_id)
            .select_related("period__plan__organisation")
            .annotate(has_report=Exists(Report.objects.filter(period_id=OuterRef("period_id"))))
            .order_by("period__due_at", "id")
        )
        if not notices:
            return
        # A report submitted after the claim, or a period excused since, needs no
        # e-mail; the notice is closed without one.
        live = [n for n in notices if not n.has_report and n.period.excused_at is None]

        escalations = _raise_escalations(live, now)
        escalated_plans = {e.plan_id for e in escalations}
        live = [
            n for n in live if n.kind != ChaseKind.ESCALATION or n.period.plan_id in escalated_plans
        ]

        recipients = _participant_emails(organisation_id)
        recipients += [n.period.plan.contact_email for n in live if n.period.plan.contact_email]
        recipients = list(dict.fromkeys(recipients))
        if live and recipients:
            organisation = live[0].period.plan.organisation
            context = {
                "organisation": organisation,
                "notices": live,
                "zone": settings.WORKOFF_REPORT_TIME_ZONE,
            }
            message = EmailMessage(
                subject=" ".join(
                    render_to_string("emails/reporting/chase_subject.txt", context).split()
                ),
                body=render_to_string("emails/reporting/chase_body.txt", context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients,
                connection=mail_connection,
            )
            message.send()
        elif live:
            logger.warning("chase notices have no recipient organisation_id=%s", organisation_id)

        ChaseNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=timezone.now())

    for notice in live:
        if notice.kind != ChaseKind.ESCALATION:
            key = COUNT_KEYS[notice.kind]
            setattr(result, key, getattr(result, key) + 1)
    result.escalations += len(escalations)


def chase_run(*, now: dt.datetime | None = None) -> ChaseResult:
    """Run the chase once as of `now` (default the current time) and return its counts.

    Safe to run any number of times and from several workers at once.
    Raises ChaseDeliveryFailed, after trying every organisation, if sending
    to any of them failed; their notices stay unsent for the next run.
    """
    now = now or timezone.now()
    result = ChaseResult()
    logger.info("report chase started now=%s", now.isoformat())

    result.periods_created = schedule_extend(now=now)
    for kind, window in chase_windows(now).items():
        _claim(kind=kind, window=window, now=now)

    organisation_ids = list(
        ChaseNotice.objects.filter(sent_at__isnull=True)
        .values_list("period__plan__organisation_id", flat=True)
        .order_by()
        .distinct()
    )
    mail_connection = get_connection()
    for organisation_id in sorted(organisation_ids):
        try:
            _deliver_organisation(
                organisation_id=organisation_id,
                now=now,
                mail_connection=mail_connection,
                result=result,
            )
        except (smtplib.SMTPException, OSError):
            logger.exception("chase delivery failed organisation_id=%s", organisation_id)
            result.failed_organisations.append(organisation_id)

    logger.info(
        "report chase finished reminders=%s overdue=%s second=%s escalations=%s failed=%s",
        result.reminders,
        result.overdue_notices,
        result.second_notices,
        result.escalations,
        len(result.failed_organisations),
    )
    if result.failed_organisations:
        raise ChaseDeliveryFailed(
            f"Sending chase e-mails failed for organisations {result.failed_organisations}; "
            "their notices stay unsent and the next run retries them."
        )
    return result
