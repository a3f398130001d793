"""Uploading plan workbooks: a new plan, replacing a plan's items, and rejected files."""

import hashlib
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from plans.choices import PlanState
from plans.models import Plan, UploadedWorkbook
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import DATA_DIR, make_plan, set_state

LOGIN = "/accounts/login/"
ITEMS_SHEET = "5. Testing Work Off Items"


def sample(name: str) -> bytes:
    return (DATA_DIR / name).read_bytes()


def upload(name: str, data: bytes | None = None) -> dict:
    content = sample(name) if data is None else data
    return {"workbook": SimpleUploadedFile(name, content, content_type="application/octet-stream")}


def broken_sit_workbook() -> bytes:
    """The SIT sample with a severity and a fix date that the reader rejects."""
    workbook = openpyxl.load_workbook(DATA_DIR / "sit_supplier_plan.xlsx")
    sheet = workbook[ITEMS_SHEET]
    sheet["C5"] = "S9 Unknown"
    sheet["U6"] = "not a date"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Who may upload


def test_upload_signed_out_redirects(client, db):
    url = reverse("plans:plan_upload")
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


def test_upload_reviewer_forbidden(client, reviewer):
    client.force_login(reviewer)

    response = client.post(reverse("plans:plan_upload"), upload("sit_supplier_plan.xlsx"))

    assert response.status_code == 403
    assert Plan.objects.count() == 0


def test_replace_other_organisation_404(client, other_participant, nwel):
    plan = make_plan(nwel, items=1)
    client.force_login(other_participant)

    response = client.post(
        reverse("plans:plan_replace", kwargs={"pk": plan.pk}), upload("sit_supplier_plan.xlsx")
    )

    assert response.status_code == 404
    assert plan.items.count() == 1


def test_replace_reviewer_forbidden(client, reviewer, nwel):
    plan = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)
    client.force_login(reviewer)

    response = client.get(reverse("plans:plan_replace", kwargs={"pk": plan.pk}))

    assert response.status_code == 403


# A new plan from a workbook


def test_upload_creates_draft_plan(client, participant, nwel):
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_upload"), upload("sit_supplier_plan.xlsx"), follow=True
    )

    plan = Plan.objects.get()
    workbook = UploadedWorkbook.objects.get()
    assert response.redirect_chain == [(reverse("plans:plan_detail", kwargs={"pk": plan.pk}), 302)]
    assert plan.state == PlanState.DRAFT
    assert plan.organisation == nwel
    assert plan.route == "SIT"
    assert plan.items.count() == 6
    assert workbook.sha256 == hashlib.sha256(sample("sit_supplier_plan.xlsx")).hexdigest()
    assert workbook.uploaded_by == participant
    body = response.content.decode()
    assert (
        f"Plan {plan.pk} created from sit_supplier_plan.xlsx: template version 1.0, 6 items read."
        in body
    )
    assert workbook.sha256 in body
    assert body.count('data-testid="item-row"') == 6
    assert 'data-testid="eligibility-status">Eligible<' in body


def test_upload_ineligible_plan_names_item_and_rule(client, other_participant):
    client.force_login(other_participant)

    response = client.post(reverse("plans:plan_upload"), upload("qt_ldso_plan.xlsx"), follow=True)

    failures = response.context["eligibility"]["failures"]
    assert (1, "ASHD-WOP-001", "ASHD-WOP-001 is S2 Major") in [
        (f["rule"], f["item"], f["reason"]) for f in failures
    ]
    assert response.context["eligibility"]["eligible"] is False


def test_upload_of_another_participants_workbook_rejected(client, participant, ashd):
    client.force_login(participant)

    response = client.post(reverse("plans:plan_upload"), upload("qt_ldso_plan.xlsx"))

    assert response.status_code == 400
    errors = response.context["import_errors"]
    assert [(e.sheet, e.row, e.column, e.value) for e in errors] == [
        ("2. Participant Details", 5, "Participant ID", "ASHD")
    ]
    assert "uploaded for NWEL" in errors[0].message
    assert Plan.objects.count() == 0
    assert UploadedWorkbook.objects.count() == 0


def test_upload_errors_listed_with_row_and_column(client, participant):
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_upload"), upload("sit_supplier_plan.xlsx", broken_sit_workbook())
    )

    body = response.content.decode()
    errors = response.context["import_errors"]
    assert response.status_code == 400
    assert [(e.sheet, e.row, e.column, e.value) for e in errors] == [
        (ITEMS_SHEET, 5, "Severity", "S9 Unknown"),
        (ITEMS_SHEET, 6, "Expected fix date?", "not a date"),
    ]
    assert body.count('data-testid="import-error-row"') == 2
    assert "<td>Severity</td>" in body
    assert "<td>5</td>" in body
    assert "is not a severity" in body
    assert "Nothing was stored." in body
    assert Plan.objects.count() == 0
    assert UploadedWorkbook.objects.count() == 0


def test_upload_of_non_workbook_rejected(client, participant):
    client.force_login(participant)

    response = client.post(reverse("plans:plan_upload"), upload("notes.xlsx", b"plain text"))

    assert response.status_code == 400
    assert "The file is not an Excel workbook" in response.content.decode()
    assert Plan.objects.count() == 0


def test_upload_without_file_is_form_error(client, participant):
    client.force_login(participant)

    response = client.post(reverse("plans:plan_upload"), {})

    assert response.status_code == 400
    assert response.context["form"].errors["workbook"] == ["This field is required."]


def test_upload_over_size_limit_rejected(client, participant, settings):
    settings.WORKOFF_MAX_UPLOAD_BYTES = 1000
    client.force_login(participant)

    response = client.post(reverse("plans:plan_upload"), upload("sit_supplier_plan.xlsx"))

    assert response.status_code == 400
    assert (
        "the largest workbook accepted is 1000 bytes"
        in response.context["form"].errors["workbook"][0]
    )
    assert Plan.objects.count() == 0


# Replacing the items of an existing plan


def test_replace_items_of_draft_plan(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_replace", kwargs={"pk": plan.pk}),
        upload("sit_supplier_plan.xlsx"),
        follow=True,
    )

    plan.refresh_from_db()
    assert Plan.objects.count() == 1
    assert plan.items.count() == 6
    assert not plan.items.filter(reference="NWEL-WOP-001", defect_number="SIT-DEF-0001").exists()
    assert plan.workbooks.count() == 1
    assert f"Plan {plan.pk} items replaced from sit_supplier_plan.xlsx" in response.content.decode()


def test_replace_with_errors_leaves_plan_untouched(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_replace", kwargs={"pk": plan.pk}),
        upload("sit_supplier_plan.xlsx", broken_sit_workbook()),
    )

    assert response.status_code == 400
    assert list(plan.items.values_list("reference", flat=True)) == ["NWEL-WOP-001", "NWEL-WOP-002"]
    assert plan.workbooks.count() == 0


@pytest.mark.parametrize("state", [PlanState.SUBMITTED, PlanState.MONITORING])
def test_replace_refused_when_not_editable(client, participant, nwel, state):
    plan = set_state(make_plan(nwel, items=2), state)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_replace", kwargs={"pk": plan.pk}),
        upload("sit_supplier_plan.xlsx"),
        follow=True,
    )

    assert plan.items.count() == 2
    assert plan.workbooks.count() == 0
    assert "a workbook can replace the items of a draft or returned plan only" in (
        response.content.decode()
    )


def test_upload_shows_reader_warnings(client, participant, nwel):
    workbook = openpyxl.load_workbook(DATA_DIR / "sit_supplier_plan.xlsx")
    workbook["3. Version Control"].title = "Versions"
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_upload"),
        upload("sit_supplier_plan.xlsx", buffer.getvalue()),
        follow=True,
    )

    plan = Plan.objects.get()
    assert plan.items.count() == 6
    assert plan.version_history == []
    shown = [str(message) for message in response.context["messages"]]
    warnings = [text for text in shown if text.startswith("Warning:")]
    assert len(warnings) == 1
    assert "3. Version Control" in warnings[0]
