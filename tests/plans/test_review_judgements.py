"""Rules 7 and 8: each decision keeps its own flags, and items show the current round's."""

import pytest
from django.urls import reverse

from plans.models import Plan, ReviewDecision
from plans.services.lifecycle import plan_pab_decide
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import PAB_MEETING, agree_all, decide, import_sample, submit

pytestmark = pytest.mark.django_db


def judgements(plan):
    return {
        item.reference: (item.has_downstream_impact, item.is_high_settlement_risk)
        for item in plan.items.order_by("position")
    }


def items_by_reference(plan):
    return {item.reference: item for item in plan.items.all()}


def elexon_returns_with_flags(plan, users):
    """Elexon requests changes, flagging NWEL-WOP-001 (rule 7) and NWEL-WOP-002 (rule 8)."""
    items = items_by_reference(plan)
    return decide(
        plan,
        users["elexon"],
        "request_changes",
        comment="NWEL-WOP-001 affects other suppliers and NWEL-WOP-002 risks settlement.",
        downstream_item_ids=[items["NWEL-WOP-001"].pk],
        settlement_risk_item_ids=[items["NWEL-WOP-002"].pk],
    )


def test_decision_stores_its_flagged_item_ids(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    items = items_by_reference(plan)

    record = elexon_returns_with_flags(plan, users)

    record = ReviewDecision.objects.get(pk=record.pk)
    assert record.downstream_item_ids == [items["NWEL-WOP-001"].pk]
    assert record.settlement_risk_item_ids == [items["NWEL-WOP-002"].pk]


def test_flags_survive_an_earlier_agreement(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    decide(plan, users["mhhsp"])

    elexon_returns_with_flags(plan, users)

    # Elexon's flags count at once; the other judgements wait for the
    # parties that have not decided this round (reccm and dip).
    flags = judgements(plan)
    assert flags["NWEL-WOP-001"] == (True, None)
    assert flags["NWEL-WOP-002"] == (None, True)
    assert flags["NWEL-WOP-003"] == (None, None)


def test_resubmission_resets_judgements_to_awaiting(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    elexon_returns_with_flags(plan, users)

    submit(plan, users["participant"])

    assert set(judgements(plan).values()) == {(None, None)}


def test_new_round_partial_agreement_leaves_judgements_awaiting(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    first = elexon_returns_with_flags(plan, users)
    submit(plan, users["participant"])

    decide(plan, users["mhhsp"])

    # mhhsp flagged nothing in round 2, but Elexon, the REC Code Manager and
    # the DIP Manager have still to judge, so nothing is cleared yet.
    assert set(judgements(plan).values()) == {(None, None)}
    # Elexon's round 1 findings stay on its decision.
    first = ReviewDecision.objects.get(pk=first.pk)
    assert first.review_round == 1
    assert len(first.downstream_item_ids) == 1
    assert len(first.settlement_risk_item_ids) == 1


def test_one_party_agreeing_leaves_another_partys_flags(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    items = items_by_reference(plan)
    # A flag recorded this round without moving the plan, written directly,
    # stands for any other party's finding in the round.
    ReviewDecision.objects.create(
        plan=plan,
        review_round=1,
        version=1,
        party="dip",
        decision="request_changes",
        comment="Flagged by the DIP.",
        downstream_item_ids=[items["NWEL-WOP-001"].pk],
        settlement_risk_item_ids=[items["NWEL-WOP-002"].pk],
        actor=users["dip"],
    )

    decide(plan, users["mhhsp"])

    flags = judgements(plan)
    assert flags["NWEL-WOP-001"] == (True, None)
    assert flags["NWEL-WOP-002"] == (None, True)
    assert flags["NWEL-WOP-004"] == (None, None)


def test_judgements_cleared_once_every_party_agreed(users):
    plan = submit(import_sample("NWEL"), users["participant"])

    for username in ("mhhsp", "elexon", "reccm", "dip"):
        decide(plan, users[username])

    plan.refresh_from_db()
    assert plan.state == "agreed"
    assert set(judgements(plan).values()) == {(False, False)}


def test_pab_refusal_resets_judgements_to_awaiting(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])
    assert set(judgements(plan).values()) == {(False, False)}

    plan_pab_decide(
        plan_id=plan.pk,
        actor=users["pab"],
        outcome="refuse",
        meeting_date=PAB_MEETING,
        comment="Fix dates after migration start need a contingency.",
    )

    assert Plan.objects.get(pk=plan.pk).review_round == 2
    assert set(judgements(plan).values()) == {(None, None)}


def test_review_page_shows_other_partys_flags(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    elexon_returns_with_flags(plan, users)
    client.force_login(users["mhhsp"])

    response = client.get(reverse("admin:plans_planforreview_change", args=[plan.pk]))

    rows = response.context["flagged_this_round"]
    assert [row["decision"].party for row in rows] == ["elexon"]
    assert rows[0]["downstream"] == ["NWEL-WOP-001"]
    assert rows[0]["settlement_risk"] == ["NWEL-WOP-002"]
    content = response.content.decode()
    assert "downstream impact on NWEL-WOP-001" in content
    assert "high-impact settlement risk on NWEL-WOP-002" in content


def test_review_page_shows_earlier_round_flags(client, users):
    plan = submit(import_sample("NWEL"), users["participant"])
    elexon_returns_with_flags(plan, users)
    submit(plan, users["participant"])
    client.force_login(users["elexon"])

    response = client.get(reverse("admin:plans_planforreview_change", args=[plan.pk]))

    assert response.context["flagged_this_round"] == []
    earlier = response.context["flagged_earlier"]
    assert [(row["decision"].review_round, row["decision"].party) for row in earlier] == [
        (1, "elexon")
    ]
    assert 'data-testid="flagged-earlier"' in response.content.decode()
