"""What a chase e-mail contains, and which notices it leaves out.

The plans belong to the demo organisation NWEL, renamed to carry an "&" so
that the plain-text e-mail shows whether it was HTML-escaped. Reports fall
due at 17:00 London time; the clocks go forward on 28 March 2027.
"""

import datetime as dt
import smtplib
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.choices import ReportingInterval, Route
from plans.models import Organisation
from reporting.models import ChaseKind, ChaseNotice, ReportingPeriod
from reporting.services import ChaseDeliveryFailed, chase_run, report_submit

from .support import lines_for, load_users, make_plan

LONDON = ZoneInfo("Europe/London")
ORGANISATION_NAME = "Northwind & Sons Energy"
NOTHING = {"reminders": 0, "overdue_notices": 0, "second_notices": 0, "escalations": 0}
# Weekly plans started on this Friday fall due on 19 and 26 March and 2 April.
WEEKLY_START = dt.datetime(2027, 3, 12, 10, 0, tzinfo=dt.UTC)
FOOTER = "\n\nSubmit reports on the Work Off Plans site under Reports.\n\n"


def at_london(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)


def run_chase(now: dt.datetime):
    with time_machine.travel(now, tick=False):
        return chase_run(now=now)


@pytest.fixture
def users(db):
    users = load_users()
    Organisation.objects.filter(participant_id="NWEL").update(name=ORGANISATION_NAME)
    return users


def test_body_lists_each_kind_in_london_time(users):
    weekly = make_plan(participant_id="NWEL", started_at=WEEKLY_START)
    # Monthly from Thursday 25 February: due 25 March, then 25 April.
    monthly = make_plan(
        participant_id="NWEL",
        route=Route.QAD,
        interval=ReportingInterval.MONTHLY,
        started_at=dt.datetime(2027, 2, 25, 10, 0, tzinfo=dt.UTC),
    )

    # The first chase run since the plans started: both are past their grace
    # period, and the weekly one also has a second notice and a reminder due.
    result = run_chase(at_london(dt.date(2027, 3, 31), 9))

    assert result.counts() == {
        "reminders": 1,
        "overdue_notices": 0,
        "second_notices": 1,
        "escalations": 2,
    }
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["participant@example.org", "contact-nwel@example.org"]
    assert message.subject == f"Work Off Plans: reports to submit for {ORGANISATION_NAME}"
    escalated = (
        "the grace period has passed without a report, so the plan has been escalated "
        "for lack of engagement."
    )
    assert message.body == (
        f"Dear {ORGANISATION_NAME},\n"
        f"\n- Plan #{weekly.pk} (Testing Work Off Plan, SIT), report 1 due 19 March 2027 "
        f"17:00 GMT: {escalated}"
        f"\n- Plan #{monthly.pk} (QAD Action Plan, QAD), report 1 due 25 March 2027 "
        f"17:00 GMT: {escalated}"
        f"\n- Plan #{weekly.pk} (Testing Work Off Plan, SIT), report 2 due 26 March 2027 "
        "17:00 GMT: second notice, the report is still missing."
        f"\n- Plan #{weekly.pk} (Testing Work Off Plan, SIT), report 3 due 2 April 2027 "
        "17:00 BST: reminder, the report falls due soon." + FOOTER
    )


def test_body_repeats_shared_due_time(users):
    plans = [make_plan(participant_id="NWEL", started_at=WEEKLY_START) for _ in range(3)]

    result = run_chase(at_london(dt.date(2027, 3, 20), 9))

    assert result.overdue_notices == 3
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Work Off Plans: reports to submit for {ORGANISATION_NAME}"
    header = f"Dear {ORGANISATION_NAME},\n\n"
    assert message.body.startswith(header)
    assert message.body.endswith(FOOTER)
    lines = message.body.removeprefix(header).removesuffix(FOOTER).split("\n")
    # Notices due at the same time follow their ids, which the claim assigns in no set order.
    assert sorted(lines) == sorted(
        f"- Plan #{plan.pk} (Testing Work Off Plan, SIT), report 1 due 19 March 2027 "
        "17:00 GMT: overdue, submit it now."
        for plan in plans
    )


def test_subject_singular_for_one_notice(users):
    make_plan(participant_id="NWEL", started_at=WEEKLY_START)

    run_chase(at_london(dt.date(2027, 3, 20), 9))

    assert [m.subject for m in mail.outbox] == [
        f"Work Off Plans: report to submit for {ORGANISATION_NAME}"
    ]


def excuse_period(period, users):
    excused_at = at_london(dt.date(2027, 3, 20), 10)
    ReportingPeriod.objects.filter(pk=period.pk).update(excused_at=excused_at)


def submit_report(period, users):
    with time_machine.travel(at_london(dt.date(2027, 3, 20), 10), tick=False):
        report_submit(period_id=period.pk, actor=users["participant"], lines=lines_for(period.plan))


@pytest.mark.parametrize("settle", [submit_report, excuse_period], ids=["report", "excused"])
def test_notice_closed_without_email(users, monkeypatch, settle):
    plan = make_plan(participant_id="NWEL", started_at=WEEKLY_START)
    period = ReportingPeriod.objects.get(plan=plan, sequence=1)
    original_send = EmailMessage.send

    def disconnect(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection closed")

    # The first run claims the overdue notice but cannot send it.
    monkeypatch.setattr(EmailMessage, "send", disconnect)
    with pytest.raises(ChaseDeliveryFailed):
        run_chase(at_london(dt.date(2027, 3, 20), 9))
    notice = ChaseNotice.objects.get(period=period, kind=ChaseKind.OVERDUE)
    assert notice.sent_at is None

    settle(period, users)
    monkeypatch.setattr(EmailMessage, "send", original_send)
    retry_at = at_london(dt.date(2027, 3, 20), 11)
    result = run_chase(retry_at)

    assert result.counts() == NOTHING
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.sent_at == retry_at


@pytest.mark.parametrize("plan_count", [1, 6])
def test_query_count_ignores_plan_count(users, plan_count):
    for _ in range(plan_count):
        make_plan(participant_id="NWEL", started_at=WEEKLY_START)
    now = at_london(dt.date(2027, 3, 20), 9)

    with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as queries:
        result = chase_run(now=now)

    assert result.overdue_notices == plan_count
    assert len(mail.outbox) == 1
    # Extending the schedules (2), claiming each kind (4), listing the unsent
    # notices, their organisations and participants (3), then for the one
    # organisation a savepoint, the lock, marking sent and the release (4).
    assert len(queries) == 13
