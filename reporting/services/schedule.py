"""Creating and extending the reporting periods of plans in monitoring."""

import logging

from django.db.models import Count, Max, Q
from django.utils import timezone

from plans.choices import PlanState
from plans.models import Plan

from ..models import ReportingPeriod
from ..schedule import due_date, local_date, local_moment

logger = logging.getLogger(__name__)

# Each plan in monitoring keeps this many periods that have not yet fallen
# due, so its page can show what is coming. The chase job tops them up.
PERIODS_AHEAD = 3
# Plans in these states still owe reports.
REPORTING_STATES = (PlanState.MONITORING, PlanState.ESCALATED)
INSERT_BATCH_SIZE = 1000


def _periods_for(*, plan_id, interval, started_at, after_sequence, future_count, now):
    """Build the unsaved periods that follow `after_sequence` until enough are in the future."""
    start_day = local_date(started_at)
    periods = []
    sequence = after_sequence
    while future_count < PERIODS_AHEAD:
        sequence += 1
        if sequence == 1:
            period_start = started_at
        else:
            period_start = local_moment(
                due_date(start=start_day, interval=interval, sequence=sequence - 1)
            )
        due_at = local_moment(due_date(start=start_day, interval=interval, sequence=sequence))
        periods.append(
            ReportingPeriod(
                plan_id=plan_id, sequence=sequence, period_start=period_start, due_at=due_at
            )
        )
        if due_at > now:
            future_count += 1
    return periods


def schedule_start(*, plan, actor) -> list[ReportingPeriod]:
    """Create the first reporting periods of a plan that has just entered monitoring.

    Called inside the lifecycle's transaction, after the transition, so the
    periods commit or roll back with it. Does nothing when the plan already
    has periods (it has been in monitoring before) or names no interval.
    """
    if plan.reporting_interval is None:
        logger.warning("reporting schedule not started plan_id=%s reason=no_interval", plan.pk)
        return []
    if ReportingPeriod.objects.filter(plan=plan).exists():
        return []

    now = timezone.now()
    periods = _periods_for(
        plan_id=plan.pk,
        interval=plan.reporting_interval,
        started_at=plan.monitoring_started_at or now,
        after_sequence=0,
        future_count=0,
        now=now,
    )
    ReportingPeriod.objects.bulk_create(periods)
    logger.info(
        "reporting schedule started plan_id=%s periods=%s actor_id=%s",
        plan.pk,
        len(periods),
        getattr(actor, "pk", None),
    )
    return periods


def schedule_extend(*, now) -> int:
    """Create periods so every reporting plan has PERIODS_AHEAD not yet due, and return the count.

    One query finds the plans short of periods, whatever the number of
    periods. Inserts go in batches and skip a sequence another run created.
    """
    short = (
        Plan.objects.filter(
            state__in=REPORTING_STATES,
            reporting_interval__isnull=False,
            monitoring_started_at__isnull=False,
        )
        .annotate(
            future_count=Count("reporting_periods", filter=Q(reporting_periods__due_at__gt=now)),
            last_sequence=Max("reporting_periods__sequence"),
        )
        .filter(future_count__lt=PERIODS_AHEAD)
        .values_list(
            "pk", "reporting_interval", "monitoring_started_at", "last_sequence", "future_count"
        )
    )
    periods = []
    for plan_id, interval, started_at, last_sequence, future_count in short:
        periods += _periods_for(
            plan_id=plan_id,
            interval=interval,
            started_at=started_at,
            after_sequence=last_sequence or 0,
            future_count=future_count,
            now=now,
        )
    ReportingPeriod.objects.bulk_create(
        periods, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True
    )
    if periods:
        logger.info("reporting periods extended count=%s", len(periods))
    return len(periods)


def periods_excuse_unreported(*, plan, now, actor) -> int:
    """Stop chasing the plan's periods already due without a report; return how many.

    Used when the PAB returns a plan to monitoring: its decision covers the
    reports missed until then. A late report for them is still accepted.
    """
    count = ReportingPeriod.objects.filter(
        plan=plan, due_at__lte=now, report__isnull=True, excused_at__isnull=True
    ).update(excused_at=now)
    logger.info(
        "reporting periods excused plan_id=%s count=%s actor_id=%s",
        plan.pk,
        count,
        getattr(actor, "pk", None),
    )
    return count
