"""Automatic escalations are raised by the system, with the trigger on record and on the page."""

import datetime as dt

import pytest
from django.urls import reverse

from escalation.models import Escalation, EscalationReason
from escalation.services import escalation_raise_for_no_engagement
from plans.models import PlanEvent
from reporting.models import ReportingPeriod
from reporting.services import report_submit
from tests.reporting.support import lines_for


@pytest.fixture
def failed_report(users, bsc_plan):
    first_item = bsc_plan.items.order_by("position").first()
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    return report_submit(
        period_id=period.pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, failing_item_ids={first_item.pk}),
    )


def test_workaround_failure_raised_by_system(users, bsc_plan, failed_report):
    escalation = Escalation.objects.get(plan=bsc_plan)
    assert escalation.reason == EscalationReason.WORKAROUND_FAILURE
    assert escalation.raised_by is None
    assert escalation.trigger == {
        "kind": "workaround_failure",
        "report_id": failed_report.pk,
        "period_sequence": 2,
        "item_references": ["WO-1"],
    }
    event = PlanEvent.objects.get(plan=bsc_plan, action="escalation.raised")
    assert event.actor is None
    assert event.data["raised_by"] == "system"
    assert event.data["trigger"] == escalation.trigger
    submitted = PlanEvent.objects.get(plan=bsc_plan, action="reporting.report_submitted")
    assert submitted.actor == users["participant"]


def test_workaround_trigger_shown_on_page(client, users, bsc_plan, failed_report):
    escalation = Escalation.objects.get(plan=bsc_plan)
    client.force_login(users["pab"])
    page = client.get(reverse("escalation:detail", args=[escalation.pk]))
    text = page.content.decode()
    assert "Raised automatically: report 2 said the workaround for WO-1 no longer mitigates" in text
    assert reverse("reporting:report_detail", args=[failed_report.pk]) in text


def test_no_engagement_raised_by_system(users, bsc_plan):
    periods = list(ReportingPeriod.objects.filter(plan=bsc_plan, sequence=1))
    now = dt.datetime(2027, 1, 21, 9, 0, tzinfo=dt.UTC)
    escalation = escalation_raise_for_no_engagement(plan_id=bsc_plan.pk, periods=periods, now=now)
    assert escalation.raised_by is None
    assert escalation.trigger == {
        "kind": "report_missing",
        "period_id": periods[0].pk,
        "period_sequence": 1,
        "due_at": "2027-01-15T17:00:00+00:00",
        # Five local days of grace after the due time.
        "deadline": "2027-01-20T17:00:00+00:00",
    }
    event = PlanEvent.objects.get(plan=bsc_plan, action="escalation.raised")
    assert event.actor is None
    assert event.data["trigger"] == escalation.trigger
    assert event.data["period_ids"] == [periods[0].pk]


def test_no_engagement_trigger_shown_on_page(client, users, bsc_plan):
    periods = list(ReportingPeriod.objects.filter(plan=bsc_plan, sequence=1))
    escalation = escalation_raise_for_no_engagement(
        plan_id=bsc_plan.pk, periods=periods, now=dt.datetime(2027, 1, 21, 9, 0, tzinfo=dt.UTC)
    )
    client.force_login(users["osm"])
    page = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert (
        "Raised automatically: report for period 1 not received by 20 Jan 2027 17:00 GMT"
        in page.content.decode()
    )
    listing = client.get(reverse("escalation:list")).content.decode()
    assert "automatically" in listing
    assert "the chase job" not in listing


def test_manual_escalation_names_its_raiser(client, users, bsc_plan):
    from escalation.services import escalation_raise_manual

    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")
    assert escalation.trigger == {}
    client.force_login(users["osm"])
    page = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert "by Olivia Stone" in page.content.decode()
    assert "Raised automatically" not in page.content.decode()
