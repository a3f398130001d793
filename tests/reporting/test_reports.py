"""Submitting reports: routing, lateness, immutability, revised dates, review steps."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from escalation.models import Escalation, EscalationReason
from plans.models import Item, PlanEvent
from reporting.models import ImmutableReportError, ReportingPeriod, ReportStatus
from reporting.services import (
    ReportChanged,
    report_acknowledge,
    report_answer,
    report_line_decide,
    report_query,
    report_submit,
)

from .support import lines_for


def period(plan, sequence):
    return ReportingPeriod.objects.get(plan=plan, sequence=sequence)


def test_late_report_is_accepted_and_marked_late(users, bsc_plan):
    report = report_submit(
        period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines_for(bsc_plan)
    )
    assert report.is_late is True
    assert report.route == "BSC"
    assert report.period.due_at == dt.datetime(2027, 1, 15, 17, 0, tzinfo=dt.UTC)
    assert report.submitted_at > report.period.due_at
    assert report.lines.count() == 2


def test_report_before_due_time_is_not_late(users, bsc_plan):
    report = report_submit(
        period_id=period(bsc_plan, 2).pk, actor=users["participant"], lines=lines_for(bsc_plan)
    )
    assert report.is_late is False


def test_rec_led_report_routes_to_rec(users, rec_plan):
    report = report_submit(
        period_id=period(rec_plan, 1).pk, actor=users["participant2"], lines=lines_for(rec_plan)
    )
    assert report.route == "REC"


def test_second_report_for_period_is_refused(users, bsc_plan):
    report_submit(
        period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines_for(bsc_plan)
    )
    with pytest.raises(ReportChanged, match="submitted reports cannot be changed"):
        report_submit(
            period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines_for(bsc_plan)
        )


def test_future_period_cannot_be_reported(users, bsc_plan):
    with pytest.raises(ReportChanged):
        report_submit(
            period_id=period(bsc_plan, 3).pk, actor=users["participant"], lines=lines_for(bsc_plan)
        )


def test_other_organisation_cannot_report(users, bsc_plan):
    with pytest.raises(PermissionDenied):
        report_submit(
            period_id=period(bsc_plan, 1).pk, actor=users["participant2"], lines=lines_for(bsc_plan)
        )


def test_report_must_cover_every_open_item(users, bsc_plan):
    with pytest.raises(ValidationError):
        report_submit(
            period_id=period(bsc_plan, 1).pk,
            actor=users["participant"],
            lines=lines_for(bsc_plan)[:1],
        )


def test_closed_items_are_not_reported(users, bsc_plan):
    item = bsc_plan.items.first()
    Item.objects.filter(pk=item.pk).update(defect_status="Closed")
    report = report_submit(
        period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines_for(bsc_plan)
    )
    assert list(report.lines.values_list("item_id", flat=True)) == [bsc_plan.items.last().pk]


def test_submitted_line_cannot_change(users, bsc_plan):
    report = report_submit(
        period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines_for(bsc_plan)
    )
    line = report.lines.first()
    line.evidence = "rewritten"
    with pytest.raises(ImmutableReportError):
        line.save()


def test_failing_workaround_escalates_in_same_transaction(users, bsc_plan):
    failing = bsc_plan.items.first().pk
    report = report_submit(
        period_id=period(bsc_plan, 2).pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, failing_item_ids={failing}),
    )
    bsc_plan.refresh_from_db()
    assert bsc_plan.state == "escalated"
    escalation = Escalation.objects.get(plan=bsc_plan)
    assert escalation.reason == EscalationReason.WORKAROUND_FAILURE
    assert escalation.path == "BSC"
    # The system raised it; the participant only submitted the report.
    assert escalation.raised_by is None
    assert report.escalation_outcome.raised is True
    assert report.escalation_outcome.escalation == escalation
    assert list(escalation.reports.all()) == [report]
    actions = list(PlanEvent.objects.filter(plan=bsc_plan).values_list("action", flat=True))
    assert actions[-2:] == ["reporting.report_submitted", "escalation.raised"]


def test_failed_escalation_rolls_back_report(users, bsc_plan, monkeypatch):
    import escalation.services as services

    def broken(**kwargs):
        raise RuntimeError("escalation failed")

    monkeypatch.setattr(services, "escalation_raise_for_workaround_failure", broken)
    failing = bsc_plan.items.first().pk
    with pytest.raises(RuntimeError):
        report_submit(
            period_id=period(bsc_plan, 2).pk,
            actor=users["participant"],
            lines=lines_for(bsc_plan, failing_item_ids={failing}),
        )
    assert not hasattr(period(bsc_plan, 2), "report")


def test_revised_date_kept_on_line_and_decided(users, bsc_plan):
    item = bsc_plan.items.first()
    revised = {item.pk: (dt.date(2027, 12, 15), "Supplier release slipped.")}
    report = report_submit(
        period_id=period(bsc_plan, 1).pk,
        actor=users["participant"],
        lines=lines_for(bsc_plan, revised=revised),
    )
    line = report.lines.get(item=item)
    assert line.revised_fix_date == dt.date(2027, 12, 15)
    assert line.revised_date_decision == "pending"
    with pytest.raises(PermissionDenied):
        report_line_decide(line_id=line.pk, actor=users["reccm"], accept=True)
    report_line_decide(line_id=line.pk, actor=users["osm"], accept=False)
    line.refresh_from_db()
    item.refresh_from_db()
    assert line.revised_date_decision == "refused"
    assert line.revised_date_decided_by == users["osm"]
    assert item.expected_fix_date == dt.date(2027, 9, 30)


def test_revised_date_without_reason_is_invalid(users, bsc_plan):
    item = bsc_plan.items.first()
    with pytest.raises(ValidationError):
        report_submit(
            period_id=period(bsc_plan, 1).pk,
            actor=users["participant"],
            lines=lines_for(bsc_plan, revised={item.pk: (dt.date(2027, 12, 1), "")}),
        )


def test_query_answer_acknowledge(users, rec_plan):
    report = report_submit(
        period_id=period(rec_plan, 1).pk, actor=users["participant2"], lines=lines_for(rec_plan)
    )
    with pytest.raises(PermissionDenied):
        report_query(report_id=report.pk, actor=users["osm"], comment="Why?")
    report_query(report_id=report.pk, actor=users["reccm"], comment="Send the log.")
    report.refresh_from_db()
    assert report.status == ReportStatus.QUERIED
    with pytest.raises(PermissionDenied):
        report_answer(report_id=report.pk, actor=users["participant"], text="n/a")
    report_answer(report_id=report.pk, actor=users["participant2"], text="Log attached.")
    report_acknowledge(report_id=report.pk, actor=users["reccm"], comment="Thanks.")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    kinds = list(report.messages.values_list("kind", "author__username"))
    assert kinds == [("query", "reccm"), ("answer", "participant2"), ("acknowledge", "reccm")]
    with pytest.raises(ReportChanged):
        report_acknowledge(report_id=report.pk, actor=users["reccm"])


def test_evidence_files_stored_under_reports(users, bsc_plan):
    lines = lines_for(bsc_plan)
    lines[0].files = [SimpleUploadedFile("recon.csv", b"a,b\n1,2\n", content_type="text/csv")]
    report = report_submit(
        period_id=period(bsc_plan, 1).pk, actor=users["participant"], lines=lines
    )
    evidence = report.lines.first().evidence_files.get()
    assert evidence.original_name == "recon.csv"
    assert evidence.size == 8
    assert evidence.file.name.startswith(f"reports/{bsc_plan.pk}/{report.pk}/")
    assert "recon" not in evidence.file.name
