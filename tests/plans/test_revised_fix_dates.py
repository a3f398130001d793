"""Revised fix dates from reports, shown beside each item's agreed fix date."""

import datetime

import pytest
from django.urls import reverse

from plans.choices import PlanState
from reporting.models import Report, ReportingPeriod, ReportLine
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import make_plan, set_state

MOMENT = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)


def report_line(plan, item, sequence, *, revised, reason, decision, actor):
    period = ReportingPeriod.objects.create(
        plan=plan,
        sequence=sequence,
        period_start=MOMENT + datetime.timedelta(days=30 * (sequence - 1)),
        due_at=MOMENT + datetime.timedelta(days=30 * sequence),
    )
    report = Report.objects.create(
        period=period,
        plan=plan,
        route="BSC",
        submitted_by=actor,
        submitted_at=period.due_at - datetime.timedelta(days=1),
    )
    return ReportLine.objects.create(
        report=report,
        item=item,
        workaround_mitigates=True,
        evidence="Reconciliation shows no gaps.",
        fix_progress="Release in test.",
        confidence="Medium",
        revised_fix_date=revised,
        revised_date_reason=reason,
        revised_date_decision=decision,
    )


@pytest.fixture
def monitored(nwel, participant):
    """A plan in monitoring whose first item has one accepted and one proposed revision."""
    plan = set_state(make_plan(nwel, items=2), PlanState.MONITORING)
    item = plan.items.get(position=1)
    accepted = report_line(
        plan,
        item,
        1,
        revised=datetime.date(2027, 4, 12),
        reason="Supplier release moved by four weeks.",
        decision="accepted",
        actor=participant,
    )
    refused = report_line(
        plan,
        item,
        2,
        revised=datetime.date(2027, 6, 1),
        reason="Vendor capacity.",
        decision="refused",
        actor=participant,
    )
    proposed = report_line(
        plan,
        item,
        3,
        revised=datetime.date(2027, 5, 3),
        reason="Regression found in retest.",
        decision="pending",
        actor=participant,
    )
    return plan, item, accepted, refused, proposed


def test_item_page_shows_agreed_and_revised_dates(client, participant, monitored):
    plan, item, accepted, _refused, proposed = monitored
    client.force_login(participant)

    page = client.get(reverse("plans:item_detail", kwargs={"pk": plan.pk, "item_pk": item.pk}))
    cell = page.content.decode().split('data-field="expected_fix_date"')[1].split("</td>")[0]

    assert "01/03/2027" in cell
    assert "(agreed)" in cell
    assert "Revised 12/04/2027" in cell
    assert "Supplier release moved by four weeks." in cell
    assert f'href="/reports/{accepted.report_id}/"' in cell
    assert "report for period 1" in cell
    assert "Proposed 03/05/2027" in cell
    assert "Regression found in retest." in cell
    assert f'href="/reports/{proposed.report_id}/"' in cell
    assert "01/06/2027" not in cell


def test_plan_items_table_shows_revisions(client, participant, monitored):
    plan, _item, _accepted, _refused, _proposed = monitored
    client.force_login(participant)

    body = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).content.decode()
    rows = body.split('data-testid="item-row"')[1:]

    assert "Revised 12/04/2027" in rows[0]
    assert "Proposed 03/05/2027" in rows[0]
    assert "Vendor capacity." not in rows[0]
    assert "Revised" not in rows[1].split("</tr>")[0]
    assert "01/03/2027" in rows[1].split("</tr>")[0]
