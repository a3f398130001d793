"""The reviewer's decision page shows every item column without side scrolling.

A screenshot goes to WORKOFF_SCREENSHOT_DIR when that is set.
"""

import datetime
import os
from pathlib import Path

import pytest
import time_machine

from plans import demo
from plans.models import Organisation, User
from plans.services.imports import plan_import_workbook
from plans.services.lifecycle import plan_submit

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sit_supplier_plan.xlsx"
SUBMISSION_MOMENT = datetime.datetime(2027, 1, 11, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(SUBMISSION_MOMENT, tick=True):
        yield


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', demo.DEMO_PASSWORD)
    page.click('button[type="submit"], input[type="submit"]')
    page.wait_for_load_state("load")


@pytest.mark.parametrize("width", [1280, 900])
def test_review_page_items_fit_the_window(page, live_server, clock, width):
    demo.load_base()
    participant = User.objects.get(username="participant")
    result = plan_import_workbook(
        data=SAMPLE.read_bytes(),
        filename=SAMPLE.name,
        actor=participant,
        organisation=Organisation.objects.get(participant_id="NWEL"),
    )
    plan = plan_submit(plan_id=result.plan.pk, actor=participant)

    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "elexon")
    page.goto(f"/admin/plans/planforreview/{plan.pk}/change/")

    cards = page.locator('[data-testid="review-item"]')
    assert cards.count() == 6
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    for field in ("expected_fix_date", "expected_resolution_date", "confidence"):
        cell = cards.first.locator(f'dd[data-field="{field}"]')
        box = cell.bounding_box()
        assert box is not None and box["width"] > 0, field
        assert box["x"] + box["width"] <= width, field
    workaround = cards.first.locator('dd[data-field="workaround_description"]')
    assert workaround.evaluate("element => element.scrollWidth <= element.clientWidth")
    assert "…" not in workaround.inner_text()

    folder = os.environ.get("WORKOFF_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"admin_review_page_{width}.png"))
        cards.first.screenshot(path=str(Path(folder) / f"admin_review_item_{width}.png"))
