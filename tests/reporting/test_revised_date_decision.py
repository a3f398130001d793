"""Deciding a revised fix date e-mails the participant and audits the item and both dates."""

import datetime as dt

import pytest
from django.core import mail

from plans.models import PlanEvent
from reporting.models import ReportingPeriod
from reporting.services import report_line_decide, report_submit

from .support import lines_for

REVISED = dt.date(2027, 12, 15)


@pytest.fixture
def pending_line(users, bsc_plan):
    item = bsc_plan.items.order_by("position").first()
    report = report_submit(
        period_id=ReportingPeriod.objects.get(plan=bsc_plan, sequence=1).pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, revised={item.pk: (REVISED, "Vendor release slipped.")}),
    )
    return report.lines.get(item=item)


@pytest.mark.parametrize(("accept", "decision"), [(True, "accepted"), (False, "refused")])
def test_decision_emails_participant(
    users, bsc_plan, pending_line, accept, decision, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_line_decide(line_id=pending_line.pk, actor=users["osm"], accept=accept)
    sent = [m for m in mail.outbox if "revised fix date" in m.subject]
    assert sorted(address for m in sent for address in m.to) == [
        "contact-nwel@example.org",
        "participant@example.org",
    ]
    assert sent[0].subject == (
        f"Work Off Plans: revised fix date for WO-1 {decision} on plan #{bsc_plan.pk}"
    )
    assert "15 December 2027" in sent[0].body
    assert "30 September 2027 is unchanged" in sent[0].body


@pytest.mark.parametrize(("accept", "decision"), [(True, "accepted"), (False, "refused")])
def test_decision_audit_names_item_and_dates(users, bsc_plan, pending_line, accept, decision):
    report_line_decide(line_id=pending_line.pk, actor=users["osm"], accept=accept)
    event = PlanEvent.objects.get(plan=bsc_plan, action=f"reporting.revised_date_{decision}")
    assert event.actor == users["osm"]
    assert event.data == {
        "report_id": pending_line.report_id,
        "item_id": pending_line.item_id,
        "item": "WO-1",
        "revised_fix_date": "2027-12-15",
        "agreed_fix_date": "2027-09-30",
    }
