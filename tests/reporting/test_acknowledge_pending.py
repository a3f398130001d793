"""A report is acknowledged only once every revised fix date in it has been decided."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting.models import Report, ReportingPeriod, ReportStatus
from reporting.services import report_acknowledge, report_line_decide, report_query, report_submit

from .support import lines_for


@pytest.fixture
def report_with_two_revisions(users, bsc_plan):
    first, second = list(bsc_plan.items.order_by("position"))[:2]
    revised = {
        first.pk: (dt.date(2027, 12, 15), "Vendor release slipped."),
        second.pk: (dt.date(2027, 12, 20), "Test window moved."),
    }
    return report_submit(
        period_id=ReportingPeriod.objects.get(plan=bsc_plan, sequence=1).pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, revised=revised),
    )


def test_acknowledge_refused_while_dates_pending(users, report_with_two_revisions):
    report = report_with_two_revisions
    with pytest.raises(ValidationError) as error:
        report_acknowledge(report_id=report.pk, actor=users["osm"])
    assert error.value.messages == [
        "The report cannot be acknowledged yet: the revised fix dates for WO-1 and WO-2 still "
        "await your decision. Accept or refuse each revised date first, or send the "
        "participant a query."
    ]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_acknowledge_names_only_undecided_item(users, report_with_two_revisions):
    report = report_with_two_revisions
    first_line = report.lines.get(item__reference="WO-1")
    report_line_decide(line_id=first_line.pk, actor=users["osm"], accept=True)
    with pytest.raises(ValidationError) as error:
        report_acknowledge(report_id=report.pk, actor=users["osm"])
    assert "the revised fix date for WO-2 still awaits your decision" in error.value.messages[0]


def test_acknowledge_after_every_decision(users, report_with_two_revisions):
    report = report_with_two_revisions
    for line in report.lines.exclude(revised_fix_date=None):
        report_line_decide(line_id=line.pk, actor=users["osm"], accept=False)
    report_acknowledge(report_id=report.pk, actor=users["osm"])
    assert Report.objects.get(pk=report.pk).status == ReportStatus.ACKNOWLEDGED


def test_query_allowed_while_dates_pending(users, report_with_two_revisions):
    report = report_with_two_revisions
    report_query(report_id=report.pk, actor=users["osm"], comment="Why did the window move?")
    assert Report.objects.get(pk=report.pk).status == ReportStatus.QUERIED


def test_acknowledge_page_shows_pending_items(client, users, report_with_two_revisions):
    report = report_with_two_revisions
    client.force_login(users["osm"])
    response = client.post(
        reverse("reporting:report_review", args=[report.pk]),
        {"action": "acknowledge", "comment": ""},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    assert len(shown) == 1
    assert "revised fix dates for WO-1 and WO-2 still await your decision" in shown[0]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
