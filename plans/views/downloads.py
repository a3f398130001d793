"""Downloads: blank templates, a plan as a workbook or CSV, and uploaded workbooks.

Every download of a plan's data checks first that the user may open the plan.
"""

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse

from ..choices import PlanKind
from ..imports.layout import PARTICIPANT_FIELDS
from ..selectors import plan_get_for_user, workbook_get_for_user
from ..workbooks import build_template, export_csv, export_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TEMPLATE_FILE_NAMES = {
    PlanKind.TESTING_WORK_OFF: "blank_testing_work_off_plan.xlsx",
    PlanKind.QAD_ACTION: "blank_qad_action_plan.xlsx",
}


def plan_export_data(plan) -> SimpleNamespace:
    """Return the plan as the workbook writer reads it: ParsedPlan's attribute names.

    The participant ID comes from the organisation record, which is the
    authority for whose plan it is.
    """
    data = {
        field: getattr(plan, field)
        for _label, field, _row in PARTICIPANT_FIELDS
        if field != "participant_id"
    }
    data["participant_id"] = plan.organisation.participant_id
    data["participant_name"] = plan.participant_name or plan.organisation.name
    return SimpleNamespace(
        kind=plan.kind,
        version_history=plan.version_history,
        items=list(plan.items.all()),
        **data,
    )


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _plan_file_stem(plan) -> str:
    return f"plan-{plan.pk}-{plan.organisation.participant_id}-v{plan.version}"


@login_required
def plan_csv(request, pk):
    plan = plan_get_for_user(request.user, pk)
    text = export_csv(plan_export_data(plan))
    # The byte order mark makes Excel read the file as UTF-8.
    return _attachment(
        ("\ufeff" + text).encode("utf-8"), f"{_plan_file_stem(plan)}.csv", "text/csv; charset=utf-8"
    )


@login_required
def plan_xlsx(request, pk):
    plan = plan_get_for_user(request.user, pk)
    content = export_workbook(plan_export_data(plan))
    return _attachment(content, f"{_plan_file_stem(plan)}.xlsx", XLSX_TYPE)


@login_required
def template_download(request, kind):
    if kind not in TEMPLATE_FILE_NAMES:
        raise Http404("No template of that kind.")
    return _attachment(build_template(kind), TEMPLATE_FILE_NAMES[kind], XLSX_TYPE)


@login_required
def workbook_download(request, pk, workbook_pk):
    workbook = workbook_get_for_user(request.user, pk, workbook_pk)
    return FileResponse(
        workbook.file.open("rb"),
        as_attachment=True,
        filename=workbook.original_name,
        content_type=XLSX_TYPE,
    )
