"""A failed workaround on a plan already escalated joins its escalation, named in the message."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from escalation.models import Escalation, EscalationStatus
from escalation.services import (
    escalation_raise_manual,
    escalation_record_outcome,
    escalation_set_hearing,
)
from plans.models import Plan, PlanEvent
from reporting.models import ReportingPeriod
from reporting.services import report_submit
from tests.reporting.support import lines_for

HEARING = dt.date(2027, 2, 4)


@pytest.fixture
def escalated(users, bsc_plan):
    escalation = escalation_raise_manual(
        plan_id=bsc_plan.pk, actor=users["osm"], comment="No contact."
    )
    escalation_set_hearing(escalation_id=escalation.pk, actor=users["pab"], hearing_date=HEARING)
    return escalation


def _failing_lines(plan):
    return lines_for(plan, failing_item_ids={plan.items.order_by("position").first().pk})


def test_failing_report_joins_open_escalation(
    users, bsc_plan, escalated, django_capture_on_commit_callbacks
):
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_submit(
            period_id=period.pk, actor=users["participant"], lines=_failing_lines(bsc_plan)
        )

    assert report.escalation_outcome.raised is False
    assert report.escalation_outcome.escalation == escalated
    assert Escalation.objects.filter(plan=bsc_plan).count() == 1
    assert Plan.objects.get(pk=bsc_plan.pk).state == "escalated"
    escalation = Escalation.objects.get(pk=escalated.pk)
    assert escalation.status == EscalationStatus.HEARING_SET
    assert list(escalation.reports.all()) == [report]
    assert period in escalation.periods.all()

    event = PlanEvent.objects.filter(plan=bsc_plan).order_by("-id").first()
    assert event.action == "escalation.report_added"
    assert event.actor is None
    assert event.data == {
        "escalation_id": escalated.pk,
        "report_id": report.pk,
        "period_sequence": 2,
        "item_references": ["WO-1"],
    }

    board_mail = [m for m in mail.outbox if "added to the escalation" in m.subject]
    assert [m.to for m in board_mail] == [["pab@example.org"]]
    osm_mail = [m for m in mail.outbox if m.to == ["osm@example.org"]]
    assert len(osm_mail) == 1
    assert f"this report was added to escalation {escalated.pk}" in osm_mail[0].body
    assert "has been escalated" not in osm_mail[0].body


def test_report_page_message_names_existing_escalation(client, users, bsc_plan, escalated):
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    data = {}
    for item in bsc_plan.items.order_by("position"):
        prefix = f"item-{item.pk}"
        data |= {
            f"{prefix}-workaround_mitigates": "no" if item.position == 0 else "yes",
            f"{prefix}-evidence": "Exceptions missed.",
            f"{prefix}-fix_progress": "In test.",
            f"{prefix}-confidence": "Low",
        }
    client.force_login(users["participant"])
    response = client.post(reverse("reporting:report_new", args=[period.pk]), data, follow=True)
    texts = [str(message) for message in response.context["messages"]]
    assert texts == [
        "Report submitted. A workaround no longer mitigates; the plan is already escalated, "
        f"so this report was added to escalation {escalated.pk}."
    ]


def test_failing_report_joins_referred_escalation(users, clock, bsc_plan, escalated):
    clock.move_to(dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC))
    escalation_record_outcome(
        escalation_id=escalated.pk, actor=users["pab"], outcome="refer", comment="Referred."
    )
    # Period 1 was missed before the hearing; a late report is still accepted.
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=1)
    report = report_submit(
        period_id=period.pk, actor=users["participant"], lines=_failing_lines(bsc_plan)
    )
    assert report.escalation_outcome.escalation == escalated
    assert Escalation.objects.filter(plan=bsc_plan).count() == 1
    assert list(Escalation.objects.get(pk=escalated.pk).reports.all()) == [report]
