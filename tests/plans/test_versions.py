"""Frozen versions and the change list between them."""

import datetime

import pytest
from django.urls import reverse

from plans.models import ImmutableRecordError, Item, PlanVersion
from plans.services.items import item_add, item_remove, item_update
from plans.services.versions import version_changes
from tests.plans.lifecycle_support import *  # noqa: F403 - the clock and users fixtures
from tests.plans.lifecycle_support import decide, import_sample, submit
from tests.plans.view_fixtures import item_values

pytestmark = pytest.mark.django_db


def returned_plan(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    decide(plan, users["reccm"], "request_changes", comment="NWEL-WOP-003 fix date is too late.")
    return plan


def test_return_and_resubmit_makes_version_two(users):
    plan = returned_plan(users)
    frozen = PlanVersion.objects.get(plan=plan, number=1).snapshot
    item = Item.objects.get(plan=plan, reference="NWEL-WOP-003")
    old_fix_date = item.expected_fix_date.isoformat()
    item_update(
        item_id=item.pk,
        actor=users["participant"],
        data={
            "expected_fix_date": datetime.date(2027, 2, 26),
            "proposed_fix": "Move the batch run to 05:00 before the cut-off.",
        },
    )

    submit(plan, users["participant"])

    assert PlanVersion.objects.get(plan=plan, number=1).snapshot == frozen
    changes = version_changes(plan=plan, number=2)
    assert changes.previous == 1
    assert [change.reference for change in changes.changed] == ["NWEL-WOP-003"]
    fields = {change.field: (change.old, change.new) for change in changes.changed[0].changes}
    assert fields["expected_fix_date"] == (old_fix_date, "2027-02-26")
    assert fields["proposed_fix"][1] == "Move the batch run to 05:00 before the cut-off."
    assert set(fields) == {"expected_fix_date", "proposed_fix"}
    assert changes.added == []
    assert changes.removed == []


def test_added_and_removed_items_listed(users):
    plan = returned_plan(users)
    first = Item.objects.get(plan=plan, reference="NWEL-WOP-001")
    item_remove(item_id=first.pk, actor=users["participant"])
    item_add(
        plan_id=plan.pk,
        actor=users["participant"],
        data=item_values(7, reference="NWEL-WOP-007", defect_number="SIT-DEF-9007"),
    )
    submit(plan, users["participant"])

    changes = version_changes(plan=plan, number=2)
    assert [item["reference"] for item in changes.added] == ["NWEL-WOP-007"]
    assert [item["reference"] for item in changes.removed] == ["NWEL-WOP-001"]


def test_first_version_lists_every_item_as_added(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    changes = version_changes(plan=plan, number=1)
    assert changes.previous is None
    assert len(changes.added) == 6


def test_version_rows_are_immutable(users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    version = PlanVersion.objects.get(plan=plan)
    version.snapshot = {}
    with pytest.raises(ImmutableRecordError):
        version.save()
    with pytest.raises(ImmutableRecordError):
        PlanVersion.objects.filter(plan=plan).update(snapshot={})
    with pytest.raises(ImmutableRecordError):
        version.delete()


def test_version_page_shows_changed_fields(client, users):
    plan = returned_plan(users)
    item = Item.objects.get(plan=plan, reference="NWEL-WOP-003")
    item_update(
        item_id=item.pk,
        actor=users["participant"],
        data={"expected_fix_date": datetime.date(2027, 2, 26)},
    )
    submit(plan, users["participant"])

    client.force_login(users["reccm"])
    response = client.get(reverse("plans:version_detail", kwargs={"pk": plan.pk, "number": 2}))

    assert response.status_code == 200
    text = response.content.decode()
    assert "NWEL-WOP-003 changed" in text
    assert "Expected fix date?" in text
    # Dates read dd/mm/yyyy, as everywhere else in the product.
    assert "26/02/2027" in text
    assert "2027-02-26" not in text


def test_version_page_of_other_organisation_is_404(client, users):
    plan = import_sample("NWEL")
    submit(plan, users["participant"])
    client.force_login(users["participant2"])
    response = client.get(reverse("plans:version_detail", kwargs={"pk": plan.pk, "number": 1}))
    assert response.status_code == 404
