"""The service policy in tests/conftest.py, run in a child pytest.

The child points the PostgreSQL and Redis probes at a closed port and Chromium
at a missing file, so it finds every service missing whatever this machine has.
"""

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MARKED_TESTS = textwrap.dedent(
    """
    import pytest

    @pytest.mark.postgres
    def test_needs_postgres():
        pass

    @pytest.mark.redis
    def test_needs_redis():
        pass

    @pytest.mark.browser
    def test_needs_browser():
        pass

    def test_needs_nothing():
        pass
    """
)


def find_closed_port():
    """Return a loopback port that nothing listens on, so connecting fails at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CLOSED_PORT = find_closed_port()


def run_child_pytest(tmp_path, *, ci):
    test_file = tmp_path / "test_marked.py"
    test_file.write_text(MARKED_TESTS)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CI", "DATABASE_URL", "TEST_DATABASE_URL", "PYTEST_XDIST_WORKER"}
    }
    environment.update(
        WORKOFF_TEST_POSTGRES_PORT=str(CLOSED_PORT),
        WORKOFF_TEST_REDIS_URL=f"redis://127.0.0.1:{CLOSED_PORT}/1",
        WORKOFF_TEST_CHROMIUM=str(tmp_path / "no-chromium"),
    )
    if ci:
        environment["CI"] = "true"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.conftest",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        str(test_file),
    ]
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_missing_services_skip_marked_tests(tmp_path):
    result = run_child_pytest(tmp_path, ci=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 3 skipped" in result.stdout
    assert "database: sqlite3 :memory:, tests marked postgres skipped" in result.stdout
    assert f"needs redis: no Redis at redis://127.0.0.1:{CLOSED_PORT}/1" in result.stdout
    assert "needs browser: no Chromium executable at" in result.stdout
    assert f"needs postgres: no PostgreSQL at 127.0.0.1:{CLOSED_PORT}" in result.stdout


def test_missing_services_fail_run_in_ci(tmp_path):
    result = run_child_pytest(tmp_path, ci=True)

    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "CI=true but a service the suite needs is missing" in result.stdout
    assert f"postgres: no PostgreSQL at 127.0.0.1:{CLOSED_PORT}" in result.stdout
    assert f"redis: no Redis at redis://127.0.0.1:{CLOSED_PORT}/1" in result.stdout
    assert "browser: no Chromium executable at" in result.stdout
    assert "passed" not in result.stdout
