"""Submission, review decisions and PAB approval of a plan.

Each service runs in one `transaction.atomic()` block: it locks the plan row
with `plan_lock`, checks the state again under the lock, moves the state only
through `plan_transition`, writes its records and audit entries, and queues
its e-mails with `transaction.on_commit`. Two people acting on one plan at
once therefore run one after the other, and the second gets PlanChanged (or
ActionNotAllowed when it passed no `seen_state`).

Errors: PermissionDenied when the actor's role may not act (403). PlanChanged
when the state or review round differs from the one the actor's page showed
(`seen_state`, `seen_round`), so the page is stale or someone acted first.
ActionNotAllowed when the action is not possible in the state the actor saw,
or in the current state when the caller gives no `seen_state`. Views return
409 or a form error for both. ValidationError for invalid input, and
SubmissionRefused when hard eligibility rules fail.
"""

import logging
from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import eligibility
from ..choices import PlanState, UserRole
from ..models import (
    Decision,
    Item,
    PabDecision,
    PabOutcome,
    Plan,
    PlanEvent,
    PlanVersion,
    ReviewDecision,
)
from ..parties import needs_pab_approval, required_parties
from ..permissions import is_participant
from . import notifications
from .ratings import apply_decision_ratings, clean_decision_ratings, rating_entries
from .transitions import ActionNotAllowed, PlanChanged, plan_lock, plan_transition
from .versions import plan_snapshot

logger = logging.getLogger(__name__)

S = PlanState

# States from which the participant may still withdraw: before agreement.
WITHDRAWABLE_STATES = (S.DRAFT, S.SUBMITTED, S.RETURNED)


class SubmissionRefused(Exception):
    """Hard eligibility rules fail, so the plan stays as it is.

    `blockers` contains the eligibility failures. The message names each item
    with its rules, one item per line.
    """

    def __init__(self, plan, blockers):
        self.plan = plan
        self.blockers = blockers
        lines = blocker_lines(blockers)
        super().__init__("The plan cannot be submitted:\n" + "\n".join(lines))


class PartyAlreadyDecided(PlanChanged):
    """Another user of the same party decided on this round first."""

    def __init__(self, plan, decision: ReviewDecision):
        self.plan = plan
        self.expected_state = plan.state
        self.decision = decision
        Exception.__init__(
            self,
            f"{decision.get_party_display()} already decided on this review round "
            f"({decision.get_decision_display().lower()}, by {decision.actor.username}). "
            "Reload the page to see it; your decision was not recorded.",
        )


def _short_reason(failure) -> str:
    """Return a failure's reason without the item's name in front of it."""
    text = failure.reason
    if failure.item and text.startswith(failure.item):
        text = text[len(failure.item) :]
        for lead in ("'s ", " is ", " "):
            if text.startswith(lead):
                text = text[len(lead) :]
                break
    return text.removesuffix(" (answer: No)")


def blocker_lines(blockers) -> list[str]:
    """Group submission blockers by item: "ASHD-WOP-001: rule 1 (S2 Major), rule 3 (...)"."""
    by_item: dict[str | None, list[str]] = defaultdict(list)
    for failure in blockers:
        if failure.rule is None:
            by_item[failure.item].append(failure.reason)
        else:
            by_item[failure.item].append(f"rule {failure.rule} ({_short_reason(failure)})")
    lines = []
    for item, reasons in by_item.items():
        lines.append(f"{item or 'Plan'}: {', '.join(reasons)}")
    return lines


def _check_seen(plan: Plan, seen_state: str | None, seen_round: int | None) -> None:
    """Raise PlanChanged when the actor's page showed another state or review round."""
    if seen_state is not None and seen_state != plan.state:
        raise PlanChanged(plan, expected_state=seen_state)
    if seen_round is not None and int(seen_round) != plan.review_round:
        raise PlanChanged(plan, expected_state=seen_state)


def _reset_judgements(*, plan: Plan) -> None:
    """Mark rules 7 and 8 as awaiting review on every item, as a new review round starts."""
    Item.objects.filter(plan=plan).update(has_downstream_impact=None, is_high_settlement_risk=None)


def _check_participant(*, actor, plan: Plan) -> None:
    if not is_participant(actor) or actor.organisation_id != plan.organisation_id:
        raise PermissionDenied("Only participant users of the plan's organisation may do this.")


def plan_eligibility(*, plan: Plan, items=None, as_of: date | None = None):
    """Judge a plan's items with the eligibility rules as of `as_of` (today by default)."""
    if items is None:
        items = list(plan.items.all())
    return eligibility.evaluate(plan, items, as_of=as_of or timezone.localdate())


def plan_submit(
    *,
    plan_id: int,
    actor,
    seen_state: str | None = None,
    seen_round: int | None = None,
    as_of: date | None = None,
) -> Plan:
    """Submit a draft or returned plan for review and freeze its version.

    Role: a participant user of the plan's organisation. States: draft or
    returned, to submitted. Hard eligibility rules 1-6, "no items" and
    "duplicate defect numbers" must pass, else SubmissionRefused. In one
    transaction: the transition (a new review round), the PlanVersion of
    `plan.version` and the audit entry. After commit: e-mails to the users of
    every required party. Rules 7 and 8 go back to awaiting review on every
    item, because the new round's reviewers judge them afresh.
    """
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        _check_participant(actor=actor, plan=plan)
        _check_seen(plan, seen_state, seen_round)
        if plan.state not in (S.DRAFT, S.RETURNED):
            raise ActionNotAllowed(plan, "only a draft or returned plan can be submitted")

        items = list(plan.items.order_by("position", "id"))
        result = plan_eligibility(plan=plan, items=items, as_of=as_of)
        if result.submission_blockers:
            logger.info(
                "plan submission refused plan_id=%s blockers=%s",
                plan.pk,
                len(result.submission_blockers),
            )
            raise SubmissionRefused(plan, result.submission_blockers)

        version = PlanVersion.objects.create(
            plan=plan, number=plan.version, snapshot=plan_snapshot(plan=plan), submitted_by=actor
        )
        plan_transition(
            plan=plan,
            method="submit",
            actor=actor,
            action="plans.submitted",
            data={"version": version.number, "review_round": plan.review_round + 1},
        )
        _reset_judgements(plan=plan)
        notifications.notify_submitted(plan=plan, version=version.number)
    return plan


def plan_withdraw(
    *,
    plan_id: int,
    actor,
    comment: str = "",
    seen_state: str | None = None,
    seen_round: int | None = None,
) -> Plan:
    """Withdraw a plan before it is agreed.

    Role: a participant user of the plan's organisation. States: draft,
    submitted or returned, to withdrawn. The withdrawal and its audit entry
    share one transaction. After commit, the required parties' users are
    e-mailed if the plan had been submitted.
    """
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        _check_participant(actor=actor, plan=plan)
        _check_seen(plan, seen_state, seen_round)
        if plan.state not in WITHDRAWABLE_STATES:
            raise ActionNotAllowed(
                plan, "it can be withdrawn only while it is a draft, submitted or returned"
            )
        was_submitted = plan.submitted_at is not None
        plan_transition(
            plan=plan, method="withdraw", actor=actor, action="plans.withdrawn", comment=comment
        )
        if was_submitted:
            notifications.notify_withdrawn(plan=plan, actor=actor)
    return plan


def _check_reviewer(*, actor, plan: Plan) -> str:
    """Return the actor's party, or raise PermissionDenied if it is not required."""
    parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
    if not actor.is_authenticated or actor.role not in parties:
        raise PermissionDenied(
            "Only a reviewer of a party that must agree this plan may decide on it."
        )
    return actor.role


def _clean_decision(decision: str, comment: str) -> str:
    if decision not in Decision.values:
        raise ValidationError({"decision": f"{decision!r} is not a decision."})
    comment = (comment or "").strip()
    if decision != Decision.AGREE and not comment:
        raise ValidationError(
            {"comment": "Say why: a comment is required to request changes or reject a plan."}
        )
    return comment


def _clean_flags(*, plan: Plan, decision: str, downstream_ids, settlement_ids):
    """Check the item ids a reviewer flagged and return them with the plan's items by id."""
    items = {item.pk: item for item in Item.objects.filter(plan=plan)}
    downstream = sorted({int(pk) for pk in downstream_ids})
    settlement = sorted({int(pk) for pk in settlement_ids})
    unknown = set(downstream + settlement) - set(items)
    if unknown:
        raise ValidationError(
            {"items": f"Items {sorted(unknown)} are not items of plan {plan.pk}."}
        )
    if decision == Decision.AGREE and (downstream or settlement):
        raise ValidationError(
            {
                "items": "A plan with an item that has downstream impact or is a high-impact "
                "settlement risk cannot be agreed (rules 7 and 8). Request changes or reject it."
            }
        )
    return items, downstream, settlement


def _set_round_judgements(*, plan: Plan, round_decisions) -> None:
    """Set rules 7 and 8 on every item from all the decisions of the current round.

    An item is flagged (True) as soon as any decision this round flags it.
    It is cleared (False) only once every required party has decided this
    round without flagging it. Until then the parties still to decide may
    flag it, so it stays None (awaiting review).
    """
    if not round_decisions:
        return
    parties = set(required_parties(route=plan.route, code_bodies=plan.code_bodies))
    everyone_decided = parties <= {entry.party for entry in round_decisions}
    unflagged = False if everyone_decided else None
    downstream = {pk for entry in round_decisions for pk in entry.downstream_item_ids}
    settlement = {pk for entry in round_decisions for pk in entry.settlement_risk_item_ids}
    items = Item.objects.filter(plan=plan)
    items.update(has_downstream_impact=unflagged, is_high_settlement_risk=unflagged)
    if downstream:
        items.filter(pk__in=downstream).update(has_downstream_impact=True)
    if settlement:
        items.filter(pk__in=settlement).update(is_high_settlement_risk=True)


def _start_monitoring(*, plan: Plan, actor) -> None:
    """Move an agreed or PAB-approved plan into monitoring and create its schedule."""
    # Imported here: the reporting app depends on plans, not the other way round.
    from reporting.services import schedule_start

    plan_transition(
        plan=plan, method="start_monitoring", actor=actor, action="plans.monitoring_started"
    )
    schedule_start(plan=plan, actor=actor)
    notifications.notify_monitoring_started(plan=plan)


def plan_decide(
    *,
    plan_id: int,
    actor,
    decision: str,
    comment: str = "",
    downstream_item_ids=(),
    settlement_risk_item_ids=(),
    risk_ratings=None,
    seen_state: str | None = None,
    seen_round: int | None = None,
) -> ReviewDecision:
    """Record a required party's decision on the plan's current review round.

    Role: a reviewer whose role is a required party of the plan (see
    `plans.parties.required_parties`) and whose party has not decided this
    round. State: submitted. `decision` is agree, request_changes (to
    returned, with every comment of the round) or reject (to rejected). The
    last two need a comment. The last required agreement moves the plan to
    agreed and, unless the BSC is impacted, straight on to monitoring.
    The decision stores the item ids flagged under rules 7 and 8, and each
    item's judgements are then computed from every decision of the round
    (see `_set_round_judgements`), so one party's decision never clears
    another's flags. A plan with a flagged item cannot be agreed.
    On a QAD Action Plan the QSP's decision also rates each item's risk.
    `risk_ratings` maps item ids to High, Medium or Low, and an item left out
    keeps its rating. The ratings are stored on the items, on the decision
    and in its audit entry. A plan with an item rated High or unrated
    cannot be agreed. Other parties pass no ratings. One transaction
    contains the decision, the item judgements and ratings, the transitions,
    the reporting schedule and the audit entries. E-mails go after commit.
    """
    comment = _clean_decision(decision, comment)
    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        party = _check_reviewer(actor=actor, plan=plan)
        _check_seen(plan, seen_state, seen_round)
        if plan.state != S.SUBMITTED:
            raise ActionNotAllowed(plan, "reviewers decide only on a submitted plan")
        earlier = list(
            ReviewDecision.objects.filter(plan=plan, review_round=plan.review_round)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        for previous in earlier:
            if previous.party == party:
                raise PartyAlreadyDecided(plan, previous)

        items, downstream, settlement = _clean_flags(
            plan=plan,
            decision=decision,
            downstream_ids=downstream_item_ids,
            settlement_ids=settlement_risk_item_ids,
        )
        ratings = clean_decision_ratings(
            plan=plan, party=party, decision=decision, items=items, risk_ratings=risk_ratings
        )
        try:
            # The savepoint keeps the transaction usable if the constraint fires.
            with transaction.atomic():
                record = ReviewDecision.objects.create(
                    plan=plan,
                    review_round=plan.review_round,
                    version=plan.version,
                    party=party,
                    decision=decision,
                    comment=comment,
                    downstream_item_ids=downstream,
                    settlement_risk_item_ids=settlement,
                    risk_ratings=rating_entries(items=items, ratings=ratings) if ratings else [],
                    actor=actor,
                )
        except IntegrityError as error:
            # Reached only when a writer skipped the plan's row lock.
            raise PlanChanged(plan) from error
        round_decisions = [*earlier, record]
        _set_round_judgements(plan=plan, round_decisions=round_decisions)
        judgements = {
            "downstream_items": sorted(items[pk].reference for pk in downstream),
            "settlement_risk_items": sorted(items[pk].reference for pk in settlement),
        }
        if ratings is not None:
            judgements["risk_rating_changes"] = apply_decision_ratings(items=items, ratings=ratings)
            judgements["risk_ratings"] = {items[pk].reference: r for pk, r in ratings.items()}
        _record_decision_outcome(
            plan=plan, actor=actor, record=record, round_decisions=round_decisions, data=judgements
        )
        notifications.notify_decision(plan=plan, decision=record, round_decisions=round_decisions)
    logger.info(
        "plan decision recorded plan_id=%s party=%s decision=%s round=%s",
        plan.pk,
        party,
        decision,
        record.review_round,
    )
    return record


def _record_decision_outcome(*, plan, actor, record, round_decisions, data) -> None:
    """Write the decision's audit entry and apply the transition it causes, if any."""
    data = {
        "party": record.party,
        "decision": record.decision,
        "review_round": record.review_round,
        "version": record.version,
        **data,
    }
    if record.decision == Decision.REQUEST_CHANGES:
        data["round_comments"] = [
            {"party": entry.party, "decision": entry.decision, "comment": entry.comment}
            for entry in round_decisions
            if entry.comment
        ]
        plan_transition(
            plan=plan,
            method="return_for_changes",
            actor=actor,
            action="plans.returned",
            comment=record.comment,
            data=data,
        )
        notifications.notify_review_outcome(plan=plan, decision=record)
        return
    if record.decision == Decision.REJECT:
        plan_transition(
            plan=plan,
            method="reject",
            actor=actor,
            action="plans.rejected",
            comment=record.comment,
            data=data,
        )
        notifications.notify_review_outcome(plan=plan, decision=record)
        return

    parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
    agreed = {entry.party for entry in round_decisions if entry.decision == Decision.AGREE}
    if not set(parties) <= agreed:
        # The state does not move, but the decision still belongs in the trail.
        PlanEvent.objects.create(
            plan=plan,
            action="plans.decision_recorded",
            from_state=plan.state,
            to_state=plan.state,
            actor=actor,
            comment=record.comment,
            data=data,
        )
        return

    plan_transition(
        plan=plan,
        method="agree",
        actor=actor,
        action="plans.agreed",
        comment=record.comment,
        data=data,
    )
    notifications.notify_review_outcome(plan=plan, decision=record)
    if needs_pab_approval(code_bodies=plan.code_bodies):
        notifications.notify_awaiting_pab(plan=plan)
    else:
        _start_monitoring(plan=plan, actor=actor)


def pab_meeting_date_error(meeting_date: date, *, agreed_at=None) -> str:
    """Return why a PAB meeting date is invalid, or "" when it is valid.

    A decision is recorded after its meeting, so the date may not be after
    today, and the meeting decides on the agreed plan, so it may not be
    before the day of `agreed_at` (when given).
    """
    today = timezone.localdate()
    if meeting_date > today:
        return (
            f"The PAB meeting date {meeting_date:%d/%m/%Y} is in the future. Record the "
            f"decision once the meeting has taken place (on or before {today:%d/%m/%Y})."
        )
    agreed_on = timezone.localdate(agreed_at) if agreed_at else None
    if agreed_on and meeting_date < agreed_on:
        return (
            f"The PAB meeting date {meeting_date:%d/%m/%Y} is before the plan was agreed on "
            f"{agreed_on:%d/%m/%Y}. Give the date of the meeting that decided on the agreed plan."
        )
    return ""


def plan_pab_decide(
    *,
    plan_id: int,
    actor,
    outcome: str,
    meeting_date: date,
    reference: str = "",
    comment: str = "",
    seen_state: str | None = None,
    seen_round: int | None = None,
) -> PabDecision:
    """Record the PAB's approval or refusal of an agreed plan that impacts the BSC.

    Role: PAB member. State: agreed, with the BSC impacted. The meeting date
    may be neither after today nor before the day the plan was agreed. Approve
    moves the plan to pab_approved and then to monitoring (with its reporting
    schedule) in the same transaction. Refuse (comment required) sends it back
    to submitted for a new review round, with rules 7 and 8 awaiting review
    again. E-mails to the participant, and on a refusal to the reviewers, go
    after commit.
    """
    if not actor.is_authenticated or actor.role != UserRole.PAB:
        raise PermissionDenied("Only PAB members may approve or refuse a plan.")
    if outcome not in PabOutcome.values:
        raise ValidationError({"outcome": f"{outcome!r} is not a PAB outcome."})
    comment = (comment or "").strip()
    if outcome == PabOutcome.REFUSE and not comment:
        raise ValidationError({"comment": "Say why: a comment is required to refuse a plan."})
    if meeting_date is None:
        raise ValidationError({"meeting_date": "Give the date of the PAB meeting."})
    error = pab_meeting_date_error(meeting_date)
    if error:
        raise ValidationError({"meeting_date": error})

    with transaction.atomic():
        plan = plan_lock(plan_id=plan_id)
        _check_seen(plan, seen_state, seen_round)
        if not needs_pab_approval(code_bodies=plan.code_bodies):
            raise ActionNotAllowed(plan, "it does not impact the BSC, so it needs no PAB decision")
        if plan.state != S.AGREED:
            raise ActionNotAllowed(
                plan, "the PAB decides only on a plan that every required party has agreed"
            )
        error = pab_meeting_date_error(meeting_date, agreed_at=plan.agreed_at)
        if error:
            raise ValidationError({"meeting_date": error})
        record = PabDecision.objects.create(
            plan=plan,
            review_round=plan.review_round,
            outcome=outcome,
            meeting_date=meeting_date,
            reference=reference.strip(),
            comment=comment,
            actor=actor,
        )
        data = {
            "outcome": outcome,
            "meeting_date": meeting_date.isoformat(),
            "reference": record.reference,
            "review_round": record.review_round,
        }
        if outcome == PabOutcome.APPROVE:
            plan_transition(
                plan=plan,
                method="pab_approve",
                actor=actor,
                action="plans.pab_approved",
                comment=comment,
                data=data,
            )
            _start_monitoring(plan=plan, actor=actor)
        else:
            plan_transition(
                plan=plan,
                method="pab_refuse",
                actor=actor,
                action="plans.pab_refused",
                comment=comment,
                data=data,
            )
            _reset_judgements(plan=plan)
        notifications.notify_pab_decision(plan=plan, pab_decision=record)
    logger.info("plan PAB decision recorded plan_id=%s outcome=%s", plan.pk, outcome)
    return record
