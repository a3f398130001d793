"""Presentations are kept one record per upload, each audited with its name and SHA-256."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from escalation.models import Presentation
from escalation.services import (
    escalation_raise_manual,
    escalation_set_hearing,
    escalation_upload_presentation,
)
from plans.models import PlanEvent

FIRST = b"%PDF-1.4 first slides"
SECOND = b"%PDF-1.4 second slides, revised"


@pytest.fixture
def heard(users, bsc_plan):
    escalation = escalation_raise_manual(plan_id=bsc_plan.pk, actor=users["osm"], comment="x")
    escalation_set_hearing(
        escalation_id=escalation.pk, actor=users["pab"], hearing_date=dt.date(2027, 2, 4)
    )
    return escalation


def _upload(users, escalation, name, content):
    return escalation_upload_presentation(
        escalation_id=escalation.pk,
        actor=users["participant"],
        upload=SimpleUploadedFile(name, content, content_type="application/pdf"),
    )


def test_replacing_keeps_earlier_presentation(users, bsc_plan, heard):
    first = _upload(users, heard, "first.pdf", FIRST)
    second = _upload(users, heard, "second.pdf", SECOND)

    rows = list(Presentation.objects.filter(hearing__escalation=heard).order_by("id"))
    assert [p.original_name for p in rows] == ["first.pdf", "second.pdf"]
    assert [p.sha256 for p in rows] == [
        hashlib.sha256(FIRST).hexdigest(),
        hashlib.sha256(SECOND).hexdigest(),
    ]
    assert first.file.name != second.file.name
    with first.file.open("rb") as stored:
        assert stored.read() == FIRST

    events = list(
        PlanEvent.objects.filter(plan=bsc_plan, action__startswith="escalation.presentation")
        .order_by("id")
        .values_list("action", "data")
    )
    assert events == [
        (
            "escalation.presentation_uploaded",
            {
                "escalation_id": heard.pk,
                "presentation_id": first.pk,
                "file_name": "first.pdf",
                "sha256": hashlib.sha256(FIRST).hexdigest(),
                "size": len(FIRST),
                "replaces_presentation_id": None,
            },
        ),
        (
            "escalation.presentation_replaced",
            {
                "escalation_id": heard.pk,
                "presentation_id": second.pk,
                "file_name": "second.pdf",
                "sha256": hashlib.sha256(SECOND).hexdigest(),
                "size": len(SECOND),
                "replaces_presentation_id": first.pk,
            },
        ),
    ]


def test_downloads_serve_latest_and_earlier(client, users, heard):
    first = _upload(users, heard, "first.pdf", FIRST)
    _upload(users, heard, "second.pdf", SECOND)
    client.force_login(users["pab"])
    latest = client.get(reverse("escalation:presentation_download", args=[heard.pk]))
    assert b"".join(latest.streaming_content) == SECOND
    assert 'filename="second.pdf"' in latest["Content-Disposition"]
    earlier = client.get(
        reverse("escalation:presentation_version_download", args=[heard.pk, first.pk])
    )
    assert b"".join(earlier.streaming_content) == FIRST
    page = client.get(reverse("escalation:detail", args=[heard.pk])).content.decode()
    assert hashlib.sha256(SECOND).hexdigest() in page
    assert "Earlier:" in page


def test_presentation_of_other_escalation_is_404(client, users, heard, rec_plan):
    first = _upload(users, heard, "first.pdf", FIRST)
    other = escalation_raise_manual(plan_id=rec_plan.pk, actor=users["reccm"], comment="x")
    client.force_login(users["admin"])
    response = client.get(
        reverse("escalation:presentation_version_download", args=[other.pk, first.pk])
    )
    assert response.status_code == 404
