"""The plan page's lifecycle panel and the permission matrix of every transition view."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Plan, PlanEvent
from plans.services.lifecycle import plan_withdraw
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import agree_all, decide, import_sample, submit

pytestmark = pytest.mark.django_db

STAFF = ["mhhsp", "elexon", "reccm", "dip", "qsp", "osm", "pab", "admin"]


def detail(client, plan):
    return client.get(reverse("plans:plan_detail", kwargs={"pk": plan.pk})).content.decode()


def render_panel(plan, user):
    template = Template("{% load lifecycle %}{% plan_lifecycle plan %}")
    return template.render(Context({"plan": plan, "user": user}))


def test_eligible_draft_shows_submit_button(client, users):
    plan = import_sample("NWEL")
    client.force_login(users["participant"])
    text = detail(client, plan)
    assert 'data-testid="submit-plan"' in text
    assert 'data-testid="submit-blockers"' not in text


def test_ineligible_draft_shows_blockers_not_button(client, users):
    plan = import_sample("ASHD")
    client.force_login(users["participant2"])
    text = detail(client, plan)
    assert 'data-testid="submit-plan"' not in text
    assert "ASHD-WOP-001: rule 1 (S2 Major), rule 3" in text


def test_panel_shows_parties_pending_and_comments(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["mhhsp"], comment="Programme content.")
    client.force_login(users["participant"])
    text = detail(client, plan)
    assert "Programme content." in text
    assert "Still to decide: Elexon Qualification reviewer, REC Code Manager, DIP Manager." in text
    assert 'data-testid="withdraw-plan"' in text
    assert 'data-testid="version-1"' in text


def test_timeline_in_order_with_actors(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["elexon"], "request_changes", comment="Firm up NWEL-WOP-002.")
    events = list(PlanEvent.objects.filter(plan=plan).select_related("actor"))
    assert [(e.action, e.actor.username, e.from_state, e.to_state) for e in events] == [
        ("plans.workbook_imported", "participant", "", ""),
        ("plans.submitted", "participant", "draft", "submitted"),
        ("plans.returned", "elexon", "submitted", "returned"),
    ]
    assert events[0].created_at <= events[1].created_at <= events[2].created_at

    text = render_panel(Plan.objects.get(pk=plan.pk), users["participant"])
    submitted_at = text.index("<strong>Submitted</strong>")
    returned_at = text.index("<strong>Changes requested</strong>")
    assert submitted_at < returned_at
    assert "Submitted → Returned" in text
    assert "Firm up NWEL-WOP-002." in text


def test_panel_query_count_is_fixed(users):
    small = submit(import_sample("NWEL"), users["participant"])
    large = submit(import_sample("BWDS"), users["participant3"])
    agree_all(large, users, ["qsp", "elexon", "reccm"])
    owner_small = users["participant"]

    with CaptureQueriesContext(connection) as few:
        render_panel(Plan.objects.get(pk=small.pk), owner_small)
    with CaptureQueriesContext(connection) as many:
        render_panel(Plan.objects.get(pk=large.pk), users["participant3"])
    assert len(many.captured_queries) == len(few.captured_queries)


def post(client, name, plan, **extra):
    data = {"seen_state": plan.state, "seen_round": plan.review_round, **extra}
    return client.post(reverse(f"plans:{name}", kwargs={"pk": plan.pk}), data)


@pytest.mark.parametrize("username", STAFF)
def test_submit_view_refuses_staff_roles(client, users, username):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["elexon"], "request_changes", comment="Changes please.")
    plan = Plan.objects.get(pk=plan.pk)
    client.force_login(users[username])
    assert post(client, "plan_submit", plan).status_code == 403
    assert Plan.objects.get(pk=plan.pk).state == "returned"


def test_submit_view_hides_plan_from_other_organisation(client, users):
    plan = import_sample("NWEL")
    client.force_login(users["participant2"])
    assert post(client, "plan_submit", plan).status_code == 404
    assert Plan.objects.get(pk=plan.pk).state == "draft"


@pytest.mark.parametrize("username", STAFF)
def test_withdraw_view_refuses_staff_roles(client, users, username):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users[username])
    assert post(client, "plan_withdraw", plan).status_code == 403
    assert Plan.objects.get(pk=plan.pk).state == "submitted"


def test_withdraw_view_hides_plan_from_other_organisation(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users["participant2"])
    assert post(client, "plan_withdraw", plan).status_code == 404
    assert Plan.objects.get(pk=plan.pk).state == "submitted"


def test_withdraw_view_stale_page_gets_409(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    seen = Plan.objects.get(pk=plan.pk)
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])
    client.force_login(users["participant"])
    response = post(client, "plan_withdraw", seen)
    assert response.status_code == 409
    assert "it is now agreed" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_submit_view_stale_page_gets_409(client, users):
    plan = import_sample("NWEL")
    seen = Plan.objects.get(pk=plan.pk)
    plan_withdraw(plan_id=plan.pk, actor=users["participant"])
    client.force_login(users["participant"])
    response = post(client, "plan_submit", seen)
    assert response.status_code == 409
    assert Plan.objects.get(pk=plan.pk).state == "withdrawn"


@pytest.mark.parametrize(
    ("username", "status"),
    [("qsp", 403), ("osm", 403), ("pab", 403), ("admin", 403), ("participant", 302)],
)
def test_decision_refused_to_roles_not_required(client, users, username, status):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users[username])
    response = client.post(
        reverse("admin:plans_planforreview_change", args=[plan.pk]),
        {"seen_state": "submitted", "seen_round": 1, "decision": "agree"},
    )
    assert response.status_code == status
    assert Plan.objects.get(pk=plan.pk).state == "submitted"
    assert not plan.decisions.exists()
