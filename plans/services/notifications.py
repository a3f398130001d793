"""E-mails about plans, rendered in the transaction and sent after it commits.

Every e-mail goes through `send_email_on_commit`, which queues one Celery task
per address with `transaction.on_commit`: a change that rolls back sends
nothing, and a mail server failure never undoes a committed change.
"""

import logging

from django.db import transaction
from django.template.loader import render_to_string

from ..choices import CodeBody, UserRole
from ..models import User
from ..parties import required_parties

logger = logging.getLogger(__name__)


def _queue(*, to: str, subject: str, body: str, plan_id: int | None) -> None:
    # Imported here because the tasks module imports Celery's app machinery,
    # which services need not load until an e-mail is really sent.
    from ..tasks import send_plan_email

    send_plan_email.delay(to=to, subject=subject, body=body, plan_id=plan_id)


def _queue_callback(address, subject, body, plan_id):
    # A named function, not functools.partial: Django logs a failed robust
    # callback by its __qualname__, which a partial lacks.
    def queue_plan_email():
        _queue(to=address, subject=subject, body=body, plan_id=plan_id)

    return queue_plan_email


def send_email_on_commit(
    *, to, subject_template: str, body_template: str, context: dict, plan_id: int | None
) -> list[str]:
    """Render an e-mail now and queue it to each address once the transaction commits.

    `to` is any iterable of addresses; blanks and repeats are dropped. Returns
    the addresses queued, in order. The callbacks are robust: an error while
    queueing or sending is logged and never reaches the request, which has
    already committed.
    """
    addresses = list(
        dict.fromkeys(address.strip() for address in to if address and address.strip())
    )
    if not addresses:
        return []
    subject = " ".join(render_to_string(subject_template, context).split())
    body = render_to_string(body_template, context)
    for address in addresses:
        transaction.on_commit(_queue_callback(address, subject, body, plan_id), robust=True)
    logger.info(
        "plan email queued plan_id=%s template=%s count=%s", plan_id, body_template, len(addresses)
    )
    return addresses


def participant_addresses(plan) -> list[str]:
    """Return the plan's contact e-mail and its organisation's active users' e-mails."""
    users = User.objects.filter(
        organisation_id=plan.organisation_id, role=UserRole.PARTICIPANT, is_active=True
    ).exclude(email="")
    return [plan.contact_email, *users.order_by("username").values_list("email", flat=True)]


def role_addresses(roles) -> list[str]:
    """Return the e-mails of the active users holding any of `roles`."""
    users = User.objects.filter(role__in=list(roles), is_active=True).exclude(email="")
    return list(users.order_by("role", "username").values_list("email", flat=True))


def _send(*, plan, to, template: str, context: dict) -> list[str]:
    return send_email_on_commit(
        to=to,
        subject_template=f"emails/plans/{template}_subject.txt",
        body_template=f"emails/plans/{template}_body.txt",
        context={"plan": plan, **context},
        plan_id=plan.pk,
    )


def notify_submitted(*, plan, version: int) -> list[str]:
    """Tell the reviewers of every required party that a plan waits for them."""
    parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
    return _send(
        plan=plan,
        to=role_addresses(parties),
        template="submitted",
        context={"version": version, "parties": [UserRole(p).label for p in parties]},
    )


def notify_decision(*, plan, decision, round_decisions) -> list[str]:
    """Tell the participant of a reviewer's decision, with every comment of the round."""
    return _send(
        plan=plan,
        to=participant_addresses(plan),
        template="decision",
        context={"decision": decision, "round_decisions": round_decisions},
    )


def notify_review_outcome(*, plan, decision) -> list[str]:
    """E-mail the other required parties' reviewers that a plan is returned, rejected or agreed.

    Call it after the transition, so `plan.state` is the outcome. The deciding
    party's users are left out: their own decision caused the outcome.
    """
    parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
    others = [party for party in parties if party != decision.party]
    return _send(
        plan=plan,
        to=role_addresses(others),
        template="review_outcome",
        context={"decision": decision},
    )


def report_reviewer_role(plan) -> str:
    """Return the role that reviews a plan's reports.

    REC-led plans report to the REC Code Manager. Every other plan, DIP-led
    ones included, reports to the Operational Support Managers, as in
    `reporting.services.reports.report_route_for`.
    """
    return UserRole.RECCM if plan.lead_code_body == CodeBody.REC else UserRole.OSM


def notify_awaiting_pab(*, plan) -> list[str]:
    """Tell the PAB members that an agreed plan impacting the BSC waits for them."""
    return _send(plan=plan, to=role_addresses([UserRole.PAB]), template="awaiting_pab", context={})


def notify_pab_decision(*, plan, pab_decision) -> list[str]:
    """Tell the participant, and on a refusal the reviewers, of the PAB's decision."""
    to = participant_addresses(plan)
    if pab_decision.outcome == "refuse":
        to += role_addresses(required_parties(route=plan.route, code_bodies=plan.code_bodies))
    return _send(plan=plan, to=to, template="pab_decision", context={"pab_decision": pab_decision})


def notify_monitoring_started(*, plan) -> list[str]:
    """E-mail the participant that reports fall due, and their reviewers that reports will come."""
    sent = _send(plan=plan, to=participant_addresses(plan), template="monitoring", context={})
    role = report_reviewer_role(plan)
    sent += _send(
        plan=plan,
        to=role_addresses([role]),
        template="monitoring_reviewers",
        context={"reviewer_label": UserRole(role).label},
    )
    return sent


def notify_withdrawn(*, plan, actor) -> list[str]:
    """Tell the required parties' reviewers that a plan they had been sent is withdrawn."""
    parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
    return _send(
        plan=plan, to=role_addresses(parties), template="withdrawn", context={"actor": actor}
    )
