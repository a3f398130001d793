"""Escalation paths (BSC and REC), roles on each step, and the pages' access rules."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from escalation.models import Escalation, EscalationStatus
from escalation.services import (
    escalation_raise_manual,
    escalation_record_outcome,
    escalation_refer_to_rec_pab,
    escalation_set_hearing,
    escalation_upload_presentation,
)
from plans.models import Plan, PlanEvent
from plans.services.transitions import PlanChanged
from reporting.models import ReportingPeriod

HEARING = dt.date(2027, 2, 4)
# A moment on the hearing day, from which its outcome may be recorded.
ON_HEARING_DAY = dt.datetime(2027, 2, 4, 15, 0, tzinfo=dt.UTC)


def state(plan):
    return Plan.objects.get(pk=plan.pk).state


def actions(plan):
    return list(
        PlanEvent.objects.filter(plan=plan, action__startswith="escalation.").values_list(
            "action", flat=True
        )
    )


@pytest.fixture
def bsc_escalation(users, bsc_plan):
    return escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="No contact.")


@pytest.fixture
def bsc_with_presentation(users, bsc_escalation):
    escalation_set_hearing(
        escalation_id=bsc_escalation.pk, actor=users["pab"], hearing_date=HEARING
    )
    upload = SimpleUploadedFile("explanation.pdf", b"%PDF-1.4 slides")
    escalation_upload_presentation(
        escalation_id=bsc_escalation.pk, actor=users["participant"], upload=upload
    )
    return Escalation.objects.get(pk=bsc_escalation.pk)


def test_bsc_path_referral_keeps_plan_escalated(users, clock, bsc_plan, bsc_with_presentation):
    escalation = bsc_with_presentation
    assert escalation.status == EscalationStatus.HEARING_SET
    presentation = escalation.hearing.presentations.get()
    assert presentation.original_name == "explanation.pdf"
    assert presentation.file.name.startswith(f"escalations/{bsc_plan.pk}/")
    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["pab"], outcome="refer", comment="Not satisfied."
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.REFERRED
    assert state(bsc_plan) == "escalated"
    assert actions(bsc_plan) == [
        "escalation.raised",
        "escalation.hearing_set",
        "escalation.presentation_uploaded",
        "escalation.referred",
    ]


def test_bsc_return_to_monitoring_excuses_missed_periods(
    users, clock, bsc_plan, bsc_with_presentation
):
    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=bsc_with_presentation.pk, actor=users["pab"], outcome="return", comment="OK."
    )
    assert state(bsc_plan) == "monitoring"
    excused = ReportingPeriod.objects.filter(plan=bsc_plan, excused_at__isnull=False)
    # Due 15, 22 and 29 January, all missed by the hearing on 4 February.
    assert list(excused.values_list("sequence", flat=True)) == [1, 2, 3]
    event = PlanEvent.objects.filter(plan=bsc_plan).last()
    assert (event.action, event.from_state, event.to_state) == (
        "escalation.returned_to_monitoring",
        "escalated",
        "monitoring",
    )


def test_rec_path_through_rec_pab(users, clock, rec_plan):
    with pytest.raises(PermissionDenied):
        escalation_raise_manual(plan_id=rec_plan.pk, actor=users["osm"], comment="x")
    escalation = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    assert escalation.path == "REC"
    with pytest.raises(PermissionDenied):
        escalation_set_hearing(
            escalation_id=escalation.pk, actor=users["pab"], hearing_date=HEARING
        )
    with pytest.raises(PermissionDenied):
        escalation_refer_to_rec_pab(
            escalation_id=escalation.pk, actor=users["pab"], hearing_date=HEARING
        )
    escalation_refer_to_rec_pab(
        escalation_id=escalation.pk, actor=users["reccm"], hearing_date=HEARING
    )
    clock.move_to(ON_HEARING_DAY)
    for username in ("reccm", "pab"):
        with pytest.raises(PermissionDenied):
            escalation_record_outcome(
                escalation_id=escalation.pk, actor=users[username], outcome="return", comment=""
            )
    escalation_record_outcome(
        escalation_id=escalation.pk, actor=users["recpab"], outcome="refer", comment="REC PA."
    )
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.REFERRED
    assert actions(rec_plan) == [
        "escalation.raised",
        "escalation.referred_to_rec_pab",
        "escalation.referred",
    ]


def test_bsc_raisers_are_osm_and_elexon(users, bsc_plan):
    with pytest.raises(PermissionDenied):
        escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["reccm"], comment="x")
    with pytest.raises(PermissionDenied):
        escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["pab"], comment="x")
    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["elexon"], comment="x")
    assert escalation.raised_by == users["elexon"]
    with pytest.raises(PlanChanged):
        escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="again")


def test_second_open_escalation_is_refused_by_database(users, bsc_plan, bsc_escalation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Escalation.objects.create(plan=bsc_plan, reason="manual", path="BSC")


def test_outcome_twice_is_refused(users, clock, bsc_with_presentation):
    from escalation.services import EscalationChanged

    clock.move_to(ON_HEARING_DAY)
    escalation_record_outcome(
        escalation_id=bsc_with_presentation.pk, actor=users["pab"], outcome="refer", comment="x"
    )
    with pytest.raises(EscalationChanged):
        escalation_record_outcome(
            escalation_id=bsc_with_presentation.pk, actor=users["pab"], outcome="return", comment=""
        )


def test_other_organisation_cannot_upload_presentation(users, bsc_escalation):
    escalation_set_hearing(
        escalation_id=bsc_escalation.pk, actor=users["elexon"], hearing_date=HEARING
    )
    with pytest.raises(PermissionDenied):
        escalation_upload_presentation(
            escalation_id=bsc_escalation.pk,
            actor=users["participant2"],
            upload=SimpleUploadedFile("x.pdf", b"x"),
        )


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("pab", 200),
        ("recpab", 200),
        ("osm", 200),
        ("elexon", 200),
        ("reccm", 200),
        ("participant", 200),
        ("admin", 200),
        ("mhhsp", 403),
        ("qsp", 403),
        ("dip", 403),
    ],
)
def test_escalation_list_by_role(client, users, bsc_escalation, username, status):
    client.force_login(users[username])
    assert client.get(reverse("escalation:list")).status_code == status


def test_escalation_list_shows_only_own_path_and_organisation(
    client, users, bsc_escalation, rec_plan
):
    rec = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    expected = {
        "pab": {bsc_escalation.pk},
        "recpab": {rec.pk},
        "admin": {bsc_escalation.pk, rec.pk},
        "osm": {bsc_escalation.pk},
        "reccm": {rec.pk},
        "participant": {bsc_escalation.pk},
        "participant2": {rec.pk},
        "participant3": set(),
    }
    for username, ids in expected.items():
        client.force_login(users[username])
        response = client.get(reverse("escalation:list"))
        assert {e.pk for e in response.context["open_list"]} == ids, username


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("pab", 200),
        ("participant", 200),
        ("participant2", 404),
        ("reccm", 403),
        ("recpab", 403),
        ("mhhsp", 403),
    ],
)
def test_escalation_detail_by_user(client, users, bsc_escalation, username, status):
    client.force_login(users[username])
    response = client.get(reverse("escalation:detail", args=[bsc_escalation.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("pab", 200),
        ("participant", 200),
        ("osm", 200),
        ("participant2", 404),
        ("reccm", 403),
        ("recpab", 403),
    ],
)
def test_presentation_download_by_user(client, users, bsc_with_presentation, username, status):
    client.force_login(users[username])
    response = client.get(
        reverse("escalation:presentation_download", args=[bsc_with_presentation.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("osm", 403),
        ("elexon", 403),
        ("recpab", 403),
        ("participant", 403),
        ("participant2", 404),
    ],
)
def test_outcome_post_refuses_wrong_user(
    client, users, clock, bsc_with_presentation, username, status
):
    clock.move_to(ON_HEARING_DAY)
    client.force_login(users[username])
    response = client.post(
        reverse("escalation:outcome", args=[bsc_with_presentation.pk]),
        {"outcome": "return", "comment": "x"},
    )
    assert response.status_code == status
    assert Escalation.objects.get(pk=bsc_with_presentation.pk).status == "hearing_set"


def test_hearing_post_by_pab_sets_date(client, users, bsc_escalation):
    client.force_login(users["pab"])
    response = client.post(
        reverse("escalation:hearing", args=[bsc_escalation.pk]), {"hearing_date": "2027-02-04"}
    )
    assert response.status_code == 302
    assert Escalation.objects.get(pk=bsc_escalation.pk).hearing.hearing_date == HEARING


def test_raise_post_by_wrong_role_is_403(client, users, bsc_plan):
    client.force_login(users["reccm"])
    response = client.post(reverse("escalation:raise", args=[bsc_plan.pk]), {"comment": "x"})
    assert response.status_code == 403
    client.force_login(users["participant2"])
    response = client.post(reverse("escalation:raise", args=[bsc_plan.pk]), {"comment": "x"})
    assert response.status_code == 404
    assert state(bsc_plan) == "monitoring"
