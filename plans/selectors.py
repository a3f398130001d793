"""Reads of plans for the participant's pages, each in a fixed number of queries."""

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone

from .eligibility import Eligibility, evaluate
from .models import Item, Plan, UploadedWorkbook
from .permissions import plans_visible_to


def revised_fix_lines_prefetch() -> Prefetch:
    """Prefetch, as `item.revised_fix_lines`, the report lines that revise an item's fix date.

    Refused revisions are left out; the others come oldest report first, as
    `plans.display.fix_date_revisions` expects.
    """
    # Imported here: the reporting app depends on plans, not the other way round.
    from reporting.models import ReportLine, RevisedDateDecision

    lines = (
        ReportLine.objects.filter(revised_fix_date__isnull=False)
        .exclude(revised_date_decision=RevisedDateDecision.REFUSED)
        .select_related("report__period")
        .order_by("report__submitted_at", "report_id", "id")
    )
    return Prefetch("report_lines", queryset=lines, to_attr="revised_fix_lines")


def plan_list_for_user(user):
    """Return the plans `user` may open, newest change first, with organisation and item count."""
    return (
        plans_visible_to(user)
        .select_related("organisation")
        .annotate(item_count=Count("items"))
        .order_by("-updated_at", "-id")
    )


def plan_get_for_user(user, pk) -> Plan:
    """Return plan `pk` with its items, their revised fix dates and its workbooks.

    Raises Http404 if `user` may not open the plan.
    A plan of another organisation raises the same as a plan that does not
    exist, so its existence is not disclosed.
    """
    queryset = (
        plans_visible_to(user)
        .select_related("organisation", "created_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=Item.objects.order_by("position", "id").prefetch_related(
                    revised_fix_lines_prefetch()
                ),
            ),
            Prefetch(
                "workbooks",
                queryset=UploadedWorkbook.objects.select_related("uploaded_by").order_by(
                    "-uploaded_at", "-id"
                ),
            ),
        )
    )
    try:
        return queryset.get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404("No plan found with that number.") from None


def plan_get_bare_for_user(user, pk) -> Plan:
    """Return plan `pk` without its items, or raise Http404 if `user` may not open it."""
    try:
        return plans_visible_to(user).select_related("organisation").get(pk=pk)
    except Plan.DoesNotExist:
        raise Http404("No plan found with that number.") from None


def item_get_for_user(user, plan_pk, item_pk) -> Item:
    """Return item `item_pk` of plan `plan_pk` with its revised fix dates.

    Raises Http404 if `user` may not open the plan.
    """
    visible = plans_visible_to(user)
    try:
        return (
            Item.objects.select_related("plan__organisation")
            .prefetch_related(revised_fix_lines_prefetch())
            .get(pk=item_pk, plan_id=plan_pk, plan__in=visible)
        )
    except Item.DoesNotExist:
        raise Http404("No item found with that number in this plan.") from None


def workbook_get_for_user(user, plan_pk, workbook_pk) -> UploadedWorkbook:
    """Return an uploaded workbook of a plan `user` may open, or raise Http404."""
    visible = plans_visible_to(user)
    try:
        return UploadedWorkbook.objects.get(pk=workbook_pk, plan_id=plan_pk, plan__in=visible)
    except UploadedWorkbook.DoesNotExist:
        raise Http404("No workbook found with that number for this plan.") from None


def eligibility_day(plan: Plan):
    """Return the day a plan's eligibility is judged on: its submission day, else today.

    A draft or returned plan is judged as of today, because it will be
    submitted again. Any other plan is judged as of its last submission.
    """
    if plan.submitted_at is not None and not plan.is_editable:
        return timezone.localdate(plan.submitted_at)
    return timezone.localdate()


def plan_eligibility(plan: Plan, items=None) -> Eligibility:
    """Return the eligibility of `plan`, judged on its items or on `items` when given."""
    if items is None:
        items = plan.items.all()
    return evaluate(plan, items, as_of=eligibility_day(plan))
