"""Read a plan workbook, report it and, unless --dry-run, store it as a draft plan.

Exit status: 0 when the workbook was read without error (eligible or not),
1 when it was rejected, 2 for wrong usage.
"""

import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.eligibility import evaluate
from plans.imports import WorkbookError, WorkbookRejected, read_workbook
from plans.imports.layout import SHEET_PARTICIPANT
from plans.imports.report import plan_as_dict


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--as-of {text!r} is not a date; give it as YYYY-MM-DD.", returncode=2
        ) from None


class Command(BaseCommand):
    help = (
        "Read a plan workbook (.xlsx), check it and its eligibility and, unless --dry-run, "
        "store it as a new draft plan of its organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Workbook file to read.")
        parser.add_argument(
            "--organisation",
            metavar="PARTICIPANT_ID",
            help="Participant ID the workbook must belong to (default: the workbook's own).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and report only; store nothing."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the report as one JSON object."
        )
        parser.add_argument(
            "--as-of",
            metavar="YYYY-MM-DD",
            help="Day rule 5 judges dates against (default: the workbook's Submission Date, "
            "else today).",
        )

    def handle(self, *args, **options):
        as_of = _as_of(options["as_of"])
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.", returncode=2)
        data = path.read_bytes()

        errors: list[WorkbookError] = []
        parsed = None
        try:
            parsed = read_workbook(data, filename=path.name)
        except WorkbookRejected as rejected:
            errors = rejected.errors

        wanted = options["organisation"]
        if parsed is not None and wanted:
            if parsed.participant_id.strip().casefold() != wanted.strip().casefold():
                errors = [
                    WorkbookError(
                        SHEET_PARTICIPANT,
                        parsed.field_rows.get("participant_id", 5),
                        "Participant ID",
                        parsed.participant_id,
                        f"The workbook is for participant {parsed.participant_id}, not {wanted}.",
                    )
                ]

        stored_plan = None
        if parsed is not None and not errors and not options["dry_run"]:
            stored_plan, errors = self._store(data, path.name, wanted or parsed.participant_id)

        report = {"ok": not errors, "errors": [error.as_dict() for error in errors]}
        if parsed is not None:
            report["plan"] = plan_as_dict(parsed)
            report["template_version"] = parsed.template_version
            # An imported plan is not yet submitted, so rule 5 is judged as
            # of today unless the caller names another day.
            judged_on = as_of or timezone.localdate()
            report["eligibility"] = evaluate(parsed, parsed.items, as_of=judged_on).as_dict()
            report["eligibility"]["as_of"] = judged_on.isoformat()
        else:
            report["plan"] = None
            report["template_version"] = None
            report["eligibility"] = None
        if stored_plan is not None:
            report["stored_plan_id"] = stored_plan.pk

        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._write_text(report, path)
        if errors:
            raise SystemExit(1)

    def _store(self, data: bytes, filename: str, participant_id: str):
        from plans.choices import UserRole
        from plans.models import Organisation, User
        from plans.services.imports import plan_import_workbook

        organisation = Organisation.objects.filter(participant_id__iexact=participant_id).first()
        if organisation is None:
            return None, [
                WorkbookError(
                    SHEET_PARTICIPANT,
                    5,
                    "Participant ID",
                    participant_id,
                    f"No organisation has participant ID {participant_id}; create it first or "
                    "use --dry-run.",
                )
            ]
        # The command runs as the operator; uploads are recorded against an administrator.
        actor = (
            User.objects.filter(is_active=True, role=UserRole.ADMIN).order_by("pk").first()
            or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(
                "No active administrator exists to record as the uploader; create one with "
                "createsuperuser first.",
                returncode=1,
            )
        result = plan_import_workbook(
            data=data, filename=filename, actor=actor, organisation=organisation
        )
        return result.plan, result.errors

    def _write_text(self, report: dict, path: Path) -> None:
        if not report["ok"]:
            self.stderr.write(f"{path.name}: rejected")
            for error in report["errors"]:
                where = ", ".join(
                    part
                    for part in (
                        error["sheet"],
                        f"row {error['row']}" if error["row"] else None,
                        error["column"],
                    )
                    if part
                )
                self.stderr.write(f"  {where + ': ' if where else ''}{error['message']}")
            return
        plan = report["plan"]
        eligibility = report["eligibility"]
        self.stdout.write(
            f"{path.name}: {plan['kind']} plan for {plan['participant_id']}, route "
            f"{plan['route']}, {len(plan['items'])} items"
        )
        if eligibility["eligible"]:
            self.stdout.write(f"Eligible as of {eligibility['as_of']}.")
        else:
            self.stdout.write(f"Not eligible as of {eligibility['as_of']}:")
            for failure in eligibility["failures"]:
                self.stdout.write(f"  rule {failure['rule']}: {failure['reason']}")
        if "stored_plan_id" in report:
            self.stdout.write(f"Stored as draft plan {report['stored_plan_id']}.")
