"""Escalation statuses read in words on the plan page, and closed ones get a calm badge."""

import datetime as dt

from django.urls import reverse

from escalation.services import (
    escalation_raise_manual,
    escalation_record_compliance,
    escalation_record_outcome,
    escalation_set_hearing,
)


def test_plan_banner_names_hearing_date(client, users, bsc_plan):
    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")
    escalation_set_hearing(
        escalation_id=escalation.pk, actor=users["pab"], hearing_date=dt.date(2027, 2, 4)
    )
    client.force_login(users["participant"])
    page = client.get(reverse("plans:plan_detail", args=[bsc_plan.pk])).content.decode()
    assert "Escalated (raised by a reviewer): BSC PAB hearing set for 04/02/2027." in " ".join(
        page.split()
    )
    assert "(pab hearing set)" not in page


def test_compliant_badge_is_green(client, users, clock, bsc_plan):
    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")
    escalation_set_hearing(
        escalation_id=escalation.pk, actor=users["pab"], hearing_date=dt.date(2027, 2, 4)
    )
    clock.move_to(dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC))
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["pab"], outcome="refer", comment="Referred."
    )
    escalation_record_compliance(
        escalation_id=escalation.pk, actor=users["pab"], comment="Reports resumed."
    )
    client.force_login(users["pab"])
    page = client.get(reverse("escalation:detail", args=[escalation.pk])).content.decode()
    assert (
        '<span class="badge text-bg-success" data-testid="escalation-status">'
        "Compliant again after referral</span>"
    ) in page
    listing = client.get(reverse("escalation:list")).content.decode()
    assert '<span class="badge text-bg-success">Compliant again after referral</span>' in listing


def test_rec_pab_sees_why_raised_waits(client, users, rec_plan):
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    client.force_login(users["recpab"])
    response = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert response.status_code == 200
    assert response.context["waiting_note"] == (
        "Raised; waiting for the REC Code Manager to refer it to the REC PAB."
    )
    assert 'data-testid="escalation-waiting"' in response.content.decode()
    assert response.context["outcome_form"] is None


def test_rec_code_manager_sees_form_not_note(client, users, rec_plan):
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    client.force_login(users["reccm"])
    response = client.get(reverse("escalation:detail", args=[escalation.pk]))
    assert response.context["rec_pab_form"] is not None
    assert response.context["waiting_note"] == ""
