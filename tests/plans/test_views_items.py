"""The item pages: full view, add, edit, remove and the live eligibility check."""

import datetime

import pytest
from django.urls import reverse

from plans.choices import PlanState
from plans.models import Item
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import item_values, make_plan, set_state

LOGIN = "/accounts/login/"


def form_data(number: int = 1, **overrides) -> dict:
    """Return an item as the item form posts it."""
    data = {}
    for name, value in item_values(number, **overrides).items():
        if isinstance(value, bool):
            data[name] = "yes" if value else "no"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    return data


def _url(name, plan, item=None):
    kwargs = {"pk": plan.pk}
    if item is not None:
        kwargs["item_pk"] = item.pk
    return reverse(f"plans:{name}", kwargs=kwargs)


# Who may reach the item pages


@pytest.mark.parametrize("name", ["item_add", "item_edit", "item_remove", "item_detail"])
def test_item_pages_signed_out_redirect(client, nwel, name):
    plan = make_plan(nwel, items=1)
    item = None if name == "item_add" else plan.items.get()
    url = _url(name, plan, item)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


@pytest.mark.parametrize("name", ["item_add", "item_edit", "item_remove", "item_detail"])
def test_item_pages_other_organisation_404(client, other_participant, nwel, name):
    plan = make_plan(nwel, items=1)
    item = None if name == "item_add" else plan.items.get()
    client.force_login(other_participant)

    assert client.get(_url(name, plan, item)).status_code == 404


@pytest.mark.parametrize("name", ["item_add", "item_edit", "item_remove"])
def test_item_changes_reviewer_forbidden(client, reviewer, nwel, name):
    plan = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)
    item = None if name == "item_add" else plan.items.get()
    client.force_login(reviewer)

    assert client.get(_url(name, plan, item)).status_code == 403
    assert client.post(_url(name, plan, item), form_data(2)).status_code == 403
    assert plan.items.count() == 1


def test_item_detail_reviewer_sees_every_column(client, reviewer, nwel):
    plan = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)
    client.force_login(reviewer)

    response = client.get(_url("item_detail", plan, plan.items.get()))

    body = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["rows"]) == 25
    assert "Business Requirement Reference for Defect Non-Compliance" in body
    assert "BR-REQ-112" in body
    assert "15/03/2027" in body
    assert "S3 Moderate" in body
    assert 'data-testid="edit-item"' not in body


def test_item_detail_qad_plan_has_risk_rating_row(client, participant, nwel):
    plan = make_plan(nwel, kind="qad_action", route="QAD")
    Item.objects.create(plan=plan, **item_values(1, severity=None, risk_rating="Medium"))
    client.force_login(participant)

    response = client.get(_url("item_detail", plan, plan.items.get()))

    rows = {row["label"]: row["value"] for row in response.context["rows"]}
    assert rows["QSP Risk Rating"] == "Medium"
    assert rows["Severity"] == ""


# Adding an item


def test_item_add_form_renders_every_column(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)

    response = client.get(_url("item_add", plan))

    form = response.context["form"]
    body = response.content.decode()
    assert response.status_code == 200
    assert len(form.fields) == 25
    assert "risk_rating" not in form.fields
    assert form.fields["code_bodies"].widget.input_type == "checkbox"
    assert form.fields["expected_fix_date"].widget.input_type == "date"
    assert 'type="date"' in body
    assert '<select name="workaround_fully_mitigates"' in body
    assert "Does workaround fully mitigate defect?" in body
    assert form.fields["severity"].required is True
    assert form.fields["impact_supplier_migration_schedules"].required is False


def test_item_add_form_qad_plan(client, participant, nwel):
    plan = make_plan(nwel, kind="qad_action", route="QAD")
    client.force_login(participant)

    form = client.get(_url("item_add", plan)).context["form"]

    assert len(form.fields) == 26
    assert form.fields["risk_rating"].required is True
    assert form.fields["severity"].required is False


def test_item_add_saves_item(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)

    response = client.post(_url("item_add", plan), form_data(1, code_bodies=["BSC", "REC"]))

    assert response.status_code == 302
    assert response["Location"] == _url("plan_detail", plan)
    item = plan.items.get()
    plan.refresh_from_db()
    assert item.reference == "NWEL-WOP-001"
    assert item.workaround_fully_mitigates is True
    assert item.fix_before_migration is True
    assert item.expected_resolution_date == datetime.date(2027, 3, 15)
    assert item.code_bodies == ["BSC", "REC"]
    assert plan.code_bodies == ["BSC", "REC"]


def test_item_add_field_errors(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = form_data(1, workaround_fully_mitigates=None, expected_fix_date="31/02/2027")
    data.pop("code_bodies")
    data["expected_resolution_date"] = "2027-01-01"
    data["expected_fix_date"] = "2027-02-31"

    response = client.post(_url("item_add", plan), data)

    errors = response.context["form"].errors
    assert response.status_code == 400
    assert errors["code_bodies"] == ["This field is required."]
    assert errors["workaround_fully_mitigates"] == ["This field is required."]
    assert errors["expected_fix_date"] == ["Enter a valid date."]
    assert plan.items.count() == 0
    assert 'class="invalid-feedback"' in response.content.decode()


def test_item_add_resolution_before_fix_is_error(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = form_data(1)
    data["expected_resolution_date"] = "2027-02-01"

    response = client.post(_url("item_add", plan), data)

    assert response.context["form"].errors["expected_resolution_date"] == [
        "The expected resolution date must be on or after the expected fix date."
    ]
    assert plan.items.count() == 0


def test_item_add_duplicate_defect_number_is_form_error(client, participant, nwel):
    plan = make_plan(nwel, items=1)
    client.force_login(participant)

    response = client.post(_url("item_add", plan), form_data(2, defect_number="SIT-DEF-0001"))

    assert response.status_code == 400
    assert response.context["form"].errors["defect_number"] == [
        "Defect number SIT-DEF-0001 is already used by another item of this plan."
    ]
    assert plan.items.count() == 1


def test_item_add_errors_show_item_eligibility(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = form_data(1, severity="S1")
    data.pop("proposed_retest_model")

    response = client.post(_url("item_add", plan), data)

    failures = response.context["item_failures"]["failures"]
    assert [(f["rule"], f["reason"]) for f in failures] == [(1, "NWEL-WOP-001 is S1 Critical")]
    assert 'data-testid="item-failure-rule-1"' in response.content.decode()


def test_item_add_submitted_plan_returns_to_plan(client, participant, nwel):
    plan = set_state(make_plan(nwel), PlanState.SUBMITTED)
    client.force_login(participant)

    response = client.post(_url("item_add", plan), form_data(1), follow=True)

    assert response.redirect_chain == [(_url("plan_detail", plan), 302)]
    assert "is submitted, so its items and details cannot be changed" in response.content.decode()
    assert plan.items.count() == 0


# Editing and removing


def test_item_edit_form_shows_saved_values_and_eligibility(client, participant, nwel):
    plan = make_plan(nwel)
    item = Item.objects.create(plan=plan, **item_values(1, workaround_fully_mitigates=False))
    client.force_login(participant)

    response = client.get(_url("item_edit", plan, item))

    body = response.content.decode()
    assert response.context["form"].initial["workaround_fully_mitigates"] == "no"
    assert '<option value="no" selected>No</option>' in body
    assert 'value="2027-03-01"' in body
    failures = response.context["item_failures"]["failures"]
    assert [f["rule"] for f in failures] == [3]


def test_item_edit_saves(client, participant, nwel):
    plan = make_plan(nwel, items=1)
    item = plan.items.get()
    client.force_login(participant)

    response = client.post(
        _url("item_edit", plan, item), form_data(1, defect_status="In Progress", confidence="Low")
    )

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.defect_status == "In Progress"
    assert item.confidence == "Low"


def test_item_edit_duplicate_defect_number_is_form_error(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    item = plan.items.get(reference="NWEL-WOP-002")
    client.force_login(participant)

    response = client.post(
        _url("item_edit", plan, item), form_data(2, defect_number="SIT-DEF-0001")
    )

    item.refresh_from_db()
    assert response.status_code == 400
    assert "defect_number" in response.context["form"].errors
    assert item.defect_number == "SIT-DEF-0002"


def test_item_remove_confirms_then_deletes(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    item = plan.items.get(reference="NWEL-WOP-001")
    client.force_login(participant)

    confirm = client.get(_url("item_remove", plan, item))
    response = client.post(_url("item_remove", plan, item))

    assert confirm.status_code == 200
    assert "Remove item NWEL-WOP-001?" in confirm.content.decode()
    assert response.status_code == 302
    assert list(plan.items.values_list("reference", flat=True)) == ["NWEL-WOP-002"]


def test_item_of_another_plan_is_404(client, participant, nwel):
    plan = make_plan(nwel, items=1)
    other_plan = make_plan(nwel, items=1)
    client.force_login(participant)
    url = reverse("plans:item_edit", kwargs={"pk": plan.pk, "item_pk": other_plan.items.get().pk})

    assert client.get(url).status_code == 404


# Live eligibility check


def test_item_check_reports_unsaved_failures(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)

    response = client.post(
        _url("item_check", plan), form_data(1, severity="S2", workaround_monitoring="None")
    )

    result = response.json()
    assert response.status_code == 200
    assert [(f["rule"], f["reason"]) for f in result["failures"]] == [
        (1, "NWEL-WOP-001 is S2 Major"),
        (4, "NWEL-WOP-001 does not say how you will know the workaround is working"),
    ]
    assert [pending["rule"] for pending in result["awaiting"]] == [7, 8]
    assert result["errors"] == {}
    assert plan.items.count() == 0


def test_item_check_editing_item_uses_its_judgements(client, participant, nwel):
    plan = make_plan(nwel)
    item = Item.objects.create(plan=plan, **item_values(1, is_high_settlement_risk=True))
    client.force_login(participant)

    data = form_data(1)
    data["item"] = str(item.pk)
    result = client.post(_url("item_check", plan), data).json()

    assert [f["rule"] for f in result["failures"]] == [8]


def test_item_check_returns_field_errors(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = form_data(1)
    data["expected_fix_date"] = ""

    result = client.post(_url("item_check", plan), data).json()

    assert result["errors"]["expected_fix_date"] == ["This field is required."]
    assert [f["reason"] for f in result["failures"]] == ["NWEL-WOP-001 has no expected fix date"]


def test_item_check_other_organisation_404(client, other_participant, nwel):
    plan = make_plan(nwel)
    client.force_login(other_participant)

    assert client.post(_url("item_check", plan), form_data(1)).status_code == 404


def test_item_check_rejects_get(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)

    assert client.get(_url("item_check", plan)).status_code == 405


# Repeated defect numbers and references, compared as the submission check compares them


@pytest.mark.parametrize(
    ("field", "entered"),
    [
        ("defect_number", " sit-def-0001 "),
        ("defect_number", "Sit-Def-0001"),
        ("reference", " nwel-wop-001"),
    ],
)
def test_item_add_repeat_in_other_case_is_form_error(client, participant, nwel, field, entered):
    plan = make_plan(nwel, items=1)
    client.force_login(participant)
    data = form_data(2, **{field: entered})

    response = client.post(_url("item_add", plan), data)

    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert len(errors) == 1
    assert "already used by another item of this plan" in errors[0]
    assert "case and surrounding spaces are ignored" in errors[0]
    assert plan.items.count() == 1


def test_item_edit_repeat_in_other_case_is_form_error(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    second = plan.items.get(position=2)
    client.force_login(participant)

    response = client.post(
        _url("item_edit", plan, second), form_data(2, defect_number="sit-def-0001")
    )

    assert response.status_code == 400
    assert "already used by another item" in response.context["form"].errors["defect_number"][0]
    assert Item.objects.get(pk=second.pk).defect_number == "SIT-DEF-0002"


# The live check gives the real reason for a date


def _reasons(result) -> list[str]:
    return [failure["reason"] for failure in result["failures"] if failure["rule"] == 5]


def test_item_check_resolution_before_fix_reason(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = form_data(
        1,
        expected_fix_date=datetime.date(2027, 3, 15),
        expected_resolution_date=datetime.date(2027, 3, 1),
    )

    result = client.post(_url("item_check", plan), data).json()

    assert _reasons(result) == [
        "NWEL-WOP-001's expected resolution date 01/03/2027 is before its expected fix date "
        "15/03/2027"
    ]
    assert "expected_resolution_date" in result["errors"]


def test_item_check_impossible_date_reason(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = {**form_data(1), "expected_fix_date": "2027-02-30"}

    result = client.post(_url("item_check", plan), data).json()

    assert _reasons(result) == [
        "NWEL-WOP-001: Expected fix date '2027-02-30' is invalid. Enter a valid date."
    ]
    assert result["errors"]["expected_fix_date"] == ["Enter a valid date."]


def test_item_check_empty_date_still_missing(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)
    data = {**form_data(1), "expected_fix_date": ""}

    result = client.post(_url("item_check", plan), data).json()

    assert "NWEL-WOP-001 has no expected fix date" in _reasons(result)
