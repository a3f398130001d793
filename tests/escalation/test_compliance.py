"""After a referral the board records compliance, and the plan goes back to monitoring."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation.models import Escalation, EscalationStatus
from escalation.services import (
    EscalationChanged,
    escalation_raise_manual,
    escalation_record_compliance,
    escalation_record_outcome,
    escalation_refer_to_rec_pab,
    escalation_set_hearing,
)
from plans.models import Plan, PlanEvent
from reporting.models import ReportingPeriod

HEARING = dt.date(2027, 2, 4)
ON_HEARING_DAY = dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC)
COMPLIANT_DAY = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


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


def test_referral_keeps_plan_escalated_until_compliance(users, bsc_plan, referred):
    assert referred.status == EscalationStatus.REFERRED
    assert referred.is_active
    assert referred.closed_at is None
    assert Plan.objects.get(pk=bsc_plan.pk).state == "escalated"


def test_compliance_returns_plan_to_monitoring(
    users, clock, bsc_plan, referred, django_capture_on_commit_callbacks
):
    clock.move_to(COMPLIANT_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        escalation_record_compliance(
            escalation_id=referred.pk, actor=users["pab"], comment="Reports resumed in full."
        )

    plan = Plan.objects.get(pk=bsc_plan.pk)
    assert plan.state == "monitoring"
    escalation = Escalation.objects.get(pk=referred.pk)
    assert escalation.status == EscalationStatus.COMPLIANT
    assert escalation.compliance_recorded_by == users["pab"]
    assert escalation.compliance_comment == "Reports resumed in full."
    assert escalation.closed_at == escalation.compliance_recorded_at
    # The referral stays on record.
    assert escalation.hearing.outcome == "refer"
    assert escalation.hearing.outcome_by == users["pab"]

    event = PlanEvent.objects.filter(plan=plan).order_by("-id").first()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "escalation.compliance_recorded",
        "escalated",
        "monitoring",
        users["pab"],
    )
    assert event.data["escalation_id"] == referred.pk
    assert event.data["framework"] == "the BSC Performance Assurance Framework"
    excused = ReportingPeriod.objects.filter(plan=plan, excused_at__isnull=False)
    assert (
        excused.count()
        == ReportingPeriod.objects.filter(
            plan=plan, due_at__lte=COMPLIANT_DAY, report__isnull=True
        ).count()
    )

    recipients = {m.to[0] for m in mail.outbox if "after referral" in m.subject}
    assert {"participant@example.org", "contact-nwel@example.org", "pab@example.org"} <= recipients
    assert "osm@example.org" in recipients


def test_plan_can_be_escalated_again_after_compliance(users, clock, bsc_plan, referred):
    clock.move_to(COMPLIANT_DAY)
    escalation_record_compliance(escalation_id=referred.pk, actor=users["pab"], comment="Fine.")
    again = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="Again.")
    assert again.status == EscalationStatus.RAISED
    assert Plan.objects.get(pk=bsc_plan.pk).state == "escalated"


def test_compliance_needs_comment_and_referral(users, bsc_plan, referred):
    with pytest.raises(ValidationError):
        escalation_record_compliance(escalation_id=referred.pk, actor=users["pab"], comment=" ")
    escalation_record_compliance(escalation_id=referred.pk, actor=users["pab"], comment="Fine.")
    with pytest.raises(EscalationChanged):
        escalation_record_compliance(
            escalation_id=referred.pk, actor=users["pab"], comment="Again."
        )


def test_rec_pab_records_compliance_on_rec_path(users, clock, rec_plan):
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    escalation_refer_to_rec_pab(
        escalation_id=escalation.pk, actor=users["reccm"], hearing_date=HEARING
    )
    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["recpab"], outcome="refer", comment="REC PA."
    )
    escalation_record_compliance(
        escalation_id=escalation.pk, actor=users["recpab"], comment="Compliant."
    )
    assert Plan.objects.get(pk=rec_plan.pk).state == "monitoring"
    event = PlanEvent.objects.filter(plan=rec_plan).order_by("-id").first()
    assert event.data["framework"] == "REC Performance Assurance"


def test_compliance_form_on_page(client, users, bsc_plan, referred):
    client.force_login(users["pab"])
    page = client.get(reverse("escalation:detail", args=[referred.pk]))
    assert page.context["compliance_form"] is not None
    assert b"stays escalated until the BSC PAB records" in page.content
    response = client.post(
        reverse("escalation:compliance", args=[referred.pk]), {"comment": "Back on track."}
    )
    assert response.status_code == 302
    assert Plan.objects.get(pk=bsc_plan.pk).state == "monitoring"


def test_compliance_post_without_comment_shows_error(client, users, bsc_plan, referred):
    client.force_login(users["pab"])
    response = client.post(reverse("escalation:compliance", args=[referred.pk]), {"comment": ""})
    assert response.status_code == 400
    assert response.context["compliance_form"].errors["comment"]
    assert Plan.objects.get(pk=bsc_plan.pk).state == "escalated"
