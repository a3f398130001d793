"""Adding, changing and removing the items of a draft or returned plan.

Each service locks the plan row, so two people editing one plan at once
apply their changes one after the other, and keeps plan.code_bodies equal
to the union of the items' code bodies.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from ..imports.layout import ITEM_FIELDS
from ..models import Item, PlanEvent
from .plans import PlanNotEditable, check_participant_of, plan_recompute_code_bodies
from .transitions import plan_lock

logger = logging.getLogger(__name__)


def _locked_editable_plan(*, plan_id: int, actor):
    plan = plan_lock(plan_id=plan_id)
    check_participant_of(actor=actor, plan=plan)
    if not plan.is_editable:
        raise PlanNotEditable(plan)
    return plan


def _check_unique(*, plan, data: dict, exclude_item_id: int | None = None) -> None:
    """Raise ValidationError if another item of the plan has this defect number or reference."""
    others = Item.objects.filter(plan=plan)
    if exclude_item_id is not None:
        others = others.exclude(pk=exclude_item_id)
    errors = {}
    defect_number = data.get("defect_number")
    if defect_number and others.filter(defect_number=defect_number).exists():
        errors["defect_number"] = (
            f"Defect number {defect_number} is already used by another item of this plan."
        )
    reference = data.get("reference")
    if reference and others.filter(reference=reference).exists():
        errors["reference"] = f"Reference {reference} is already used by another item of this plan."
    if errors:
        raise ValidationError(errors)


def _apply(item: Item, data: dict) -> None:
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])


def _save(item: Item) -> None:
    # The checks above run under the plan lock, so this fails only when a
    # writer bypassed these services. It is reported as the same form error.
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as error:
        raise ValidationError(
            {"defect_number": "Another item of this plan has the same defect number or reference."}
        ) from error


def item_add(*, plan_id: int, actor, data: dict) -> Item:
    """Add an item to a draft or returned plan, after the plan's last item.

    `data` maps item field names (the template columns) to cleaned values.
    Raises PermissionDenied unless the actor is a participant user of the
    plan's organisation, PlanNotEditable outside draft and returned, and
    ValidationError for a defect number or reference already in the plan.
    """
    with transaction.atomic():
        plan = _locked_editable_plan(plan_id=plan_id, actor=actor)
        _check_unique(plan=plan, data=data)
        last = plan.items.aggregate(last=Max("position"))["last"]
        item = Item(plan=plan, position=0 if last is None else last + 1)
        _apply(item, data)
        _save(item)
        plan_recompute_code_bodies(plan=plan)
        PlanEvent.objects.create(
            plan=plan,
            action="plans.item_added",
            actor=actor,
            data={"item_id": item.pk, "reference": item.reference},
        )
    logger.info("item added plan_id=%s item_id=%s actor_id=%s", plan.pk, item.pk, actor.pk)
    return item


def item_update(*, item_id: int, actor, data: dict) -> Item:
    """Change the template columns of an item of a draft or returned plan.

    Raises as item_add does; the item keeps its position.
    """
    plan_id = Item.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with transaction.atomic():
        plan = _locked_editable_plan(plan_id=plan_id, actor=actor)
        item = Item.objects.get(pk=item_id, plan=plan)
        _check_unique(plan=plan, data=data, exclude_item_id=item.pk)
        changed = sorted(
            name for name in ITEM_FIELDS if name in data and getattr(item, name) != data[name]
        )
        _apply(item, data)
        _save(item)
        plan_recompute_code_bodies(plan=plan)
        PlanEvent.objects.create(
            plan=plan,
            action="plans.item_changed",
            actor=actor,
            data={"item_id": item.pk, "reference": item.reference, "fields": changed},
        )
    logger.info("item updated plan_id=%s item_id=%s actor_id=%s", plan.pk, item.pk, actor.pk)
    return item


def item_remove(*, item_id: int, actor) -> None:
    """Delete an item of a draft or returned plan. Raises as item_add does."""
    plan_id = Item.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with transaction.atomic():
        plan = _locked_editable_plan(plan_id=plan_id, actor=actor)
        item = Item.objects.get(pk=item_id, plan=plan)
        reference = item.reference
        item.delete()
        plan_recompute_code_bodies(plan=plan)
        PlanEvent.objects.create(
            plan=plan,
            action="plans.item_removed",
            actor=actor,
            data={"item_id": item_id, "reference": reference},
        )
    logger.info("item removed plan_id=%s item_id=%s actor_id=%s", plan.pk, item_id, actor.pk)
