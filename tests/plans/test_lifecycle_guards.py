"""Transitions persist, the state field is protected, hard rules block submission,
and a failure inside a decision rolls everything back."""

from unittest import mock

import pytest
from django import forms
from django.core import mail
from django.urls import reverse

from plans.admin_core import PlanAdmin
from plans.forms import PlanForm
from plans.models import Organisation, Plan, PlanEvent, PlanVersion, ReviewDecision, User
from plans.services.lifecycle import SubmissionRefused
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import (
    DATA_DIR,
    agree_all,
    decide,
    import_sample,
    import_workbook,
    submit,
)

pytestmark = pytest.mark.django_db


def post_submit(client, plan):
    return client.post(
        reverse("plans:plan_submit", kwargs={"pk": plan.pk}),
        {"seen_state": plan.state, "seen_round": plan.review_round},
    )


def test_submit_view_saves_state_and_freezes_version_one(client, users):
    plan = import_sample("NWEL")
    client.force_login(users["participant"])

    response = post_submit(client, plan)

    assert response.status_code == 302
    assert response.url == reverse("plans:plan_detail", kwargs={"pk": plan.pk})
    stored = Plan.objects.get(pk=plan.pk)
    assert stored.state == "submitted"
    assert stored.review_round == 1
    version = PlanVersion.objects.get(plan=plan)
    assert version.number == 1
    assert version.submitted_by == users["participant"]
    assert len(version.snapshot["items"]) == 6
    assert version.snapshot["items"][0]["reference"] == "NWEL-WOP-001"


def test_refresh_from_db_on_protected_state(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    stale = Plan.objects.get(pk=plan.pk)
    decide(plan, users["mhhsp"], "reject", comment="Out of scope.")

    stale.refresh_from_db()

    assert stale.state == "rejected"


def test_state_cannot_be_assigned(users):
    plan = import_sample("NWEL")
    with pytest.raises(AttributeError):
        plan.state = "agreed"
    assert Plan.objects.get(pk=plan.pk).state == "draft"


def test_no_form_or_admin_edits_state(users, rf):
    plan = import_sample("NWEL")
    assert "state" not in PlanForm.base_fields

    request = rf.get("/")
    request.user = users["admin"]
    from django.contrib import admin

    model_admin = PlanAdmin(Plan, admin.site)
    assert "state" in model_admin.get_readonly_fields(request, plan)
    admin_form = model_admin.get_form(request, plan)
    assert "state" not in admin_form.base_fields

    # Even a careless ModelForm that lists every field has no state field.
    careless = forms.modelform_factory(Plan, fields="__all__")
    assert "state" not in careless.base_fields
    data = {**careless(instance=plan).initial, "state": "agreed"}
    form = careless(data, instance=plan)
    if form.is_valid():
        form.save()
    assert Plan.objects.get(pk=plan.pk).state == "draft"


def test_admin_change_form_post_leaves_state(client, users):
    plan = import_sample("NWEL")
    client.force_login(users["admin"])
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="state"' not in page.content


def test_ineligible_qt_sample_refused_with_item_and_rules(client, users):
    plan = import_sample("ASHD")
    client.force_login(users["participant2"])

    response = post_submit(client, plan)

    assert response.status_code == 302
    page = client.get(response.url)
    text = page.content.decode()
    assert "ASHD-WOP-001: rule 1 (S2 Major), rule 3 (workaround does not fully mitigate" in text
    assert Plan.objects.get(pk=plan.pk).state == "draft"
    assert not ReviewDecision.objects.filter(plan=plan).exists()
    assert not PlanVersion.objects.filter(plan=plan).exists()
    assert not PlanEvent.objects.filter(plan=plan, action="plans.submitted").exists()
    assert mail.outbox == []


def test_open_s2_case_refused_naming_item_under_rule_1(users):
    organisation = Organisation.objects.create(name="Test Participant", participant_id="PRT-0042")
    actor = User.objects.create_user("prt", role="participant", organisation=organisation)
    plan = import_workbook(
        DATA_DIR / "cases" / "C22_open_s2_defect.xlsx", organisation=organisation, actor=actor
    )

    with pytest.raises(SubmissionRefused) as refused:
        submit(plan, actor)

    assert "PRT-0042-WOP-002: rule 1 (S2 Major)" in str(refused.value)
    assert Plan.objects.get(pk=plan.pk).state == "draft"


def test_failure_inside_agree_rolls_everything_back(users, django_capture_on_commit_callbacks):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    agree_all(plan, users, ["mhhsp", "reccm", "dip"])
    events_before = PlanEvent.objects.filter(plan=plan).count()
    mail.outbox.clear()

    failing = mock.patch(
        "plans.services.notifications.render_to_string", side_effect=OSError("disk full")
    )
    with failing, django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(OSError):
            decide(plan, users["elexon"])

    assert Plan.objects.get(pk=plan.pk).state == "submitted"
    assert not ReviewDecision.objects.filter(plan=plan, party="elexon").exists()
    assert PlanEvent.objects.filter(plan=plan).count() == events_before
    assert callbacks == []
    assert mail.outbox == []


def test_mail_backend_failure_after_commit_keeps_decision(
    users, django_capture_on_commit_callbacks, caplog
):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    agree_all(plan, users, ["mhhsp", "reccm", "dip"])

    broken = mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionError("mail server down"),
    )
    with broken, django_capture_on_commit_callbacks(execute=True):
        decide(plan, users["elexon"])

    # E-mails go after commit, so the failed send leaves the agreement standing.
    assert Plan.objects.get(pk=plan.pk).state == "agreed"
    assert ReviewDecision.objects.filter(plan=plan, party="elexon").count() == 1
    assert "mail server down" in caplog.text
