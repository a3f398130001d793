"""The reviewers' queue in the Django admin.

The changelist shows each reviewer the submitted plans that wait for their
party's decision this round, oldest first. Opening one shows its items, its
eligibility and the decision form, which calls `plan_decide`; nothing in the
queue edits a plan directly. Participants are never staff, so the admin
sends them to its login page.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .choices import PlanState, UserRole
from .display import item_rows
from .eligibility import evaluate
from .lifecycle_forms import ReviewDecisionForm
from .models import PlanForReview
from .parties import REVIEWER_ROLES, required_parties
from .review_selectors import (
    days_waiting,
    plans_awaiting_decision,
    plans_for_review,
    with_review_rows,
)
from .services.lifecycle import plan_decide
from .services.ratings import rates_risks
from .services.transitions import PlanConflict, state_phrase

QUEUE_ROLES = frozenset({*REVIEWER_ROLES, UserRole.ADMIN})


def flagged_by_decision(decisions, items) -> list[dict]:
    """List the rule 7 and 8 flags of each decision that flagged an item, by item reference.

    Ids of items removed since the decision are left out.
    """
    references = {item.pk: item.reference for item in items}
    rows = []
    for decision in decisions:
        downstream = [references[pk] for pk in decision.downstream_item_ids if pk in references]
        settlement = [
            references[pk] for pk in decision.settlement_risk_item_ids if pk in references
        ]
        if downstream or settlement:
            rows.append(
                {
                    "decision": decision,
                    "downstream": downstream,
                    "settlement_risk": settlement,
                }
            )
    return rows


# Subject of each reviewer rule, as the item cards name it.
REVIEWER_RULE_SUBJECTS = {
    7: "downstream impact on other parties",
    8: "high-impact settlement risk",
}


def item_cards(plan, items, eligibility) -> list[dict]:
    """Return, per item, every template column and the item's own eligibility failures."""
    cards = []
    for item in items:
        name = item.reference
        cards.append(
            {
                "item": item,
                "rows": item_rows(item, plan.kind),
                "failures": [f for f in eligibility.failures if f.item == name],
                "awaiting": [
                    {"rule": f.rule, "subject": REVIEWER_RULE_SUBJECTS[f.rule]}
                    for f in eligibility.awaiting_review
                    if f.item == name
                ],
                "blockers": [f for f in eligibility.other_blockers if f.item == name],
            }
        )
    return cards


def _eligibility(plan, *, as_of=None):
    # Memoised on the row so the two columns that show it judge the plan once.
    if not hasattr(plan, "_queue_eligibility"):
        plan._queue_eligibility = evaluate(
            plan, plan.items.all(), as_of=as_of or timezone.localdate()
        )
    return plan._queue_eligibility


@admin.register(PlanForReview)
class PlanForReviewAdmin(admin.ModelAdmin):
    list_display = (
        "plan_link",
        "participant",
        "route",
        "code_bodies_text",
        "version",
        "item_count",
        "eligibility_text",
        "decided_text",
        "days_waiting_text",
    )
    # plan_link makes its own link; the automatic one would nest inside it.
    list_display_links = None
    ordering = ("submitted_at", "id")
    # The full count would cost one more query per page and shows nothing a
    # reviewer needs.
    show_full_result_count = False
    list_per_page = 50
    search_fields = ("organisation__participant_id", "organisation__name")
    list_filter = ("route",)

    def _in_queue_role(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (user.role in QUEUE_ROLES or user.is_superuser)

    def has_module_permission(self, request):
        return self._in_queue_role(request)

    def has_view_permission(self, request, obj=None):
        return self._in_queue_role(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        if getattr(request, "_review_queue", False):
            return with_review_rows(plans_awaiting_decision(user=request.user))
        return with_review_rows(plans_for_review(user=request.user))

    def changelist_view(self, request, extra_context=None):
        # The list is the queue; single plans open from the wider set, so a
        # reviewer whose page went stale still gets a plain message.
        request._review_queue = True
        extra_context = {**(extra_context or {}), "title": "Plans waiting for your decision"}
        return super().changelist_view(request, extra_context)

    @admin.display(description="Plan", ordering="id")
    def plan_link(self, plan):
        url = reverse("admin:plans_planforreview_change", args=[plan.pk])
        return format_html(
            '<a href="{}">{}</a> <span class="quiet">plan {}</span>', url, plan.title, plan.pk
        )

    @admin.display(description="Participant", ordering="organisation__participant_id")
    def participant(self, plan):
        return f"{plan.organisation.name} ({plan.organisation.participant_id})"

    @admin.display(description="Code bodies")
    def code_bodies_text(self, plan):
        return ", ".join(plan.code_bodies) or "-"

    @admin.display(description="Items")
    def item_count(self, plan):
        return len(plan.items.all())

    @admin.display(description="Eligibility")
    def eligibility_text(self, plan):
        result = _eligibility(plan)
        if result.eligible:
            return format_html('<span class="{}">eligible</span>', "eligible")
        count = len(result.failures)
        return format_html(
            '<span class="ineligible">{} failure{}</span>', count, "" if count == 1 else "s"
        )

    @admin.display(description="Decided this round")
    def decided_text(self, plan):
        decided = [d for d in plan.decisions.all() if d.review_round == plan.review_round]
        parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
        return f"{len(decided)} of {len(parties)}"

    @admin.display(description="Days waiting", ordering="submitted_at")
    def days_waiting_text(self, plan):
        return days_waiting(plan)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        plan = get_object_or_404(self.get_queryset(request), pk=object_id)
        items = list(plan.items.all())
        parties = required_parties(route=plan.route, code_bodies=plan.code_bodies)
        all_decisions = list(plan.decisions.all())
        decisions = [d for d in all_decisions if d.review_round == plan.review_round]
        decided_parties = {d.party for d in decisions}
        can_decide = (
            request.user.role in parties
            and plan.state == PlanState.SUBMITTED
            and request.user.role not in decided_parties
        )

        status = 200
        rate_risks = rates_risks(plan=plan, role=request.user.role)
        form = ReviewDecisionForm.for_plan(plan, items=items, rate_risks=rate_risks)
        if request.method == "POST":
            if request.user.role not in parties:
                raise PermissionDenied("Your role is not a required party of this plan.")
            form = ReviewDecisionForm(request.POST, items=items, rate_risks=rate_risks)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    plan_decide(
                        plan_id=plan.pk,
                        actor=request.user,
                        decision=data["decision"],
                        comment=data["comment"],
                        downstream_item_ids=data["downstream_items"],
                        settlement_risk_item_ids=data["settlement_risk_items"],
                        risk_ratings=data["risk_ratings"] if rate_risks else None,
                        seen_state=data["seen_state"],
                        seen_round=data["seen_round"],
                    )
                except PlanConflict as error:
                    form.add_error(None, str(error))
                    status = 409
                except ValidationError as error:
                    # The service keys its errors by argument names, not form fields.
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, f"Your decision on {plan.title} is recorded.")
                    return redirect("admin:plans_planforreview_changelist")

        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Review {plan.title}",
            "plan": plan,
            "items": items,
            "item_cards": item_cards(plan, items, _eligibility(plan)),
            "eligibility": _eligibility(plan),
            "state_phrase": state_phrase(plan.state),
            "parties": [
                {
                    "role": role,
                    "label": UserRole(role).label,
                    "decision": next((d for d in decisions if d.party == role), None),
                }
                for role in parties
            ],
            "form": form,
            "flagged_this_round": flagged_by_decision(
                [d for d in decisions if d.party != request.user.role], items
            ),
            "flagged_earlier": flagged_by_decision(
                [d for d in all_decisions if d.review_round < plan.review_round], items
            ),
            "can_decide": can_decide,
            "is_required_party": request.user.role in parties,
            "plan_url": reverse("plans:plan_detail", kwargs={"pk": plan.pk}),
            "days_waiting": days_waiting(plan),
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/plans/planforreview/review.html", context, status=status
        )
