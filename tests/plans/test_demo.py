"""Demo data: organisations, users, sample plans and the load_demo command."""

import io

from django.core.management import call_command

from plans import demo
from plans.choices import PlanState, UserRole
from plans.models import Organisation, Plan, PlanEvent, UploadedWorkbook, User


def _counts():
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "plans": Plan.objects.count(),
        "workbooks": UploadedWorkbook.objects.count(),
        "events": PlanEvent.objects.count(),
    }


def test_load_base_creates_organisations_and_users(db):
    created = demo.load_base()

    assert created == {"organisations": 3, "users": 12}
    assert dict(Organisation.objects.values_list("participant_id", "name")) == {
        "NWEL": "Northwind Energy Ltd",
        "ASHD": "Ashgrove Distribution plc",
        "BWDS": "Brightwater Data Services Ltd",
    }
    users = {user.username: user for user in User.objects.select_related("organisation")}
    assert users["participant"].organisation.participant_id == "NWEL"
    assert users["participant2"].organisation.participant_id == "ASHD"
    assert users["participant3"].organisation.participant_id == "BWDS"
    assert users["participant"].is_staff is False
    assert users["elexon"].role == UserRole.ELEXON
    assert users["elexon"].is_staff is True
    assert users["admin"].is_superuser is True
    assert users["pab"].role == UserRole.PAB
    assert users["recpab"].role == UserRole.REC_PAB
    assert all(user.check_password("demo") for user in users.values())


def test_load_sample_plans_imports_three_drafts(db):
    demo.load_base()

    plans = demo.load_sample_plans()

    summary = sorted(
        (plan.organisation.participant_id, plan.route, plan.items.count(), plan.state)
        for plan in plans
    )
    assert summary == [
        ("ASHD", "QT", 3, PlanState.DRAFT),
        ("BWDS", "QAD", 4, PlanState.DRAFT),
        ("NWEL", "SIT", 6, PlanState.DRAFT),
    ]
    assert UploadedWorkbook.objects.count() == 3
    nwel_plan = Plan.objects.get(organisation__participant_id="NWEL")
    assert nwel_plan.workbooks.get().uploaded_by.username == "participant"


def test_load_demo_twice_creates_nothing_more(db):
    first_output = io.StringIO()
    call_command("load_demo", stdout=first_output)
    after_first = _counts()

    second_output = io.StringIO()
    call_command("load_demo", stdout=second_output)

    assert _counts() == after_first
    assert after_first["organisations"] == 3
    assert after_first["users"] >= 12
    assert after_first["plans"] >= 3
    assert "Organisations created: 0; users created: 0." in second_output.getvalue()
    assert "Sample plans created: 0." in second_output.getvalue()


def test_load_demo_prints_logins_and_url(db):
    output = io.StringIO()

    call_command("load_demo", stdout=output)

    text = output.getvalue()
    lines = text.splitlines()
    assert any(line.split()[:2] == ["username", "role"] for line in lines)
    participant_line = next(line for line in lines if line.startswith("participant "))
    assert "Participant user" in participant_line
    assert "Northwind Energy Ltd (NWEL)" in participant_line
    assert participant_line.rstrip().endswith("demo")
    admin_line = next(line for line in lines if line.startswith("admin "))
    assert "Administrator" in admin_line
    assert "http://127.0.0.1:8000" in text
