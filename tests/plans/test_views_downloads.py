"""Downloads: blank templates, a plan as a workbook and as CSV, uploaded workbooks."""

import csv
import hashlib
import io

import openpyxl
import pytest
from django.urls import reverse

from plans.choices import PlanState
from plans.imports import read_workbook
from plans.models import UploadedWorkbook
from plans.services.imports import plan_import_workbook
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import DATA_DIR, add_item, make_plan, set_state

LOGIN = "/accounts/login/"


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def imported(participant, nwel):
    """The SIT sample imported for NWEL: (import result, the workbook bytes)."""
    data = (DATA_DIR / "sit_supplier_plan.xlsx").read_bytes()
    result = plan_import_workbook(
        data=data, filename="Northwind SIT plan.xlsx", actor=participant, organisation=nwel
    )
    assert result.ok
    return result, data


def _plan_urls(plan, workbook=None):
    urls = [
        reverse("plans:plan_xlsx", kwargs={"pk": plan.pk}),
        reverse("plans:plan_csv", kwargs={"pk": plan.pk}),
    ]
    if workbook is not None:
        urls.append(
            reverse("plans:workbook_download", kwargs={"pk": plan.pk, "workbook_pk": workbook.pk})
        )
    return urls


# Who may download


def test_downloads_signed_out_redirect(client, imported):
    result, _data = imported
    urls = _plan_urls(result.plan, result.workbook) + [
        reverse("plans:template_download", kwargs={"kind": "qad_action"})
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{LOGIN}?next={url}"


def test_downloads_other_organisation_404(client, imported, other_participant):
    result, _data = imported
    client.force_login(other_participant)

    for url in _plan_urls(result.plan, result.workbook):
        assert client.get(url).status_code == 404, url


def test_downloads_reviewer_draft_404_submitted_200(client, imported, reviewer):
    result, _data = imported
    client.force_login(reviewer)
    urls = _plan_urls(result.plan, result.workbook)

    draft_codes = [client.get(url).status_code for url in urls]
    set_state(result.plan, PlanState.SUBMITTED)
    submitted_codes = [client.get(url).status_code for url in urls]

    assert draft_codes == [404, 404, 404]
    assert submitted_codes == [200, 200, 200]


def test_workbook_of_other_plan_is_404(client, imported, participant, nwel):
    result, _data = imported
    other_plan = make_plan(nwel)
    client.force_login(participant)
    url = reverse(
        "plans:workbook_download", kwargs={"pk": other_plan.pk, "workbook_pk": result.workbook.pk}
    )

    assert client.get(url).status_code == 404


# What the downloads hold


def test_uploaded_workbook_download_is_unchanged(client, imported, participant):
    result, data = imported
    client.force_login(participant)

    response = client.get(
        reverse(
            "plans:workbook_download",
            kwargs={"pk": result.plan.pk, "workbook_pk": result.workbook.pk},
        )
    )

    content = _body(response)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Northwind SIT plan.xlsx"'
    assert content == data
    assert hashlib.sha256(content).hexdigest() == result.workbook.sha256
    assert UploadedWorkbook.objects.get().sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("kind", "filename", "items_sheet"),
    [
        ("testing_work_off", "blank_testing_work_off_plan.xlsx", "5. Testing Work Off Items"),
        ("qad_action", "blank_qad_action_plan.xlsx", "5. QAD Action Plan Items"),
    ],
)
def test_blank_template_download(client, participant, kind, filename, items_sheet):
    client.force_login(participant)

    response = client.get(reverse("plans:template_download", kwargs={"kind": kind}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[-1] == items_sheet
    assert workbook[items_sheet]["A3"].value == "Reference"


def test_blank_template_unknown_kind_404(client, participant):
    client.force_login(participant)

    assert client.get("/templates/other.xlsx").status_code == 404


def test_plan_xlsx_export_reads_back(client, imported, participant):
    result, _data = imported
    client.force_login(participant)

    response = client.get(reverse("plans:plan_xlsx", kwargs={"pk": result.plan.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="plan-{result.plan.pk}-NWEL-v1.xlsx"'
    )
    parsed = read_workbook(response.content, filename="export.xlsx")
    assert parsed.participant_id == "NWEL"
    assert parsed.route == "SIT"
    assert [item.reference for item in parsed.items] == list(
        result.plan.items.values_list("reference", flat=True)
    )
    assert [item.expected_fix_date for item in parsed.items] == [
        item.expected_fix_date for item in result.parsed.items
    ]


def test_plan_csv_export(client, participant, nwel):
    plan = make_plan(nwel, items=1)
    add_item(plan, 2, severity="S4", defect_title="=HYPERLINK(1)", code_bodies=["BSC", "REC"])
    client.force_login(participant)

    response = client.get(reverse("plans:plan_csv", kwargs={"pk": plan.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="plan-{plan.pk}-NWEL-v1.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    header = rows[0]
    assert header[:3] == ["Reference", "Defect Number", "Severity"]
    assert len(header) == 25
    second = dict(zip(header, rows[2], strict=True))
    assert second["Reference"] == "NWEL-WOP-002"
    assert second["Severity"] == "S4 Minor"
    assert second["Code Body Impacted"] == "BSC/REC"
    assert second["Expected fix date?"] == "01/03/2027"
    assert second["Does workaround fully mitigate defect?"] == "Yes"
    # A spreadsheet would run this as a formula, so it is exported as text.
    assert second["Defect Title"] == "'=HYPERLINK(1)"
