"""The QSP's risk ratings: participants enter them once, only the QSP changes them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.models import Item, Plan, PlanEvent, ReviewDecision
from plans.services.items import item_add, item_remove, item_update
from plans.services.lifecycle import SubmissionRefused
from plans.services.ratings import plan_replace_from_workbook
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import DATA_DIR, decide, import_sample, submit

pytestmark = pytest.mark.django_db

SAMPLE = DATA_DIR / "qad_agent_action_plan.xlsx"


def edit_data(item) -> dict:
    """Return the item form's POST data for an item as it is stored."""
    data = {}
    for field in Item._meta.concrete_fields:
        value = getattr(item, field.attname)
        if field.name in ("id", "plan", "position"):
            continue
        if isinstance(value, bool):
            data[field.name] = "yes" if value else "no"
        elif field.name == "code_bodies":
            data[field.name] = list(value)
        elif value is not None:
            data[field.name] = str(value)
    return data


def item_values(item) -> dict:
    names = [f.name for f in Item._meta.concrete_fields if f.name not in ("id", "plan", "position")]
    values = {name: getattr(item, name) for name in names}
    for name in ("has_downstream_impact", "is_high_settlement_risk"):
        values.pop(name)
    return values


@pytest.fixture
def high_rated(users):
    """Return the BWDS QAD plan, a draft, with its first item rated High."""
    plan = import_sample("BWDS")
    Item.objects.filter(plan=plan, reference="BWDS-QAP-001").update(risk_rating="High")
    return plan


def test_item_form_keeps_high_rating(client, users, high_rated):
    item = high_rated.items.get(reference="BWDS-QAP-001")
    client.force_login(users["participant3"])
    url = reverse("plans:item_edit", kwargs={"pk": high_rated.pk, "item_pk": item.pk})

    page = client.get(url).content.decode()
    data = {**edit_data(item), "risk_rating": "Low"}
    response = client.post(url, data)

    assert 'name="risk_rating"' in page
    assert "disabled" in page.split('name="risk_rating"')[1].split(">")[0]
    assert response.status_code == 302
    assert Item.objects.get(pk=item.pk).risk_rating == "High"
    with pytest.raises(SubmissionRefused, match="rated High"):
        submit(high_rated, users["participant3"])


def test_item_update_refuses_rating_change(users, high_rated):
    item = high_rated.items.get(reference="BWDS-QAP-001")

    with pytest.raises(ValidationError) as raised:
        item_update(
            item_id=item.pk,
            actor=users["participant3"],
            data={**item_values(item), "risk_rating": "Low"},
        )

    assert list(raised.value.message_dict) == ["risk_rating"]
    assert "rated High by the QSP" in raised.value.message_dict["risk_rating"][0]
    assert Item.objects.get(pk=item.pk).risk_rating == "High"


def qsp_returns_with_high(users) -> Plan:
    """Submit the BWDS plan and let the QSP rate BWDS-QAP-002 High and request changes."""
    plan = submit(import_sample("BWDS"), users["participant3"])
    second = plan.items.get(reference="BWDS-QAP-002")
    decide(
        plan,
        users["qsp"],
        "request_changes",
        comment="BWDS-QAP-002 is a high risk.",
        risk_ratings={second.pk: "High"},
    )
    return Plan.objects.get(pk=plan.pk)


def test_qsp_rating_stored_everywhere(client, users):
    plan = qsp_returns_with_high(users)
    second = plan.items.get(reference="BWDS-QAP-002")

    decision = ReviewDecision.objects.get(plan=plan, party="qsp")
    event = PlanEvent.objects.filter(plan=plan, action="plans.returned").get()

    assert plan.state == "returned"
    assert second.risk_rating == "High"
    assert {entry["reference"]: entry["rating"] for entry in decision.risk_ratings} == {
        "BWDS-QAP-001": "Medium",
        "BWDS-QAP-002": "High",
        "BWDS-QAP-003": "Medium",
        "BWDS-QAP-004": "Low",
    }
    assert event.data["risk_rating_changes"] == [
        {"item": "BWDS-QAP-002", "old": "Medium", "new": "High"}
    ]
    assert event.data["risk_ratings"]["BWDS-QAP-002"] == "High"
    client.force_login(users["participant3"])
    page = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).content.decode()
    assert "QSP risk rating of BWDS-QAP-002: Medium → High" in page


def test_qsp_cannot_agree_with_high_rating(users):
    plan = submit(import_sample("BWDS"), users["participant3"])
    first = plan.items.get(reference="BWDS-QAP-001")

    with pytest.raises(ValidationError, match="rule 2"):
        decide(plan, users["qsp"], "agree", risk_ratings={first.pk: "High"})

    assert Item.objects.get(pk=first.pk).risk_rating == "Medium"
    assert not ReviewDecision.objects.filter(plan=plan).exists()


def test_other_party_cannot_rate(users):
    plan = submit(import_sample("BWDS"), users["participant3"])
    first = plan.items.get(reference="BWDS-QAP-001")

    with pytest.raises(ValidationError, match="Only the QSP"):
        decide(plan, users["elexon"], "agree", risk_ratings={first.pk: "Low"})


def test_removed_and_added_again_keeps_rating(users):
    plan = qsp_returns_with_high(users)
    second = plan.items.get(reference="BWDS-QAP-002")
    values = item_values(second)
    item_remove(item_id=second.pk, actor=users["participant3"])

    with pytest.raises(ValidationError) as raised:
        item_add(
            plan_id=plan.pk, actor=users["participant3"], data={**values, "risk_rating": "Low"}
        )
    added = item_add(plan_id=plan.pk, actor=users["participant3"], data=values)

    assert "rated High by the QSP" in raised.value.message_dict["risk_rating"][0]
    assert added.risk_rating == "High"


def test_workbook_upload_cannot_change_rating(users):
    plan = qsp_returns_with_high(users)

    result = plan_replace_from_workbook(
        data=SAMPLE.read_bytes(),
        filename=SAMPLE.name,
        actor=users["participant3"],
        organisation=plan.organisation,
        plan=plan,
    )

    assert result.ok is False
    assert [(error.row, error.column, error.value) for error in result.errors] == [
        (5, "QSP Risk Rating", "Medium")
    ]
    assert "rated High by the QSP" in result.errors[0].message
    assert plan.items.get(reference="BWDS-QAP-002").risk_rating == "High"


def test_workbook_upload_before_submission_may_rate(users, high_rated):
    result = plan_replace_from_workbook(
        data=SAMPLE.read_bytes(),
        filename=SAMPLE.name,
        actor=users["participant3"],
        organisation=high_rated.organisation,
        plan=high_rated,
    )

    assert result.ok is True
    assert high_rated.items.get(reference="BWDS-QAP-001").risk_rating == "Medium"


def test_replace_view_shows_rating_error(client, users):
    plan = qsp_returns_with_high(users)
    client.force_login(users["participant3"])

    with SAMPLE.open("rb") as upload:
        response = client.post(
            reverse("plans:plan_replace", kwargs={"pk": plan.pk}), {"workbook": upload}
        )

    assert response.status_code == 400
    assert "rated High by the QSP" in response.content.decode()


def review_url(plan):
    return reverse("admin:plans_planforreview_change", args=[plan.pk])


def test_review_form_sets_ratings(client, users):
    plan = submit(import_sample("BWDS"), users["participant3"])
    items = {item.reference: item for item in plan.items.all()}
    client.force_login(users["qsp"])
    ratings = {f"risk_rating_{item.pk}": item.risk_rating for item in items.values()}
    ratings[f"risk_rating_{items['BWDS-QAP-004'].pk}"] = "Medium"

    page = client.get(review_url(plan)).content.decode()
    response = client.post(
        review_url(plan),
        {"seen_state": "submitted", "seen_round": 1, "decision": "agree", **ratings},
    )

    assert 'data-testid="risk-ratings"' in page
    assert response.status_code == 302
    assert Item.objects.get(pk=items["BWDS-QAP-004"].pk).risk_rating == "Medium"


def test_review_form_refuses_agree_with_high(client, users):
    plan = submit(import_sample("BWDS"), users["participant3"])
    items = list(plan.items.all())
    client.force_login(users["qsp"])
    ratings = {f"risk_rating_{item.pk}": item.risk_rating for item in items}
    ratings[f"risk_rating_{items[0].pk}"] = "High"

    response = client.post(
        review_url(plan),
        {"seen_state": "submitted", "seen_round": 1, "decision": "agree", **ratings},
    )

    assert response.status_code == 200
    assert "cannot be agreed (rule 2)" in response.content.decode()
    assert Item.objects.get(pk=items[0].pk).risk_rating == "Medium"
    assert Plan.objects.get(pk=plan.pk).state == "submitted"


def test_review_form_has_no_ratings_for_others(client, users):
    plan = submit(import_sample("BWDS"), users["participant3"])
    client.force_login(users["elexon"])

    page = client.get(review_url(plan)).content.decode()

    assert 'data-testid="risk-ratings"' not in page


def test_item_change_audit_names_old_and_new(client, users):
    plan = import_sample("BWDS")
    item = plan.items.get(reference="BWDS-QAP-001")
    values = item_values(item)
    new_date = values["expected_fix_date"].replace(day=20)

    item_update(
        item_id=item.pk,
        actor=users["participant3"],
        data={**values, "expected_fix_date": new_date, "workaround_fully_mitigates": True},
    )
    event = PlanEvent.objects.filter(plan=plan, action="plans.item_changed").get()
    client.force_login(users["participant3"])
    page = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).content.decode()

    assert event.data["reference"] == "BWDS-QAP-001"
    assert event.data["changes"] == [
        {
            "field": "expected_fix_date",
            "label": "Expected fix date?",
            "old": "2027-02-26",
            "new": "2027-02-20",
        }
    ]
    assert "item BWDS-QAP-001" in page
    assert "Expected fix date?: 26/02/2027 → 20/02/2027" in page
