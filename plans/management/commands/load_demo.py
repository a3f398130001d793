"""Load the demo organisations, users and plans, then print the logins."""

import logging

from django.core.management.base import BaseCommand

from plans import demo, demo_lifecycle
from plans.models import User
from reporting import demo as reporting_demo

DEMO_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = (
        "Create the demo organisations, users (password 'demo') and plans. "
        "Safe to run again: a second run creates nothing."
    )

    def handle(self, *args, **options):
        # Every demo transition and e-mail logs an INFO line; below -v 2 they
        # would bury the logins table.
        if options["verbosity"] < 2:
            logging.disable(logging.INFO)
        try:
            self._load()
        finally:
            logging.disable(logging.NOTSET)
        self._print_logins()

    def _load(self):
        base = demo.load_base()
        self.stdout.write(
            f"Organisations created: {base['organisations']}; users created: {base['users']}."
        )
        plans = demo.load_sample_plans()
        self.stdout.write(f"Sample plans created: {len(plans)}.")
        demo_lifecycle.load()
        self.stdout.write("Plans under review loaded.")
        reporting_demo.load()
        self.stdout.write("Plans in monitoring loaded.")

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
        self.stdout.write(f"Open {DEMO_URL} once the server runs (`./dev demo` starts it).")
