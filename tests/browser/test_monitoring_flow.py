"""Monitoring in a real browser: a failing workaround escalates the plan.

The participant fills the report form with one workaround that no longer
mitigates. The plan page then shows the escalation, and the OSM finds the
report in the BSC queue. The BSC PAB finds the escalation, raised
automatically, in its list. A second failing report joins that escalation.
"""

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models import Escalation
from plans.models import Plan
from reporting.models import ReportingPeriod
from tests.reporting.support import load_users, make_plan


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def sign_out(page):
    page.click("text=Sign out")
    page.wait_for_load_state("load")


def fill_report(page, mitigates_by_item):
    for item, mitigates in mitigates_by_item.items():
        prefix = f"item-{item.pk}"
        page.check(f"input[name={prefix}-workaround_mitigates][value={mitigates}]")
        page.fill(f"textarea[name={prefix}-evidence]", f"Exception report for {item.reference}.")
        page.fill(f"textarea[name={prefix}-fix_progress]", "Fix in system test.")
        page.select_option(f"select[name={prefix}-confidence]", "Medium")


@pytest.mark.django_db(transaction=True)
def test_failing_workaround_escalates_plan(page, tmp_path):
    load_users()
    plan = make_plan(participant_id="NWEL", started_at=timezone.now() - dt.timedelta(days=10))
    open_period = ReportingPeriod.objects.filter(plan=plan, due_at__gt=timezone.now()).first()
    first_item, second_item = list(plan.items.order_by("position"))

    sign_in(page, "participant")
    page.click("[data-testid=nav-reports]")
    page.click(f"[data-testid=fill-report-{open_period.pk}]")
    fill_report(page, {first_item: "no", second_item: "yes"})
    page.set_input_files(
        f"input[name=item-{first_item.pk}-evidence_files]",
        files=[{"name": "exceptions.csv", "mimeType": "text/csv", "buffer": b"mpan,count\n"}],
    )
    # Kept with the test's temporary files for a person to look at.
    page.screenshot(path=str(tmp_path / "report_form.png"), full_page=True)
    page.click("[data-testid=submit-report]")
    page.wait_for_load_state("load")

    assert "workaround no longer mitigates" in page.inner_text("main")
    assert page.inner_text("[data-testid=report-status]") == "Awaiting review"
    page.goto(f"/plans/{plan.pk}/")
    assert (
        "Escalated (workaround no longer mitigates): Raised; waiting for a BSC PAB hearing"
        in page.inner_text("[data-testid=plan-escalated]")
    )
    assert Plan.objects.get(pk=plan.pk).state == "escalated"
    sign_out(page)

    report = open_period.report
    escalation = Escalation.objects.get(plan=plan)
    sign_in(page, "osm")
    page.click("[data-testid=nav-report-queue]")
    row = page.inner_text(f"[data-testid=queue-report-{report.pk}]")
    assert "Northwind Energy Ltd" in row
    assert f"Plan #{plan.pk}" in row
    sign_out(page)

    sign_in(page, "pab")
    page.click("[data-testid=nav-escalations]")
    table = page.inner_text("[data-testid=escalations-open]")
    assert f"Plan #{plan.pk}" in table
    assert "Workaround no longer mitigates" in table
    assert "automatically" in table
    page.click(f"[data-testid=escalation-{escalation.pk}] a")
    page.wait_for_load_state("load")
    assert (
        f"Raised automatically: report {open_period.sequence} said the workaround for "
        f"{first_item.reference} no longer mitigates"
    ) in page.inner_text("[data-testid=escalation-raised]")
    sign_out(page)

    # A later failing report joins the same escalation, and the message names it.
    late_period = ReportingPeriod.objects.filter(plan=plan, report__isnull=True).first()
    sign_in(page, "participant")
    page.goto(f"/reports/periods/{late_period.pk}/report/")
    fill_report(page, {first_item: "no", second_item: "yes"})
    page.click("[data-testid=submit-report]")
    page.wait_for_load_state("load")
    assert (
        f"the plan is already escalated, so this report was added to escalation {escalation.pk}"
    ) in page.inner_text("main")
    assert Escalation.objects.filter(plan=plan).count() == 1
    assert Escalation.objects.get(pk=escalation.pk).reports.count() == 2
