"""The participant's pages: the plan list, plan details and the items of a plan.

A plan the user may not open returns 404, which the selectors raise. A
change the user's role may not make returns 403. A change to a plan that is
no longer editable redirects to the plan page with the reason.
"""

from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ..display import item_rows
from ..eligibility import RULE_TEXT, evaluate
from ..forms import ItemForm, PlanForm
from ..models import Item
from ..permissions import can_edit_plan, is_participant
from ..selectors import (
    eligibility_day,
    item_get_for_user,
    plan_eligibility,
    plan_get_bare_for_user,
    plan_get_for_user,
    plan_list_for_user,
)
from ..services.items import item_add, item_remove, item_update
from ..services.plans import PlanNotEditable, plan_create, plan_update_details


def require_participant_of(user, plan) -> None:
    """Raise PermissionDenied unless `user` is a participant user of the plan's organisation."""
    if not is_participant(user) or user.organisation_id != plan.organisation_id:
        raise PermissionDenied("Only participant users of the plan's organisation may do this.")


def _not_editable(request, plan):
    messages.error(request, str(PlanNotEditable(plan)))
    return redirect("plans:plan_detail", pk=plan.pk)


def _add_service_errors(form, error: ValidationError) -> None:
    for name, field_errors in error.message_dict.items():
        target = name if name in form.fields else None
        for message in field_errors:
            form.add_error(target, message)


def eligibility_context(eligibility) -> dict:
    """Group an Eligibility for the templates: failures with rule text, pending reviews by rule."""
    failures = [
        {"rule": f.rule, "rule_text": RULE_TEXT.get(f.rule, ""), "item": f.item, "reason": f.reason}
        for f in eligibility.failures
    ]
    awaiting = OrderedDict()
    for pending in eligibility.awaiting_review:
        entry = awaiting.setdefault(
            pending.rule, {"rule": pending.rule, "rule_text": RULE_TEXT[pending.rule], "items": []}
        )
        if pending.item not in entry["items"]:
            entry["items"].append(pending.item)
    return {
        "eligible": eligibility.eligible,
        "failures": failures,
        "awaiting": list(awaiting.values()),
        "blockers": [
            {"item": blocker.item, "reason": blocker.reason}
            for blocker in eligibility.other_blockers
        ],
        "failing_rules": eligibility.failing_rules,
    }


@login_required
def plan_list(request):
    plans = plan_list_for_user(request.user)
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans, "is_participant": is_participant(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create_view(request):
    if not is_participant(request.user):
        raise PermissionDenied("Only participant users create plans.")
    form = PlanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            messages.success(
                request, f"Draft {plan.title} created (plan {plan.pk}). Add its items next."
            )
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": None})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit_view(request, pk):
    plan = plan_get_bare_for_user(request.user, pk)
    require_participant_of(request.user, plan)
    if not plan.is_editable:
        return _not_editable(request, plan)
    form = PlanForm(request.POST if request.method == "POST" else None, instance=plan, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            plan_update_details(plan_id=plan.pk, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            _add_service_errors(form, error)
        except PlanNotEditable:
            return _not_editable(request, plan)
        else:
            messages.success(request, "Plan details saved.")
            return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@login_required
def plan_detail(request, pk):
    plan = plan_get_for_user(request.user, pk)
    items = list(plan.items.all())
    eligibility = plan_eligibility(plan, items)
    context = {
        "plan": plan,
        "items": items,
        "workbooks": list(plan.workbooks.all()),
        "is_qad": plan.kind == "qad_action",
        "can_edit": can_edit_plan(request.user, plan),
        "eligibility": eligibility_context(eligibility),
        "eligibility_day": eligibility_day(plan),
    }
    return render(request, "plans/plan_detail.html", context)


@login_required
def item_detail(request, pk, item_pk):
    item = item_get_for_user(request.user, pk, item_pk)
    plan = item.plan
    eligibility = plan_eligibility(plan)
    context = {
        "plan": plan,
        "item": item,
        "rows": item_rows(item, plan.kind),
        "can_edit": can_edit_plan(request.user, plan),
        "item_failures": _failures_for(eligibility, item.reference),
    }
    return render(request, "plans/item_detail.html", context)


def _failures_for(eligibility, reference: str) -> dict:
    grouped = eligibility_context(eligibility)
    return {
        "failures": [f for f in grouped["failures"] if f["item"] == reference],
        "awaiting": [a for a in grouped["awaiting"] if reference in a["items"]],
        "blockers": [b for b in grouped["blockers"] if b["item"] == reference],
    }


# The reason an eligibility rule gives for an empty field, after the item's
# name. The live check replaces it when the field contains text the form could
# not read, such as the date 30/02/2027.
_EMPTY_FIELD_REASONS = {
    "expected_fix_date": "has no expected fix date",
    "expected_resolution_date": "has no expected resolution date",
    "severity": "has no severity",
    "risk_rating": "has no QSP risk rating",
}


def _candidate_values(form) -> tuple[dict, dict]:
    """Return the form values the live check judges, and the fields it could not read.

    A field that failed only the form's check across fields (a resolution
    date before the fix date) keeps its own value, so that the rule gives
    its real reason. A field whose text cannot be read at all is returned
    in the second dict with its raw text and the form's errors.
    """
    values = dict(getattr(form, "cleaned_data", {}) or {})
    unreadable = {}
    for name, errors in form.errors.items():
        if name not in form.fields or name in values:
            continue
        field = form.fields[name]
        raw = form[name].data
        try:
            values[name] = field.clean(raw)
        except ValidationError:
            if raw not in (None, "", [], ()):
                unreadable[name] = {"raw": raw, "errors": list(errors)}
    return values, unreadable


def _unreadable_reason(name: str, label: str, entry: dict) -> str:
    field_label = label.rstrip("?")
    return f"{name}: {field_label} '{entry['raw']}' is invalid. {' '.join(entry['errors'])}"


def _candidate_eligibility(plan, form, item=None) -> dict:
    """Judge the plan with the form's values in place of the item, without saving anything.

    Fields that cannot be read count as empty, which is how the rules treat
    a missing value, but their failure gives the form's own error instead of
    saying the value is missing.
    """
    values, unreadable = _candidate_values(form)
    candidate = Item(plan=plan, position=item.position if item else 10_000)
    if item is not None:
        candidate.has_downstream_impact = item.has_downstream_impact
        candidate.is_high_settlement_risk = item.is_high_settlement_risk
    for name in form.fields:
        if name in values:
            setattr(candidate, name, values[name])
    others = [other for other in plan.items.all() if item is None or other.pk != item.pk]
    eligibility = evaluate(plan, [*others, candidate], as_of=eligibility_day(plan))
    name = candidate.reference or f"the item in row {candidate.position}"
    result = _failures_for(eligibility, name)

    replaced = {
        f"{name} {_EMPTY_FIELD_REASONS[field]}": _unreadable_reason(
            name, form.fields[field].label, entry
        )
        for field, entry in unreadable.items()
        if field in _EMPTY_FIELD_REASONS
    }
    for failure in result["failures"]:
        failure["reason"] = replaced.get(failure["reason"], failure["reason"])
    return result


def _item_form_page(request, plan, form, item, item_failures):
    context = {
        "plan": plan,
        "form": form,
        "item": item,
        "item_failures": item_failures,
        "check_url": reverse("plans:item_check", kwargs={"pk": plan.pk}),
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "plans/item_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_add_view(request, pk):
    plan = plan_get_bare_for_user(request.user, pk)
    require_participant_of(request.user, plan)
    if not plan.is_editable:
        return _not_editable(request, plan)
    form = ItemForm(request.POST if request.method == "POST" else None, plan=plan)
    if request.method == "POST":
        if form.is_valid():
            try:
                item = item_add(plan_id=plan.pk, actor=request.user, data=form.item_data())
            except ValidationError as error:
                _add_service_errors(form, error)
            except PlanNotEditable:
                return _not_editable(request, plan)
            else:
                messages.success(request, f"Item {item.reference} added.")
                return redirect("plans:plan_detail", pk=plan.pk)
        failures = _candidate_eligibility(plan, form)
    else:
        failures = None
    return _item_form_page(request, plan, form, None, failures)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit_view(request, pk, item_pk):
    item = item_get_for_user(request.user, pk, item_pk)
    plan = item.plan
    require_participant_of(request.user, plan)
    if not plan.is_editable:
        return _not_editable(request, plan)
    form = ItemForm(request.POST if request.method == "POST" else None, plan=plan, instance=item)
    if request.method == "POST":
        if form.is_valid():
            try:
                item = item_update(item_id=item.pk, actor=request.user, data=form.item_data())
            except ValidationError as error:
                _add_service_errors(form, error)
            except PlanNotEditable:
                return _not_editable(request, plan)
            else:
                messages.success(request, f"Item {item.reference} saved.")
                return redirect("plans:plan_detail", pk=plan.pk)
        failures = _candidate_eligibility(plan, form, item)
    else:
        failures = _failures_for(plan_eligibility(plan), item.reference)
    return _item_form_page(request, plan, form, item, failures)


@login_required
@require_http_methods(["GET", "POST"])
def item_remove_view(request, pk, item_pk):
    item = item_get_for_user(request.user, pk, item_pk)
    plan = item.plan
    require_participant_of(request.user, plan)
    if not plan.is_editable:
        return _not_editable(request, plan)
    if request.method == "POST":
        try:
            item_remove(item_id=item.pk, actor=request.user)
        except PlanNotEditable:
            return _not_editable(request, plan)
        messages.success(request, f"Item {item.reference} removed.")
        return redirect("plans:plan_detail", pk=plan.pk)
    return render(request, "plans/item_confirm_remove.html", {"plan": plan, "item": item})


@login_required
@require_POST
def item_check(request, pk):
    """Return, as JSON, the eligibility of the item form's unsaved values and its field errors.

    The form page posts here as the participant types; nothing is saved.
    An `item` value in the posted data names the item being edited.
    """
    plan = plan_get_bare_for_user(request.user, pk)
    require_participant_of(request.user, plan)
    item = None
    item_pk = request.POST.get("item")
    if item_pk:
        if not item_pk.isdigit():
            return JsonResponse({"error": "item must be an item number"}, status=400)
        item = item_get_for_user(request.user, pk, int(item_pk))
    form = ItemForm(request.POST, plan=plan, instance=item)
    form.is_valid()
    failures = _candidate_eligibility(plan, form, item)
    return JsonResponse(
        {
            "failures": failures["failures"],
            "awaiting": failures["awaiting"],
            "blockers": failures["blockers"],
            "errors": {name: list(errors) for name, errors in form.errors.items()},
        }
    )
