"""Reporting pages: the participant's reports, the report form, review queues, downloads.

A report or period whose plan the user may not see returns 404. A page or
action that the user's role may not use returns 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from plans.choices import UserRole
from plans.permissions import is_participant

from . import selectors
from .forms import AnswerForm, ReportLineForm, ReviewForm, RevisedDateDecisionForm
from .models import Report
from .services import (
    LineInput,
    ReportChanged,
    open_items,
    report_acknowledge,
    report_answer,
    report_line_decide,
    report_query,
    report_submit,
)
from .services.reports import REVIEWER_ROLE, existing_report_message, period_not_open_message
from .services.schedule import REPORTING_STATES

REVIEWER_ROLES = frozenset(REVIEWER_ROLE.values())


def page_context(**extra) -> dict:
    """Return the context every reporting page shares: the reporting time zone."""
    return {
        "zone": settings.WORKOFF_REPORT_TIME_ZONE,
        "due_time": settings.WORKOFF_REPORT_DUE_TIME,
        **extra,
    }


def period_sections(grouped) -> list[tuple[str, str, list]]:
    return [
        ("due", "Due", grouped["due"]),
        ("late", "Late", grouped["late"]),
        ("submitted", "Submitted", grouped["submitted"]),
    ]


def _require_participant(user):
    if not is_participant(user):
        raise PermissionDenied("Only participant users submit reports.")


@login_required
def my_reports(request):
    _require_participant(request.user)
    grouped = selectors.periods_for_participant(request.user)
    context = page_context(sections=period_sections(grouped), can_report=True, show_plan=True)
    return render(request, "reporting/my_reports.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request, period_id: int):
    period = selectors.period_get_for_participant(user=request.user, period_id=period_id)
    _require_participant(request.user)
    existing = Report.objects.select_related("submitted_by").filter(period=period).first()
    if existing is not None:
        # A repeated POST changes nothing: the stored report stays as submitted.
        messages.info(request, existing_report_message(existing))
        return redirect("reporting:report_detail", pk=existing.pk)
    if period.period_start > timezone.now():
        messages.error(request, period_not_open_message(period))
        return redirect("reporting:my_reports")
    if period.plan.state not in REPORTING_STATES:
        messages.error(
            request,
            f"Plan #{period.plan_id} is {period.plan.get_state_display().lower()}, "
            "so it takes no reports.",
        )
        return redirect("reporting:my_reports")

    items = list(open_items(period.plan))
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    forms = [ReportLineForm(data, files, item=item) for item in items]
    if request.method == "POST" and all(form.is_valid() for form in forms):
        lines = [
            LineInput(
                item_id=form.item.pk,
                workaround_mitigates=form.cleaned_data["workaround_mitigates"] == "yes",
                evidence=form.cleaned_data["evidence"],
                fix_progress=form.cleaned_data["fix_progress"],
                confidence=form.cleaned_data["confidence"],
                revised_fix_date=form.cleaned_data["revised_fix_date"],
                revised_date_reason=form.cleaned_data["revised_date_reason"],
                files=form.cleaned_data["evidence_files"],
            )
            for form in forms
        ]
        try:
            report = report_submit(period_id=period.pk, actor=request.user, lines=lines)
        except ReportChanged as error:
            messages.error(request, str(error))
            return redirect("reporting:my_reports")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            _report_submitted_message(request, report)
            return redirect("reporting:report_detail", pk=report.pk)
    context = page_context(
        period=period, plan=period.plan, forms=forms, late=period.due_at < timezone.now()
    )
    return render(request, "reporting/report_form.html", context)


def _report_submitted_message(request, report) -> None:
    """Say what the report led to, claiming only the escalation step that took place."""
    outcome = getattr(report, "escalation_outcome", None)
    failing = [line for line in report.lines.all() if not line.workaround_mitigates]
    if not failing:
        messages.success(request, "Report submitted.")
    elif outcome is not None and outcome.raised:
        messages.warning(
            request,
            "Report submitted. A workaround no longer mitigates, so the plan has been "
            f"escalated (escalation {outcome.escalation.pk}).",
        )
    elif outcome is not None:
        messages.warning(
            request,
            "Report submitted. A workaround no longer mitigates; the plan is already "
            f"escalated, so this report was added to escalation {outcome.escalation.pk}.",
        )
    else:
        messages.warning(
            request,
            "Report submitted. A workaround no longer mitigates; the reviewer has been told. "
            "No escalation was raised, because the plan is not in monitoring.",
        )


@login_required
def report_detail(request, pk: int):
    report = selectors.report_get_for_user(user=request.user, report_id=pk)
    if not selectors.can_read_report(request.user, report):
        raise PermissionDenied("Your role does not review this plan's reports.")
    is_reviewer = request.user.role == REVIEWER_ROLE[report.route]
    is_owner = is_participant(request.user)
    context = page_context(
        report=report,
        plan=report.plan,
        lines=list(report.lines.all()),
        is_reviewer=is_reviewer,
        review_form=ReviewForm() if is_reviewer and report.awaits_reviewer else None,
        answer_form=AnswerForm() if is_owner and report.status == "queried" else None,
    )
    return render(request, "reporting/report_detail.html", context)


def _reviewer_report(request, pk):
    report = selectors.report_get_for_user(user=request.user, report_id=pk)
    if request.user.role != REVIEWER_ROLE[report.route]:
        raise PermissionDenied("Your role does not review this plan's reports.")
    return report


@login_required
@require_POST
def report_review(request, pk: int):
    report = _reviewer_report(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("reporting:report_detail", pk=report.pk)
    try:
        if form.cleaned_data["action"] == "acknowledge":
            report_acknowledge(
                report_id=report.pk, actor=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "Report acknowledged.")
        else:
            report_query(
                report_id=report.pk, actor=request.user, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "Query sent to the participant.")
    except ReportChanged as error:
        messages.error(request, str(error))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def report_answer_view(request, pk: int):
    report = selectors.report_get_for_user(user=request.user, report_id=pk)
    _require_participant(request.user)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            report_answer(report_id=report.pk, actor=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Answer sent to the reviewer.")
        except ReportChanged as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "The answer is empty. Write your answer to the reviewer's query.")
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
@require_POST
def line_decide(request, pk: int, line_id: int):
    report = _reviewer_report(request, pk)
    line = next((line for line in report.lines.all() if line.pk == line_id), None)
    if line is None or line.revised_fix_date is None:
        messages.error(request, "That line has no revised fix date to decide.")
        return redirect("reporting:report_detail", pk=report.pk)
    form = RevisedDateDecisionForm(request.POST)
    if form.is_valid():
        try:
            report_line_decide(
                line_id=line.pk,
                actor=request.user,
                accept=form.cleaned_data["decision"] == "accept",
            )
            messages.success(request, f"Revised fix date for {line.item.reference} recorded.")
        except ReportChanged as error:
            messages.error(request, str(error))
    return redirect("reporting:report_detail", pk=report.pk)


@login_required
def queue(request):
    if request.user.role not in REVIEWER_ROLES:
        raise PermissionDenied("Report queues are for OSMs and the REC Code Manager.")
    awaiting, handled = selectors.report_queue_for_reviewer(request.user)
    context = page_context(
        sections=[
            ("Awaiting review", awaiting, "queue-awaiting"),
            ("Acknowledged or queried", handled, "queue-handled"),
        ],
        route_label="BSC-led and DIP-led" if request.user.role == UserRole.OSM else "REC-led",
    )
    return render(request, "reporting/queue.html", context)


@login_required
def evidence_download(request, pk: int):
    evidence = selectors.evidence_get_for_user(user=request.user, evidence_id=pk)
    if not selectors.can_read_report(request.user, evidence.line.report):
        raise PermissionDenied("Your role does not review this plan's reports.")
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type="application/octet-stream",
    )
