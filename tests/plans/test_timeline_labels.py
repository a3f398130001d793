"""The plan page's timeline: a label for every action, the comment and the key data."""

import html
import re
import sys
import types

import pytest
from django.template import Context, Template

from plans.models import PlanEvent
from plans.templatetags import lifecycle as lifecycle_tags
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import decide, import_sample, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_labels():
    """Drop the cached label table before and after each test, as tests swap label modules."""
    lifecycle_tags.action_labels.cache_clear()
    yield
    lifecycle_tags.action_labels.cache_clear()


def timeline(plan, user) -> list[str]:
    """Render the lifecycle panel and return each timeline entry's text, spaces collapsed."""
    page = Template("{% load lifecycle %}{% plan_lifecycle plan %}").render(
        Context({"plan": plan, "user": user})
    )
    entries = re.findall(
        r'<li class="list-group-item" data-testid="timeline-entry".*?</li>', page, re.S
    )
    return [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", entry).split())) for entry in entries]


def test_unknown_action_gets_readable_label():
    assert lifecycle_tags.action_label("reporting.report_left_unread") == "Report left unread"
    assert lifecycle_tags.action_label("escalation.step_skipped") == "Step skipped"


def test_plans_actions_have_labels():
    assert lifecycle_tags.action_label("plans.returned") == "Changes requested"
    assert lifecycle_tags.action_label("plans.monitoring_started") == "Monitoring started"


def test_app_label_modules_are_merged(monkeypatch):
    module = types.ModuleType("reporting.audit_labels")
    module.ACTION_LABELS = {"reporting.report_queried": "Report queried by the reviewer"}
    monkeypatch.setitem(sys.modules, "reporting.audit_labels", module)

    assert lifecycle_tags.action_label("reporting.report_queried") == (
        "Report queried by the reviewer"
    )


def test_timeline_shows_item_and_revised_date(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    PlanEvent.objects.create(
        plan=plan,
        action="reporting.revised_date_accepted",
        from_state=plan.state,
        to_state=plan.state,
        actor=users["osm"],
        comment="The supplier's new release date is credible.",
        data={"item": "NWEL-WOP-003", "revised_fix_date": "2027-03-15", "report_id": 4},
    )

    entry = timeline(plan, users["participant"])[-1]

    label = lifecycle_tags.action_label("reporting.revised_date_accepted")
    assert label != "reporting.revised_date_accepted"
    assert entry.startswith(label)
    assert "reporting.revised_date_accepted" not in entry
    assert "item NWEL-WOP-003" in entry
    assert "revised fix date 15/03/2027" in entry
    assert "The supplier's new release date is credible." in entry


def test_timeline_shows_flags_and_version(users):
    plan = submit(import_sample("NWEL"), users["participant"])
    item = plan.items.get(reference="NWEL-WOP-001")
    decide(
        plan,
        users["elexon"],
        "request_changes",
        comment="NWEL-WOP-001 affects other suppliers.",
        downstream_item_ids=[item.pk],
    )

    entries = timeline(plan, users["participant"])

    submitted = next(entry for entry in entries if entry.startswith("Submitted"))
    assert "version 1, review round 1" in submitted
    returned = entries[-1]
    assert returned.startswith("Changes requested")
    assert "downstream impact: NWEL-WOP-001" in returned
    assert "NWEL-WOP-001 affects other suppliers." in returned
