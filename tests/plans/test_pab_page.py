"""The PAB page: the list of agreed BSC plans and the decision form."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.choices import PlanKind, Route
from plans.models import PabDecision, Plan
from plans.services.lifecycle import plan_pab_decide
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import decide, import_sample, pab_approve, submit
from tests.plans.test_lifecycle_routes import make_draft

pytestmark = pytest.mark.django_db

PAB_URL = reverse("plans:pab_queue")
REVIEWER_OF = {"BSC": "elexon", "REC": "reccm", "DIP": "dip"}


def agreed_plans(users, count, *, code_bodies=("BSC",)):
    plans = []
    for _ in range(count):
        plan = make_draft(
            users["participant"].organisation,
            users["participant"],
            route=Route.QT,
            kind=PlanKind.TESTING_WORK_OFF,
            code_bodies=list(code_bodies),
        )
        submit(plan, users["participant"])
        for code_body in code_bodies:
            decide(plan, users[REVIEWER_OF[code_body]])
        plans.append(Plan.objects.get(pk=plan.pk))
    return plans


def pab_form(plan, **overrides):
    prefix = f"plan{plan.pk}"
    values = {
        "seen_state": "agreed",
        "seen_round": plan.review_round,
        "outcome": "approve",
        "meeting_date": "2027-01-11",
        "reference": "PAB 301/07",
        "comment": "",
        **overrides,
    }
    return {f"{prefix}-{name}": value for name, value in values.items()}


def test_pab_page_lists_agreed_bsc_plans_only(client, users):
    bsc = agreed_plans(users, 1)[0]
    rec = Plan.objects.get(pk=agreed_plans(users, 1, code_bodies=("REC",))[0].pk)
    submitted = submit(import_sample("NWEL"), users["participant"])
    assert bsc.state == "agreed"
    assert rec.state == "monitoring"

    client.force_login(users["pab"])
    response = client.get(PAB_URL)
    assert response.status_code == 200
    listed = [row["plan"].pk for row in response.context["rows"]]
    assert listed == [bsc.pk]
    assert submitted.pk not in listed
    assert 'data-testid="pab-form"' in response.content.decode()


def test_pab_approval_moves_plan_to_monitoring(client, users, django_capture_on_commit_callbacks):
    plan = agreed_plans(users, 1)[0]
    client.force_login(users["pab"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan))
    assert response.status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert plan.state == "monitoring"
    record = PabDecision.objects.get(plan=plan)
    assert (record.outcome, record.reference, str(record.meeting_date)) == (
        "approve",
        "PAB 301/07",
        "2027-01-11",
    )
    assert any("PAB approved" in message.subject for message in mail.outbox)


def test_pab_refusal_needs_comment(client, users):
    plan = agreed_plans(users, 1)[0]
    client.force_login(users["pab"])
    response = client.post(
        reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan, outcome="refuse"), follow=True
    )
    assert "A comment is required to refuse a plan." in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_pab_stale_page_gets_409(client, users):
    plan = agreed_plans(users, 1)[0]
    pab_approve(plan, users["pab"])
    client.force_login(users["pab"])
    response = client.post(reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan))
    assert response.status_code == 409
    assert "it is now in monitoring" in response.content.decode()
    assert PabDecision.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize("username", ["participant", "mhhsp", "elexon", "reccm", "osm", "qsp"])
def test_pab_page_refuses_other_roles(client, users, username):
    plan = agreed_plans(users, 1)[0]
    client.force_login(users[username])
    assert client.get(PAB_URL).status_code == 403
    response = client.post(reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan))
    assert response.status_code == 403
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_pab_page_query_count_does_not_grow(client, users):
    client.force_login(users["pab"])
    agreed_plans(users, 2)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(PAB_URL).context["rows"]) == 2
    agreed_plans(users, 5)
    with CaptureQueriesContext(connection) as large:
        assert len(client.get(PAB_URL).context["rows"]) == 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_pab_meeting_in_future_is_a_form_error(client, users):
    plan = agreed_plans(users, 1)[0]
    client.force_login(users["pab"])

    response = client.post(
        reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan, meeting_date="2027-01-12")
    )

    assert response.status_code == 400
    form = next(row["form"] for row in response.context["rows"] if row["plan"].pk == plan.pk)
    assert form.errors["meeting_date"] == [
        "The PAB meeting date 12/01/2027 is in the future. Record the decision once the "
        "meeting has taken place (on or before 11/01/2027)."
    ]
    assert 'data-testid="pab-error-meeting-date"' in response.content.decode()
    assert not PabDecision.objects.filter(plan=plan).exists()
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_pab_meeting_before_agreement_is_a_form_error(client, users):
    plan = agreed_plans(users, 1)[0]
    client.force_login(users["pab"])

    response = client.post(
        reverse("plans:pab_decide", args=[plan.pk]), pab_form(plan, meeting_date="2027-01-10")
    )

    assert response.status_code == 400
    form = next(row["form"] for row in response.context["rows"] if row["plan"].pk == plan.pk)
    assert form.errors["meeting_date"] == [
        "The PAB meeting date 10/01/2027 is before the plan was agreed on 11/01/2027. Give "
        "the date of the meeting that decided on the agreed plan."
    ]
    assert not PabDecision.objects.filter(plan=plan).exists()
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


@pytest.mark.parametrize("outcome", ["approve", "refuse"])
def test_pab_service_refuses_future_meeting(users, outcome):
    plan = agreed_plans(users, 1)[0]

    with pytest.raises(ValidationError) as raised:
        plan_pab_decide(
            plan_id=plan.pk,
            actor=users["pab"],
            outcome=outcome,
            meeting_date=datetime.date(2027, 2, 1),
            comment="Refused for the test.",
        )

    assert list(raised.value.message_dict) == ["meeting_date"]
    assert not PabDecision.objects.filter(plan=plan).exists()
    assert Plan.objects.get(pk=plan.pk).state == "agreed"


def test_pab_date_input_offers_no_future_day(client, users):
    agreed_plans(users, 1)
    client.force_login(users["pab"])

    content = client.get(PAB_URL).content.decode()

    assert 'max="2027-01-11"' in content
