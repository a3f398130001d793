"""Write a stored plan into the plan template (.xlsx)."""

from pathlib import Path
from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError

from plans.imports.report import PLAN_FIELDS
from plans.workbooks import export_workbook


def plan_export_data(plan) -> SimpleNamespace:
    """Return a stored plan in the plain shape the workbook writer takes."""
    data = {name: getattr(plan, name) for name in PLAN_FIELDS if name != "participant_id"}
    data["version_history"] = list(plan.version_history or [])
    data["items"] = list(plan.items.order_by("position", "pk"))
    return SimpleNamespace(**data, participant_id=plan.organisation.participant_id)


class Command(BaseCommand):
    help = "Export a stored plan into the plan template as an .xlsx workbook."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int, help="Id of the plan to export.")
        parser.add_argument("path", help="File to write the workbook to (overwritten).")

    def handle(self, *args, **options):
        from plans.models import Plan

        try:
            plan = Plan.objects.select_related("organisation").get(pk=options["plan_id"])
        except Plan.DoesNotExist:
            raise CommandError(f"Plan {options['plan_id']} does not exist.") from None
        data = export_workbook(plan_export_data(plan))
        path = Path(options["path"])
        try:
            path.write_bytes(data)
        except OSError as error:
            # A missing folder, a folder given as the file or no permission:
            # the operator gets the reason, not a traceback.
            raise CommandError(
                f"Could not write {path}: {error.strerror or error}. Give the path of a file "
                "in an existing folder that you may write to."
            ) from None
        self.stdout.write(f"Wrote plan {plan.pk} ({len(plan.items.all())} items) to {path}.")
