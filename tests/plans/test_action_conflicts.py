"""A stale page gets PlanChanged; an action the current state forbids gets ActionNotAllowed.

Both return 409 with their own message and change nothing.
"""

import pytest
from django.urls import reverse

from plans.choices import PlanKind, Route
from plans.models import PabDecision, Plan, PlanEvent, ReviewDecision
from plans.services.lifecycle import ActionNotAllowed, PlanChanged, plan_withdraw
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import agree_all, decide, import_sample, submit
from tests.plans.test_lifecycle_routes import make_draft

pytestmark = pytest.mark.django_db


def rec_plan_in_monitoring(users):
    """Return a QT plan impacting only the REC, agreed by the REC Code Manager, so in monitoring."""
    plan = make_draft(
        users["participant"].organisation,
        users["participant"],
        route=Route.QT,
        kind=PlanKind.TESTING_WORK_OFF,
        code_bodies=["REC"],
    )
    submit(plan, users["participant"])
    decide(plan, users["reccm"])
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    return plan


def seen(plan):
    return {"seen_state": plan.state, "seen_round": plan.review_round}


def event_count(plan):
    return PlanEvent.objects.filter(plan=plan).count()


def test_withdraw_in_monitoring_is_not_allowed(client, users):
    plan = rec_plan_in_monitoring(users)
    events = event_count(plan)
    client.force_login(users["participant"])

    response = client.post(reverse("plans:plan_withdraw", args=[plan.pk]), seen(plan))

    content = response.content.decode()
    assert response.status_code == 409
    assert (
        "This plan is in monitoring, and it can be withdrawn only while it is a draft, "
        "submitted or returned." in content
    )
    assert "changed while you were working" not in content
    assert Plan.objects.get(pk=plan.pk).state == "monitoring"
    assert event_count(plan) == events


def test_pab_decision_on_plan_needing_none(client, users):
    plan = rec_plan_in_monitoring(users)
    client.force_login(users["pab"])
    form = {
        f"plan{plan.pk}-{name}": value
        for name, value in {
            **seen(plan),
            "outcome": "approve",
            "meeting_date": "2027-01-11",
            "reference": "",
            "comment": "",
        }.items()
    }

    response = client.post(reverse("plans:pab_decide", args=[plan.pk]), form)

    content = response.content.decode()
    assert response.status_code == 409
    assert "it does not impact the BSC, so it needs no PAB decision" in content
    assert "changed while you were working" not in content
    assert not PabDecision.objects.filter(plan=plan).exists()
    assert Plan.objects.get(pk=plan.pk).state == "monitoring"


def test_decision_on_returned_plan_is_not_allowed(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["reccm"], "request_changes", comment="Add the REC contact.")
    plan = Plan.objects.get(pk=plan.pk)
    client.force_login(users["elexon"])

    response = client.post(
        reverse("admin:plans_planforreview_change", args=[plan.pk]),
        {**seen(plan), "decision": "agree"},
    )

    assert response.status_code == 409
    assert "This plan is returned, and reviewers decide only on a submitted plan." in (
        response.content.decode()
    )
    assert not ReviewDecision.objects.filter(plan=plan, party="elexon").exists()


def test_stale_withdraw_still_reports_plan_changed(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])

    with pytest.raises(PlanChanged, match="it is now agreed"):
        plan_withdraw(
            plan_id=plan.pk, actor=users["participant"], seen_state="submitted", seen_round=1
        )

    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_withdraw_not_allowed_without_seen_state(users):
    plan = rec_plan_in_monitoring(users)

    with pytest.raises(ActionNotAllowed) as raised:
        plan_withdraw(plan_id=plan.pk, actor=users["participant"])

    assert not isinstance(raised.value, PlanChanged)
    assert raised.value.plan.pk == plan.pk
    assert Plan.objects.get(pk=plan.pk).state == "monitoring"
