"""`chase_reports --json` keeps stdout to one JSON object under the console e-mail backend."""

import contextlib
import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from plans.choices import CodeBody

from .conftest import START
from .support import make_plan

CONSOLE = "django.core.mail.backends.console.EmailBackend"


@pytest.mark.postgres
def test_json_stdout_parses_with_console_backend(users):
    make_plan(participant_id="NWEL", lead=CodeBody.BSC, started_at=START)
    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        override_settings(EMAIL_BACKEND=CONSOLE),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        call_command("chase_reports", "--json", "--now", "2027-01-16T12:00:00Z")
    counts = json.loads(stdout.getvalue())
    # Period 1 fell due on 15 January: one overdue notice to NWEL.
    assert counts["overdue_notices"] == 1
    assert "Subject:" in stderr.getvalue()
    assert "Subject:" not in stdout.getvalue()


@pytest.mark.postgres
def test_plain_output_lists_counts(users):
    make_plan(participant_id="NWEL", lead=CodeBody.BSC, started_at=START)
    stdout = io.StringIO()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("chase_reports", "--now", "2027-01-16T12:00:00Z", stdout=stdout)
    assert "overdue_notices: 1" in stdout.getvalue().splitlines()
