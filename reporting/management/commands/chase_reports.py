"""Run the report chase once, as the daily Celery beat job does."""

import json
import sys
from contextlib import nullcontext, redirect_stdout

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from reporting.services import ChaseDeliveryFailed, chase_run


class Command(BaseCommand):
    help = (
        "Send the report reminders, overdue notices and second notices that are due, and "
        "escalate plans whose grace period is spent. Safe to run repeatedly: nothing is "
        "sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Run as of this ISO 8601 datetime (default: the current time); "
            "a value without an offset is read in the project's time zone.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only the counts, as one JSON object on stdout; e-mails printed by "
            "the console backend go to stderr.",
        )

    def handle(self, *args, **options):
        now = None
        if options["now"]:
            now = parse_datetime(options["now"])
            if now is None:
                raise CommandError(
                    f"--now {options['now']!r} is not a valid ISO 8601 datetime, "
                    "e.g. 2027-03-27T09:00:00Z."
                )
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        # With --json, stdout must contain only the JSON object. The console
        # e-mail backend prints each message to sys.stdout as it is when the
        # backend is created, which happens during the run, so the run's
        # prints are sent to stderr instead.
        run_output = redirect_stdout(sys.stderr) if options["json"] else nullcontext()
        try:
            with run_output:
                counts = chase_run(now=now).counts()
        except ChaseDeliveryFailed as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            for key, value in counts.items():
                self.stdout.write(f"{key}: {value}")
