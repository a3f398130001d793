"""Eligibility rules of Work Off Plans and QAD Action Plans.

Pure functions over any objects carrying the plan and item attribute names of
`plans.imports.ParsedPlan` / `ParsedItem` (the Django models use the same
names), so the same rules judge an upload, a draft being edited and a plan at
submission. The rules, numbered as the product states them:

1. A plan contains no S1 Critical or S2 Major item (a Testing Work Off Plan item
   must also state its severity).
2. A QAD Action Plan contains no item the QSP rated High (and every item carries a rating).
3. Every item has a workaround, and the workaround fully mitigates the defect.
4. Every item states how the participant will know that the workaround works.
5. Every item has an expected fix date and resolution date, neither in the
   past on the day judged, and resolution not before fix.
6. The plan names a reporting interval and a lead code body.
7. No item has downstream impact on other parties (a reviewer's judgement).
8. No item is a high-impact settlement risk (a reviewer's judgement).

A plan with no items, or with two items of one defect number, cannot be
submitted either and is not eligible. Those blockers carry rule None.
"""

from dataclasses import asdict, dataclass, field
from datetime import date

from plans.choices import PlanKind, Rating, Severity

RULE_TEXT = {
    1: "No S1 Critical or S2 Major defect",
    2: "No QAD item rated High risk by the QSP",
    3: "Every item has a workaround that fully mitigates the defect",
    4: "Every item says how the participant will know the workaround works",
    5: "Every item has real fix and resolution dates, not in the past, resolution not before fix",
    6: "The plan names a reporting interval and a lead code body",
    7: "No item has downstream impact on other parties",
    8: "No item is a high-impact settlement risk",
}
REVIEWER_RULES = (7, 8)

# Text that participants enter in a column to mean "there is none". The
# template's guidance requests "None" where there is no workaround.
_NONE_ANSWERS = {"", "none", "n/a", "na", "not applicable", "-", "tbc", "tbd", "nil"}


@dataclass(frozen=True)
class Failure:
    # Rule number 1-8, or None for a submission blocker outside the rules.
    rule: int | None
    # Reference of the item concerned, or None for a plan-level failure.
    item: str | None
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Eligibility:
    failures: list[Failure] = field(default_factory=list)
    # Items whose rule 7 or 8 a reviewer has not judged yet; these never make a plan ineligible.
    awaiting_review: list[Failure] = field(default_factory=list)
    # Problems outside the rules that stop a submission (no items, duplicate defect numbers).
    other_blockers: list[Failure] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        """True when no rule fails and nothing else blocks a submission."""
        return not self.failures and not self.other_blockers

    @property
    def submission_blockers(self) -> list[Failure]:
        """Failures that stop a participant submitting: rules 1-6 and the other blockers."""
        return [f for f in self.failures if f.rule not in REVIEWER_RULES] + self.other_blockers

    @property
    def failing_rules(self) -> list[int]:
        return sorted({f.rule for f in self.failures if f.rule is not None})

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "failing_rules": self.failing_rules,
            "failures": [failure.as_dict() for failure in self.failures],
            "awaiting_review": [failure.as_dict() for failure in self.awaiting_review],
            "submission_blockers": [failure.as_dict() for failure in self.submission_blockers],
            "other_blockers": [failure.as_dict() for failure in self.other_blockers],
        }


def _name(item) -> str:
    reference = getattr(item, "reference", "") or ""
    if reference:
        return reference
    row = getattr(item, "row", None) or getattr(item, "position", None)
    return f"the item in row {row}" if row else "an item without a reference"


def _is_none_answer(text) -> bool:
    return " ".join(str(text or "").split()).casefold().rstrip(".") in _NONE_ANSWERS


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return str(value)


def _check_severity(plan, item, name: str) -> list[Failure]:
    severity = getattr(item, "severity", None)
    if severity in (Severity.S1, Severity.S2):
        return [Failure(1, name, f"{name} is {_label(Severity, severity)}")]
    if not severity and getattr(plan, "kind", None) != PlanKind.QAD_ACTION:
        return [Failure(1, name, f"{name} has no severity")]
    return []


def _check_risk_rating(plan, item, name: str) -> list[Failure]:
    if getattr(plan, "kind", None) != PlanKind.QAD_ACTION:
        return []
    rating = getattr(item, "risk_rating", None)
    if rating == Rating.HIGH:
        return [Failure(2, name, f"{name} is rated High risk by the QSP")]
    if not rating:
        return [Failure(2, name, f"{name} has no QSP risk rating")]
    return []


def _check_workaround(item, name: str) -> list[Failure]:
    failures = []
    if _is_none_answer(getattr(item, "workaround_description", "")):
        failures.append(Failure(3, name, f"{name} has no workaround"))
    mitigates = getattr(item, "workaround_fully_mitigates", None)
    if mitigates is False:
        failures.append(
            Failure(3, name, f"{name}'s workaround does not fully mitigate the defect (answer: No)")
        )
    elif mitigates is None:
        failures.append(
            Failure(
                3, name, f"{name} does not say whether the workaround fully mitigates the defect"
            )
        )
    if _is_none_answer(getattr(item, "workaround_monitoring", "")):
        failures.append(
            Failure(4, name, f"{name} does not say how you will know the workaround is working")
        )
    return failures


def _check_dates(item, name: str, as_of: date) -> list[Failure]:
    fix = getattr(item, "expected_fix_date", None)
    resolution = getattr(item, "expected_resolution_date", None)
    failures = []
    if fix is None:
        failures.append(Failure(5, name, f"{name} has no expected fix date"))
    elif fix < as_of:
        failures.append(
            Failure(
                5, name, f"{name}'s expected fix date {fix:%d/%m/%Y} is before {as_of:%d/%m/%Y}"
            )
        )
    if resolution is None:
        failures.append(Failure(5, name, f"{name} has no expected resolution date"))
    elif resolution < as_of:
        failures.append(
            Failure(
                5,
                name,
                f"{name}'s expected resolution date {resolution:%d/%m/%Y} is before "
                f"{as_of:%d/%m/%Y}",
            )
        )
    if fix is not None and resolution is not None and resolution < fix:
        failures.append(
            Failure(
                5,
                name,
                f"{name}'s expected resolution date {resolution:%d/%m/%Y} is before its "
                f"expected fix date {fix:%d/%m/%Y}",
            )
        )
    return failures


def _check_reviewer_judgements(item, name: str) -> tuple[list[Failure], list[Failure]]:
    failures, pending = [], []
    downstream = getattr(item, "has_downstream_impact", None)
    if downstream is True:
        failures.append(Failure(7, name, f"{name} has downstream impact on other parties"))
    elif downstream is None:
        pending.append(
            Failure(7, name, f"A reviewer has not yet judged whether {name} has downstream impact")
        )
    high_risk = getattr(item, "is_high_settlement_risk", None)
    if high_risk is True:
        failures.append(Failure(8, name, f"{name} is a high-impact settlement risk"))
    elif high_risk is None:
        pending.append(
            Failure(
                8, name, f"A reviewer has not yet judged whether {name} is a high settlement risk"
            )
        )
    return failures, pending


def _check_plan(plan) -> list[Failure]:
    failures = []
    if not getattr(plan, "reporting_interval", None):
        failures.append(Failure(6, None, "The plan does not name a reporting interval"))
    if not getattr(plan, "lead_code_body", None):
        failures.append(Failure(6, None, "The plan does not name a lead code body"))
    return failures


def _check_blockers(items) -> list[Failure]:
    if not items:
        return [Failure(None, None, "The plan has no items")]
    blockers = []
    first_by_number: dict[str, str] = {}
    for item in items:
        number = (getattr(item, "defect_number", "") or "").strip()
        if not number:
            continue
        name = _name(item)
        first = first_by_number.setdefault(number.casefold(), name)
        if first != name:
            blockers.append(
                Failure(None, name, f"{name} repeats defect number {number} of {first}")
            )
    return blockers


def evaluate(plan, items, *, as_of: date) -> Eligibility:
    """Judge a plan and its items against rules 1-8 as of a day (rule 5 uses it)."""
    items = list(items)
    result = Eligibility()
    for item in items:
        name = _name(item)
        result.failures += _check_severity(plan, item, name)
        result.failures += _check_risk_rating(plan, item, name)
        result.failures += _check_workaround(item, name)
        result.failures += _check_dates(item, name, as_of)
        failures, pending = _check_reviewer_judgements(item, name)
        result.failures += failures
        result.awaiting_review += pending
    result.failures += _check_plan(plan)
    result.other_blockers = _check_blockers(items)
    # Failures listed by rule, then in item order, so reviewers read one rule at a time.
    order = {id(failure): index for index, failure in enumerate(result.failures)}
    result.failures.sort(key=lambda failure: (failure.rule or 0, order[id(failure)]))
    return result
