"""Fixtures shared by the tests of the participant's pages, services and admin.

Import them with `from tests.plans.view_fixtures import *` in a test module.
"""

import datetime
from pathlib import Path

import pytest

from plans.choices import PlanKind, Route, UserRole
from plans.models import Item, Organisation, Plan, User

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TODAY = datetime.date(2026, 6, 1)

__all__ = [
    "DATA_DIR",
    "TODAY",
    "add_item",
    "ashd",
    "fixed_day",
    "item_values",
    "make_plan",
    "nwel",
    "other_participant",
    "participant",
    "reviewer",
    "set_state",
    "superuser",
]


def item_values(number: int = 1, **overrides) -> dict:
    """Return every template column of an item that meets rules 1 to 6."""
    values = {
        "reference": f"NWEL-WOP-{number:03d}",
        "defect_number": f"SIT-DEF-{number:04d}",
        "severity": "S3",
        "defect_status": "Open",
        "defect_title": f"Late read file {number}",
        "description": "Reads arrive after the settlement cut-off.",
        "role": "Supplier",
        "placing_reliance_implications": "None for other parties.",
        "test_step": "SIT-MS-04 step 7",
        "business_requirement_reference": "BR-REQ-112",
        "impact_live_operations": "Manual resend of reads.",
        "impact_migration": "None expected.",
        "impact_supplier_migration_schedules": "No change to schedules.",
        "code_bodies": ["BSC"],
        "settlement_retail_risk": "Late settlement reads.",
        "workaround_description": "Resend the file by hand each morning.",
        "workaround_fully_mitigates": True,
        "workaround_monitoring": "Daily reconciliation report shows no gaps.",
        "proposed_fix": "Correct the batch schedule.",
        "fix_fully_mitigates": True,
        "expected_fix_date": datetime.date(2027, 3, 1),
        "expected_resolution_date": datetime.date(2027, 3, 15),
        "fix_before_migration": True,
        "confidence": "High",
        "proposed_retest_model": "Targeted retest in SIT.",
        "risk_rating": None,
    }
    values.update(overrides)
    return values


def add_item(plan, number: int = 1, **overrides) -> Item:
    return Item.objects.create(plan=plan, position=number, **item_values(number, **overrides))


def make_plan(
    organisation, *, items: int = 0, kind=PlanKind.TESTING_WORK_OFF, route=Route.SIT, **fields
):
    plan = Plan.objects.create(
        kind=kind,
        route=route,
        organisation=organisation,
        participant_name=organisation.name,
        lead_code_body=fields.pop("lead_code_body", "BSC"),
        reporting_interval=fields.pop("reporting_interval", "monthly"),
        **fields,
    )
    for number in range(1, items + 1):
        add_item(plan, number)
    if items:
        Plan.objects.filter(pk=plan.pk).update(code_bodies="BSC")
        plan.refresh_from_db()
    return plan


def set_state(plan, state: str, *, submitted: bool = True) -> Plan:
    """Put a plan in a state directly, as test setup; real changes go through the services."""
    values = {"state": state}
    if submitted:
        values["submitted_at"] = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)
    Plan.objects.filter(pk=plan.pk).update(**values)
    return Plan.objects.get(pk=plan.pk)


@pytest.fixture
def nwel(db):
    return Organisation.objects.create(
        name="Northwind Energy Ltd", participant_id="NWEL", roles=["Supplier"]
    )


@pytest.fixture
def ashd(db):
    return Organisation.objects.create(
        name="Ashgrove Distribution plc", participant_id="ASHD", roles=["LDSO"]
    )


@pytest.fixture
def participant(nwel):
    return User.objects.create_user(
        "participant", password="demo", role=UserRole.PARTICIPANT, organisation=nwel
    )


@pytest.fixture
def other_participant(ashd):
    return User.objects.create_user(
        "participant2", password="demo", role=UserRole.PARTICIPANT, organisation=ashd
    )


@pytest.fixture
def reviewer(db):
    return User.objects.create_user("elexon", password="demo", role=UserRole.ELEXON, is_staff=True)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@example.org", "demo", role=UserRole.ADMIN)


@pytest.fixture(autouse=True)
def fixed_day():
    """Freeze the clock so that rule 5 (dates not in the past) judges against a known day."""
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield
