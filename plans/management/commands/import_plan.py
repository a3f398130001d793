"""Read a plan workbook, report it and, unless --dry-run, store it as a draft plan.

Exit status: 0 when the workbook was read without error (eligible or not),
1 when it was rejected, 2 for wrong usage. Warnings (such as a missing
version history sheet) never change the status.
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


def _find_organisation(participant_id: str):
    from plans.models import Organisation

    return Organisation.objects.filter(participant_id__iexact=participant_id).first()


def _no_organisation_error(participant_id: str, row: int) -> WorkbookError:
    return WorkbookError(
        SHEET_PARTICIPANT,
        row,
        "Participant ID",
        participant_id,
        f"No organisation has participant ID {participant_id}. Create the organisation "
        "first, or run with --dry-run and without --organisation to check the workbook only.",
    )


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
            help="Participant ID of the organisation the workbook must belong to; it must "
            "exist, also with --dry-run (default: the workbook's own ID, which only a real "
            "import looks up).",
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
            help="Day rule 5 judges dates against (default: today, because an imported "
            "plan is a draft that is not yet submitted).",
        )

    def handle(self, *args, **options):
        as_of = _as_of(options["as_of"])
        wanted = options["organisation"]
        if wanted is not None:
            wanted = wanted.strip()
            if not wanted:
                raise CommandError(
                    "--organisation needs a participant ID, such as PRT-0042.", returncode=2
                )
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.", returncode=2)
        data = path.read_bytes()

        errors: list[WorkbookError] = []
        warnings: list[WorkbookError] = []
        parsed = None
        try:
            parsed = read_workbook(data, filename=path.name)
            warnings = parsed.warnings
        except WorkbookRejected as rejected:
            errors = rejected.errors
            warnings = rejected.warnings

        if parsed is not None and wanted:
            errors = self._organisation_errors(parsed, wanted)

        stored_plan = None
        if parsed is not None and not errors and not options["dry_run"]:
            stored_plan, errors = self._store(data, path.name, wanted or parsed.participant_id)

        report = {
            "ok": not errors,
            "errors": [error.as_dict() for error in errors],
            "warnings": [warning.as_dict() for warning in warnings],
        }
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

    @staticmethod
    def _organisation_errors(parsed, wanted: str) -> list[WorkbookError]:
        """Return why the workbook cannot be stored for organisation `wanted`, if it cannot."""
        row = parsed.field_rows.get("participant_id", 5)
        if parsed.participant_id.strip().casefold() != wanted.casefold():
            return [
                WorkbookError(
                    SHEET_PARTICIPANT,
                    row,
                    "Participant ID",
                    parsed.participant_id,
                    f"The workbook is for participant {parsed.participant_id}, not {wanted}.",
                )
            ]
        if _find_organisation(wanted) is None:
            return [_no_organisation_error(wanted, row)]
        return []

    def _store(self, data: bytes, filename: str, participant_id: str):
        from plans.choices import UserRole
        from plans.models import User
        from plans.services.imports import plan_import_workbook

        organisation = _find_organisation(participant_id)
        if organisation is None:
            return None, [_no_organisation_error(participant_id, 5)]
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
                self.stderr.write(f"  {_located(error)}")
            self._write_warnings(report, self.stderr)
            return
        plan = report["plan"]
        eligibility = report["eligibility"]
        self.stdout.write(
            f"{path.name}: {plan['kind']} plan for {plan['participant_id']}, route "
            f"{plan['route']}, {len(plan['items'])} items"
        )
        self._write_warnings(report, self.stdout)
        if eligibility["eligible"]:
            self.stdout.write(f"Eligible as of {eligibility['as_of']}.")
        else:
            self.stdout.write(f"Not eligible as of {eligibility['as_of']}:")
            for failure in eligibility["failures"]:
                self.stdout.write(f"  rule {failure['rule']}: {failure['reason']}")
            for blocker in eligibility["other_blockers"]:
                self.stdout.write(f"  cannot be submitted: {blocker['reason']}")
        if "stored_plan_id" in report:
            self.stdout.write(f"Stored as draft plan {report['stored_plan_id']}.")

    @staticmethod
    def _write_warnings(report: dict, stream) -> None:
        for warning in report["warnings"]:
            stream.write(f"  warning: {_located(warning)}")


def _located(error: dict) -> str:
    """Return an error's message after its sheet, row and column, where it has them."""
    where = ", ".join(
        part
        for part in (
            error["sheet"],
            f"row {error['row']}" if error["row"] else None,
            error["column"],
        )
        if part
    )
    return f"{where + ': ' if where else ''}{error['message']}"
