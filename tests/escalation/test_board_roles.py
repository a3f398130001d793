"""Which board acts on which path: the BSC PAB on BSC-path escalations, the REC PAB on REC ones."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from escalation.models import Escalation, EscalationStatus
from escalation.services import (
    escalation_raise_manual,
    escalation_record_compliance,
    escalation_record_outcome,
    escalation_refer_to_rec_pab,
    escalation_set_hearing,
)
from plans.models import Plan

HEARING = dt.date(2027, 2, 4)
ON_HEARING_DAY = dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def bsc_raised(users, bsc_plan):
    return escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="No contact.")


@pytest.fixture
def rec_raised(users, rec_plan):
    return escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="Silent.")


@pytest.fixture
def bsc_heard(users, bsc_raised):
    escalation_set_hearing(escalation_id=bsc_raised.pk, actor=users["pab"], hearing_date=HEARING)
    return bsc_raised


@pytest.fixture
def rec_heard(users, rec_raised):
    escalation_refer_to_rec_pab(
        escalation_id=rec_raised.pk, actor=users["reccm"], hearing_date=HEARING
    )
    return rec_raised


ROLES = ("pab", "recpab", "elexon", "osm", "reccm", "admin", "participant", "participant2")


@pytest.mark.parametrize("username", ROLES)
def test_bsc_hearing_setters(users, bsc_raised, username):
    allowed = username in {"pab", "elexon"}
    if allowed:
        escalation_set_hearing(
            escalation_id=bsc_raised.pk, actor=users[username], hearing_date=HEARING
        )
        assert Escalation.objects.get(pk=bsc_raised.pk).status == EscalationStatus.HEARING_SET
    else:
        with pytest.raises(PermissionDenied):
            escalation_set_hearing(
                escalation_id=bsc_raised.pk, actor=users[username], hearing_date=HEARING
            )
        assert Escalation.objects.get(pk=bsc_raised.pk).status == EscalationStatus.RAISED


@pytest.mark.parametrize(
    ("path", "allowed_user"),
    [("bsc", "pab"), ("rec", "recpab")],
)
@pytest.mark.parametrize("username", ROLES)
def test_outcome_and_compliance_by_board_of_path(
    request, users, clock, path, allowed_user, username
):
    escalation = request.getfixturevalue(f"{path}_heard")
    clock.move_to(ON_HEARING_DAY)
    if username != allowed_user:
        with pytest.raises(PermissionDenied):
            escalation_record_outcome(
                escalation_id=escalation.pk, actor=users[username], outcome="refer", comment="x"
            )
        assert Escalation.objects.get(pk=escalation.pk).is_open
        return
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users[username], outcome="refer", comment="Referred."
    )
    for other in ROLES:
        if other == allowed_user:
            continue
        with pytest.raises(PermissionDenied):
            escalation_record_compliance(
                escalation_id=escalation.pk, actor=users[other], comment="Compliant."
            )
    escalation_record_compliance(
        escalation_id=escalation.pk, actor=users[username], comment="Compliant."
    )
    assert Escalation.objects.get(pk=escalation.pk).status == EscalationStatus.COMPLIANT


@pytest.mark.parametrize("username", ["pab", "recpab", "osm", "elexon"])
def test_rec_referral_is_for_rec_code_manager_only(users, rec_raised, username):
    with pytest.raises(PermissionDenied):
        escalation_refer_to_rec_pab(
            escalation_id=rec_raised.pk, actor=users[username], hearing_date=HEARING
        )


def _recipients(outbox, subject_part):
    return {
        address for message in outbox if subject_part in message.subject for address in message.to
    }


def test_bsc_path_emails_go_to_bsc_pab(users, bsc_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="No contact.")
    recipients = _recipients(mail.outbox, "escalated")
    assert "pab@example.org" in recipients
    assert "recpab@example.org" not in recipients
    assert "osm@example.org" in recipients


def test_rec_path_emails_go_to_rec_pab(users, clock, rec_plan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_raise_manual(
            plan_id=rec_plan.pk, actor=users["reccm"], comment="Silent."
        )
        escalation_refer_to_rec_pab(
            escalation_id=escalation.pk, actor=users["reccm"], hearing_date=HEARING
        )
    clock.move_to(ON_HEARING_DAY)
    with django_capture_on_commit_callbacks(execute=True):
        escalation_record_outcome(
            escalation_id=escalation.pk, actor=users["recpab"], outcome="return", comment="OK."
        )
    for subject_part in ("escalated", "REC PAB meeting", "outcome"):
        recipients = _recipients(mail.outbox, subject_part)
        assert "recpab@example.org" in recipients, subject_part
        assert "pab@example.org" not in recipients, subject_part
        assert "reccm@example.org" in recipients, subject_part
    assert Plan.objects.get(pk=rec_plan.pk).state == "monitoring"


@pytest.mark.parametrize(
    ("username", "bsc_status", "rec_status"),
    [
        ("pab", 200, 403),
        ("recpab", 403, 200),
        ("osm", 200, 403),
        ("elexon", 200, 403),
        ("reccm", 403, 200),
        ("admin", 200, 200),
        ("participant", 200, 404),
        ("participant2", 404, 200),
        ("mhhsp", 403, 403),
    ],
)
def test_detail_page_by_role_and_path(
    client, users, bsc_raised, rec_raised, username, bsc_status, rec_status
):
    client.force_login(users[username])
    bsc = client.get(reverse("escalation:detail", args=[bsc_raised.pk]))
    rec = client.get(reverse("escalation:detail", args=[rec_raised.pk]))
    assert (bsc.status_code, rec.status_code) == (bsc_status, rec_status)


def test_outcome_form_by_board(client, users, clock, bsc_heard, rec_heard):
    clock.move_to(ON_HEARING_DAY)
    client.force_login(users["recpab"])
    page = client.get(reverse("escalation:detail", args=[rec_heard.pk]))
    assert page.context["outcome_form"] is not None
    client.force_login(users["pab"])
    page = client.get(reverse("escalation:detail", args=[bsc_heard.pk]))
    assert page.context["outcome_form"] is not None
    response = client.post(
        reverse("escalation:outcome", args=[rec_heard.pk]), {"outcome": "return", "comment": "x"}
    )
    assert response.status_code == 403
    assert Escalation.objects.get(pk=rec_heard.pk).status == EscalationStatus.WITH_REC_PAB
