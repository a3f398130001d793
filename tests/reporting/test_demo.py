"""The reporting demo: idempotent, and every reporting page has something to show."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from escalation.models import Escalation
from plans.models import PabDecision, Plan, PlanEvent, ReviewDecision
from reporting import demo
from reporting.models import Report, ReportingPeriod
from reporting.services import chase_run

from .support import load_users


@pytest.fixture
def demo_users(db):
    users = load_users()
    assert demo.load() == 3
    return users


def test_second_load_creates_nothing(demo_users):
    counts = (Plan.objects.count(), Report.objects.count(), ReportingPeriod.objects.count())
    assert demo.load() == 0
    assert (Plan.objects.count(), Report.objects.count(), ReportingPeriod.objects.count()) == counts


def test_demo_states(demo_users):
    states = dict(Plan.objects.values_list("organisation__participant_id", "state"))
    assert states == {"NWEL": "monitoring", "ASHD": "monitoring", "BWDS": "escalated"}
    assert Report.objects.filter(is_late=True).count() == 2
    assert Escalation.objects.get().hearing.hearing_date is not None


def test_demo_gives_chase_work(demo_users):
    counts = chase_run().counts()
    assert counts["overdue_notices"] == 2


def test_demo_pages_have_rows(client, demo_users):
    client.force_login(demo_users["participant"])
    sections = client.get(reverse("reporting:my_reports")).context["sections"]
    assert {kind: len(periods) for kind, _, periods in sections} == {
        "due": 1,
        "late": 1,
        "submitted": 2,
    }
    client.force_login(demo_users["osm"])
    sections = client.get(reverse("reporting:queue")).context["sections"]
    assert [len(reports) for _, reports, _ in sections] == [2, 1]
    client.force_login(demo_users["reccm"])
    sections = client.get(reverse("reporting:queue")).context["sections"]
    assert [len(reports) for _, reports, _ in sections] == [0, 1]
    client.force_login(demo_users["pab"])
    response = client.get(reverse("escalation:list"))
    assert len(response.context["open_list"]) == 1


def test_demo_detail_pages_render(client, demo_users):
    client.force_login(demo_users["pab"])
    escalation = Escalation.objects.get()
    assert client.get(reverse("escalation:detail", args=[escalation.pk])).status_code == 200
    client.force_login(demo_users["participant"])
    plan = Plan.objects.get(organisation__participant_id="NWEL")
    page = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert page.status_code == 200
    assert b'data-testid="plan-reporting"' in page.content
    late = (
        ReportingPeriod.objects.filter(plan=plan, report__isnull=True).order_by("sequence").first()
    )
    form = client.get(reverse("reporting:report_new", args=[late.pk]))
    assert form.status_code == 200
    assert b"marked late" in form.content


def _events(plan):
    return list(PlanEvent.objects.filter(plan=plan).order_by("created_at", "id"))


def test_rec_only_plan_never_goes_to_pab(demo_users):
    plan = Plan.objects.get(organisation__participant_id="ASHD")
    actions = [event.action for event in _events(plan)]
    assert actions[:3] == ["plans.submitted", "plans.agreed", "plans.monitoring_started"]
    assert "plans.pab_approved" not in actions
    assert not PabDecision.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    ("participant_id", "deciders", "pab"),
    [
        ("NWEL", {("mhhsp", "mhhsp"), ("elexon", "elexon")}, True),
        ("ASHD", {("reccm", "reccm")}, False),
        ("BWDS", {("mhhsp", "mhhsp"), ("elexon", "elexon")}, True),
    ],
)
def test_plans_agreed_by_real_reviewers(demo_users, participant_id, deciders, pab):
    plan = Plan.objects.get(organisation__participant_id=participant_id)
    decisions = ReviewDecision.objects.filter(plan=plan, decision="agree")
    assert set(decisions.values_list("party", "actor__username")) == deciders
    pab_actors = list(
        PabDecision.objects.filter(plan=plan).values_list("actor__username", flat=True)
    )
    assert pab_actors == (["pab"] if pab else [])
    lifecycle = [e for e in _events(plan) if e.action.startswith("plans.")]
    assert lifecycle[0].action == "plans.submitted"
    assert lifecycle[0].actor.organisation_id == plan.organisation_id
    assert all(event.actor is not None for event in lifecycle)


@pytest.mark.parametrize("participant_id", ["NWEL", "ASHD", "BWDS"])
def test_timeline_matches_schedule(demo_users, participant_id):
    plan = Plan.objects.get(organisation__participant_id=participant_id)
    events = _events(plan)
    started = next(e for e in events if e.action == "plans.monitoring_started")
    first_period = ReportingPeriod.objects.get(plan=plan, sequence=1)
    assert abs(started.created_at - plan.monitoring_started_at) < dt.timedelta(seconds=5)
    assert first_period.period_start == plan.monitoring_started_at
    assert plan.submitted_at <= plan.agreed_at <= plan.monitoring_started_at
    days_ago = {"NWEL": 22, "ASHD": 30, "BWDS": 9}[participant_id]
    age = timezone.now() - plan.monitoring_started_at
    assert dt.timedelta(days=days_ago) <= age < dt.timedelta(days=days_ago, minutes=5)
    for decision in ReviewDecision.objects.filter(plan=plan):
        assert plan.submitted_at <= decision.created_at <= plan.monitoring_started_at
    for report in Report.objects.filter(plan=plan):
        submitted = next(
            e
            for e in events
            if e.action == "reporting.report_submitted" and e.data["report_id"] == report.pk
        )
        assert submitted.created_at == report.submitted_at
        assert report.submitted_at > first_period.period_start
    assert [e.created_at for e in events] == sorted(e.created_at for e in events)
    assert max(e.created_at for e in events) <= timezone.now()


def test_demo_escalation_raised_by_system(demo_users):
    escalation = Escalation.objects.get()
    report = escalation.reports.get()
    assert escalation.raised_by is None
    assert escalation.trigger["report_id"] == report.pk
    assert escalation.raised_at == report.submitted_at
    assert escalation.hearing.set_by == demo_users["pab"]


@pytest.mark.parametrize("participant_id", ["NWEL", "ASHD", "BWDS"])
def test_timeline_has_no_demo_entries(demo_users, participant_id):
    plan = Plan.objects.get(organisation__participant_id=participant_id)
    events = _events(plan)
    assert [e.action for e in events if e.action.startswith("demo.")] == []
    assert [e.comment for e in events if "demo" in e.comment.lower()] == []


def test_demo_from_older_load_not_repeated(demo_users):
    # Databases loaded before the contact address marked the plans carry
    # "demo.reporting_plan" entries and other contact addresses instead.
    Plan.objects.update(contact_email="old@example.org")
    for key, participant_id, *_ in demo.PLANS:
        plan = Plan.objects.get(organisation__participant_id=participant_id)
        PlanEvent.objects.create(plan=plan, action=demo.DEMO_ACTION, data={"key": key})
    assert demo.load() == 0


@pytest.mark.parametrize("participant_id", ["NWEL", "BWDS"])
def test_pab_meeting_on_or_before_approval(demo_users, participant_id):
    plan = Plan.objects.get(organisation__participant_id=participant_id)
    approval = PlanEvent.objects.get(plan=plan, action="plans.pab_approved")
    approved_on = timezone.localdate(approval.created_at)
    meeting_date = dt.date.fromisoformat(approval.data["meeting_date"])
    assert meeting_date <= approved_on
    assert PabDecision.objects.get(plan=plan).meeting_date == meeting_date
