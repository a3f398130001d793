"""Two people deciding on one plan at the same moment: exactly one wins.

These run on PostgreSQL with real transactions, two threads and so two
database connections, released together by a barrier. A TestCase-style
transaction would serialise them and hide the race.
"""

import threading
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from plans.models import PabDecision, Plan, PlanEvent, ReviewDecision, User
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import agree_all, decide, import_sample, pab_approve, submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Maximum time a thread waits for its partner at the barrier or to finish, in seconds.
THREAD_TIMEOUT = 30


def run_together(*calls):
    """Run each callable in its own thread, all released at once; return results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=THREAD_TIMEOUT)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects whatever each side got
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(index, call)) for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_TIMEOUT)
        assert not thread.is_alive(), "a thread did not finish: is a lock held forever?"
    return results


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def review_post(client, plan, **data):
    url = reverse("admin:plans_planforreview_change", args=[plan.pk])
    return lambda: client.post(url, {"seen_state": "submitted", "seen_round": 1, **data})


def transitions(plan, action):
    return PlanEvent.objects.filter(plan=plan, action=action).count()


def test_two_elexon_reviewers_agree_and_request_changes(users):
    elexon_2 = User.objects.create_user(
        "elexon_2", email="elexon_2@example.org", role="elexon", is_staff=True
    )
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "reccm", "dip"])
    first, second = logged_in(users["elexon"]), logged_in(elexon_2)
    mail.outbox.clear()

    agree, request = run_together(
        review_post(first, plan, decision="agree"),
        review_post(second, plan, decision="request_changes", comment="NWEL-WOP-006 is late."),
    )

    plan = Plan.objects.get(pk=plan.pk)
    statuses = sorted([agree.status_code, request.status_code])
    assert statuses == [302, 409]
    loser = agree if agree.status_code == 409 else request
    assert "The plan changed while you were working on it" in loser.content.decode()

    elexon_decisions = ReviewDecision.objects.filter(plan=plan, party="elexon")
    assert elexon_decisions.count() == 1
    winner = elexon_decisions.get()
    expected_state = "agreed" if winner.decision == "agree" else "returned"
    assert plan.state == expected_state
    moved = transitions(plan, "plans.agreed") + transitions(plan, "plans.returned")
    assert moved == 1

    # One set of e-mails, for the winning decision only: the participant's
    # contact and user, the three other parties' reviewers, plus the PAB when
    # the plan was agreed.
    expected_mails = 6 if winner.decision == "agree" else 5
    assert len(mail.outbox) == expected_mails
    winning_words = "agreed" if winner.decision == "agree" else "requested changes"
    participant_addresses = {plan.contact_email, "participant@example.org"}
    decision_mails = [m for m in mail.outbox if set(m.to) <= participant_addresses]
    assert len(decision_mails) == 2
    assert all(winning_words in message.subject for message in decision_mails)
    reviewer_mails = sorted(a for m in mail.outbox if "(Elexon" in m.subject for a in m.to)
    assert reviewer_mails == ["dip@example.org", "mhhsp@example.org", "reccm@example.org"]


def test_last_two_sign_offs_together(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon"])

    results = run_together(
        lambda: decide(plan, users["reccm"]),
        lambda: decide(plan, users["dip"]),
    )

    assert all(isinstance(result, ReviewDecision) for result in results)
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "agreed"
    assert transitions(plan, "plans.agreed") == 1
    agreed_event = PlanEvent.objects.get(plan=plan, action="plans.agreed")
    assert (agreed_event.from_state, agreed_event.to_state) == ("submitted", "agreed")
    assert ReviewDecision.objects.filter(plan=plan, review_round=1).count() == 4


def test_two_pab_approvals_together(users):
    pab_2 = User.objects.create_user("pab_2", email="pab_2@example.org", role="pab")
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])
    mail.outbox.clear()

    from reporting import services as reporting_services

    real_schedule_start = reporting_services.schedule_start
    with mock.patch.object(
        reporting_services, "schedule_start", side_effect=real_schedule_start
    ) as schedule_start:
        # Both pages showed the agreed plan of round 1, as the PAB page does.
        results = run_together(
            lambda: pab_approve(plan, users["pab"], seen_state="agreed", seen_round=1),
            lambda: pab_approve(plan, pab_2, seen_state="agreed", seen_round=1),
        )

    winners = [result for result in results if isinstance(result, PabDecision)]
    losers = [result for result in results if not isinstance(result, PabDecision)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert "it is now in monitoring" in str(losers[0])

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    assert transitions(plan, "plans.pab_approved") == 1
    assert transitions(plan, "plans.monitoring_started") == 1
    assert PabDecision.objects.filter(plan=plan).count() == 1
    assert schedule_start.call_count == 1
    # The participant's contact and user, once for the PAB decision and once
    # for the start of monitoring, and the OSM, who receives the BSC-led
    # plan's reports.
    assert len(mail.outbox) == 5
    assert sorted(a for m in mail.outbox if "reports will come" in m.subject for a in m.to) == [
        "osm@example.org"
    ]


def test_stale_agree_after_return_is_refused(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    reviewer = logged_in(users["elexon"])
    assert (
        reviewer.get(reverse("admin:plans_planforreview_change", args=[plan.pk])).status_code == 200
    )

    decide(plan, users["reccm"], "request_changes", comment="REC contact missing.")
    response = review_post(reviewer, plan, decision="agree")()

    assert response.status_code == 409
    assert "it is now returned" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == "returned"
    assert not ReviewDecision.objects.filter(plan=plan, party="elexon").exists()
