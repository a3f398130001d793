"""Service policy for the whole suite.

workoff.settings.test probes PostgreSQL, Redis and Chromium when it is loaded.
Here the run prints what it uses, skips each test marked `postgres`, `redis`
or `browser` whose service is missing and, when CI=true, stops before any test
runs if a service is missing, because CI must exercise all of them.
"""

import os
import shutil

import pytest
from django.conf import settings

SERVICE_MARKS = ("postgres", "redis", "browser")
SERVICE_LABELS = {"postgres": "database", "redis": "redis", "browser": "browser"}


def _running_in_ci():
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _missing_services():
    services = settings.WORKOFF_TEST_SERVICES
    return {mark: services[mark]["problem"] for mark in SERVICE_MARKS if services[mark]["problem"]}


def pytest_report_header(config):
    parts = []
    for mark in SERVICE_MARKS:
        service = settings.WORKOFF_TEST_SERVICES[mark]
        text = service["uses"] if mark == "postgres" or not service["problem"] else "none"
        if service["problem"]:
            text += f", tests marked {mark} skipped because {service['problem']}"
        parts.append(f"{SERVICE_LABELS[mark]}: {text}")
    return "workoff test services: " + "; ".join(parts)


def pytest_sessionstart(session):
    missing = _missing_services()
    if missing and _running_in_ci():
        lines = [f"  {mark}: {problem}" for mark, problem in missing.items()]
        pytest.exit(
            "CI=true but a service the suite needs is missing, so the run stops:\n"
            + "\n".join(lines)
            + "\nStart the service (see .ci/run) or unset CI to skip those tests.",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    missing = _missing_services()
    for item in items:
        for mark in SERVICE_MARKS:
            if mark in missing and item.get_closest_marker(mark):
                reason = f"needs {mark}: {missing[mark]}"
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_unconfigure(config):
    # The test profile gives every process its own temporary upload folder.
    media_root = settings.PRIVATE_MEDIA_ROOT
    if media_root.name.startswith("workoff-test-media-"):
        shutil.rmtree(media_root, ignore_errors=True)
