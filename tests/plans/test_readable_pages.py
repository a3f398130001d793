"""Readable plan titles, state names, badges and the review page's item cards."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from plans.models import Item, Plan
from plans.services.plans import PlanNotEditable
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import decide, import_sample, submit

pytestmark = pytest.mark.django_db


def test_plan_title(users):
    sit = import_sample("NWEL")
    qad = import_sample("BWDS")

    assert sit.title == "NWEL · SIT Testing Work Off Plan · v1"
    assert qad.title == "BWDS · QAD Action Plan · v1"
    assert str(sit) == sit.title


def test_plan_pages_show_title(client, users):
    plan = import_sample("NWEL")
    client.force_login(users["participant"])

    listing = client.get(reverse("plans:plan_list")).content.decode()
    detail = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).content.decode()

    row = listing.split(f'data-testid="plan-row-{plan.pk}"')[1].split("</tr>")[0]
    assert "NWEL · SIT Testing Work Off Plan · v1" in row
    assert f"#{plan.pk}<" not in row
    assert "Version <span" in listing
    assert "(participant's label)</span></th>" in listing
    title = detail.split('data-testid="plan-title"')[1].split("</h1>")[0]
    assert "NWEL · SIT Testing Work Off Plan · v1" in title
    assert f"#{plan.pk}" not in title


def test_not_editable_message_uses_state_label(users):
    plan = import_sample("NWEL")
    Plan.objects.filter(pk=plan.pk).update(state="pab_approved")
    plan = Plan.objects.get(pk=plan.pk)

    message = str(PlanNotEditable(plan))

    assert message.startswith("NWEL · SIT Testing Work Off Plan · v1 is approved by the PAB,")
    assert "pab_approved" not in message
    assert "pab approved" not in message


def _rule_colour(css: str, selector: str) -> str:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for rule in re.findall(r"([^{}]+)\{([^}]*)\}", css):
        selectors = [part.strip() for part in rule[0].split(",")]
        if selector in selectors:
            return re.search(r"background-color:\s*([^;]+);", rule[1]).group(1)
    raise AssertionError(f"no rule for {selector}")


def test_draft_and_returned_badges_differ():
    css = Path(settings.BASE_DIR, "static", "css", "workoff.css").read_text()

    assert _rule_colour(css, ".state-draft") != _rule_colour(css, ".state-returned")


def review_page(client, plan, user):
    client.force_login(user)
    response = client.get(reverse("admin:plans_planforreview_change", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_review_page_shows_every_item_field_in_full(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    long_text = "Resend the file by hand each morning before the settlement run. " * 6
    item = plan.items.get(reference="NWEL-WOP-001")
    Item.objects.filter(pk=item.pk).update(workaround_description=long_text.strip())

    page = review_page(client, plan, users["elexon"])
    card = page.split(f'id="item-{item.pk}"')[1].split("</section>")[0]

    assert long_text.strip() in card
    for label in [
        "Expected fix date?",
        "Expected resolution date?",
        "Confidence level on meeting fix date",
        "Settlement and/or retail risk the defect maps to",
        "Proposed retest model",
    ]:
        assert f"<dt>{label}</dt>" in card
    assert f'<dd data-field="expected_fix_date">{item.expected_fix_date:%d/%m/%Y}</dd>' in card
    assert 'data-testid="review-item-eligibility"' in card
    assert 'style="overflow-x: auto;"' not in page


def test_review_page_eligibility_wording(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])

    page = review_page(client, plan, users["elexon"])

    assert "rules 1 to 6 and 7 to 8" not in page
    assert "The plan meets rules 1 to 6, which the participant's entries decide." in page
    assert 'data-testid="review-awaiting"' in page


def test_review_page_rules_7_and_8_await_remaining_parties(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["mhhsp"])

    page = review_page(client, plan, users["elexon"])

    assert "The plan meets all eight eligibility rules." not in page
    assert 'data-testid="review-awaiting"' in page


def test_review_page_item_failure_beside_item(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    item = plan.items.get(reference="NWEL-WOP-002")
    Item.objects.filter(pk=item.pk).update(severity="S2")

    page = review_page(client, plan, users["elexon"])
    card = page.split(f'id="item-{item.pk}"')[1].split("</section>")[0]

    assert "Rule 1: NWEL-WOP-002 is S2 Major" in card
