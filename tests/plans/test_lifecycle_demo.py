"""The demo loader builds one plan per review state, once."""

import pytest

from plans import demo, demo_lifecycle
from plans.models import Plan, ReviewDecision
from tests.plans.lifecycle_support import clock  # noqa: F401

pytestmark = pytest.mark.django_db


def states():
    return sorted(Plan.objects.values_list("state", flat=True))


def test_demo_lifecycle_is_idempotent(clock):  # noqa: F811
    demo.load_base()
    demo.load_sample_plans()
    assert demo_lifecycle.load() == 4
    assert states() == sorted(
        ["draft", "draft", "draft", "submitted", "returned", "agreed", "monitoring"]
    )
    returned = Plan.objects.get(state="returned")
    assert returned.version == 2
    assert ReviewDecision.objects.filter(plan=returned, decision="request_changes").count() == 1
    part_agreed = Plan.objects.get(state="submitted")
    assert sorted(part_agreed.decisions.values_list("party", flat=True)) == ["mhhsp", "reccm"]

    decisions = ReviewDecision.objects.count()
    assert demo_lifecycle.load() == 0
    assert Plan.objects.count() == 7
    assert ReviewDecision.objects.count() == decisions
