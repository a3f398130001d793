"""Hearing dates are today or later, and outcomes wait for the hearing day."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from escalation.models import Escalation, EscalationStatus, Hearing
from escalation.services import (
    escalation_raise_manual,
    escalation_record_outcome,
    escalation_refer_to_rec_pab,
    escalation_set_hearing,
)

# The test clock is at 16 January 2027.
TODAY = dt.date(2027, 1, 16)
HEARING = dt.date(2027, 2, 4)


@pytest.fixture
def raised(users, bsc_plan):
    return escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")


@pytest.fixture
def heard(users, raised):
    escalation_set_hearing(escalation_id=raised.pk, actor=users["pab"], hearing_date=HEARING)
    return raised


@pytest.mark.parametrize("hearing_date", [dt.date(2001, 1, 1), TODAY - dt.timedelta(days=1)])
def test_past_hearing_date_is_refused(users, raised, hearing_date):
    with pytest.raises(ValidationError) as error:
        escalation_set_hearing(
            escalation_id=raised.pk, actor=users["pab"], hearing_date=hearing_date
        )
    assert "hearing_date" in error.value.message_dict
    assert not Hearing.objects.filter(escalation=raised).exists()


def test_hearing_today_is_accepted(users, raised):
    hearing = escalation_set_hearing(
        escalation_id=raised.pk, actor=users["pab"], hearing_date=TODAY
    )
    assert hearing.hearing_date == TODAY


def test_past_rec_pab_meeting_is_refused(users, rec_plan):
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    with pytest.raises(ValidationError):
        escalation_refer_to_rec_pab(
            escalation_id=escalation.pk, actor=users["reccm"], hearing_date=dt.date(2001, 1, 1)
        )
    assert Escalation.objects.get(pk=escalation.pk).status == EscalationStatus.RAISED


def test_hearing_form_shows_past_date_error(client, users, raised):
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:hearing", args=[raised.pk]), {"hearing_date": "2001-01-01"}
    )
    assert response.status_code == 400
    errors = response.context["hearing_form"].errors["hearing_date"]
    assert errors == [
        "The hearing date 01/01/2001 is in the past; give today (16/01/2027) or a later date."
    ]
    assert b"is in the past" in response.content
    assert Escalation.objects.get(pk=raised.pk).status == EscalationStatus.RAISED


def test_outcome_before_hearing_day_is_refused(users, clock, heard):
    with pytest.raises(ValidationError):
        escalation_record_outcome(
            escalation_id=heard.pk, actor=users["pab"], outcome="return", comment="Early."
        )
    assert Escalation.objects.get(pk=heard.pk).status == EscalationStatus.HEARING_SET
    # 00:30 on the hearing day in London is the first moment an outcome counts.
    clock.move_to(dt.datetime(2027, 2, 4, 0, 30, tzinfo=dt.UTC))
    escalation_record_outcome(
        escalation_id=heard.pk, actor=users["pab"], outcome="return", comment="Heard."
    )
    assert Escalation.objects.get(pk=heard.pk).status == EscalationStatus.RETURNED


def test_outcome_form_shows_early_error(client, users, heard):
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:outcome", args=[heard.pk]), {"outcome": "refer", "comment": "Early."}
    )
    assert response.status_code == 400
    assert response.context["outcome_form"].non_field_errors() == [
        "The hearing is on 04/02/2027; its outcome can be recorded from that day on."
    ]
    escalation = Escalation.objects.get(pk=heard.pk)
    assert escalation.status == EscalationStatus.HEARING_SET
    assert escalation.hearing.outcome == ""


def test_hearing_a_year_ahead_is_accepted(users, raised):
    hearing = escalation_set_hearing(
        escalation_id=raised.pk, actor=users["pab"], hearing_date=dt.date(2028, 1, 16)
    )
    assert hearing.hearing_date == dt.date(2028, 1, 16)


@pytest.mark.parametrize("hearing_date", [dt.date(2028, 1, 17), dt.date(9999, 12, 31)])
def test_hearing_over_a_year_ahead_is_refused(users, raised, hearing_date):
    with pytest.raises(ValidationError) as error:
        escalation_set_hearing(
            escalation_id=raised.pk, actor=users["pab"], hearing_date=hearing_date
        )
    assert error.value.message_dict["hearing_date"] == [
        f"The hearing date {hearing_date:%d/%m/%Y} is more than a year ahead; "
        "give a date up to 16/01/2028."
    ]
    assert not Hearing.objects.filter(escalation=raised).exists()


def test_far_hearing_form_shows_error(client, users, raised):
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:hearing", args=[raised.pk]), {"hearing_date": "9999-12-31"}
    )
    assert response.status_code == 400
    assert response.context["hearing_form"].errors["hearing_date"] == [
        "The hearing date 31/12/9999 is more than a year ahead; give a date up to 16/01/2028."
    ]
    assert Escalation.objects.get(pk=raised.pk).status == EscalationStatus.RAISED


def test_far_rec_pab_meeting_is_refused(client, users, rec_plan):
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    client.force_login(users["reccm"])
    response = client.post(
        reverse("escalation:hearing", args=[escalation.pk]), {"hearing_date": "2028-02-01"}
    )
    assert response.status_code == 400
    assert "more than a year ahead" in response.context["rec_pab_form"].errors["hearing_date"][0]
    assert Escalation.objects.get(pk=escalation.pk).status == EscalationStatus.RAISED


def test_latest_hearing_date_after_leap_day():
    from escalation.services import latest_hearing_date

    assert latest_hearing_date(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)
