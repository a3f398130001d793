"""Compliance after a referral waits for the reports to show every workaround mitigating."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from escalation.models import Escalation, EscalationStatus
from escalation.services import (
    escalation_raise_manual,
    escalation_record_compliance,
    escalation_record_outcome,
    escalation_set_hearing,
)
from plans.models import Plan, PlanEvent
from reporting.models import ReportingPeriod
from reporting.services import report_submit, schedule_extend
from tests.reporting.support import lines_for

HEARING = dt.date(2027, 2, 4)
ON_HEARING_DAY = dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC)
AFTER_REFERRAL = dt.datetime(2027, 2, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def referred(users, clock, bsc_plan):
    escalation = escalation_raise_manual(
        plan_id=bsc_plan.pk, actor=users["osm"], comment="No contact."
    )
    escalation_set_hearing(escalation_id=escalation.pk, actor=users["pab"], hearing_date=HEARING)
    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["pab"], outcome="refer", comment="Referred."
    )
    return Escalation.objects.get(pk=escalation.pk)


def _report_next_period(plan, participant, failing_item_ids=()):
    schedule_extend(now=timezone.now())
    period = (
        ReportingPeriod.objects.filter(
            plan=plan, report__isnull=True, period_start__lte=timezone.now()
        )
        .order_by("sequence")
        .first()
    )
    return report_submit(
        period_id=period.pk,
        actor=participant,
        lines=lines_for(plan, failing_item_ids=failing_item_ids),
    )


def test_failing_report_after_referral_blocks_compliance(users, clock, bsc_plan, referred):
    clock.move_to(AFTER_REFERRAL)
    first_item = bsc_plan.items.order_by("position").first()
    report = _report_next_period(bsc_plan, users["participant"], {first_item.pk})
    assert list(referred.reports.all()) == [report]

    with pytest.raises(ValidationError) as error:
        escalation_record_compliance(
            escalation_id=referred.pk, actor=users["pab"], comment="Reports resumed."
        )
    assert error.value.messages == [
        f"Compliance cannot be recorded yet: report {report.period.sequence}, submitted on "
        "10/02/2027 after the referral, says the workaround for WO-1 no longer mitigates. "
        "Record compliance once a later report shows every workaround mitigating again."
    ]
    assert Escalation.objects.get(pk=referred.pk).status == EscalationStatus.REFERRED
    assert Plan.objects.get(pk=bsc_plan.pk).state == "escalated"


def test_later_mitigating_report_allows_compliance(users, clock, bsc_plan, referred):
    clock.move_to(AFTER_REFERRAL)
    first_item = bsc_plan.items.order_by("position").first()
    _report_next_period(bsc_plan, users["participant"], {first_item.pk})
    clock.move_to(AFTER_REFERRAL + dt.timedelta(days=1))
    _report_next_period(bsc_plan, users["participant"])

    escalation_record_compliance(
        escalation_id=referred.pk, actor=users["pab"], comment="Workaround holds again."
    )
    assert Escalation.objects.get(pk=referred.pk).status == EscalationStatus.COMPLIANT
    assert Plan.objects.get(pk=bsc_plan.pk).state == "monitoring"


def test_compliance_form_shows_failing_report(client, users, clock, bsc_plan, referred):
    clock.move_to(AFTER_REFERRAL)
    first_item = bsc_plan.items.order_by("position").first()
    _report_next_period(bsc_plan, users["participant"], {first_item.pk})
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:compliance", args=[referred.pk]), {"comment": "Resumed."}
    )
    assert response.status_code == 400
    errors = response.context["compliance_form"].non_field_errors()
    assert len(errors) == 1
    assert "no longer mitigates" in errors[0]
    assert Escalation.objects.get(pk=referred.pk).status == EscalationStatus.REFERRED


def test_repeated_compliance_post_says_already_recorded(client, users, clock, bsc_plan, referred):
    clock.move_to(dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC))
    client.force_login(users["pab"])
    url = reverse("escalation:compliance", args=[referred.pk])
    first = client.post(url, {"comment": "Resumed."}, follow=True)
    assert [str(message) for message in first.context["messages"]] == [
        "Compliance recorded; the plan is back in monitoring."
    ]
    events = PlanEvent.objects.filter(plan=bsc_plan).count()

    response = client.post(url, {"comment": "Resumed again."}, follow=True)
    assert response.redirect_chain == [(reverse("escalation:detail", args=[referred.pk]), 302)]
    shown = [str(message) for message in response.context["messages"]]
    name = users["pab"].get_full_name() or users["pab"].username
    assert shown == [f"Compliance was already recorded on 01/03/2027 by {name}; nothing changed."]
    assert PlanEvent.objects.filter(plan=bsc_plan).count() == events
    escalation = Escalation.objects.get(pk=referred.pk)
    assert escalation.compliance_comment == "Resumed."


def test_step_on_returned_escalation_says_closed(client, users, clock, bsc_plan):
    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")
    escalation_set_hearing(escalation_id=escalation.pk, actor=users["pab"], hearing_date=HEARING)
    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["pab"], outcome="return", comment="Heard."
    )
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:outcome", args=[escalation.pk]),
        {"outcome": "refer", "comment": "Again."},
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    name = users["pab"].get_full_name() or users["pab"].username
    assert shown == [
        f"This escalation was closed on 04/02/2027, when {name} returned the plan to "
        "monitoring; nothing changed."
    ]
    assert Escalation.objects.get(pk=escalation.pk).hearing.outcome == "return"
