"""Importing a plan workbook into the database.

The workbook is read and checked first, so a rejected file never touches the
database. A readable workbook is then stored in one transaction, with the
plan's details, all of its items and the uploaded file with its checksum.
"""

import hashlib
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction

from ..choices import UserRole
from ..imports import ParsedPlan, WorkbookError, WorkbookRejected, read_workbook
from ..imports.layout import ITEM_FIELDS, SHEET_PARTICIPANT
from ..models import Item, Plan, PlanEvent, UploadedWorkbook
from .plans import plan_recompute_code_bodies
from .transitions import plan_lock

logger = logging.getLogger(__name__)

# Sheet-2 details the workbook sets on the plan.
PLAN_DETAIL_FIELDS = (
    "participant_name",
    "participant_role",
    "contact_name",
    "contact_email",
    "submission_date",
    "plan_version",
    "lead_code_body",
    "reporting_interval",
    "version_history",
)


@dataclass
class ImportResult:
    ok: bool
    errors: list[WorkbookError] = field(default_factory=list)
    parsed: ParsedPlan | None = None
    plan: Plan | None = None
    workbook: UploadedWorkbook | None = None
    # True when the import made a new plan, False when it replaced a plan's items.
    created: bool = False
    # Problems that did not stop the import (a missing sheet 1 or 3), shaped like errors.
    warnings: list[WorkbookError] = field(default_factory=list)


def _may_import(actor, organisation) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.role == UserRole.ADMIN or actor.is_superuser:
        return True
    return actor.role == UserRole.PARTICIPANT and actor.organisation_id == organisation.pk


def _participant_error(parsed: ParsedPlan, organisation) -> WorkbookError | None:
    if parsed.participant_id.strip().casefold() == organisation.participant_id.strip().casefold():
        return None
    return WorkbookError(
        SHEET_PARTICIPANT,
        parsed.field_rows.get("participant_id", 5),
        "Participant ID",
        parsed.participant_id,
        f"The workbook is for participant {parsed.participant_id or '(none)'}, but it was "
        f"uploaded for {organisation.participant_id}. Correct the Participant ID or upload "
        "it under the right organisation.",
    )


def _plan_errors(parsed: ParsedPlan, plan: Plan, organisation) -> list[WorkbookError]:
    if plan.organisation_id != organisation.pk:
        return [
            WorkbookError(
                None,
                None,
                None,
                None,
                f"Plan {plan.pk} belongs to another organisation, so this workbook cannot "
                "replace its items.",
            )
        ]
    if not plan.is_editable:
        state = plan.get_state_display().lower()
        return [
            WorkbookError(
                None,
                None,
                None,
                None,
                f"Plan {plan.pk} is {state}; a workbook can replace the items of a draft or "
                "returned plan only.",
            )
        ]
    if plan.kind != parsed.kind or plan.route != parsed.route:
        return [
            WorkbookError(
                SHEET_PARTICIPANT,
                parsed.field_rows.get("route"),
                "Qualification Route",
                parsed.route,
                f"Plan {plan.pk} is a {plan.get_kind_display()} for route {plan.route}; the "
                f"workbook is a {parsed.kind.replace('_', ' ')} plan for route {parsed.route}.",
            )
        ]
    return []


def _items(parsed: ParsedPlan, plan: Plan) -> list[Item]:
    items = []
    for position, parsed_item in enumerate(parsed.items):
        values = {name: getattr(parsed_item, name) for name in ITEM_FIELDS}
        items.append(Item(plan=plan, position=position, **values))
    return items


def plan_import_workbook(
    *, data: bytes, filename: str, actor, organisation, plan: Plan | None = None
) -> ImportResult:
    """Read a workbook and store it as a new draft plan, or as the items of `plan`.

    All or nothing: a rejected workbook stores nothing, and a readable one is
    stored in one transaction (plan details, every item, the file itself with
    its SHA-256 and uploader, and an audit entry). With `plan`, the plan must
    belong to `organisation` and be a draft or returned, and its items are
    replaced. The actor must be a participant user of `organisation` or an
    administrator, else PermissionDenied is raised. Returns an ImportResult
    whose `errors` list why a workbook was rejected.
    """
    if not _may_import(actor, organisation):
        raise PermissionDenied("Only the organisation's own users or an administrator may import.")
    try:
        parsed = read_workbook(data, filename=filename)
    except WorkbookRejected as rejected:
        logger.info(
            "workbook import rejected organisation_id=%s actor_id=%s errors=%s",
            organisation.pk,
            actor.pk,
            len(rejected.errors),
        )
        return ImportResult(ok=False, errors=rejected.errors, warnings=rejected.warnings)

    participant_error = _participant_error(parsed, organisation)
    if participant_error:
        return ImportResult(
            ok=False, errors=[participant_error], parsed=parsed, warnings=parsed.warnings
        )

    sha256 = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        created = plan is None
        if created:
            plan = Plan.objects.create(
                kind=parsed.kind,
                route=parsed.route,
                organisation=organisation,
                created_by=actor,
            )
        else:
            plan = plan_lock(plan_id=plan.pk)
            errors = _plan_errors(parsed, plan, organisation)
            if errors:
                return ImportResult(
                    ok=False, errors=errors, parsed=parsed, warnings=parsed.warnings
                )
            plan.items.all().delete()

        for name in PLAN_DETAIL_FIELDS:
            value = getattr(parsed, name)
            if name == "version_history":
                value = [
                    {**entry, "date": entry["date"].isoformat() if entry.get("date") else None}
                    for entry in value
                ]
            setattr(plan, name, value)
        plan.template_version = parsed.template_version or ""
        plan.save()

        Item.objects.bulk_create(_items(parsed, plan), batch_size=500)
        plan_recompute_code_bodies(plan=plan)

        workbook = UploadedWorkbook(
            plan=plan,
            organisation=organisation,
            original_name=filename[:255],
            sha256=sha256,
            size=len(data),
            template_version=parsed.template_version or "",
            plan_version_number=plan.version,
            uploaded_by=actor,
        )
        # The stored name comes from the upload path (the checksum), not from filename.
        # NOTE: the file is written before the commit, so a rollback after this
        # line leaves the file behind without a database row.
        workbook.file.save(f"{sha256}.xlsx", ContentFile(data), save=False)
        workbook.save()
        PlanEvent.objects.create(
            plan=plan,
            action="plans.workbook_imported",
            actor=actor,
            data={
                "workbook_id": workbook.pk,
                "sha256": sha256,
                "items": len(parsed.items),
                "created": created,
            },
        )
    logger.info(
        "workbook imported plan_id=%s workbook_id=%s actor_id=%s items=%s",
        plan.pk,
        workbook.pk,
        actor.pk,
        len(parsed.items),
    )
    return ImportResult(
        ok=True,
        parsed=parsed,
        plan=plan,
        workbook=workbook,
        created=created,
        warnings=parsed.warnings,
    )
