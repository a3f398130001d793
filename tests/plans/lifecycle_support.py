"""Fixtures and helpers of the review lifecycle tests.

The demo users and organisations come from `plans.demo.load_base`, and plans
from the sample workbooks through the real import service, so the tests run
on the plans the product ships with. The clock is set to 2027-01-11, the day
the scenarios submit on, so rule 5 (dates not in the past) passes.

Take the fixtures with `from tests.plans.lifecycle_support import *` and the
helpers by name.
"""

import datetime
from pathlib import Path

import pytest
import time_machine

from plans import demo
from plans.models import Organisation, Plan, User
from plans.services.imports import plan_import_workbook
from plans.services.lifecycle import plan_decide, plan_pab_decide, plan_submit

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SUBMISSION_MOMENT = datetime.datetime(2027, 1, 11, 9, 30, tzinfo=datetime.UTC)
# The PAB meets on the day the scenarios' plans are agreed: a meeting date may
# be neither in the future nor before the agreement.
PAB_MEETING = datetime.date(2027, 1, 11)

SAMPLES = {
    "NWEL": "sit_supplier_plan.xlsx",
    "ASHD": "qt_ldso_plan.xlsx",
    "BWDS": "qad_agent_action_plan.xlsx",
}

# Fixtures only; import the helpers by name.
__all__ = ["clock", "users"]


@pytest.fixture
def clock():
    """Stand the clock on the scenarios' submission day; it keeps ticking from there."""
    with time_machine.travel(SUBMISSION_MOMENT, tick=True) as traveller:
        yield traveller


@pytest.fixture
def users(db, clock):
    """Return the demo users by username (participant, mhhsp, elexon, ..., pab, admin)."""
    demo.load_base()
    return {user.username: user for user in User.objects.select_related("organisation")}


def import_workbook(path: Path, *, organisation: Organisation, actor) -> Plan:
    result = plan_import_workbook(
        data=path.read_bytes(), filename=path.name, actor=actor, organisation=organisation
    )
    assert result.ok, [error.message for error in result.errors]
    return result.plan


def import_sample(participant_id: str) -> Plan:
    """Import an organisation's sample workbook as a draft, as its first participant user."""
    organisation = Organisation.objects.get(participant_id=participant_id)
    actor = organisation.users.order_by("pk").first()
    return import_workbook(
        DATA_DIR / SAMPLES[participant_id], organisation=organisation, actor=actor
    )


def submit(plan: Plan, actor) -> Plan:
    return plan_submit(plan_id=plan.pk, actor=actor)


def decide(plan: Plan, actor, decision: str = "agree", comment: str = "", **kwargs):
    return plan_decide(plan_id=plan.pk, actor=actor, decision=decision, comment=comment, **kwargs)


def agree_all(plan: Plan, users: dict, usernames) -> Plan:
    for username in usernames:
        decide(plan, users[username])
    return Plan.objects.get(pk=plan.pk)


def pab_approve(plan: Plan, actor, **kwargs):
    kwargs.setdefault("meeting_date", PAB_MEETING)
    return plan_pab_decide(plan_id=plan.pk, actor=actor, outcome="approve", **kwargs)
