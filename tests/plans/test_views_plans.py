"""The plan list, plan creation, plan details and the plan page."""

import datetime

import pytest
from django.urls import reverse

from plans.choices import PlanState
from plans.models import Plan
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import add_item, make_plan, set_state

LOGIN = "/accounts/login/"


def _assert_login_redirect(response, url):
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url}"


# Plan list


def test_plan_list_signed_out_redirects(client, db):
    _assert_login_redirect(client.get("/"), "/")


def test_plan_list_shows_own_plans_only(client, participant, nwel, ashd):
    own = make_plan(nwel, items=2)
    other = make_plan(ashd, items=1)
    client.force_login(participant)

    response = client.get(reverse("plans:plan_list"))

    assert response.status_code == 200
    assert [plan.pk for plan in response.context["plans"]] == [own.pk]
    body = response.content.decode()
    assert f'data-testid="plan-row-{own.pk}"' in body
    assert f'data-testid="plan-row-{other.pk}"' not in body
    assert response.context["plans"][0].item_count == 2
    assert "New plan" in body
    assert "Upload workbook" in body
    assert "Download blank templates" in body


def test_plan_list_reviewer_sees_submitted_only(client, reviewer, nwel):
    draft = make_plan(nwel)
    submitted = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)
    client.force_login(reviewer)

    response = client.get("/")

    assert [plan.pk for plan in response.context["plans"]] == [submitted.pk]
    assert draft.pk not in [plan.pk for plan in response.context["plans"]]
    assert "New plan" not in response.content.decode()


def test_plan_list_row_values(client, participant, nwel):
    plan = make_plan(nwel, items=3, plan_version="1.1")
    client.force_login(participant)

    body = client.get("/").content.decode()

    row = body.split(f'data-testid="plan-row-{plan.pk}"')[1].split("</tr>")[0]
    assert "Testing Work Off Plan" in row
    assert "<td>SIT</td>" in row
    assert "Draft" in row
    assert '<td class="text-end">3</td>' in row
    assert "<td>BSC</td>" in row
    assert "(1.1)" in row


@pytest.mark.parametrize("count", [2, 12])
def test_plan_list_query_count_is_fixed(
    client, participant, nwel, django_assert_num_queries, count
):
    for _ in range(count):
        make_plan(nwel, items=2)
    client.force_login(participant)

    # Session, user, the user's organisation for the page header, then the
    # plans with their organisation and item count.
    with django_assert_num_queries(4):
        response = client.get("/")

    assert len(response.context["plans"]) == count


# Creating a plan


def test_plan_create_signed_out_redirects(client, db):
    url = reverse("plans:plan_create")
    _assert_login_redirect(client.get(url), url)


def test_plan_create_reviewer_forbidden(client, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("plans:plan_create")).status_code == 403
    assert client.post(reverse("plans:plan_create"), {}).status_code == 403


def test_plan_create_makes_draft(client, participant, nwel):
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_create"),
        {
            "kind": "testing_work_off",
            "route": "QT",
            "lead_code_body": "REC",
            "reporting_interval": "fortnightly",
            "contact_name": "Priya Shah",
            "contact_email": "priya.shah@example.org",
            "participant_role": "Supplier",
        },
    )

    plan = Plan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan_detail", kwargs={"pk": plan.pk})
    assert plan.state == PlanState.DRAFT
    assert plan.organisation == nwel
    assert plan.participant_name == "Northwind Energy Ltd"
    assert plan.route == "QT"
    assert plan.lead_code_body == "REC"
    assert plan.reporting_interval == "fortnightly"
    assert plan.contact_email == "priya.shah@example.org"
    assert plan.created_by == participant


@pytest.mark.parametrize(
    ("kind", "route"),
    [("testing_work_off", "QAD"), ("qad_action", "SIT"), ("qad_action", "QT")],
)
def test_plan_create_route_must_fit_kind(client, participant, kind, route):
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_create"),
        {"kind": kind, "route": route, "lead_code_body": "BSC", "reporting_interval": "weekly"},
    )

    assert response.status_code == 200
    assert "route" in response.context["form"].errors
    assert Plan.objects.count() == 0


def test_plan_create_qad_plan_on_qad_route(client, participant):
    client.force_login(participant)

    client.post(
        reverse("plans:plan_create"),
        {"kind": "qad_action", "route": "QAD", "lead_code_body": "BSC", "reporting_interval": ""},
    )

    plan = Plan.objects.get()
    assert plan.kind == "qad_action"
    assert plan.reporting_interval is None


# Editing plan details


def test_plan_edit_other_organisation_404(client, other_participant, nwel):
    plan = make_plan(nwel)
    client.force_login(other_participant)

    assert client.get(reverse("plans:plan_edit", kwargs={"pk": plan.pk})).status_code == 404


def test_plan_edit_reviewer_forbidden(client, reviewer, nwel):
    plan = set_state(make_plan(nwel), PlanState.SUBMITTED)
    client.force_login(reviewer)

    assert client.get(reverse("plans:plan_edit", kwargs={"pk": plan.pk})).status_code == 403


def test_plan_edit_saves_details(client, participant, nwel):
    plan = make_plan(nwel)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_edit", kwargs={"pk": plan.pk}),
        {"route": "QT", "lead_code_body": "DIP", "reporting_interval": "weekly"},
    )

    plan.refresh_from_db()
    assert response.status_code == 302
    assert plan.route == "QT"
    assert plan.lead_code_body == "DIP"
    assert plan.reporting_interval == "weekly"


def test_plan_edit_submitted_plan_refused(client, participant, nwel):
    plan = set_state(make_plan(nwel, route="SIT"), PlanState.SUBMITTED)
    client.force_login(participant)

    response = client.post(
        reverse("plans:plan_edit", kwargs={"pk": plan.pk}),
        {"route": "QT", "lead_code_body": "BSC", "reporting_interval": "weekly"},
        follow=True,
    )

    plan.refresh_from_db()
    assert plan.route == "SIT"
    assert "is submitted, so its items and details cannot be changed" in response.content.decode()


# The plan page


def test_plan_detail_signed_out_redirects(client, nwel):
    plan = make_plan(nwel)
    url = reverse("plans:plan_detail", kwargs={"pk": plan.pk})
    _assert_login_redirect(client.get(url), url)


def test_plan_detail_other_organisation_404(client, other_participant, nwel):
    plan = make_plan(nwel, items=1)
    client.force_login(other_participant)

    assert client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).status_code == 404


def test_plan_detail_missing_plan_404(client, participant):
    client.force_login(participant)

    assert client.get(reverse("plans:plan_detail", kwargs={"pk": 999999})).status_code == 404


def test_plan_detail_reviewer_cannot_see_draft(client, reviewer, nwel):
    plan = make_plan(nwel, items=1)
    client.force_login(reviewer)

    assert client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).status_code == 404


def test_plan_detail_reviewer_sees_submitted_without_edit_links(client, reviewer, nwel):
    plan = set_state(make_plan(nwel, items=2), PlanState.SUBMITTED)
    client.force_login(reviewer)

    response = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk}))

    body = response.content.decode()
    assert response.status_code == 200
    assert "NWEL-WOP-002" in body
    assert response.context["can_edit"] is False
    assert 'data-testid="add-item"' not in body


def test_plan_detail_shows_items_and_eligible(client, participant, nwel):
    plan = make_plan(nwel, items=2)
    client.force_login(participant)

    response = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk}))

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="item-row"') == 2
    assert "NWEL-WOP-001" in body
    assert "SIT-DEF-0002" in body
    assert "15/03/2027" in body
    assert 'data-testid="plan-state">Draft<' in body
    assert response.context["eligibility"]["eligible"] is True
    assert 'data-testid="eligibility-status">Eligible<' in body
    # Rules 7 and 8 wait for a reviewer and do not make the plan ineligible.
    assert 'data-testid="awaiting-rule-7"' in body
    assert 'data-testid="awaiting-rule-8"' in body
    assert "Rule 7: awaiting review." in body


def test_plan_detail_names_failing_item_and_rule(client, participant, nwel):
    plan = make_plan(nwel, items=1)
    add_item(plan, 2, severity="S2", workaround_fully_mitigates=False)
    client.force_login(participant)

    response = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk}))

    failures = response.context["eligibility"]["failures"]
    assert [(f["rule"], f["item"]) for f in failures] == [
        (1, "NWEL-WOP-002"),
        (3, "NWEL-WOP-002"),
    ]
    assert failures[0]["reason"] == "NWEL-WOP-002 is S2 Major"
    body = response.content.decode()
    assert 'data-testid="eligibility-status">Not eligible<' in body
    assert "NWEL-WOP-002 is S2 Major" in body
    assert "NWEL-WOP-002&#x27;s workaround does not fully mitigate the defect" in body


def test_plan_detail_rule_5_judged_on_submission_day(client, participant, nwel):
    plan = make_plan(nwel)
    # Fix date before today (01/06/2026) but after the submission day (20/05/2026).
    add_item(plan, 1, expected_fix_date=datetime.date(2026, 5, 25))
    client.force_login(participant)
    url = reverse("plans:plan_detail", kwargs={"pk": plan.pk})

    draft_failures = client.get(url).context["eligibility"]["failures"]
    set_state(plan, PlanState.SUBMITTED)
    submitted_response = client.get(url)

    assert [f["rule"] for f in draft_failures] == [5]
    assert "25/05/2026 is before 01/06/2026" in draft_failures[0]["reason"]
    assert submitted_response.context["eligibility"]["failures"] == []
    assert submitted_response.context["eligibility_day"].isoformat() == "2026-05-20"


def test_plan_detail_reviewer_judgement_fails_rule_7(client, participant, nwel):
    plan = make_plan(nwel)
    add_item(plan, 1, has_downstream_impact=True, is_high_settlement_risk=False)
    client.force_login(participant)

    response = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk}))

    eligibility = response.context["eligibility"]
    assert [(f["rule"], f["item"]) for f in eligibility["failures"]] == [(7, "NWEL-WOP-001")]
    assert eligibility["awaiting"] == []


def _panel_query_count(client, plan, user) -> int:
    """Count the queries the lifecycle and reporting panels make for a plan, on their own."""
    from django.db import connection
    from django.template import RequestContext, Template
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from plans.selectors import plan_get_for_user

    # Loaded as the plan page loads it, so the panels find the same related rows cached.
    plan = plan_get_for_user(user, plan.pk)
    request = RequestFactory().get("/")
    request.user = user
    template = Template(
        "{% load lifecycle reporting_tags %}{% plan_lifecycle plan %}{% plan_reporting plan %}"
    )
    with CaptureQueriesContext(connection) as captured:
        template.render(RequestContext(request, {"plan": plan, "user": user}))
    return len(captured)


# Session, user, the user's organisation for the page header, the plan with
# its organisation and creator, its items, the report lines revising their fix
# dates, its workbooks with their uploaders.
PLAN_PAGE_OWN_QUERIES = 7


@pytest.mark.parametrize("count", [3, 30])
def test_plan_detail_query_count_is_fixed(
    client, participant, nwel, django_assert_num_queries, count
):
    plan = make_plan(nwel, items=count)
    client.force_login(participant)
    panels = _panel_query_count(client, plan, participant)

    with django_assert_num_queries(PLAN_PAGE_OWN_QUERIES + panels):
        response = client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk}))

    assert len(response.context["items"]) == count


def test_plan_detail_panels_query_count_is_fixed(participant, nwel, client):
    small = make_plan(nwel, items=3)
    large = make_plan(nwel, items=30)

    assert _panel_query_count(client, small, participant) == _panel_query_count(
        client, large, participant
    )
