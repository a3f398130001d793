"""Helpers of the reporting and escalation tests: plans put straight into monitoring.

Plans are built with the ORM and moved through plan_transition (submit,
agree, start_monitoring), so these tests do not depend on the review
screens. The demo organisations and users come from plans.demo.load_base.
"""

import datetime as dt

import time_machine
from django.db import transaction

from plans import demo
from plans.choices import CodeBody, DefectStatus, PlanKind, PlanState, Route, Severity
from plans.models import Item, Organisation, Plan, User
from plans.services.transitions import plan_lock, plan_transition
from reporting.services import schedule_start


def load_users() -> dict[str, User]:
    demo.load_base()
    return {user.username: user for user in User.objects.select_related("organisation")}


def make_plan(
    *,
    participant_id: str = "NWEL",
    lead: str = CodeBody.BSC,
    interval: str = "weekly",
    started_at: dt.datetime,
    items: int = 2,
    route: str = Route.SIT,
) -> Plan:
    """Create a plan with `items` open items and put it into monitoring at `started_at`."""
    organisation = Organisation.objects.get(participant_id=participant_id)
    kind = PlanKind.QAD_ACTION if route == Route.QAD else PlanKind.TESTING_WORK_OFF
    with time_machine.travel(started_at, tick=False):
        plan = Plan.objects.create(
            kind=kind,
            route=route,
            organisation=organisation,
            participant_name=organisation.name,
            contact_email=f"contact-{participant_id.lower()}@example.org",
            lead_code_body=lead,
            code_bodies=[lead],
            reporting_interval=interval,
        )
        for position in range(items):
            Item.objects.create(
                plan=plan,
                position=position,
                reference=f"WO-{position + 1}",
                defect_number=f"D-{plan.pk}-{position + 1}",
                severity=Severity.S3,
                defect_status=DefectStatus.OPEN,
                defect_title=f"Defect {position + 1}",
                description="Defect under a workaround.",
                code_bodies=[lead],
                workaround_description="Manual check each day.",
                workaround_fully_mitigates=True,
                workaround_monitoring="Daily reconciliation report.",
                proposed_fix="Code fix in the next release.",
                expected_fix_date=dt.date(2027, 9, 30),
                expected_resolution_date=dt.date(2027, 10, 31),
                confidence="High",
            )
        with transaction.atomic():
            plan = plan_lock(plan_id=plan.pk)
            for method in ("submit", "agree", "start_monitoring"):
                plan_transition(plan=plan, method=method, actor=None, action=f"test.{method}")
            schedule_start(plan=plan, actor=None)
    assert plan.state == PlanState.MONITORING
    return Plan.objects.get(pk=plan.pk)


def lines_for(plan, *, failing_item_ids=(), revised=None):
    """Build LineInput for every open item: workarounds hold unless listed in failing_item_ids."""
    from reporting.services import LineInput, open_items

    revised = revised or {}
    lines = []
    for item in open_items(plan):
        revised_date, reason = revised.get(item.pk, (None, ""))
        lines.append(
            LineInput(
                item_id=item.pk,
                workaround_mitigates=item.pk not in failing_item_ids,
                evidence=f"Reconciliation for {item.reference} clean.",
                fix_progress="Fix in build.",
                confidence="Medium",
                revised_fix_date=revised_date,
                revised_date_reason=reason,
            )
        )
    return lines
