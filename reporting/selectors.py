"""Reads for the reporting pages, each a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from plans.choices import UserRole
from plans.permissions import plans_visible_to

from .models import (
    Report,
    ReportEvidence,
    ReportingPeriod,
    ReportLine,
    ReportRoute,
    ReportStatus,
)
from .services.reports import REVIEWER_ROLE
from .services.schedule import REPORTING_STATES

# Roles that may open any report besides its participant and its reviewer.
REPORT_READERS = frozenset({UserRole.ELEXON, UserRole.ADMIN})
# The board that may open a route's reports, because it hears that path's
# escalations: the BSC PAB for BSC-route reports, the REC PAB for REC ones.
BOARD_READER = {ReportRoute.BSC: UserRole.PAB, ReportRoute.REC: UserRole.REC_PAB}


def periods_for_plans(plans, *, now=None) -> dict[str, list]:
    """Return the periods of `plans` that are due, late or reported, as three lists.

    due: started, not reported, due time not passed; late: due time passed
    without a report (excused periods included, marked); submitted: reported.
    """
    now = now or timezone.now()
    periods = (
        ReportingPeriod.objects.filter(plan__in=plans, period_start__lte=now)
        .select_related("plan__organisation", "report")
        .order_by("due_at", "plan_id")
    )
    grouped = {"due": [], "late": [], "submitted": []}
    for period in periods:
        report = getattr(period, "report", None)
        if report is not None:
            grouped["submitted"].append(period)
        elif period.due_at < now:
            grouped["late"].append(period)
        else:
            grouped["due"].append(period)
    grouped["submitted"].reverse()
    return grouped


def periods_for_participant(user, *, now=None) -> dict[str, list]:
    plans = plans_visible_to(user).filter(state__in=REPORTING_STATES)
    return periods_for_plans(plans, now=now)


def period_get_for_participant(*, user, period_id: int) -> ReportingPeriod:
    """Return the period if its plan is visible to `user`, else raise Http404."""
    return get_object_or_404(
        ReportingPeriod.objects.select_related("plan__organisation"),
        pk=period_id,
        plan__in=plans_visible_to(user),
    )


def report_queue_for_reviewer(user):
    """Return (awaiting, handled) reports of the reviewer's route, newest first."""
    route = {role: route for route, role in REVIEWER_ROLE.items()}[user.role]
    reports = (
        Report.objects.filter(route=route, plan__in=plans_visible_to(user))
        .select_related("plan__organisation", "period", "submitted_by")
        .annotate(
            failing_count=Count("lines", filter=Q(lines__workaround_mitigates=False)),
            revised_count=Count("lines", filter=Q(lines__revised_date_decision="pending")),
        )
        .order_by("-submitted_at", "-id")
    )
    awaiting, handled = [], []
    for report in reports:
        (
            awaiting
            if report.status in (ReportStatus.SUBMITTED, ReportStatus.ANSWERED)
            else handled
        ).append(report)
    return awaiting, handled


def report_get_for_user(*, user, report_id: int) -> Report:
    """Return the report with lines, files and messages if its plan is visible, else Http404."""
    lines = ReportLine.objects.select_related("item", "revised_date_decided_by").prefetch_related(
        "evidence_files"
    )
    queryset = Report.objects.select_related(
        "plan__organisation", "period", "submitted_by"
    ).prefetch_related(Prefetch("lines", queryset=lines), "messages__author")
    return get_object_or_404(queryset, pk=report_id, plan__in=plans_visible_to(user))


def can_read_report(user, report) -> bool:
    if user.role == UserRole.PARTICIPANT:
        return user.organisation_id == report.plan.organisation_id
    return (
        user.role == REVIEWER_ROLE[report.route]
        or user.role == BOARD_READER[report.route]
        or user.role in REPORT_READERS
    )


def evidence_get_for_user(*, user, evidence_id: int) -> ReportEvidence:
    return get_object_or_404(
        ReportEvidence.objects.select_related("line__report__plan"),
        pk=evidence_id,
        line__report__plan__in=plans_visible_to(user),
    )
