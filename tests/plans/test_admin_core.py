"""Admin of organisations, users, plans, items, the audit trail and uploaded workbooks."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.choices import PlanState, UserRole
from plans.models import Organisation, Plan, PlanEvent, User
from plans.services.imports import plan_import_workbook
from tests.plans.view_fixtures import *  # noqa: F403
from tests.plans.view_fixtures import DATA_DIR, make_plan, set_state

CHANGELISTS = [
    "admin:plans_organisation_changelist",
    "admin:plans_user_changelist",
    "admin:plans_plan_changelist",
    "admin:plans_item_changelist",
    "admin:plans_planevent_changelist",
    "admin:plans_uploadedworkbook_changelist",
]


@pytest.fixture
def imported(participant, nwel):
    data = (DATA_DIR / "sit_supplier_plan.xlsx").read_bytes()
    return plan_import_workbook(
        data=data, filename="sit_supplier_plan.xlsx", actor=participant, organisation=nwel
    )


@pytest.mark.parametrize("name", CHANGELISTS)
def test_admin_changelists_load(client, superuser, imported, name):
    client.force_login(superuser)

    response = client.get(reverse(name))

    assert response.status_code == 200


def test_admin_plan_list_columns(client, superuser, imported):
    client.force_login(superuser)

    response = client.get(reverse("admin:plans_plan_changelist"))

    body = response.content.decode()
    for header in ["Organisation", "Kind", "Route", "State", "Version", "Lead code body"]:
        assert f">{header}<" in body or f">{header}</a>" in body, header
    assert "Code bodies" in body
    assert "Northwind Energy Ltd (NWEL)" in body
    assert "BSC/REC" in body
    assert list(response.context["cl"].list_display) == [
        "id",
        "organisation",
        "kind",
        "route",
        "state",
        "version",
        "lead_code_body",
        "code_bodies_text",
        "updated_at",
    ]


def test_admin_plan_filters_and_search(client, superuser, imported, ashd):
    make_plan(ashd, items=1)
    client.force_login(superuser)
    url = reverse("admin:plans_plan_changelist")

    by_search = client.get(url, {"q": "NWEL"}).context["cl"].result_count
    by_route = client.get(url, {"route__exact": "SIT"}).context["cl"].result_count
    by_state = client.get(url, {"state__exact": "submitted"}).context["cl"].result_count

    assert by_search == 1
    assert by_route == 2
    assert by_state == 0


def test_admin_plan_change_post_changes_nothing(client, superuser, imported):
    plan = set_state(imported.plan, PlanState.SUBMITTED)
    before = Plan.objects.values().get(pk=plan.pk)
    events_before = PlanEvent.objects.filter(plan=plan).count()
    client.force_login(superuser)
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = {
        "kind": plan.kind,
        "route": "QAD",
        "organisation": str(plan.organisation_id),
        "contact_name": "Changed Contact",
        "contact_email": "changed@example.org",
        "code_bodies": ["REC"],
        "version": "7",
        "review_round": "9",
        "state": PlanState.CLOSED,
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }

    response = client.post(url, data)

    assert response.status_code == 403
    assert Plan.objects.values().get(pk=plan.pk) == before
    assert PlanEvent.objects.filter(plan=plan).count() == events_before


def test_admin_plan_page_is_view_only(client, superuser, imported):
    client.force_login(superuser)

    page = client.get(reverse("admin:plans_plan_change", args=[imported.plan.pk]))

    content = page.content.decode()
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    assert 'name="_save"' not in content
    assert 'name="route"' not in content
    assert "Northwind Energy" in content


def test_admin_item_list_columns(client, superuser, imported):
    client.force_login(superuser)

    response = client.get(reverse("admin:plans_item_changelist"), {"severity__exact": "S3"})

    cl = response.context["cl"]
    assert list(cl.list_display) == [
        "reference",
        "defect_number",
        "severity",
        "defect_status",
        "plan",
    ]
    assert cl.result_count == 2
    assert "NWEL-WOP-001" in response.content.decode()


def test_admin_audit_and_workbooks_read_only(client, superuser, imported):
    client.force_login(superuser)
    event = PlanEvent.objects.get(plan=imported.plan)

    add_event = client.get(reverse("admin:plans_planevent_add"))
    delete_event = client.post(reverse("admin:plans_planevent_delete", args=[event.pk]))
    add_workbook = client.get(reverse("admin:plans_uploadedworkbook_add"))
    change_workbook = client.get(
        reverse("admin:plans_uploadedworkbook_change", args=[imported.workbook.pk])
    )

    assert add_event.status_code == 403
    assert delete_event.status_code == 403
    assert PlanEvent.objects.filter(pk=event.pk).exists()
    assert add_workbook.status_code == 403
    # The change page opens read-only: no save button.
    assert change_workbook.status_code == 200
    assert 'name="_save"' not in change_workbook.content.decode()


def test_admin_user_form_has_role_and_organisation(client, superuser, participant):
    client.force_login(superuser)

    response = client.get(reverse("admin:plans_user_change", args=[participant.pk]))

    fields = response.context["adminform"].form.fields
    assert "role" in fields
    assert "organisation" in fields


def test_admin_plan_list_query_count_is_fixed(client, superuser, nwel):
    counts = []
    for total in (2, 12):
        Plan.objects.all().delete()
        for _ in range(total):
            make_plan(nwel, items=1)
        client.force_login(superuser)
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("admin:plans_plan_changelist"))
        counts.append(len(captured))

    assert counts[0] == counts[1]


def test_participant_redirected_from_admin(client, participant):
    client.force_login(participant)

    response = client.get("/admin/")

    assert participant.is_staff is False
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_participant_cannot_open_plan_admin(client, participant, imported):
    client.force_login(participant)

    response = client.get(reverse("admin:plans_plan_changelist"))

    assert response.status_code == 302
    assert User.objects.get(pk=participant.pk).role == UserRole.PARTICIPANT


def test_admin_plan_cannot_be_deleted(client, superuser, imported):
    client.force_login(superuser)

    response = client.post(reverse("admin:plans_plan_delete", args=[imported.plan.pk]))

    assert response.status_code == 403
    assert Plan.objects.filter(pk=imported.plan.pk).exists()


def test_admin_item_read_only(client, superuser, imported):
    item = imported.plan.items.first()
    client.force_login(superuser)

    page = client.get(reverse("admin:plans_item_change", args=[item.pk]))
    response = client.post(
        reverse("admin:plans_item_change", args=[item.pk]), {"defect_title": "Changed"}
    )

    item.refresh_from_db()
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    assert item.defect_title != "Changed"


def test_admin_participant_user_never_staff(client, superuser, nwel):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:plans_user_add"),
        {
            "username": "newparticipant",
            "password1": "a-long-demo-passphrase-41",
            "password2": "a-long-demo-passphrase-41",
            "usable_password": "true",
            "role": UserRole.PARTICIPANT,
            "organisation": nwel.pk,
        },
    )
    user = User.objects.get(username="newparticipant")
    user.is_staff = True
    user.save()
    change = client.post(
        reverse("admin:plans_user_change", args=[user.pk]),
        {
            "username": "newparticipant",
            "role": UserRole.PARTICIPANT,
            "organisation": nwel.pk,
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-06-01",
            "date_joined_1": "09:00:00",
        },
    )

    user.refresh_from_db()
    assert response.status_code == 302
    assert change.status_code == 302
    assert user.organisation == nwel
    assert user.is_staff is False


def test_admin_plan_add_refused(client, superuser, nwel):
    client.force_login(superuser)

    page = client.get(reverse("admin:plans_plan_add"))
    response = client.post(
        reverse("admin:plans_plan_add"),
        {"kind": "testing_work_off", "route": "SIT", "organisation": str(nwel.pk)},
    )

    assert page.status_code == 403
    assert response.status_code == 403
    assert not Plan.objects.exists()


def test_reviewer_audit_list_shows_submitted_plans_only(client, reviewer, nwel):
    draft = make_plan(nwel)
    PlanEvent.objects.create(plan=draft, action="plans.item_added", actor=None)
    submitted = set_state(make_plan(nwel), PlanState.SUBMITTED)
    PlanEvent.objects.create(plan=submitted, action="plans.submitted", actor=None)
    client.force_login(reviewer)

    response = client.get(reverse("admin:plans_planevent_changelist"))

    assert response.status_code == 200
    listed = {event.plan_id for event in response.context["cl"].result_list}
    assert listed == {submitted.pk}


def test_reviewer_cannot_change_audit_entry(client, reviewer, nwel):
    submitted = set_state(make_plan(nwel), PlanState.SUBMITTED)
    event = PlanEvent.objects.create(plan=submitted, action="plans.submitted", actor=None)
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:plans_planevent_change", args=[event.pk]), {"comment": "edited"}
    )

    assert response.status_code == 403
    assert PlanEvent.objects.get(pk=event.pk).comment == ""


# Organisation and user forms


def _add_user(client, role, organisation=None, username="newuser"):
    data = {
        "username": username,
        "password1": "a-long-demo-passphrase-41",
        "password2": "a-long-demo-passphrase-41",
        "usable_password": "true",
        "role": role,
    }
    if organisation is not None:
        data["organisation"] = organisation.pk
    return client.post(reverse("admin:plans_user_add"), data)


@pytest.mark.parametrize("role", [UserRole.ELEXON, UserRole.QSP, UserRole.OSM, UserRole.PAB])
def test_admin_staff_role_user_is_staff(client, superuser, role):
    client.force_login(superuser)

    response = _add_user(client, role)

    assert response.status_code == 302
    user = User.objects.get(username="newuser")
    assert user.is_staff is True
    assert user.organisation is None


def test_admin_participant_without_organisation_is_form_error(client, superuser):
    client.force_login(superuser)

    response = _add_user(client, UserRole.PARTICIPANT)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["organisation"] == [
        "A participant user must belong to an organisation; choose one."
    ]
    assert "is violated" not in response.content.decode()
    assert not User.objects.filter(username="newuser").exists()


def test_admin_reviewer_with_organisation_is_form_error(client, superuser, nwel):
    client.force_login(superuser)

    response = _add_user(client, UserRole.ELEXON, organisation=nwel)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["organisation"]
    assert len(errors) == 1
    assert errors[0].startswith("Only participant users belong to an organisation")
    assert not User.objects.filter(username="newuser").exists()


def _organisation_data(**overrides):
    data = {"name": "Eastbrook Metering Ltd", "participant_id": "ebml", "other_roles": ""}
    data.update(overrides)
    return data


def test_admin_organisation_id_upper_case_and_roles(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:plans_organisation_add"),
        _organisation_data(roles=["Supplier", "Other"], other_roles="MEM, Data Collector"),
    )

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Eastbrook Metering Ltd")
    assert organisation.participant_id == "EBML"
    assert organisation.roles == ["Supplier", "MEM", "Data Collector"]


def test_admin_organisation_form_offers_roles(client, superuser, nwel):
    client.force_login(superuser)

    page = client.get(reverse("admin:plans_organisation_change", args=[nwel.pk])).content.decode()

    assert 'name="roles" value="Supplier" id="id_roles_0" checked' in page
    assert 'name="roles" value="LDSO" id="id_roles_1">' in page
    assert 'name="other_roles"' in page
    assert "<textarea" not in page


def test_admin_organisation_id_unique_in_any_case(client, superuser, nwel):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:plans_organisation_add"),
        _organisation_data(participant_id="nwel", roles=["Supplier"]),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["participant_id"]
    assert errors == [
        "Participant ID NWEL is already used by Northwind Energy Ltd (NWEL); IDs are compared "
        "without regard to case."
    ]
    assert Organisation.objects.count() == 1


def test_admin_organisation_other_needs_text(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:plans_organisation_add"), _organisation_data(roles=["Other"])
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["other_roles"] == [
        'Name the other role, or untick "Other".'
    ]


def test_admin_audit_list_shows_labels(client, superuser, imported):
    PlanEvent.objects.create(
        plan=imported.plan,
        action="plans.pab_approved",
        from_state="agreed",
        to_state="pab_approved",
        actor=superuser,
    )
    client.force_login(superuser)

    body = client.get(reverse("admin:plans_planevent_changelist")).content.decode()

    assert "Approved by the PAB" in body
    assert '<td class="field-to_state_text">PAB approved</td>' in body
    assert ">pab_approved<" not in body
