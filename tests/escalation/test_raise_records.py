"""An escalation's raised time and its timeline entry: the run's clock, and the reason in words."""

import datetime as dt

from escalation.models import Escalation
from escalation.services import escalation_raise_manual
from plans.models import PlanEvent
from reporting.models import ReportingPeriod
from reporting.services import chase_run, report_submit
from tests.reporting.support import lines_for

# The test clock is at 16 January 2027; period 1 was due 15 January 17:00 GMT
# and its five days of grace end 20 January 17:00 GMT.
RUN = dt.datetime(2027, 1, 21, 9, 0, tzinfo=dt.UTC)


def test_chase_dates_escalation_with_its_now(users, bsc_plan):
    chase_run(now=RUN)

    escalation = Escalation.objects.get(plan=bsc_plan)
    assert escalation.raised_at == RUN
    event = PlanEvent.objects.get(plan=bsc_plan, action="escalation.raised")
    assert event.created_at == RUN
    assert event.comment == (
        "Raised automatically: the report for period 1 was not received by 20/01/2027 17:00 GMT."
    )


def test_workaround_escalation_comment_names_item(users, bsc_plan):
    first_item = bsc_plan.items.order_by("position").first()
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    report_submit(
        period_id=period.pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, failing_item_ids={first_item.pk}),
    )
    event = PlanEvent.objects.get(plan=bsc_plan, action="escalation.raised")
    assert event.comment == (
        "Raised automatically: report 2 said the workaround for WO-1 no longer mitigates."
    )


def test_manual_escalation_comment_is_reason(users, bsc_plan):
    escalation_raise_manual(
        plan_id=bsc_plan.pk, actor=users["osm"], comment="  No answer to three calls.  "
    )
    event = PlanEvent.objects.get(plan=bsc_plan, action="escalation.raised")
    assert event.comment == "No answer to three calls."
    assert event.actor == users["osm"]
