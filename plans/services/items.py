"""Adding, changing and removing the items of a draft or returned plan.

Each service locks the plan row, so two people editing one plan at once
apply their changes one after the other, and keeps plan.code_bodies equal
to the union of the items' code bodies. A QSP risk rating, once entered, is
the QSP's: see `plans.services.ratings`.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from ..imports.layout import ITEM_COLUMNS, ITEM_FIELDS, QSP_RISK_COLUMN
from ..models import Item, PlanEvent
from .plans import PlanNotEditable, check_participant_of, plan_recompute_code_bodies
from .ratings import item_key, rating_change_message, recorded_risk_ratings
from .transitions import plan_lock
from .versions import json_value

FIELD_HEADERS = {column.field: column.header for column in ITEM_COLUMNS + (QSP_RISK_COLUMN,)}

logger = logging.getLogger(__name__)


def _locked_editable_plan(*, plan_id: int, actor):
    plan = plan_lock(plan_id=plan_id)
    check_participant_of(actor=actor, plan=plan)
    if not plan.is_editable:
        raise PlanNotEditable(plan)
    return plan


def _check_unique(*, plan, data: dict, exclude_item_id: int | None = None) -> None:
    """Raise ValidationError if another item of the plan has this defect number or reference.

    Values are compared by `item_key`, as the submission check compares
    defect numbers, so " sit-def-2041 " repeats "SIT-DEF-2041".
    """
    others = Item.objects.filter(plan=plan)
    if exclude_item_id is not None:
        others = others.exclude(pk=exclude_item_id)
    others = list(others.values_list("reference", "defect_number"))
    references = {item_key(reference): reference for reference, _number in others}
    defect_numbers = {item_key(number): number for _reference, number in others}

    errors = {}
    defect_number = item_key(data.get("defect_number"))
    if defect_number and defect_number in defect_numbers:
        errors["defect_number"] = _repeat_message(
            "Defect number", data["defect_number"], defect_numbers[defect_number]
        )
    reference = item_key(data.get("reference"))
    if reference and reference in references:
        errors["reference"] = _repeat_message("Reference", data["reference"], references[reference])
    if errors:
        raise ValidationError(errors)


def _repeat_message(label: str, entered: str, existing: str) -> str:
    message = f"{label} {entered} is already used by another item of this plan"
    if entered != existing:
        # Say how the other item writes it, since only case or spaces differ.
        message += f" (as {existing}; case and surrounding spaces are ignored)"
    return message + "."


def _check_risk_rating(*, plan, data: dict, item: Item | None = None) -> None:
    """Raise ValidationError when the data changes a QSP risk rating already entered.

    An item's own rating is fixed once set. A new item, or an unrated one,
    takes the rating on record for its reference or defect number, if any.
    """
    if "risk_rating" not in data:
        return
    recorded = item.risk_rating if item is not None else None
    if not recorded:
        recorded = recorded_risk_ratings(plan=plan).rating_for(
            reference=data.get("reference"), defect_number=data.get("defect_number")
        )
    if recorded and data["risk_rating"] != recorded:
        name = data.get("reference") or (item.reference if item else "This item")
        raise ValidationError(
            {
                "risk_rating": rating_change_message(
                    name=name, recorded=recorded, entered=data["risk_rating"]
                )
            }
        )


def _apply(item: Item, data: dict) -> None:
    for name in ITEM_FIELDS:
        if name in data:
            setattr(item, name, data[name])


def _save(item: Item) -> None:
    # item_add and item_update run _check_unique under the plan lock, so the
    # unique constraints fail here only when a writer bypassed these services.
    # That failure is then reported as a form error, as _check_unique does.
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
        _check_risk_rating(plan=plan, data=data)
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

    Raises as item_add does, and ValidationError for a change of the item's
    QSP risk rating once set. The item keeps its position. The audit entry
    names the item and each changed field with its old and new value.
    """
    plan_id = Item.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with transaction.atomic():
        plan = _locked_editable_plan(plan_id=plan_id, actor=actor)
        item = Item.objects.get(pk=item_id, plan=plan)
        _check_unique(plan=plan, data=data, exclude_item_id=item.pk)
        _check_risk_rating(plan=plan, data=data, item=item)
        changes = [
            {
                "field": name,
                "label": FIELD_HEADERS[name],
                "old": json_value(getattr(item, name)),
                "new": json_value(data[name]),
            }
            for name in ITEM_FIELDS
            if name in data and getattr(item, name) != data[name]
        ]
        old_reference = item.reference
        _apply(item, data)
        _save(item)
        plan_recompute_code_bodies(plan=plan)
        PlanEvent.objects.create(
            plan=plan,
            action="plans.item_changed",
            actor=actor,
            data={
                "item_id": item.pk,
                # The reference as it was, so a renamed item is still recognisable.
                "reference": old_reference,
                "fields": sorted(change["field"] for change in changes),
                "changes": changes,
            },
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
