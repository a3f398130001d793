"""Due times of reporting periods across a year and both clock changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from plans.choices import ReportingInterval
from reporting.models import ReportingPeriod
from reporting.schedule import add_months, due_date
from reporting.services import schedule_extend

from .support import load_users, make_plan

LONDON = ZoneInfo("Europe/London")
# 2027 clock changes in the UK: BST starts 28 March, ends 31 October.
BST_START = dt.date(2027, 3, 28)
BST_END = dt.date(2027, 10, 31)
START = dt.datetime(2027, 1, 8, 10, 0, tzinfo=dt.UTC)  # a Friday
YEAR_LATER = dt.datetime(2028, 1, 8, 10, 0, tzinfo=dt.UTC)


def expected_utc_hour(day: dt.date) -> int:
    return 16 if BST_START <= day < BST_END else 17


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("interval", "step_days", "count"),
    [(ReportingInterval.WEEKLY, 7, 52), (ReportingInterval.FORTNIGHTLY, 14, 26)],
)
def test_year_of_due_times_stays_at_17_london(interval, step_days, count):
    load_users()
    plan = make_plan(interval=interval, started_at=START)
    schedule_extend(now=YEAR_LATER)

    periods = list(ReportingPeriod.objects.filter(plan=plan, due_at__lte=YEAR_LATER))
    assert len(periods) == count
    previous_due = START
    for index, period in enumerate(periods, start=1):
        day = dt.date(2027, 1, 8) + dt.timedelta(days=step_days * index)
        local = period.due_at.astimezone(LONDON)
        utc = period.due_at.astimezone(dt.UTC)
        assert period.sequence == index
        assert local.date() == day
        assert (local.hour, local.minute) == (17, 0)
        assert utc.date() == day
        assert (utc.hour, utc.minute) == (expected_utc_hour(day), 0)
        assert period.period_start == previous_due
        previous_due = period.due_at


@pytest.mark.django_db
def test_due_times_either_side_of_clock_changes():
    load_users()
    plan = make_plan(interval=ReportingInterval.WEEKLY, started_at=START)
    schedule_extend(now=YEAR_LATER)
    due = {
        p.due_at.astimezone(LONDON).date(): p.due_at.astimezone(dt.UTC)
        for p in ReportingPeriod.objects.filter(plan=plan)
    }
    assert due[dt.date(2027, 3, 26)] == dt.datetime(2027, 3, 26, 17, 0, tzinfo=dt.UTC)
    assert due[dt.date(2027, 4, 2)] == dt.datetime(2027, 4, 2, 16, 0, tzinfo=dt.UTC)
    assert due[dt.date(2027, 10, 29)] == dt.datetime(2027, 10, 29, 16, 0, tzinfo=dt.UTC)
    assert due[dt.date(2027, 11, 5)] == dt.datetime(2027, 11, 5, 17, 0, tzinfo=dt.UTC)


def test_monthly_due_dates_clamp_to_month_end():
    start = dt.date(2027, 1, 31)
    days = [due_date(start=start, interval="monthly", sequence=n) for n in range(1, 5)]
    assert days == [
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 31),
    ]
    assert add_months(dt.date(2027, 12, 15), 2) == dt.date(2028, 2, 15)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)


@pytest.mark.django_db
def test_schedule_start_keeps_three_periods_ahead():
    load_users()
    plan = make_plan(interval=ReportingInterval.FORTNIGHTLY, started_at=START)
    sequences = list(ReportingPeriod.objects.filter(plan=plan).values_list("sequence", flat=True))
    assert sequences == [1, 2, 3]

    created = schedule_extend(now=dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC))
    assert created == 2
    assert schedule_extend(now=dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC)) == 0
    future = ReportingPeriod.objects.filter(
        plan=plan, due_at__gt=dt.datetime(2027, 2, 10, 9, 0, tzinfo=dt.UTC)
    )
    assert future.count() == 3
