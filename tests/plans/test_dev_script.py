"""The `dev` entry script: the demo's address and the install-only command.

Each test points WORKOFF_VENV at a fake environment whose `python` only
records its arguments, so nothing is installed or served.
"""

import os
import subprocess
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[2] / "dev"

FAKE_PYTHON = """#!/usr/bin/env bash
echo "$*" >> "$(dirname "$0")/../calls.log"
"""


@pytest.fixture
def fake_venv(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    return tmp_path


def run_dev(venv: Path, *args, installed=True):
    if installed:
        # Newer than pyproject.toml, so the script skips the install.
        (venv / ".workoff-installed").touch()
    environment = {**os.environ, "WORKOFF_VENV": str(venv)}
    return subprocess.run(
        ["bash", str(DEV), *args], env=environment, capture_output=True, text=True, timeout=60
    )


def calls(venv: Path) -> list[str]:
    log = venv / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def test_demo_serves_on_default_address(fake_venv):
    result = run_dev(fake_venv, "demo")

    assert result.returncode == 0, result.stderr
    assert calls(fake_venv)[-1] == "manage.py runserver 127.0.0.1:8000"
    assert "http://127.0.0.1:8000/" in result.stdout


def test_demo_serves_on_given_address(fake_venv):
    result = run_dev(fake_venv, "demo", "0.0.0.0:8123")

    assert result.returncode == 0, result.stderr
    assert calls(fake_venv) == [
        "manage.py migrate --noinput",
        "manage.py load_demo",
        "manage.py collectstatic --noinput --verbosity 0",
        "manage.py runserver 0.0.0.0:8123",
    ]
    assert "http://0.0.0.0:8123/" in result.stdout


@pytest.mark.parametrize("address", ["8123", "localhost", "127.0.0.1:port"])
def test_demo_rejects_invalid_address(fake_venv, address):
    result = run_dev(fake_venv, "demo", address)

    assert result.returncode == 2
    assert f"invalid address '{address}'" in result.stderr
    assert calls(fake_venv) == []


def test_install_installs_and_serves_nothing(fake_venv):
    result = run_dev(fake_venv, "install", installed=False)

    assert result.returncode == 0, result.stderr
    recorded = calls(fake_venv)
    assert len(recorded) == 1
    assert recorded[0].startswith("-m pip install")
    assert (fake_venv / ".workoff-installed").exists()


def test_help_lists_every_command(fake_venv):
    result = run_dev(fake_venv, "help")

    assert result.returncode == 0
    assert "./dev demo [ADDRESS:PORT]" in result.stdout
    assert "./dev install" in result.stdout
    assert "./dev test" in result.stdout
