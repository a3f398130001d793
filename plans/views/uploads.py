"""Uploading a plan workbook: as a new draft plan, or over the items of an editable plan."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..forms import WorkbookUploadForm
from ..permissions import is_participant
from ..selectors import plan_get_bare_for_user
from ..services.imports import plan_import_workbook
from ..services.ratings import plan_replace_from_workbook
from ..services.transitions import state_phrase
from .participant import require_participant_of


def _success_message(result) -> str:
    version = result.parsed.template_version or "unnamed (read by its layout)"
    count = len(result.parsed.items)
    noun = "item" if count == 1 else "items"
    if result.created:
        start = f"Plan {result.plan.pk} created from {result.workbook.original_name}"
    else:
        start = f"Plan {result.plan.pk} items replaced from {result.workbook.original_name}"
    return f"{start}: template version {version}, {count} {noun} read."


def _upload(request, plan=None):
    if request.method == "POST":
        form = WorkbookUploadForm(request.POST, request.FILES)
    else:
        form = WorkbookUploadForm()
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        workbook = {
            "data": upload.read(),
            "filename": upload.name,
            "actor": request.user,
            "organisation": request.user.organisation,
        }
        if plan is None:
            result = plan_import_workbook(**workbook)
        else:
            # Replacing a plan's items also checks that no QSP risk rating on record changes.
            result = plan_replace_from_workbook(plan=plan, **workbook)
        if result.ok:
            messages.success(request, _success_message(result))
            for warning in result.warnings:
                where = f"{warning.sheet}: " if warning.sheet else ""
                messages.warning(request, f"Warning: {where}{warning.message}")
            return redirect("plans:plan_detail", pk=result.plan.pk)
        errors = result.errors
    context = {"form": form, "plan": plan, "import_errors": errors}
    status = 400 if errors or form.errors else 200
    return render(request, "plans/plan_upload.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_upload_view(request):
    if not is_participant(request.user):
        raise PermissionDenied("Only participant users upload plan workbooks.")
    return _upload(request)


@login_required
@require_http_methods(["GET", "POST"])
def plan_replace_view(request, pk):
    plan = plan_get_bare_for_user(request.user, pk)
    require_participant_of(request.user, plan)
    if not plan.is_editable:
        messages.error(
            request,
            f"{plan.title} is {state_phrase(plan.state)}; a workbook can replace "
            "the items of a draft or returned plan only.",
        )
        return redirect("plans:plan_detail", pk=plan.pk)
    return _upload(request, plan)
