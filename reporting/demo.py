"""Demo plans in monitoring, with reports in every state the pages show.

`load()` runs after the lifecycle demo. Each plan goes through the real
lifecycle services as the demo users: the participant submits it, every
required party's reviewer agrees it, and the PAB approves it when the BSC is
impacted (REC-only plans never go to the PAB). The services stamp the current
time, but the reporting pages need plans whose monitoring began weeks ago.
So the plan's timestamps are then moved back by the same number of days, with
one update per table, and its reporting periods are rebuilt from the moved
start. Reports and review steps are dated after their periods' due times.

- NWEL, BSC-led, weekly: an acknowledged report, a late report with a
  revised fix date awaiting the OSM, a late period with no report, and a
  period still to come;
- ASHD, REC-led QT plan, fortnightly: a late report queried by the REC Code
  Manager, then a period overdue without a report (the chase job has work);
- BWDS, BSC-led: a report saying a workaround no longer mitigates, so the
  system escalates the plan, and the BSC PAB sets a hearing.

Each plan is found again by its contact address (DEMO_CONTACT), so a second
run creates nothing and the plan's timeline holds only what real use writes.
"""

import datetime as dt
import logging

from django.db import models, transaction
from django.db.models import F, Max
from django.test.utils import override_settings
from django.utils import timezone

from plans.choices import CodeBody, DefectStatus, PlanKind, Route, Severity, UserRole
from plans.models import (
    Item,
    Organisation,
    PabDecision,
    Plan,
    PlanEvent,
    PlanVersion,
    ReviewDecision,
    User,
)
from plans.parties import needs_pab_approval, required_parties
from plans.services.lifecycle import plan_decide, plan_pab_decide, plan_submit

from .models import Report, ReportingPeriod, ReportMessage
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

# Audit action that marked a demo plan in databases loaded before the
# contact address did; still read so those databases are not loaded twice.
DEMO_ACTION = "demo.reporting_plan"
DEMO_CONTACT = "reports-{}@example.org"

# (key, participant ID, lead code body, route, interval, days since monitoring began, items)
PLANS = (
    ("bsc", "NWEL", CodeBody.BSC, Route.SIT, "weekly", 22, 3),
    ("rec", "ASHD", CodeBody.REC, Route.QT, "fortnightly", 30, 2),
    ("escalated", "BWDS", CodeBody.BSC, Route.SIT, "weekly", 9, 2),
)

# How long after a report each review step is dated.
REVIEW_DELAY = dt.timedelta(hours=20)


def _create_draft(participant, participant_id, lead, route, interval, item_count) -> Plan:
    organisation = Organisation.objects.get(participant_id=participant_id)
    plan = Plan.objects.create(
        kind=PlanKind.TESTING_WORK_OFF,
        route=route,
        organisation=organisation,
        participant_name=organisation.name,
        contact_name="Demo contact",
        contact_email=DEMO_CONTACT.format(participant_id.lower()),
        lead_code_body=lead,
        code_bodies=[lead],
        reporting_interval=interval,
        plan_version="1.0",
        created_by=participant,
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
    return plan


def _first_user(role) -> User:
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def _agree_through_lifecycle(plan, participant) -> None:
    """Submit the plan, agree it as each required party, and approve it at the PAB if needed."""
    plan_submit(plan_id=plan.pk, actor=participant)
    for party in required_parties(route=plan.route, code_bodies=plan.code_bodies):
        plan_decide(
            plan_id=plan.pk,
            actor=_first_user(party),
            decision="agree",
            comment="Workarounds and fix dates are credible.",
        )
    if needs_pab_approval(code_bodies=plan.code_bodies):
        plan_pab_decide(
            plan_id=plan.pk,
            actor=_first_user(UserRole.PAB),
            outcome="approve",
            meeting_date=timezone.localdate(),
            reference="PAB demo/01",
        )


def _move_back(plan, days: int) -> Plan:
    """Move every timestamp of a freshly approved plan `days` days back, and rebuild its periods.

    One update per table keeps the audit trail, the decisions and the plan's
    own timestamps in step, so the monitoring start in the timeline is the
    start of the first reporting period.
    """
    delta = dt.timedelta(days=days)
    PlanEvent.objects.filter(plan=plan).update(created_at=F("created_at") - delta)
    Plan.objects.filter(pk=plan.pk).update(
        created_at=F("created_at") - delta,
        submitted_at=F("submitted_at") - delta,
        agreed_at=F("agreed_at") - delta,
        monitoring_started_at=F("monitoring_started_at") - delta,
    )
    # The review records refuse updates through their own manager, to keep
    # them as written; the demo backdates them once, before anyone reads them.
    plain = models.QuerySet
    plain(model=PlanVersion).filter(plan=plan).update(submitted_at=F("submitted_at") - delta)
    plain(model=ReviewDecision).filter(plan=plan).update(created_at=F("created_at") - delta)
    pab = PabDecision.objects.filter(plan=plan).first()
    if pab is not None:
        meeting_date = pab.meeting_date - delta
        plain(model=PabDecision).filter(pk=pab.pk).update(
            created_at=F("created_at") - delta, meeting_date=meeting_date
        )
        # The timeline reads the meeting date from the approval's audit entry.
        for event in PlanEvent.objects.filter(plan=plan, action="plans.pab_approved"):
            data = {**event.data, "meeting_date": meeting_date.isoformat()}
            PlanEvent.objects.filter(pk=event.pk).update(data=data)

    # The periods made at approval started now; none has a report or notice yet.
    ReportingPeriod.objects.filter(plan=plan).delete()
    plan = Plan.objects.get(pk=plan.pk)
    schedule_start(plan=plan, actor=None)
    return plan


def _last_event_id(plan) -> int:
    return PlanEvent.objects.filter(plan=plan).aggregate(last=Max("id"))["last"] or 0


def _date_events_since(plan, last_event_id: int, at: dt.datetime) -> None:
    """Date the plan's audit entries written after `last_event_id` at `at`."""
    PlanEvent.objects.filter(plan=plan, pk__gt=last_event_id).update(created_at=at)


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
    last_event = _last_event_id(plan)
    report = report_submit(period_id=period.pk, actor=actor, lines=_lines(plan, **line_options))
    # Dated as if the participant had submitted it at the time, before or after the due time.
    submitted_at = period.due_at + dt.timedelta(hours=hours_after_due)
    Report.objects.filter(pk=report.pk).update(
        submitted_at=submitted_at, status_changed_at=submitted_at, is_late=hours_after_due > 0
    )
    _date_events_since(plan, last_event, submitted_at)
    report.submitted_at = submitted_at
    return report


def _review(plan, report, step, **kwargs) -> None:
    """Run a review step on a report and date it REVIEW_DELAY after the report."""
    last_event = _last_event_id(plan)
    step(report_id=report.pk, **kwargs)
    at = report.submitted_at + REVIEW_DELAY
    ReportMessage.objects.filter(report=report).update(created_at=at)
    Report.objects.filter(pk=report.pk).update(status_changed_at=at)
    _date_events_since(plan, last_event, at)


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
        _review(plan, first, report_acknowledge, actor=users["osm"], comment="Evidence is clear.")
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
        _review(
            plan,
            first,
            report_query,
            actor=users["reccm"],
            comment="Attach the exception report for the last week of the period.",
        )
    else:
        _escalate(plan, participant, users)


def _escalate(plan, participant, users) -> None:
    from escalation.models import Escalation, Hearing
    from escalation.services import escalation_set_hearing

    failing_reference = open_items(plan).first().reference
    report = _submit(plan, 1, participant, hours_after_due=-3, failing={failing_reference})
    escalation = Escalation.objects.get(plan=plan, status="raised")
    Escalation.objects.filter(pk=escalation.pk).update(raised_at=report.submitted_at)

    last_event = _last_event_id(plan)
    escalation_set_hearing(
        escalation_id=escalation.pk,
        actor=users["pab"],
        hearing_date=timezone.localdate() + dt.timedelta(days=14),
        comment="Heard at the next BSC PAB meeting with a free slot.",
    )
    set_at = report.submitted_at + REVIEW_DELAY
    Hearing.objects.filter(escalation=escalation).update(set_at=set_at)
    _date_events_since(plan, last_event, set_at)


def _load_plan(key, participant_id, lead, route, interval, days_ago, item_count, users) -> Plan:
    participant = (
        User.objects.filter(role=UserRole.PARTICIPANT, organisation__participant_id=participant_id)
        .order_by("pk")
        .first()
    )
    plan = _create_draft(participant, participant_id, lead, route, interval, item_count)
    _agree_through_lifecycle(plan, participant)
    plan = _move_back(plan, days_ago)
    schedule_extend(now=timezone.now())
    _fill(key, plan, users)
    return plan


def _loaded_keys() -> set[str]:
    """Return the keys of the demo plans already in the database."""
    contacts = {DEMO_CONTACT.format(spec[1].lower()): spec[0] for spec in PLANS}
    present = {
        contacts[email]
        for email in Plan.objects.filter(contact_email__in=contacts).values_list(
            "contact_email", flat=True
        )
    }
    present.update(PlanEvent.objects.filter(action=DEMO_ACTION).values_list("data__key", flat=True))
    return present


# The demo's e-mails would fill the console; they are kept in memory instead.
@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def load() -> int:
    """Create the demo reporting plans that are missing; return how many were created."""
    users = {user.username: user for user in User.objects.all()}
    present = _loaded_keys()
    created = 0
    for key, *spec in PLANS:
        if key in present:
            continue
        with transaction.atomic():
            plan = _load_plan(key, *spec, users)
        created += 1
        logger.info("demo reporting plan loaded plan_id=%s key=%s", plan.pk, key)
    return created
