"""The report chase: reminders, overdue notices, second notices and escalations.

Each run selects periods by window ("due on or before this moment and not yet
noticed"), never by exact date, so a run missed during an outage is caught up
by the next one. Exactly-once rests on ChaseNotice's unique (period, kind):

1. claim: one INSERT ... SELECT ... ON CONFLICT DO NOTHING per kind inserts a
   notice row for every period in the kind's window. A concurrent run that
   inserts the same row inserts nothing.
2. deliver: one query lists the unsent notices by organisation. Then each
   organisation gets one transaction that locks its notices still unsent
   (SKIP LOCKED, so two runs never take the same row), escalates where due,
   sends one e-mail listing them and sets sent_at.

A worker that dies after claiming leaves unsent rows, and the next run
delivers them. If a worker dies after the mail server accepted a message
but before the commit, the next run sends that message again. In that
narrow window, delivery is at-least-once.

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
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from plans.choices import PlanKind, PlanState, UserRole
from plans.models import Organisation, Plan, User

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
    """Bounds on due_at (UTC) for one kind of notice. A bound of None means unbounded."""

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
    """Insert a notice of `kind` for every unreported period in `window` and return the count."""
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


# Minimum number of claimed rows after which the run refreshes the notice
# table's statistics. An ordinary day's claim is far smaller and needs no refresh.
ANALYZE_AFTER_CLAIMED = 5_000

# Text after the due time on a notice's line of the e-mail.
NOTICE_TEXT = {
    ChaseKind.REMINDER: "reminder, the report falls due soon.",
    ChaseKind.OVERDUE: "overdue, submit it now.",
    ChaseKind.SECOND: "second notice, the report is still missing.",
    ChaseKind.ESCALATION: (
        "the grace period has passed without a report, so the plan has been escalated "
        "for lack of engagement."
    ),
}
# Django date format of the local due time on a line, e.g. "19 March 2027 17:00 GMT".
DUE_FORMAT = "j F Y H:i T"


@dataclass(frozen=True)
class LockedNotice:
    """An unsent notice locked by this run, with what its e-mail line needs.

    The fields are in the order of the columns of the lock query.
    """

    id: int
    kind: str
    period_id: int
    plan_id: int
    sequence: int
    due_at: dt.datetime
    plan_kind: str
    route: str
    contact_email: str
    # False once the period has a report or was excused, so the notice closes without an e-mail.
    live: bool


def _unsent_by_organisation() -> dict[int, list[int]]:
    """Return the ids of every unsent notice, grouped by the plan's organisation."""
    rows = (
        ChaseNotice.objects.filter(sent_at__isnull=True)
        .values_list("period__plan__organisation_id", "id")
        .order_by()
    )
    notice_ids = defaultdict(list)
    for organisation_id, notice_id in rows:
        notice_ids[organisation_id].append(notice_id)
    return notice_ids


def _participant_emails(organisation_ids) -> dict[int, list[str]]:
    """Return the e-mail addresses of each organisation's active participants."""
    users = (
        User.objects.filter(
            organisation_id__in=organisation_ids, role=UserRole.PARTICIPANT, is_active=True
        )
        .exclude(email="")
        .order_by("username")
        .values_list("organisation_id", "email")
    )
    emails = defaultdict(list)
    for organisation_id, email in users:
        emails[organisation_id].append(email)
    return emails


def _lock_notices(*, organisation_id: int, notice_ids: list[int]) -> list[LockedNotice]:
    """Lock those of `notice_ids` still unsent and not locked by another run.

    The rows are found by primary key because a filter on the plan's
    organisation alone let PostgreSQL read every unsent notice once per
    organisation whenever its statistics predated a large claim.
    """
    sql = (
        "SELECT n.id, n.kind, n.period_id, p.plan_id, p.sequence, p.due_at, "
        "pl.kind, pl.route, pl.contact_email, "
        "p.excused_at IS NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {Report._meta.db_table} r WHERE r.period_id = n.period_id) "
        f"FROM {ChaseNotice._meta.db_table} n "
        f"JOIN {ReportingPeriod._meta.db_table} p ON p.id = n.period_id "
        f"JOIN {Plan._meta.db_table} pl ON pl.id = p.plan_id "
        "WHERE n.id = ANY(%s) AND n.sent_at IS NULL AND pl.organisation_id = %s "
        "ORDER BY p.due_at, n.id "
        "FOR UPDATE OF n SKIP LOCKED"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [notice_ids, organisation_id])
        return [LockedNotice(*row) for row in cursor.fetchall()]


def _mark_sent(notice_ids: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ChaseNotice._meta.db_table} SET sent_at = %s WHERE id = ANY(%s)",
            [timezone.now(), notice_ids],
        )


def _raise_escalations(notices: list[LockedNotice], now) -> list:
    """Escalate each plan behind escalation notices and return the escalations raised."""
    from escalation.services import escalation_raise_for_no_engagement

    period_ids = [n.period_id for n in notices if n.kind == ChaseKind.ESCALATION]
    if not period_ids:
        return []
    periods_by_plan = defaultdict(list)
    for period in ReportingPeriod.objects.filter(pk__in=period_ids).order_by("due_at", "id"):
        periods_by_plan[period.plan_id].append(period)
    raised = []
    for plan_id, periods in periods_by_plan.items():
        escalation = escalation_raise_for_no_engagement(plan_id=plan_id, periods=periods, now=now)
        if escalation is not None:
            raised.append(escalation)
    return raised


def _notice_lines(notices: list[LockedNotice]) -> list[str]:
    """Format one e-mail line per notice, converting each distinct due time once."""
    zone = report_zone()
    kind_labels = dict(PlanKind.choices)
    due_texts = {}
    lines = []
    for notice in notices:
        due_text = due_texts.get(notice.due_at)
        if due_text is None:
            due_text = date_format(notice.due_at.astimezone(zone), DUE_FORMAT)
            due_texts[notice.due_at] = due_text
        plan_kind = kind_labels.get(notice.plan_kind, notice.plan_kind)
        lines.append(
            f"Plan #{notice.plan_id} ({plan_kind}, {notice.route}), report {notice.sequence} "
            f"due {due_text}: {NOTICE_TEXT[notice.kind]}"
        )
    return lines


def _deliver_organisation(
    *,
    organisation,
    notice_ids: list[int],
    participant_emails: list[str],
    now,
    mail_connection,
    result: ChaseResult,
):
    """Deliver the organisation's unsent notices in one transaction (see the module docstring)."""
    with transaction.atomic():
        notices = _lock_notices(organisation_id=organisation.pk, notice_ids=notice_ids)
        if not notices:
            return
        # A report submitted after the claim, or a period excused since, needs no
        # e-mail, so the notice is closed without one.
        live = [n for n in notices if n.live]

        escalations = _raise_escalations(live, now)
        escalated_plans = {e.plan_id for e in escalations}
        live = [n for n in live if n.kind != ChaseKind.ESCALATION or n.plan_id in escalated_plans]

        recipients = participant_emails + [n.contact_email for n in live if n.contact_email]
        recipients = list(dict.fromkeys(recipients))
        if live and recipients:
            context = {"organisation": organisation, "lines": _notice_lines(live)}
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
            logger.warning("chase notices have no recipient organisation_id=%s", organisation.pk)

        _mark_sent([n.id for n in notices])

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
    claimed = sum(
        _claim(kind=kind, window=window, now=now) for kind, window in chase_windows(now).items()
    )
    if claimed >= ANALYZE_AFTER_CLAIMED and connection.vendor == "postgresql":
        # The lock query's plan depends on how many notices are unsent. Right
        # after a large claim the statistics still describe the table before
        # it, and PostgreSQL then picks a plan that is ten times slower
        # (measured with benchmarks/chase_bench.py: 100,000 notices took
        # 18.5 s before this refresh and 4.4 s after it).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ChaseNotice._meta.db_table}")

    notice_ids = _unsent_by_organisation()
    organisations = Organisation.objects.in_bulk(list(notice_ids))
    participant_emails = _participant_emails(list(notice_ids))
    mail_connection = get_connection()
    for organisation_id in sorted(notice_ids):
        try:
            _deliver_organisation(
                organisation=organisations[organisation_id],
                notice_ids=notice_ids[organisation_id],
                participant_emails=participant_emails.get(organisation_id, []),
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
