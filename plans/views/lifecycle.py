"""Lifecycle pages: submit and withdraw, the PAB page and the version change list.

Views parse the form, call one service and map its errors to responses. A
plan the user may not see is 404 and a role that may not act is 403
(PermissionDenied). A plan that moved since the page loaded (PlanChanged), or
an action its state does not allow (ActionNotAllowed), is 409 with the
service's message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..choices import UserRole
from ..lifecycle_forms import PabDecisionForm, SubmitForm, WithdrawForm
from ..models import PabOutcome, PlanVersion
from ..permissions import plans_visible_to
from ..review_selectors import plans_awaiting_pab
from ..services.lifecycle import (
    SubmissionRefused,
    plan_eligibility,
    plan_pab_decide,
    plan_submit,
    plan_withdraw,
)
from ..services.transitions import PlanConflict
from ..services.versions import version_changes


def plan_changed_response(request, error: PlanConflict, *, back_url: str):
    """Render the 409 page for a plan that moved since the page loaded or forbids the action."""
    return render(
        request,
        "plans/lifecycle/conflict.html",
        {"message": str(error), "back_url": back_url},
        status=409,
    )


def _visible_plan(request, pk):
    return get_object_or_404(plans_visible_to(request.user).select_related("organisation"), pk=pk)


def _detail_url(plan) -> str:
    return reverse("plans:plan_detail", kwargs={"pk": plan.pk})


def _form_error_text(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def plan_submit_view(request, pk):
    plan = _visible_plan(request, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The submission form was incomplete; reload the page.")
        return redirect("plans:plan_detail", pk=plan.pk)
    try:
        plan = plan_submit(plan_id=plan.pk, actor=request.user, **form.cleaned_data)
    except SubmissionRefused as error:
        messages.error(request, str(error))
        return redirect("plans:plan_detail", pk=plan.pk)
    except PlanConflict as error:
        return plan_changed_response(request, error, back_url=_detail_url(plan))
    messages.success(
        request, f"Version {plan.version} submitted for review (review round {plan.review_round})."
    )
    return redirect("plans:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_withdraw_view(request, pk):
    plan = _visible_plan(request, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The withdrawal form was incomplete; reload the page.")
        return redirect("plans:plan_detail", pk=plan.pk)
    try:
        plan_withdraw(plan_id=plan.pk, actor=request.user, **form.cleaned_data)
    except PlanConflict as error:
        return plan_changed_response(request, error, back_url=_detail_url(plan))
    messages.success(request, "The plan is withdrawn.")
    return redirect("plans:plan_detail", pk=plan.pk)


def _check_pab(user) -> None:
    if user.role not in (UserRole.PAB, UserRole.ADMIN) and not user.is_superuser:
        raise PermissionDenied("Only PAB members use the PAB page.")


def _pab_queue_response(request, *, bound_form=None, status=200):
    """Render the PAB page; `bound_form` replaces its plan's empty form to show its errors."""
    rows = []
    bound_form_placed = False
    for plan in plans_awaiting_pab():
        form = PabDecisionForm.for_plan(plan, prefix=f"plan{plan.pk}")
        if bound_form is not None and bound_form.prefix == form.prefix:
            form, bound_form_placed = bound_form, True
        rows.append(
            {
                "plan": plan,
                "eligibility": plan_eligibility(plan=plan, items=plan.items.all()),
                "form": form,
            }
        )
    if bound_form is not None and not bound_form_placed:
        # The plan left the list meanwhile, so its form has no row to show it.
        messages.error(request, _form_error_text(bound_form))
    return render(
        request,
        "plans/lifecycle/pab_queue.html",
        {"rows": rows, "can_decide": request.user.role == UserRole.PAB},
        status=status,
    )


@login_required
def pab_queue(request):
    """List agreed plans impacting the BSC that wait for the PAB, each with a decision form."""
    _check_pab(request.user)
    return _pab_queue_response(request)


@login_required
@require_http_methods(["POST"])
def pab_decide_view(request, pk):
    """Record a PAB decision; invalid input shows the PAB page again with the form's errors."""
    _check_pab(request.user)
    plan = _visible_plan(request, pk)
    form = PabDecisionForm(request.POST, prefix=f"plan{plan.pk}")
    if not form.is_valid():
        return _pab_queue_response(request, bound_form=form, status=400)
    try:
        record = plan_pab_decide(plan_id=plan.pk, actor=request.user, **form.cleaned_data)
    except PlanConflict as error:
        return plan_changed_response(request, error, back_url=reverse("plans:pab_queue"))
    except ValidationError as error:
        form.add_error(None, error)
        return _pab_queue_response(request, bound_form=form, status=400)
    outcome = "approval" if record.outcome == PabOutcome.APPROVE else "refusal"
    messages.success(request, f"{plan.title}: the PAB's {outcome} is recorded.")
    return redirect("plans:pab_queue")


@login_required
def version_detail(request, pk, number):
    """Show one frozen version's changes against the version before it."""
    plan = _visible_plan(request, pk)
    version = get_object_or_404(
        PlanVersion.objects.select_related("submitted_by"), plan=plan, number=number
    )
    changes = version_changes(plan=plan, number=number)
    return render(
        request,
        "plans/lifecycle/version_detail.html",
        {"plan": plan, "version": version, "changes": changes},
    )
