"""Escalation pages: the list, one escalation with its steps, and the presentation download.

An escalation whose plan the user may not see returns 404. A page or action
that the user's role may not use returns 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plans.choices import UserRole
from plans.permissions import plans_visible_to
from plans.services.transitions import PlanChanged

from . import selectors
from .forms import HearingForm, OutcomeForm, PresentationForm, RaiseForm
from .models import EscalationPath, EscalationStatus
from .services import (
    HEARING_SETTERS,
    EscalationChanged,
    escalation_raise_manual,
    escalation_record_outcome,
    escalation_refer_to_rec_pab,
    escalation_set_hearing,
    escalation_upload_presentation,
)


def _escalation_for(request, pk):
    escalation = selectors.escalation_get_for_user(user=request.user, escalation_id=pk)
    if not selectors.can_open_escalation(request.user, escalation):
        raise PermissionDenied("Your role does not work escalations on this path.")
    return escalation


def _form_errors(request, form):
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


@login_required
def escalation_list(request):
    if not selectors.can_see_escalations(request.user):
        raise PermissionDenied(
            "Escalations are worked by the PAB, OSMs, Elexon and the REC Code Manager."
        )
    open_list, closed_list = selectors.escalation_list_for_user(request.user)
    context = {"open_list": open_list, "closed_list": closed_list}
    return render(request, "escalation/list.html", context)


@login_required
def escalation_detail(request, pk: int):
    escalation = _escalation_for(request, pk)
    user = request.user
    status = escalation.status
    is_bsc = escalation.path == EscalationPath.BSC
    hearing = getattr(escalation, "hearing", None)
    context = {
        "escalation": escalation,
        "plan": escalation.plan,
        "hearing": hearing,
        "zone": settings.WORKOFF_REPORT_TIME_ZONE,
        "hearing_form": HearingForm()
        if is_bsc and status == EscalationStatus.RAISED and user.role in HEARING_SETTERS
        else None,
        "rec_pab_form": HearingForm()
        if not is_bsc and status == EscalationStatus.RAISED and user.role == UserRole.RECCM
        else None,
        "presentation_form": PresentationForm()
        if is_bsc and status == EscalationStatus.HEARING_SET and user.role == UserRole.PARTICIPANT
        else None,
        "outcome_form": OutcomeForm()
        if status in (EscalationStatus.HEARING_SET, EscalationStatus.WITH_REC_PAB)
        and user.role == UserRole.PAB
        else None,
    }
    return render(request, "escalation/detail.html", context)


@login_required
@require_POST
def escalation_raise(request, plan_id: int):
    plan = get_object_or_404(plans_visible_to(request.user), pk=plan_id)
    form = RaiseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("plans:plan_detail", pk=plan.pk)
    try:
        escalation = escalation_raise_manual(
            plan_id=plan.pk, actor=request.user, comment=form.cleaned_data["comment"]
        )
    except PlanChanged as error:
        messages.error(request, str(error))
        return redirect("plans:plan_detail", pk=plan.pk)
    messages.success(request, "Plan escalated.")
    return redirect("escalation:detail", pk=escalation.pk)


def _run_step(request, escalation, step):
    try:
        step()
    except (EscalationChanged, PlanChanged) as error:
        messages.error(request, str(error))
    return redirect("escalation:detail", pk=escalation.pk)


@login_required
@require_POST
def escalation_hearing(request, pk: int):
    escalation = _escalation_for(request, pk)
    form = HearingForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("escalation:detail", pk=escalation.pk)
    data = form.cleaned_data
    if escalation.path == EscalationPath.REC:
        service = escalation_refer_to_rec_pab
    else:
        service = escalation_set_hearing
    return _run_step(
        request,
        escalation,
        lambda: service(
            escalation_id=escalation.pk,
            actor=request.user,
            hearing_date=data["hearing_date"],
            comment=data["comment"],
        ),
    )


@login_required
@require_POST
def escalation_presentation(request, pk: int):
    escalation = _escalation_for(request, pk)
    form = PresentationForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("escalation:detail", pk=escalation.pk)
    upload = form.cleaned_data["presentation"]
    if upload.size > settings.WORKOFF_MAX_UPLOAD_BYTES:
        messages.error(
            request,
            f"{upload.name} is {upload.size} bytes; the largest presentation accepted is "
            f"{settings.WORKOFF_MAX_UPLOAD_BYTES} bytes.",
        )
        return redirect("escalation:detail", pk=escalation.pk)
    return _run_step(
        request,
        escalation,
        lambda: escalation_upload_presentation(
            escalation_id=escalation.pk, actor=request.user, upload=upload
        ),
    )


@login_required
def presentation_download(request, pk: int):
    escalation = _escalation_for(request, pk)
    hearing = getattr(escalation, "hearing", None)
    if hearing is None or not hearing.presentation:
        raise Http404("No presentation has been uploaded for this escalation.")
    return FileResponse(
        hearing.presentation.open("rb"),
        as_attachment=True,
        filename=hearing.presentation_name,
        content_type="application/octet-stream",
    )


@login_required
@require_POST
def escalation_outcome(request, pk: int):
    escalation = _escalation_for(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("escalation:detail", pk=escalation.pk)
    return _run_step(
        request,
        escalation,
        lambda: escalation_record_outcome(
            escalation_id=escalation.pk,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            comment=form.cleaned_data["comment"],
        ),
    )
