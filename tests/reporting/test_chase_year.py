"""A year of daily chase runs: every notice on its day and on no other.

A weekly and a fortnightly plan start monitoring on Friday 8 January 2027.
Each report is submitted at noon on its due day, except for two periods per
plan, one either side of each clock change. Those go unreported until the
plan is escalated, and the PAB then returns the plan to monitoring at noon.
"""

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from escalation.models import Escalation, EscalationReason
from escalation.services import escalation_record_outcome, escalation_set_hearing
from plans.choices import ReportingInterval
from reporting.models import ChaseNotice, ReportingPeriod
from reporting.services import chase_run, report_submit

from .support import lines_for, load_users, make_plan

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2027, 1, 8, 10, 0, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2027, 1, 9)
LAST_DAY = dt.date(2028, 1, 7)
MISSED = {
    "weekly": {dt.date(2027, 3, 26), dt.date(2027, 10, 29)},
    "fortnightly": {dt.date(2027, 4, 2), dt.date(2027, 10, 29)},
}
# Days after the local due day on which each notice goes out, for a report
# never submitted: grace (5 days) ends at 17:00, so the escalation is the
# next morning's run.
OFFSETS = {"overdue": 1, "second": 3, "escalation": 6}


def at_london(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON).astimezone(dt.UTC)


def expected_events(plan, label):
    events = set()
    for period in ReportingPeriod.objects.filter(plan=plan):
        due_day = period.due_at.astimezone(LONDON).date()
        candidates = [("reminder", due_day - dt.timedelta(days=2))]
        if due_day in MISSED[label]:
            candidates += [(kind, due_day + dt.timedelta(days=n)) for kind, n in OFFSETS.items()]
        for kind, day in candidates:
            if FIRST_DAY <= day <= LAST_DAY:
                events.add((period.sequence, kind, day))
    return events


@pytest.mark.django_db
def test_year_of_daily_runs_sends_each_notice_on_its_day():
    users = load_users()
    plans = {
        "weekly": make_plan(
            participant_id="NWEL", interval=ReportingInterval.WEEKLY, started_at=START
        ),
        "fortnightly": make_plan(
            participant_id="ASHD", interval=ReportingInterval.FORTNIGHTLY, started_at=START
        ),
    }
    submitters = {"weekly": users["participant"], "fortnightly": users["participant2"]}
    label_of = {plan.pk: label for label, plan in plans.items()}
    seen_notice_ids = set()
    actual = defaultdict(set)
    escalation_days = defaultdict(list)
    mails_per_day = {}

    day = FIRST_DAY
    with time_machine.travel(at_london(day, 9), tick=False) as traveller:
        while day <= LAST_DAY:
            run_at = at_london(day, 9)
            traveller.move_to(run_at)
            before = len(mail.outbox)
            chase_run(now=run_at)
            mails_per_day[day] = len(mail.outbox) - before
            for notice in ChaseNotice.objects.exclude(pk__in=seen_notice_ids).select_related(
                "period"
            ):
                assert notice.sent_at is not None
                seen_notice_ids.add(notice.pk)
                label = label_of[notice.period.plan_id]
                actual[label].add((notice.period.sequence, notice.kind, day))

            traveller.move_to(at_london(day, 12))
            for label, plan in plans.items():
                due_today = ReportingPeriod.objects.filter(
                    plan=plan, due_at__date=day, report__isnull=True
                ).first()
                if due_today and day not in MISSED[label]:
                    report_submit(
                        period_id=due_today.pk, actor=submitters[label], lines=lines_for(plan)
                    )
            for escalation in Escalation.objects.filter(status="raised"):
                escalation_days[label_of[escalation.plan_id]].append(day)
                escalation_set_hearing(
                    escalation_id=escalation.pk, actor=users["pab"], hearing_date=day
                )
                escalation_record_outcome(
                    escalation_id=escalation.pk, actor=users["pab"], outcome="return", comment=""
                )
            day += dt.timedelta(days=1)

    for label, plan in plans.items():
        assert actual[label] == expected_events(plan, label), label
    assert escalation_days["weekly"] == [dt.date(2027, 4, 1), dt.date(2027, 11, 4)]
    assert escalation_days["fortnightly"] == [dt.date(2027, 4, 8), dt.date(2027, 11, 4)]
    assert Escalation.objects.filter(reason=EscalationReason.NO_ENGAGEMENT).count() == 4
    # One e-mail per organisation per run at most, and one per notice day.
    notice_days = defaultdict(set)
    for label in plans:
        for _sequence, _kind, day in actual[label]:
            notice_days[day].add(label)
    assert {d: n for d, n in mails_per_day.items() if n} == {
        d: len(labels) for d, labels in notice_days.items()
    }
    weekly_reminders = [e for e in actual["weekly"] if e[1] == "reminder"]
    assert len(weekly_reminders) == 52
