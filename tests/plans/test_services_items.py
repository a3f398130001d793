"""The item services: add, update and remove items of an editable plan."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans.choices import PlanState
from plans.models import Plan, PlanEvent
from plans.services.items import item_add, item_remove, item_update
from plans.services.plans import PlanNotEditable
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import add_item, item_values, make_plan, set_state


def test_item_add_appends_and_sets_code_bodies(participant, nwel):
    plan = make_plan(nwel, items=1)

    item = item_add(
        plan_id=plan.pk, actor=participant, data=item_values(2, code_bodies=["REC", "DIP"])
    )

    plan.refresh_from_db()
    assert item.position == 2
    assert plan.code_bodies == ["BSC", "REC", "DIP"]
    assert list(plan.items.values_list("reference", flat=True)) == ["NWEL-WOP-001", "NWEL-WOP-002"]
    event = PlanEvent.objects.get(plan=plan)
    assert event.action == "plans.item_added"
    assert event.actor == participant
    assert event.data == {"item_id": item.pk, "reference": "NWEL-WOP-002"}


def test_item_add_first_item_position_zero(participant, nwel):
    plan = make_plan(nwel)

    item = item_add(plan_id=plan.pk, actor=participant, data=item_values(1))

    assert item.position == 0


def test_item_add_logs_plan_and_actor(participant, nwel, caplog):
    plan = make_plan(nwel)

    with caplog.at_level(logging.INFO, logger="plans.services.items"):
        item = item_add(plan_id=plan.pk, actor=participant, data=item_values(1))

    assert caplog.records[-1].getMessage() == (
        f"item added plan_id={plan.pk} item_id={item.pk} actor_id={participant.pk}"
    )


def test_item_add_duplicate_defect_number_rejected(participant, nwel):
    plan = make_plan(nwel, items=1)

    with pytest.raises(ValidationError) as raised:
        item_add(
            plan_id=plan.pk,
            actor=participant,
            data=item_values(2, defect_number="SIT-DEF-0001"),
        )

    assert raised.value.message_dict == {
        "defect_number": [
            "Defect number SIT-DEF-0001 is already used by another item of this plan."
        ]
    }
    assert plan.items.count() == 1


def test_item_add_duplicate_reference_rejected(participant, nwel):
    plan = make_plan(nwel, items=1)

    with pytest.raises(ValidationError) as raised:
        item_add(plan_id=plan.pk, actor=participant, data=item_values(2, reference="NWEL-WOP-001"))

    assert list(raised.value.message_dict) == ["reference"]


@pytest.mark.parametrize(
    "state", [PlanState.SUBMITTED, PlanState.AGREED, PlanState.MONITORING, PlanState.CLOSED]
)
def test_item_add_refused_when_not_editable(participant, nwel, state):
    plan = set_state(make_plan(nwel, items=1), state)

    with pytest.raises(PlanNotEditable):
        item_add(plan_id=plan.pk, actor=participant, data=item_values(2))

    assert plan.items.count() == 1


def test_item_add_allowed_when_returned(participant, nwel):
    plan = set_state(make_plan(nwel, items=1), PlanState.RETURNED)

    item_add(plan_id=plan.pk, actor=participant, data=item_values(2))

    assert plan.items.count() == 2


def test_item_add_other_organisation_forbidden(other_participant, nwel):
    plan = make_plan(nwel)

    with pytest.raises(PermissionDenied):
        item_add(plan_id=plan.pk, actor=other_participant, data=item_values(1))

    assert plan.items.count() == 0


def test_item_add_reviewer_forbidden(reviewer, nwel):
    plan = make_plan(nwel)

    with pytest.raises(PermissionDenied):
        item_add(plan_id=plan.pk, actor=reviewer, data=item_values(1))


def test_item_update_changes_fields_and_code_bodies(participant, nwel):
    plan = make_plan(nwel, items=2)
    item = plan.items.get(reference="NWEL-WOP-002")

    item_update(
        item_id=item.pk,
        actor=participant,
        data=item_values(2, code_bodies=["REC"], expected_fix_date=datetime.date(2027, 4, 1)),
    )

    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.expected_fix_date == datetime.date(2027, 4, 1)
    assert item.code_bodies == ["REC"]
    assert plan.code_bodies == ["BSC", "REC"]
    event = PlanEvent.objects.get(plan=plan)
    assert event.action == "plans.item_changed"
    assert event.data["fields"] == ["code_bodies", "expected_fix_date"]


def test_item_update_keeps_own_defect_number(participant, nwel):
    plan = make_plan(nwel, items=1)
    item = plan.items.get()

    item_update(item_id=item.pk, actor=participant, data=item_values(1, defect_title="New title"))

    item.refresh_from_db()
    assert item.defect_title == "New title"


def test_item_update_duplicate_defect_number_rejected(participant, nwel):
    plan = make_plan(nwel, items=2)
    item = plan.items.get(reference="NWEL-WOP-002")

    with pytest.raises(ValidationError) as raised:
        item_update(
            item_id=item.pk, actor=participant, data=item_values(2, defect_number="SIT-DEF-0001")
        )

    item.refresh_from_db()
    assert list(raised.value.message_dict) == ["defect_number"]
    assert item.defect_number == "SIT-DEF-0002"


def test_item_update_refused_when_submitted(participant, nwel):
    plan = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)
    item = plan.items.get()

    with pytest.raises(PlanNotEditable):
        item_update(item_id=item.pk, actor=participant, data=item_values(1, defect_title="X"))

    item.refresh_from_db()
    assert item.defect_title == "Late read file 1"


def test_item_remove_deletes_and_recomputes(participant, nwel):
    plan = make_plan(nwel, items=1)
    rec_item = add_item(plan, 2, code_bodies=["REC"])
    Plan.objects.filter(pk=plan.pk).update(code_bodies="BSC/REC")

    item_remove(item_id=rec_item.pk, actor=participant)

    plan.refresh_from_db()
    assert list(plan.items.values_list("reference", flat=True)) == ["NWEL-WOP-001"]
    assert plan.code_bodies == ["BSC"]
    event = PlanEvent.objects.get(plan=plan)
    assert event.action == "plans.item_removed"
    assert event.data == {"item_id": rec_item.pk, "reference": "NWEL-WOP-002"}


def test_item_remove_refused_when_submitted(participant, nwel):
    plan = set_state(make_plan(nwel, items=1), PlanState.SUBMITTED)

    with pytest.raises(PlanNotEditable):
        item_remove(item_id=plan.items.get().pk, actor=participant)

    assert plan.items.count() == 1
