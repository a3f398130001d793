"""The reviewers' queue in the admin: which plans each role gets, the decision form, query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.choices import PlanKind, Route
from plans.models import Plan, ReviewDecision
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import decide, import_sample, submit
from tests.plans.test_lifecycle_routes import make_draft

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:plans_planforreview_changelist")


def change_url(plan):
    return reverse("admin:plans_planforreview_change", args=[plan.pk])


def submitted_plans(users, count, *, code_bodies=("BSC",)):
    plans = []
    for _ in range(count):
        plan = make_draft(
            users["participant"].organisation,
            users["participant"],
            route=Route.QT,
            kind=PlanKind.TESTING_WORK_OFF,
            code_bodies=list(code_bodies),
            items=3,
        )
        plans.append(submit(plan, users["participant"]))
    return plans


def queue_ids(response):
    return [row.pk for row in response.context["cl"].result_list]


def test_queue_lists_plans_waiting_for_the_party_oldest_first(client, users, clock):
    older = submit(import_sample("NWEL"), users["participant"])
    clock.shift(datetime.timedelta(days=3))
    newer = submit(import_sample("BWDS"), users["participant3"])
    import_sample("ASHD")  # a draft: never in any queue
    rec_only = submitted_plans(users, 1, code_bodies=("REC",))[0]
    clock.shift(datetime.timedelta(days=2))

    client.force_login(users["elexon"])
    response = client.get(QUEUE_URL)
    assert response.status_code == 200
    assert queue_ids(response) == [older.pk, newer.pk]
    text = response.content.decode()
    assert "Northwind Energy Ltd (NWEL)" in text
    assert ">eligible<" in text

    decide(older, users["elexon"])
    assert queue_ids(client.get(QUEUE_URL)) == [newer.pk]

    client.force_login(users["reccm"])
    assert queue_ids(client.get(QUEUE_URL)) == [older.pk, newer.pk, rec_only.pk]
    client.force_login(users["mhhsp"])
    assert queue_ids(client.get(QUEUE_URL)) == [older.pk]


def test_days_waiting_column(client, users, clock):
    plan = submit(import_sample("NWEL"), users["participant"])
    clock.shift(datetime.timedelta(days=4, hours=1))
    client.force_login(users["dip"])
    response = client.get(QUEUE_URL)
    admin = response.context["cl"].model_admin
    row = response.context["cl"].result_list[0]
    assert row.pk == plan.pk
    assert admin.days_waiting_text(row) == 4
    assert admin.decided_text(row) == "0 of 4"


def test_participant_never_reaches_the_admin(client, users):
    submit(import_sample("NWEL"), users["participant"])
    client.force_login(users["participant"])
    for url in (QUEUE_URL, reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_queue_query_count_does_not_grow(client, users):
    client.force_login(users["elexon"])
    submitted_plans(users, 2)
    with CaptureQueriesContext(connection) as small:
        assert len(queue_ids(client.get(QUEUE_URL))) == 2
    submitted_plans(users, 6)
    with CaptureQueriesContext(connection) as large:
        assert len(queue_ids(client.get(QUEUE_URL))) == 8
    assert len(large.captured_queries) == len(small.captured_queries)


def test_review_page_shows_items_eligibility_and_form(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users["elexon"])
    response = client.get(change_url(plan))
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('data-testid="review-item"') == 6
    assert "NWEL-WOP-006" in text
    assert 'data-testid="review-eligible"' in text
    assert 'data-testid="decision-form"' in text
    assert 'name="state"' not in text


def test_review_page_decision_calls_the_service(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    items = list(plan.items.order_by("position"))
    client.force_login(users["dip"])
    response = client.post(
        change_url(plan),
        {
            "seen_state": "submitted",
            "seen_round": 1,
            "decision": "request_changes",
            "comment": "NWEL-WOP-004 needs DIP action.",
            "downstream_items": [items[3].pk],
        },
    )
    assert response.status_code == 302
    assert response.url == QUEUE_URL
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "returned"
    decision = ReviewDecision.objects.get(plan=plan)
    assert (decision.party, decision.decision, decision.actor) == (
        "dip",
        "request_changes",
        users["dip"],
    )
    assert plan.items.get(pk=items[3].pk).has_downstream_impact is True


def test_review_page_requires_comment_for_request_changes(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users["elexon"])
    response = client.post(
        change_url(plan),
        {"seen_state": "submitted", "seen_round": 1, "decision": "reject", "comment": ""},
    )
    assert response.status_code == 200
    assert "A comment is required" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == "submitted"


def test_stale_review_page_is_refused_with_message(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    client.force_login(users["elexon"])
    page = client.get(change_url(plan))
    assert page.status_code == 200

    # The participant withdraws after the reviewer loaded the page.
    from plans.services.lifecycle import plan_withdraw

    plan_withdraw(plan_id=plan.pk, actor=users["participant"])
    response = client.post(
        change_url(plan), {"seen_state": "submitted", "seen_round": 1, "decision": "agree"}
    )
    assert response.status_code == 409
    assert "The plan changed while you were working on it: it is now withdrawn." in (
        response.content.decode()
    )
    assert Plan.objects.get(pk=plan.pk).state == "withdrawn"
    assert not ReviewDecision.objects.filter(plan=plan).exists()


def test_stale_round_is_refused(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["reccm"], "request_changes", comment="Add a contact.")
    submit(plan, users["participant"])
    client.force_login(users["elexon"])
    response = client.post(
        change_url(plan), {"seen_state": "submitted", "seen_round": 1, "decision": "agree"}
    )
    assert response.status_code == 409
    assert not ReviewDecision.objects.filter(plan=plan, party="elexon").exists()


def test_reviewer_not_required_gets_403(client, users):
    plan = submitted_plans(users, 1, code_bodies=("BSC",))[0]
    client.force_login(users["reccm"])
    assert client.get(change_url(plan)).status_code == 200
    response = client.post(
        change_url(plan), {"seen_state": "submitted", "seen_round": 1, "decision": "agree"}
    )
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).state == "submitted"


def test_draft_is_not_found_in_review(client, users):
    draft = import_sample("NWEL")
    client.force_login(users["elexon"])
    assert client.get(change_url(draft)).status_code == 404
