"""Each route through review and approval, end to end through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.choices import PlanKind, Route
from plans.models import Item, PabDecision, Plan, PlanEvent, PlanVersion, ReviewDecision
from plans.services.lifecycle import (
    ActionNotAllowed,
    PartyAlreadyDecided,
    plan_pab_decide,
    plan_withdraw,
)
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import (
    PAB_MEETING,
    agree_all,
    decide,
    import_sample,
    pab_approve,
    submit,
)
from tests.plans.view_fixtures import item_values

pytestmark = pytest.mark.django_db


def make_draft(organisation, actor, *, route, kind, code_bodies, items=2):
    plan = Plan.objects.create(
        kind=kind,
        route=route,
        organisation=organisation,
        participant_name=organisation.name,
        contact_email=f"contact-{organisation.participant_id.lower()}@example.org",
        lead_code_body=code_bodies[0],
        reporting_interval="monthly",
        code_bodies=code_bodies,
        created_by=actor,
    )
    prefix = "QAP" if kind == PlanKind.QAD_ACTION else "WOP"
    for number in range(1, items + 1):
        values = item_values(
            number,
            reference=f"{organisation.participant_id}-{prefix}-{number:03d}",
            code_bodies=code_bodies,
            risk_rating="Low" if kind == PlanKind.QAD_ACTION else None,
        )
        Item.objects.create(plan=plan, position=number, **values)
    return plan


def actions(plan):
    return list(PlanEvent.objects.filter(plan=plan).values_list("action", "from_state", "to_state"))


def test_sit_plan_needs_four_agreements_then_pab(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])

    for username in ("mhhsp", "elexon", "reccm"):
        decide(plan, users[username])
        assert Plan.objects.get(pk=plan.pk).state == "submitted"
    decide(plan, users["dip"])
    assert Plan.objects.get(pk=plan.pk).state == "agreed"

    record = pab_approve(plan, users["pab"], reference="PAB 301/07")
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    assert plan.monitoring_started_at is not None
    assert record.reference == "PAB 301/07"
    assert record.meeting_date == datetime.date(2027, 1, 11)
    assert actions(plan)[1:] == [
        ("plans.submitted", "draft", "submitted"),
        ("plans.decision_recorded", "submitted", "submitted"),
        ("plans.decision_recorded", "submitted", "submitted"),
        ("plans.decision_recorded", "submitted", "submitted"),
        ("plans.agreed", "submitted", "agreed"),
        ("plans.pab_approved", "agreed", "pab_approved"),
        ("plans.monitoring_started", "pab_approved", "monitoring"),
    ]
    parties = list(ReviewDecision.objects.filter(plan=plan).values_list("party", flat=True))
    assert parties == ["mhhsp", "elexon", "reccm", "dip"]


def test_qt_plan_impacting_rec_only_goes_straight_to_monitoring(users):
    ashd = users["participant2"].organisation
    plan = make_draft(
        ashd,
        users["participant2"],
        route=Route.QT,
        kind=PlanKind.TESTING_WORK_OFF,
        code_bodies=["REC"],
    )
    submit(plan, users["participant2"])
    with pytest.raises(PermissionDenied):
        decide(plan, users["mhhsp"])
    with pytest.raises(PermissionDenied):
        decide(plan, users["elexon"])

    decide(plan, users["reccm"])

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    assert actions(plan) == [
        ("plans.submitted", "draft", "submitted"),
        ("plans.agreed", "submitted", "agreed"),
        ("plans.monitoring_started", "agreed", "monitoring"),
    ]
    assert not PabDecision.objects.filter(plan=plan).exists()


def test_qad_plan_impacting_bsc_and_dip_needs_qsp_elexon_dip(users):
    bwds = users["participant3"].organisation
    plan = make_draft(
        bwds,
        users["participant3"],
        route=Route.QAD,
        kind=PlanKind.QAD_ACTION,
        code_bodies=["BSC", "DIP"],
    )
    submit(plan, users["participant3"])
    for username in ("mhhsp", "reccm"):
        with pytest.raises(PermissionDenied):
            decide(plan, users[username])

    agree_all(plan, users, ["qsp", "dip"])
    assert Plan.objects.get(pk=plan.pk).state == "submitted"
    decide(plan, users["elexon"])
    assert Plan.objects.get(pk=plan.pk).state == "agreed"

    pab_approve(plan, users["pab"])
    assert Plan.objects.get(pk=plan.pk).state == "monitoring"


def test_request_changes_returns_with_every_comment(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    decide(plan, users["mhhsp"], comment="Dates look realistic.")
    decide(
        plan, users["elexon"], "request_changes", comment="NWEL-WOP-003 needs a firmer fix date."
    )

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "returned"
    assert plan.version == 2
    event = PlanEvent.objects.get(plan=plan, action="plans.returned")
    assert event.actor == users["elexon"]
    assert event.comment == "NWEL-WOP-003 needs a firmer fix date."
    assert event.data["round_comments"] == [
        {"party": "mhhsp", "decision": "agree", "comment": "Dates look realistic."},
        {
            "party": "elexon",
            "decision": "request_changes",
            "comment": "NWEL-WOP-003 needs a firmer fix date.",
        },
    ]
    with pytest.raises(ActionNotAllowed):
        decide(plan, users["reccm"])


def test_resubmission_starts_a_new_round_on_version_two(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    decide(plan, users["reccm"], "request_changes", comment="Add the REC reporting contact.")
    submit(plan, users["participant"])

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "submitted"
    assert plan.version == 2
    assert plan.review_round == 2
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2]
    # reccm decided in round 1; round 2 is open to it again.
    decide(plan, users["reccm"])
    assert ReviewDecision.objects.filter(plan=plan, party="reccm").count() == 2


def test_rejection_is_final(users):
    plan = import_sample("BWDS")
    submit(plan, users["participant3"])
    decide(plan, users["qsp"], "reject", comment="BWDS-QAP-002 has no viable workaround.")

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "rejected"
    assert actions(plan)[-1] == ("plans.rejected", "submitted", "rejected")
    with pytest.raises(ActionNotAllowed):
        submit(plan, users["participant3"])
    with pytest.raises(ActionNotAllowed):
        plan_withdraw(plan_id=plan.pk, actor=users["participant3"])


def test_withdrawal_before_agreement(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    decide(plan, users["mhhsp"])
    plan_withdraw(plan_id=plan.pk, actor=users["participant"], comment="Defects fixed early.")

    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "withdrawn"
    event = PlanEvent.objects.get(plan=plan, action="plans.withdrawn")
    assert (event.from_state, event.to_state, event.actor) == (
        "submitted",
        "withdrawn",
        users["participant"],
    )
    assert event.comment == "Defects fixed early."
    with pytest.raises(ActionNotAllowed):
        decide(plan, users["elexon"])


def test_withdrawal_refused_after_agreement(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])
    with pytest.raises(ActionNotAllowed):
        plan_withdraw(plan_id=plan.pk, actor=users["participant"])
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_pab_refusal_starts_new_review_round(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    agree_all(plan, users, ["mhhsp", "elexon", "reccm", "dip"])
    plan_pab_decide(
        plan_id=plan.pk,
        actor=users["pab"],
        outcome="refuse",
        meeting_date=PAB_MEETING,
        comment="Fix dates after migration start need a contingency.",
    )
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "submitted"
    assert plan.review_round == 2
    assert plan.version == 1
    assert actions(plan)[-1] == ("plans.pab_refused", "agreed", "submitted")
    # A new round: every party decides again.
    decide(plan, users["mhhsp"])
    assert ReviewDecision.objects.filter(plan=plan, review_round=2).count() == 1


def test_second_decision_of_a_party_is_refused(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    decide(plan, users["elexon"])
    with pytest.raises(PartyAlreadyDecided, match="already decided"):
        decide(plan, users["elexon"])
    assert ReviewDecision.objects.filter(plan=plan, party="elexon").count() == 1


def test_comment_required_to_request_changes_or_reject(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    for decision in ("request_changes", "reject"):
        with pytest.raises(ValidationError):
            decide(plan, users["elexon"], decision, comment="  ")
    assert Plan.objects.get(pk=plan.pk).state == "submitted"
    assert not ReviewDecision.objects.filter(plan=plan).exists()


def test_reviewer_judgements_set_on_items(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    items = list(plan.items.order_by("position"))
    decide(
        plan,
        users["dip"],
        "request_changes",
        comment="NWEL-WOP-002 needs action from the DIP.",
        downstream_item_ids=[items[1].pk],
        settlement_risk_item_ids=[items[4].pk],
    )
    flags = {
        item.reference: (item.has_downstream_impact, item.is_high_settlement_risk)
        for item in plan.items.all()
    }
    assert flags[items[1].reference] == (True, None)
    assert flags[items[4].reference] == (None, True)
    # The other parties never judged this round, so the rest stay awaiting.
    assert flags[items[0].reference] == (None, None)
    event = PlanEvent.objects.get(plan=plan, action="plans.returned")
    assert event.data["downstream_items"] == [items[1].reference]
    assert event.data["settlement_risk_items"] == [items[4].reference]


def test_agree_with_a_flagged_item_is_refused(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    item = plan.items.first()
    with pytest.raises(ValidationError):
        decide(plan, users["elexon"], downstream_item_ids=[item.pk])
    assert not ReviewDecision.objects.filter(plan=plan).exists()


def test_pab_refuses_plans_not_agreed_or_not_bsc(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    with pytest.raises(ActionNotAllowed):
        pab_approve(plan, users["pab"])
    with pytest.raises(PermissionDenied):
        pab_approve(plan, users["elexon"])
    assert not PabDecision.objects.exists()
