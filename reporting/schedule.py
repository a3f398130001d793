"""Due dates of reporting periods: pure date arithmetic, no database.

Reports fall due at WORKOFF_REPORT_DUE_TIME local time (WORKOFF_REPORT_TIME_ZONE)
on each due day. Due days count whole calendar days from the local date on
which monitoring started, so a due time stays at 17:00 London time (the
default settings) on both sides of a clock change. Stored values are UTC.
"""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from plans.choices import ReportingInterval

INTERVAL_DAYS = {ReportingInterval.WEEKLY: 7, ReportingInterval.FORTNIGHTLY: 14}


def report_zone() -> ZoneInfo:
    return ZoneInfo(settings.WORKOFF_REPORT_TIME_ZONE)


def due_time() -> dt.time:
    hours, minutes = settings.WORKOFF_REPORT_DUE_TIME.split(":")
    return dt.time(int(hours), int(minutes))


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day `months` later, clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


def due_date(*, start: dt.date, interval: str, sequence: int) -> dt.date:
    """Return the local due date of period `sequence` (1 is the first) of a schedule.

    Monthly dates are counted from the start each time, so a schedule that
    starts on 31 January falls due on 28 (or 29) February and then 31 March.
    """
    if interval == ReportingInterval.MONTHLY:
        return add_months(start, sequence)
    return start + dt.timedelta(days=INTERVAL_DAYS[interval] * sequence)


def local_moment(day: dt.date, at: dt.time | None = None) -> dt.datetime:
    """Return the aware UTC datetime of local time `at` (default the due time) on `day`."""
    local = dt.datetime.combine(day, at or due_time(), tzinfo=report_zone())
    return local.astimezone(dt.UTC)


def local_midnight(day: dt.date) -> dt.datetime:
    """Return the UTC instant at which local `day` begins."""
    return local_moment(day, dt.time(0, 0))


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(report_zone()).date()
