"""Escalation pages: the list, one escalation with its steps, and the presentation downloads.

An escalation whose plan the user may not see returns 404. A page or action
that the user's role may not use returns 403. A form with invalid input
re-renders the escalation page with the form's errors.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from plans.choices import UserRole
from plans.permissions import plans_visible_to
from plans.services.transitions import PlanChanged

from . import selectors
from .forms import ComplianceForm, HearingForm, OutcomeForm, PresentationForm, RaiseForm
from .models import EscalationPath, EscalationStatus
from .services import (
    BOARD_ROLE,
    HEARING_SETTERS,
    EscalationChanged,
    closed_message,
    escalation_raise_manual,
    escalation_record_compliance,
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


def _available_forms(user, escalation) -> dict:
    """Return an unbound form for each step the user may take on the escalation now."""
    status = escalation.status
    is_bsc = escalation.path == EscalationPath.BSC
    is_board = user.role == BOARD_ROLE[escalation.path]
    hearing = getattr(escalation, "hearing", None)
    forms = {}
    if is_bsc and status == EscalationStatus.RAISED and user.role in HEARING_SETTERS:
        forms["hearing_form"] = HearingForm()
    if not is_bsc and status == EscalationStatus.RAISED and user.role == UserRole.RECCM:
        forms["rec_pab_form"] = HearingForm()
    if is_bsc and status == EscalationStatus.HEARING_SET and user.role == UserRole.PARTICIPANT:
        forms["presentation_form"] = PresentationForm()
    if is_board and status in (EscalationStatus.HEARING_SET, EscalationStatus.WITH_REC_PAB):
        forms["outcome_form"] = OutcomeForm(hearing=hearing)
    if is_board and status == EscalationStatus.REFERRED:
        forms["compliance_form"] = ComplianceForm()
    return forms


def _waiting_note(escalation, forms) -> str:
    """Return what an active escalation waits for, for a user with no step to take on it."""
    if forms or not escalation.is_active:
        return ""
    return f"{escalation.status_summary}."


def _render_detail(request, escalation, bound_forms=None, status=200):
    hearing = getattr(escalation, "hearing", None)
    forms = _available_forms(request.user, escalation)
    context = {
        "escalation": escalation,
        "plan": escalation.plan,
        "hearing": hearing,
        "presentations": list(hearing.presentations.all()) if hearing else [],
        "latest_presentation": selectors.latest_presentation(hearing),
        "zone": settings.WORKOFF_REPORT_TIME_ZONE,
        "hearing_form": None,
        "rec_pab_form": None,
        "presentation_form": None,
        "outcome_form": None,
        "compliance_form": None,
        "waiting_note": _waiting_note(escalation, forms),
        **forms,
        **(bound_forms or {}),
    }
    return render(request, "escalation/detail.html", context, status=status)


@login_required
def escalation_list(request):
    if not selectors.can_see_escalations(request.user):
        raise PermissionDenied(
            "Escalations are worked by the BSC PAB, the REC PAB, OSMs, Elexon and the "
            "REC Code Manager."
        )
    open_list, closed_list = selectors.escalation_list_for_user(request.user)
    context = {"open_list": open_list, "closed_list": closed_list}
    return render(request, "escalation/list.html", context)


@login_required
def escalation_detail(request, pk: int):
    return _render_detail(request, _escalation_for(request, pk))


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


def _refuse_closed(request, escalation):
    """Return a redirect with the reason when the escalation is closed, else None.

    A repeated step on a closed escalation (a second compliance POST, say)
    changes nothing, and the message gives the date it was closed and who closed it.
    """
    message = closed_message(escalation)
    if not message:
        return None
    messages.error(request, message)
    return redirect("escalation:detail", pk=escalation.pk)


def _run_step(request, escalation, step, *, form_name, form, success):
    """Run a service step; re-render the page with `form` errors if it rejects the input."""
    try:
        step()
    except (EscalationChanged, PlanChanged) as error:
        messages.error(request, str(error))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return _render_detail(request, escalation, {form_name: form}, status=400)
    else:
        messages.success(request, success)
    return redirect("escalation:detail", pk=escalation.pk)


@login_required
@require_POST
def escalation_hearing(request, pk: int):
    escalation = _escalation_for(request, pk)
    if escalation.path == EscalationPath.REC:
        if request.user.role != UserRole.RECCM:
            raise PermissionDenied("Only the REC Code Manager may refer this escalation.")
        service, form_name = escalation_refer_to_rec_pab, "rec_pab_form"
        success = "Escalation referred to the REC PAB."
    else:
        if request.user.role not in HEARING_SETTERS:
            raise PermissionDenied("Only a BSC PAB member or Elexon may set the hearing.")
        service, form_name, success = escalation_set_hearing, "hearing_form", "Hearing set."
    if closed := _refuse_closed(request, escalation):
        return closed
    form = HearingForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, escalation, {form_name: form}, status=400)
    data = form.cleaned_data
    return _run_step(
        request,
        escalation,
        lambda: service(
            escalation_id=escalation.pk,
            actor=request.user,
            hearing_date=data["hearing_date"],
            comment=data["comment"],
        ),
        form_name=form_name,
        form=form,
        success=success,
    )


@login_required
@require_POST
def escalation_presentation(request, pk: int):
    escalation = _escalation_for(request, pk)
    if closed := _refuse_closed(request, escalation):
        return closed
    form = PresentationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, escalation, {"presentation_form": form}, status=400)
    upload = form.cleaned_data["presentation"]
    if upload.size > settings.WORKOFF_MAX_UPLOAD_BYTES:
        form.add_error(
            "presentation",
            f"{upload.name} is {upload.size} bytes; the largest presentation accepted is "
            f"{settings.WORKOFF_MAX_UPLOAD_BYTES} bytes.",
        )
        return _render_detail(request, escalation, {"presentation_form": form}, status=400)
    return _run_step(
        request,
        escalation,
        lambda: escalation_upload_presentation(
            escalation_id=escalation.pk, actor=request.user, upload=upload
        ),
        form_name="presentation_form",
        form=form,
        success="Presentation uploaded.",
    )


def _serve_presentation(presentation):
    return FileResponse(
        presentation.file.open("rb"),
        as_attachment=True,
        filename=presentation.original_name,
        content_type="application/octet-stream",
    )


@login_required
def presentation_download(request, pk: int):
    """Serve the latest presentation of the escalation's hearing."""
    escalation = _escalation_for(request, pk)
    presentation = selectors.latest_presentation(getattr(escalation, "hearing", None))
    if presentation is None:
        raise Http404("No presentation has been uploaded for this escalation.")
    return _serve_presentation(presentation)


@login_required
def presentation_version_download(request, pk: int, presentation_id: int):
    """Serve one presentation of the escalation's hearing, an earlier one included."""
    escalation = _escalation_for(request, pk)
    hearing = getattr(escalation, "hearing", None)
    presentations = {p.pk: p for p in hearing.presentations.all()} if hearing else {}
    if presentation_id not in presentations:
        raise Http404("That presentation does not belong to this escalation.")
    return _serve_presentation(presentations[presentation_id])


@login_required
@require_POST
def escalation_outcome(request, pk: int):
    escalation = _escalation_for(request, pk)
    if request.user.role != BOARD_ROLE[escalation.path]:
        raise PermissionDenied(
            f"Only a {UserRole(BOARD_ROLE[escalation.path]).label} may record this outcome."
        )
    if closed := _refuse_closed(request, escalation):
        return closed
    form = OutcomeForm(request.POST, hearing=getattr(escalation, "hearing", None))
    if escalation.status not in (EscalationStatus.HEARING_SET, EscalationStatus.WITH_REC_PAB):
        messages.error(request, str(EscalationChanged(escalation)))
        return redirect("escalation:detail", pk=escalation.pk)
    if not form.is_valid():
        return _render_detail(request, escalation, {"outcome_form": form}, status=400)
    return _run_step(
        request,
        escalation,
        lambda: escalation_record_outcome(
            escalation_id=escalation.pk,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            comment=form.cleaned_data["comment"],
        ),
        form_name="outcome_form",
        form=form,
        success="Outcome recorded.",
    )


@login_required
@require_POST
def escalation_compliance(request, pk: int):
    escalation = _escalation_for(request, pk)
    if request.user.role != BOARD_ROLE[escalation.path]:
        raise PermissionDenied(
            f"Only a {UserRole(BOARD_ROLE[escalation.path]).label} may record compliance."
        )
    if closed := _refuse_closed(request, escalation):
        return closed
    form = ComplianceForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, escalation, {"compliance_form": form}, status=400)
    return _run_step(
        request,
        escalation,
        lambda: escalation_record_compliance(
            escalation_id=escalation.pk, actor=request.user, comment=form.cleaned_data["comment"]
        ),
        form_name="compliance_form",
        form=form,
        success="Compliance recorded; the plan is back in monitoring.",
    )
