"""A SIT plan from upload to monitoring in a real browser.

The participant uploads and submits the sample SIT plan. The MHHS Programme,
Elexon, the REC Code Manager and the DIP Manager agree it in the admin queue,
and the PAB approves it on the PAB page. The plan page then shows it in
monitoring with the whole timeline. Screenshots of the queue and of the
timeline go to WORKOFF_SCREENSHOT_DIR when that is set.
"""

import datetime
import os
import re
from pathlib import Path

import pytest
import time_machine

from plans import demo
from plans.models import Plan

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sit_supplier_plan.xlsx"
# The day the scenarios submit on: before every fix date of the sample.
SUBMISSION_MOMENT = datetime.datetime(2027, 1, 11, 9, 30, tzinfo=datetime.UTC)
REVIEWERS = ("mhhsp", "elexon", "reccm", "dip")


@pytest.fixture
def clock():
    with time_machine.travel(SUBMISSION_MOMENT, tick=True):
        yield


def screenshot(page, name):
    folder = os.environ.get("WORKOFF_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def sign_in(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', demo.DEMO_PASSWORD)
    page.click('button[type="submit"], input[type="submit"]')
    page.wait_for_load_state("load")


def test_sit_plan_from_upload_to_monitoring(page, live_server, clock):
    demo.load_base()

    sign_in(page, "participant")
    page.goto("/plans/upload/")
    page.set_input_files('input[type="file"]', str(SAMPLE))
    page.click('[data-testid="upload-submit"]')
    page.wait_for_url(re.compile(r"/plans/\d+/$"))
    plan_id = int(re.search(r"/plans/(\d+)/$", page.url).group(1))
    page.click('[data-testid="submit-plan"]')
    page.wait_for_load_state("load")
    assert page.inner_text('[data-testid="plan-state"]') == "Submitted"

    for username in REVIEWERS:
        sign_in(page, username)
        page.goto("/admin/plans/planforreview/")
        row_link = page.locator(f'a[href="/admin/plans/planforreview/{plan_id}/change/"]')
        assert row_link.count() == 1
        if username == "mhhsp":
            screenshot(page, "admin_review_queue.png")
        row_link.click()
        page.check('input[name="decision"][value="agree"]')
        page.click('[data-testid="record-decision"]')
        page.wait_for_url(re.compile(r"/admin/plans/planforreview/$"))
        assert row_link.count() == 0

    assert Plan.objects.get(pk=plan_id).state == "agreed"

    sign_in(page, "pab")
    page.goto("/pab/")
    card = page.locator(f'[data-testid="pab-plan"][data-plan-id="{plan_id}"]')
    card.locator('input[value="approve"]').check()
    card.locator('input[type="date"]').fill("2027-01-11")
    card.locator('input[name$="-reference"]').fill("PAB 301/07")
    card.locator('[data-testid="pab-decide"]').click()
    page.wait_for_load_state("load")
    assert page.locator('[data-testid="pab-empty"]').count() == 1

    sign_in(page, "participant")
    page.goto(f"/plans/{plan_id}/")
    assert page.inner_text('[data-testid="plan-state"]') == "Monitoring"
    entries = page.locator('[data-testid="timeline-entry"]')
    actions = [entries.nth(i).get_attribute("data-action") for i in range(entries.count())]
    assert actions == [
        "plans.workbook_imported",
        "plans.submitted",
        "plans.decision_recorded",
        "plans.decision_recorded",
        "plans.decision_recorded",
        "plans.agreed",
        "plans.pab_approved",
        "plans.monitoring_started",
    ]
    timeline = page.inner_text('[data-testid="timeline"]')
    for username in ("participant", *REVIEWERS, "pab"):
        assert username in timeline
    page.locator('[data-testid="lifecycle"]').scroll_into_view_if_needed()
    screenshot(page, "plan_timeline.png")
