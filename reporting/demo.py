"""Demo plans in monitoring, with reports in every state the pages show.

`load()` runs after the lifecycle demo. It creates three plans straight into
monitoring through plan_transition (audit comment "demo data") rather than
from the sample workbooks, because the reporting pages need plans whose
monitoring began weeks ago, and the lifecycle services stamp the current time:

- NWEL, BSC-led, weekly: an acknowledged report, a late report with a
  revised fix date awaiting the OSM, a late period with no report, and a
  period still to come;
- ASHD, REC-led, fortnightly: a late report queried by the REC Code Manager,
  then a period overdue without a report (the chase job has work);
- BWDS, BSC-led: a report saying a workaround no longer mitigates, so the
  plan is escalated with a PAB hearing set.

Each plan is recorded by a "demo.reporting_plan" audit entry, so a second
run creates nothing.
"""

import datetime as dt
import logging

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from plans.choices import CodeBody, DefectStatus, PlanKind, Route, Severity, UserRole
from plans.models import Item, Organisation, Plan, PlanEvent, User
from plans.services.transitions import plan_lock, plan_transition

from .models import Report, ReportingPeriod
from .services import (
    LineInput,
    open_items,
    report_acknowledge,
    report_query,
    report_submit,
    schedule_extend,
    schedule_start,
)

logger = logging.getLogger(__name__)

DEMO_ACTION = "demo.reporting_plan"

# (key, participant ID, lead code body, route, interval, days since monitoring began, items)
PLANS = (
    ("bsc", "NWEL", CodeBody.BSC, Route.SIT, "weekly", 22, 3),
    ("rec", "ASHD", CodeBody.REC, Route.QT, "fortnightly", 30, 2),
    ("escalated", "BWDS", CodeBody.BSC, Route.SIT, "weekly", 9, 2),
)


def _create_plan(key, participant_id, lead, route, interval, days_ago, item_count) -> Plan:
    organisation = Organisation.objects.get(participant_id=participant_id)
    plan = Plan.objects.create(
        kind=PlanKind.TESTING_WORK_OFF,
        route=route,
        organisation=organisation,
        participant_name=organisation.name,
        contact_name="Demo contact",
        contact_email=f"reports-{participant_id.lower()}@example.org",
        lead_code_body=lead,
        code_bodies=[lead],
        reporting_interval=interval,
        plan_version="1.0",
    )
    today = timezone.localdate()
    for position in range(item_count):
        Item.objects.create(
            plan=plan,
            position=position,
            reference=f"{participant_id}-MON-{position + 1:03d}",
            defect_number=f"DEF-{plan.pk}-{position + 1}",
            severity=Severity.S3 if position else Severity.S4,
            defect_status=DefectStatus.IN_PROGRESS,
            defect_title=("Late flow", "Rounding in read", "Duplicate notice")[position % 3],
            description="Defect found in testing, handled by a workaround until the fix.",
            role="Supplier",
            code_bodies=[lead],
            settlement_retail_risk="Low",
            workaround_description="Daily manual check and correction before the flow is sent.",
            workaround_fully_mitigates=True,
            workaround_monitoring="Daily exception report reviewed by operations.",
            proposed_fix="Code fix in the next release.",
            fix_fully_mitigates=True,
            expected_fix_date=today + dt.timedelta(days=60 + 10 * position),
            expected_resolution_date=today + dt.timedelta(days=90 + 10 * position),
            fix_before_migration=True,
            confidence="Medium",
            proposed_retest_model="Regression in the participant's test environment.",
        )

    plan = plan_lock(plan_id=plan.pk)
    for method in ("submit", "agree", "pab_approve", "start_monitoring"):
        plan_transition(
            plan=plan, method=method, actor=None, action=f"demo.{method}", comment="demo data"
        )
    started_at = timezone.now() - dt.timedelta(days=days_ago)
    Plan.objects.filter(pk=plan.pk).update(monitoring_started_at=started_at)
    plan.monitoring_started_at = started_at
    schedule_start(plan=plan, actor=None)
    PlanEvent.objects.create(
        plan=plan,
        action=DEMO_ACTION,
        from_state=plan.state,
        to_state=plan.state,
        comment="demo data",
        data={"key": key},
    )
    return plan


def _lines(plan, *, failing=(), revised=None):
    revised = revised or {}
    return [
        LineInput(
            item_id=item.pk,
            workaround_mitigates=item.reference not in failing,
            evidence=(
                "Exception report shows corrections made before each send."
                if item.reference not in failing
                else "Exceptions missed twice this week: the manual check did not catch them."
            ),
            fix_progress="Fix built; in system test.",
            confidence="Medium",
            revised_fix_date=revised.get(item.reference, (None, ""))[0],
            revised_date_reason=revised.get(item.reference, (None, ""))[1],
        )
        for item in open_items(plan)
    ]


def _submit(plan, sequence, actor, *, hours_after_due, **line_options) -> Report:
    period = ReportingPeriod.objects.get(plan=plan, sequence=sequence)
    report = report_submit(period_id=period.pk, actor=actor, lines=_lines(plan, **line_options))
    # Dated as if the participant had submitted it at the time, before or after the due time.
    submitted_at = period.due_at + dt.timedelta(hours=hours_after_due)
    Report.objects.filter(pk=report.pk).update(
        submitted_at=submitted_at, status_changed_at=submitted_at, is_late=hours_after_due > 0
    )
    return report


def _participant(plan) -> User:
    return (
        User.objects.filter(role=UserRole.PARTICIPANT, organisation=plan.organisation)
        .order_by("pk")
        .first()
    )


def _fill(key, plan, users):
    participant = _participant(plan)
    if key == "bsc":
        first = _submit(plan, 1, participant, hours_after_due=-20)
        report_acknowledge(report_id=first.pk, actor=users["osm"], comment="Evidence is clear.")
        item = open_items(plan).first()
        revised_date = item.expected_fix_date + dt.timedelta(days=21)
        _submit(
            plan,
            2,
            participant,
            hours_after_due=26,
            revised={item.reference: (revised_date, "Release moved by the software vendor.")},
        )
    elif key == "rec":
        first = _submit(plan, 1, participant, hours_after_due=30)
        report_query(
            report_id=first.pk,
            actor=users["reccm"],
            comment="Attach the exception report for the last week of the period.",
        )
    else:
        failing_reference = open_items(plan).first().reference
        _submit(plan, 1, participant, hours_after_due=-3, failing={failing_reference})
        from escalation.models import Escalation
        from escalation.services import escalation_set_hearing

        escalation = Escalation.objects.get(plan=plan, status="raised")
        escalation_set_hearing(
            escalation_id=escalation.pk,
            actor=users["pab"],
            hearing_date=timezone.localdate() + dt.timedelta(days=14),
            comment="demo data",
        )


# The demo's e-mails would fill the console; they are kept in memory instead.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def load() -> int:
    """Create the demo reporting plans that are missing; return how many were created."""
    users = {user.username: user for user in User.objects.all()}
    present = set(PlanEvent.objects.filter(action=DEMO_ACTION).values_list("data__key", flat=True))
    created = 0
    for key, *spec in PLANS:
        if key in present:
            continue
        with transaction.atomic():
            plan = _create_plan(key, *spec)
            schedule_extend(now=timezone.now())
            _fill(key, plan, users)
        created += 1
        logger.info("demo reporting plan loaded plan_id=%s key=%s", plan.pk, key)
    return created
