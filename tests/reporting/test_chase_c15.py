"""Chase e-mails stay exactly-once under repeated runs, redelivery and restarts.

Three plans, one per demo organisation, each with a report due 2027-03-26
17:00 GMT and none submitted; the chase job runs daily at 09:00 London.
"""

import datetime as dt
import io
import json
import re
import threading
import time
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection

from plans.choices import ReportingInterval, Route
from reporting.models import ChaseKind, ChaseNotice, ReportingPeriod
from reporting.services import chase_run
from reporting.tasks import chase_reports

from .support import load_users, make_plan

DUE = dt.datetime(2027, 3, 26, 17, 0, tzinfo=dt.UTC)
RUN = dt.datetime(2027, 3, 27, 9, 0, tzinfo=dt.UTC)
NOTHING = {"reminders": 0, "overdue_notices": 0, "second_notices": 0, "escalations": 0}
THREE_OVERDUE = {**NOTHING, "overdue_notices": 3}


def make_c15_plans():
    """Create the three plans with their report due 2027-03-26 17:00 GMT."""
    load_users()
    plans = [
        # Fortnightly from 12 March, monthly from 26 February, weekly from 19 March.
        make_plan(
            participant_id="NWEL",
            interval=ReportingInterval.FORTNIGHTLY,
            started_at=dt.datetime(2027, 3, 12, 10, 0, tzinfo=dt.UTC),
        ),
        make_plan(
            participant_id="BWDS",
            interval=ReportingInterval.MONTHLY,
            route=Route.QAD,
            started_at=dt.datetime(2027, 2, 26, 10, 0, tzinfo=dt.UTC),
        ),
        make_plan(
            participant_id="ASHD",
            interval=ReportingInterval.WEEKLY,
            route=Route.QT,
            started_at=dt.datetime(2027, 3, 19, 10, 0, tzinfo=dt.UTC),
        ),
    ]
    for plan in plans:
        assert ReportingPeriod.objects.filter(plan=plan, due_at=DUE).count() == 1
    return plans


def run_command(now: dt.datetime) -> dict:
    out = io.StringIO()
    with time_machine.travel(now, tick=False):
        call_command("chase_reports", "--now", now.isoformat(), "--json", stdout=out)
    return json.loads(out.getvalue())


def overdue_rows():
    return ChaseNotice.objects.filter(kind=ChaseKind.OVERDUE)


@pytest.fixture
def c15_plans(db):
    return make_c15_plans()


def test_first_run_sends_three_overdue_notices(c15_plans):
    assert run_command(RUN) == THREE_OVERDUE
    assert len(mail.outbox) == 3
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert "contact-nwel@example.org" in recipients
    assert "participant@example.org" in recipients
    assert overdue_rows().filter(sent_at__isnull=False).count() == 3


def test_second_run_sends_nothing(c15_plans):
    run_command(RUN)
    assert run_command(RUN) == NOTHING
    assert len(mail.outbox) == 3


def test_redelivered_task_sends_nothing_more(c15_plans):
    with time_machine.travel(RUN, tick=False):
        first = chase_reports.apply(kwargs={"now": RUN.isoformat()}).get()
        # The same message delivered again, as Redis does after the
        # visibility timeout or when a worker dies before acknowledging.
        second = chase_reports.apply(kwargs={"now": RUN.isoformat()}).get()
    assert first == THREE_OVERDUE
    assert second == NOTHING
    assert len(mail.outbox) == 3
    assert overdue_rows().count() == 3


def test_beat_outage_is_caught_up_by_next_run(c15_plans):
    # Beat is down from 08:50 to 09:20 London (GMT on this day), so the 09:00
    # run never happens. Nothing is sent until the next run, whenever it is.
    assert len(mail.outbox) == 0
    assert run_command(dt.datetime(2027, 3, 27, 9, 20, tzinfo=dt.UTC)) == THREE_OVERDUE
    assert run_command(dt.datetime(2027, 3, 28, 9, 0, tzinfo=dt.UTC)) == NOTHING
    assert len(mail.outbox) == 3


def test_outage_of_whole_day_is_caught_up_next_day(c15_plans):
    # The 27th is lost entirely; the 28th's run (now BST) still sends the overdue notices.
    assert run_command(dt.datetime(2027, 3, 28, 8, 0, tzinfo=dt.UTC)) == THREE_OVERDUE
    assert len(mail.outbox) == 3


class WorkerKilled(BaseException):
    """Stands for the worker process dying: nothing after it runs."""


def test_worker_killed_after_first_notice(c15_plans, monkeypatch):
    original_send = EmailMessage.send
    sent = []

    def send_then_die(self, *args, **kwargs):
        if sent:
            raise WorkerKilled
        sent.append(self.to)
        return original_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with time_machine.travel(RUN, tick=False), pytest.raises(WorkerKilled):
        chase_run(now=RUN)
    assert len(mail.outbox) == 1
    assert overdue_rows().count() == 3
    assert overdue_rows().filter(sent_at__isnull=False).count() == 1

    monkeypatch.setattr(EmailMessage, "send", original_send)
    assert run_command(RUN + dt.timedelta(minutes=5)) == {**NOTHING, "overdue_notices": 2}
    assert len(mail.outbox) == 3
    first_recipients = mail.outbox[0].to
    assert all(message.to != first_recipients for message in mail.outbox[1:])
    assert overdue_rows().filter(sent_at__isnull=True).count() == 0


def test_rerun_mid_day_after_reenabling_sends_nothing(c15_plans):
    # Re-enabling a disabled periodic task can fire an extra run at once.
    run_command(RUN)
    assert run_command(dt.datetime(2027, 3, 27, 13, 37, tzinfo=dt.UTC)) == NOTHING
    assert len(mail.outbox) == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_at_once_send_each_notice_once(monkeypatch):
    make_c15_plans()
    original_send = EmailMessage.send

    def slow_send(self, *args, **kwargs):
        # Holds the organisation's rows locked long enough for the other
        # thread to reach them.
        time.sleep(0.2)
        return original_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow_send)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(chase_run(now=RUN).counts())
        except Exception as error:  # reported below, so the test fails with it
            errors.append(error)
        finally:
            connection.close()

    with time_machine.travel(RUN, tick=True):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert sum(r["overdue_notices"] for r in results) == 3
    assert len(mail.outbox) == 3
    assert sorted(tuple(m.to) for m in mail.outbox) == sorted(set(tuple(m.to) for m in mail.outbox))
    assert overdue_rows().count() == 3
    assert overdue_rows().filter(sent_at__isnull=True).count() == 0


CODE_DIRS = ("reporting", "escalation", "plans", "workoff")


def test_no_countdown_or_eta_beyond_visibility_timeout(settings):
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"apply_async\([^)]*\b(countdown|eta)\s*=")
    offenders = []
    for folder in CODE_DIRS:
        for path in (root / folder).rglob("*.py"):
            if pattern.search(path.read_text()):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 3600
    assert chase_reports.retry_backoff_max < 3600
