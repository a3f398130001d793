"""The QSP's risk ratings of QAD items, which eligibility rule 2 judges.

A participant enters an item's rating once, as the QSP gave it in the
workbook, and the item form then shows it read-only. Only the QSP changes a
rating, in its review decision (`plans.services.lifecycle.plan_decide`).
Once a plan has been submitted, its ratings are on record: the last
submitted version's snapshot, then each QSP decision in order, then the
items as they are now. From then on, removing an item and adding it again,
or uploading the workbook again, must keep the recorded rating too. Before
the first submission a new upload may still set any rating.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..choices import PlanKind, Rating, UserRole
from ..imports import WorkbookError, WorkbookRejected, read_workbook
from ..imports.layout import ITEMS_SHEET, QSP_RISK_COLUMN
from ..models import Decision, Item, Plan, PlanVersion, ReviewDecision
from .imports import ImportResult, plan_import_workbook
from .transitions import plan_lock


def item_key(text) -> str:
    """Return the text a defect number or reference is compared by.

    The same comparison as the submission check of `plans.eligibility`, which
    finds repeated defect numbers: surrounding spaces and case do not count.
    """
    return (text or "").strip().casefold()


class RecordedRatings:
    """The rating on record for each item of a plan, by reference and by defect number."""

    def __init__(self):
        self.by_reference: dict[str, str] = {}
        self.by_defect_number: dict[str, str] = {}

    def note(self, *, reference, defect_number, rating) -> None:
        if not rating:
            return
        if item_key(reference):
            self.by_reference[item_key(reference)] = rating
        if item_key(defect_number):
            self.by_defect_number[item_key(defect_number)] = rating

    def rating_for(self, *, reference, defect_number) -> str | None:
        """Return the recorded rating of an item with this reference or defect number."""
        return self.by_reference.get(item_key(reference)) or self.by_defect_number.get(
            item_key(defect_number)
        )


def recorded_risk_ratings(*, plan: Plan) -> RecordedRatings:
    """Read the ratings on record for a QAD plan submitted at least once.

    A plan never submitted, and a Testing Work Off Plan, have none.
    """
    recorded = RecordedRatings()
    if plan.kind != PlanKind.QAD_ACTION or plan.submitted_at is None:
        return recorded
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    for item in latest.snapshot["items"] if latest else []:
        recorded.note(
            reference=item.get("reference"),
            defect_number=item.get("defect_number"),
            rating=item.get("risk_rating"),
        )
    decisions = ReviewDecision.objects.filter(plan=plan, party=UserRole.QSP).order_by(
        "created_at", "id"
    )
    for decision in decisions:
        for entry in decision.risk_ratings:
            recorded.note(
                reference=entry.get("reference"),
                defect_number=entry.get("defect_number"),
                rating=entry.get("rating"),
            )
    for item in plan.items.all():
        recorded.note(
            reference=item.reference, defect_number=item.defect_number, rating=item.risk_rating
        )
    return recorded


def rating_change_message(*, name: str, recorded: str, entered) -> str:
    return (
        f"{name} is rated {recorded} by the QSP; the rating cannot be changed to "
        f"{entered or 'no rating'} here. Only the QSP changes a risk rating, in its review "
        f"decision. Enter {recorded}."
    )


def workbook_rating_errors(*, plan: Plan, parsed) -> list[WorkbookError]:
    """Return an error for each workbook item whose rating differs from the one on record."""
    recorded = recorded_risk_ratings(plan=plan)
    errors = []
    for item in parsed.items:
        rating = recorded.rating_for(reference=item.reference, defect_number=item.defect_number)
        if rating and item.risk_rating != rating:
            errors.append(
                WorkbookError(
                    ITEMS_SHEET[PlanKind.QAD_ACTION],
                    item.row or None,
                    QSP_RISK_COLUMN.header,
                    item.risk_rating,
                    rating_change_message(
                        name=item.reference or item.defect_number,
                        recorded=rating,
                        entered=item.risk_rating,
                    ),
                )
            )
    return errors


def plan_replace_from_workbook(
    *, data: bytes, filename: str, actor, organisation, plan: Plan
) -> ImportResult:
    """Replace a plan's items from a workbook unless it changes a QSP risk rating on record.

    The plan row stays locked from the rating check to the end of the import,
    so no QSP decision can come in between. Everything else is as
    `plan_import_workbook`, which reads the workbook a second time.
    """
    # NOTE: the check belongs in plan_import_workbook, which already holds
    # the parsed items under the same lock; moving it there saves a second read.
    with transaction.atomic():
        locked = plan_lock(plan_id=plan.pk)
        if locked.kind == PlanKind.QAD_ACTION and locked.submitted_at is not None:
            try:
                parsed = read_workbook(data, filename=filename)
            except WorkbookRejected:
                parsed = None
            if parsed is not None and parsed.kind == PlanKind.QAD_ACTION:
                errors = workbook_rating_errors(plan=locked, parsed=parsed)
                if errors:
                    return ImportResult(
                        ok=False, errors=errors, parsed=parsed, warnings=parsed.warnings
                    )
        return plan_import_workbook(
            data=data, filename=filename, actor=actor, organisation=organisation, plan=locked
        )


def rates_risks(*, plan: Plan, role: str) -> bool:
    """Return whether a decision by `role` on `plan` carries the QSP's risk ratings."""
    return role == UserRole.QSP and plan.kind == PlanKind.QAD_ACTION


def clean_decision_ratings(
    *, plan: Plan, party: str, decision: str, items: dict[int, Item], risk_ratings
) -> dict[int, str] | None:
    """Check the ratings a review decision sets; return each item's rating after it.

    `risk_ratings` maps item ids to ratings; an item it leaves out keeps its
    rating. Returns None for a party that does not rate risks, and raises
    ValidationError when such a party passes ratings. The QSP cannot agree
    while an item is rated High (rule 2) or has no rating.
    """
    if not rates_risks(plan=plan, role=party):
        if risk_ratings:
            raise ValidationError(
                {"risk_ratings": "Only the QSP rates the risks of a QAD Action Plan's items."}
            )
        return None
    requested = {int(pk): rating for pk, rating in (risk_ratings or {}).items()}
    unknown = sorted(set(requested) - set(items))
    if unknown:
        raise ValidationError({"risk_ratings": f"Items {unknown} are not items of plan {plan.pk}."})
    invalid = sorted({str(rating) for rating in requested.values() if rating not in Rating.values})
    if invalid:
        raise ValidationError(
            {"risk_ratings": f"{', '.join(invalid)} is not a risk rating; use High, Medium or Low."}
        )

    ratings = {pk: requested.get(pk, item.risk_rating) for pk, item in items.items()}
    if decision == Decision.AGREE:
        high = sorted(
            items[pk].reference for pk, rating in ratings.items() if rating == Rating.HIGH
        )
        if high:
            raise ValidationError(
                {
                    "risk_ratings": f"{', '.join(high)} rated High risk, so the plan cannot be "
                    "agreed (rule 2). Request changes or reject it."
                }
            )
        unrated = sorted(items[pk].reference for pk, rating in ratings.items() if not rating)
        if unrated:
            raise ValidationError(
                {"risk_ratings": f"Rate every item before agreeing; unrated: {', '.join(unrated)}."}
            )
    return ratings


def rating_entries(*, items: dict[int, Item], ratings: dict[int, str]) -> list[dict]:
    """Return the ratings as a decision stores them, by item id, reference and defect number."""
    return [
        {
            "item_id": pk,
            "reference": items[pk].reference,
            "defect_number": items[pk].defect_number,
            "rating": rating,
        }
        for pk, rating in sorted(ratings.items())
    ]


def apply_decision_ratings(*, items: dict[int, Item], ratings: dict[int, str]) -> list[dict]:
    """Store the QSP's ratings on the items; return each change with its old and new rating."""
    changes = []
    changed_by_rating: dict[str, list[int]] = {}
    for pk, rating in sorted(ratings.items()):
        item = items[pk]
        if item.risk_rating != rating:
            changes.append({"item": item.reference, "old": item.risk_rating, "new": rating})
            changed_by_rating.setdefault(rating, []).append(pk)
    for rating, ids in changed_by_rating.items():
        Item.objects.filter(pk__in=ids).update(risk_rating=rating)
    return changes
