"""Load the demo organisations, users and plans, then print the logins."""

import importlib

from django.core.management.base import BaseCommand

from plans import demo
from plans.models import User

# Loaders written with the lifecycle and reporting apps, run after the base
# data when their modules are present: (module, function).
OPTIONAL_LOADERS = (
    ("plans.demo_lifecycle", "load"),
    ("reporting.demo", "load"),
)
DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create the demo organisations, users (password 'demo') and plans. "
        "Safe to run again: a second run creates nothing."
    )

    def handle(self, *args, **options):
        base = demo.load_base()
        self.stdout.write(
            f"Organisations created: {base['organisations']}; users created: {base['users']}."
        )
        plans = demo.load_sample_plans()
        self.stdout.write(f"Sample plans created: {len(plans)}.")

        for module_name, function_name in OPTIONAL_LOADERS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                # Only a missing loader module is skipped; a loader that fails
                # to import for another reason is a bug and must surface.
                if error.name != module_name:
                    raise
                self.stdout.write(f"Skipped {module_name}: not installed.")
                continue
            getattr(module, function_name)()
            self.stdout.write(f"Ran {module_name}.{function_name}.")

        self._print_logins()

    def _print_logins(self):
        usernames = [row[0] for row in demo.USERS]
        users = {
            user.username: user
            for user in User.objects.filter(username__in=usernames).select_related("organisation")
        }
        rows = [("username", "role", "organisation", "password")]
        for username in usernames:
            user = users[username]
            organisation = (
                f"{user.organisation.name} ({user.organisation.participant_id})"
                if user.organisation
                else "-"
            )
            rows.append((username, user.get_role_display(), organisation, demo.DEMO_PASSWORD))
        widths = [max(len(row[index]) for row in rows) for index in range(4)]
        self.stdout.write("")
        for number, row in enumerate(rows):
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if number == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write(
            f"Start the server with `python manage.py runserver`, then open {DEMO_URL}"
        )
