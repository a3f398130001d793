"""A participant uploads sample workbooks in a real browser and reads the plan page."""

from pathlib import Path

import pytest

from plans import demo
from plans.models import Plan, UploadedWorkbook

pytestmark = pytest.mark.browser

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCREENSHOT = Path("/tmp/plan_page.png")


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector('[data-testid="signed-in-as"]')


def sign_out(page) -> None:
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")


def upload(page, filename: str) -> None:
    page.goto("/")
    page.click('[data-testid="upload-workbook"]')
    page.set_input_files("#id_workbook", str(DATA_DIR / filename))
    page.click('[data-testid="upload-submit"]')
    page.wait_for_load_state("load")


def test_participants_upload_sample_workbooks(page, live_server, transactional_db):
    demo.load_base()

    sign_in(page, "participant")
    upload(page, "sit_supplier_plan.xlsx")

    assert page.locator('[data-testid="plan-title"]').is_visible()
    assert page.locator('[data-testid="item-row"]').count() == 6
    assert page.inner_text('[data-testid="item-count"]') == "6"
    assert page.inner_text('[data-testid="eligibility-status"]') == "Eligible"
    assert "template version 1.0, 6 items read" in page.inner_text(".alert-success")
    assert page.inner_text('[data-testid="plan-participant"]') == "Northwind Energy Ltd (NWEL)"
    nwel_plan = Plan.objects.get(organisation__participant_id="NWEL")
    sha256 = nwel_plan.workbooks.get().sha256
    assert page.inner_text('[data-testid="workbook-sha256"]') == sha256
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    sign_out(page)

    sign_in(page, "participant2")
    upload(page, "qt_ldso_plan.xlsx")

    assert page.inner_text('[data-testid="eligibility-status"]') == "Not eligible"
    rule_1 = page.locator('[data-testid="failure-rule-1"]')
    assert rule_1.count() == 1
    assert "ASHD-WOP-001" in rule_1.inner_text()
    assert "S2 Major" in rule_1.inner_text()
    sign_out(page)

    sign_in(page, "participant")
    upload(page, "qt_ldso_plan.xlsx")

    rejected = page.locator('[data-testid="import-rejected"]')
    assert rejected.is_visible()
    error_rows = page.locator('[data-testid="import-error-row"]')
    assert error_rows.count() == 1
    row_text = error_rows.first.inner_text()
    assert "Participant ID" in row_text
    assert "ASHD" in row_text
    assert "uploaded for NWEL" in row_text
    page.screenshot(path="/tmp/upload_rejected.png", full_page=True)
    assert Plan.objects.filter(organisation__participant_id="NWEL").count() == 1
    assert UploadedWorkbook.objects.filter(organisation__participant_id="NWEL").count() == 1


def test_item_form_checks_eligibility_as_participant_edits(page, live_server, transactional_db):
    demo.load_base()
    demo.load_sample_plans()
    plan = Plan.objects.get(organisation__participant_id="NWEL")
    item = plan.items.get(reference="NWEL-WOP-001")

    sign_in(page, "participant")
    page.goto(f"/plans/{plan.pk}/items/{item.pk}/edit/")
    assert page.locator('[data-testid="item-eligible"]').is_visible()

    page.select_option("#id_severity", "S2")
    page.wait_for_selector('[data-testid="item-failure-rule-1"]')

    assert "NWEL-WOP-001 is S2 Major" in page.inner_text('[data-testid="item-failure-rule-1"]')
    page.screenshot(path="/tmp/item_form.png", full_page=True)
    item.refresh_from_db()
    assert item.severity == "S3"
