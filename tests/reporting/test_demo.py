"""The reporting demo: idempotent, and every reporting page has something to show."""

import pytest
from django.urls import reverse

from escalation.models import Escalation
from plans.models import Plan
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
