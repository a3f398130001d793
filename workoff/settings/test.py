"""Test profile, used by pytest (see [tool.pytest.ini_options] in pyproject.toml).

At import it probes the three outside services the suite can use and records
what it found in WORKOFF_TEST_SERVICES. tests/conftest.py prints that record,
skips the tests marked for a missing service and, when CI=true, stops the run
instead.

- PostgreSQL: TEST_DATABASE_URL, else DATABASE_URL, else a PostgreSQL server
  at WORKOFF_TEST_POSTGRES_HOST:WORKOFF_TEST_POSTGRES_PORT (127.0.0.1:5432,
  user postgres, no password) if it accepts a connection, else SQLite in memory.
  pytest-django creates and drops the test database (test_workoff_<pid>).
- Redis: WORKOFF_TEST_REDIS_URL (redis://127.0.0.1:6379/1) if it replies to PING.
- Chromium: the executable at WORKOFF_TEST_CHROMIUM (/usr/bin/chromium) with
  Playwright importable.
"""

import os
import tempfile
from pathlib import Path

import environ

from .base import *  # noqa: F403
from .base import STORAGES, env

# Seconds each probe waits for a reply, so a host that never replies delays the
# start by about this much per service. A closed port fails at once.
PROBE_TIMEOUT_SECONDS = 1


def _probe_postgres(host, port):
    """Return None if a PostgreSQL server accepts user postgres, else why not."""
    import psycopg

    try:
        with psycopg.connect(
            host=host,
            port=port,
            user="postgres",
            dbname="postgres",
            connect_timeout=PROBE_TIMEOUT_SECONDS,
        ):
            return None
    except psycopg.Error as exc:
        return f"no PostgreSQL at {host}:{port}: {str(exc).strip().splitlines()[0]}"


def _probe_redis(url):
    """Return None if Redis at url replies to PING, else why not."""
    import redis

    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
        socket_timeout=PROBE_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"no Redis at {url}: {exc}"
    finally:
        client.close()
    return None


def _probe_chromium(path):
    """Return None if Chromium at path can be driven by Playwright, else why not."""
    if not os.access(path, os.X_OK):
        return f"no Chromium executable at {path}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"Playwright is not installed: {exc}"
    return None


def _database_from_environment():
    """Return (database settings, where they came from, why PostgreSQL is missing)."""
    for name in ("TEST_DATABASE_URL", "DATABASE_URL"):
        url = env(name, default="")
        if url:
            return environ.Env.db_url_config(url), name, None

    host = env("WORKOFF_TEST_POSTGRES_HOST", default="127.0.0.1")
    port = env.int("WORKOFF_TEST_POSTGRES_PORT", default=5432)
    problem = _probe_postgres(host, port)
    if problem is None:
        url = f"postgres://postgres@{host}:{port}/workoff"
        return environ.Env.db_url_config(url), "detected", None
    return environ.Env.db_url_config("sqlite://:memory:"), None, problem


_database, _database_source, _postgres_problem = _database_from_environment()
_database["ATOMIC_REQUESTS"] = False
DATABASES = {"default": _database}

_is_postgres = _database["ENGINE"] == "django.db.backends.postgresql"
if _is_postgres:
    # Several test runs may share one PostgreSQL server, and pytest-django drops
    # a test database it finds already there, so each run gets its own name.
    # xdist workers use their controller's process id and add a _gwN suffix.
    _run_id = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else os.getpid()
    _database["TEST"] = {
        "NAME": env("WORKOFF_TEST_DATABASE_NAME", default=f"test_{_database['NAME']}_{_run_id}")
    }
    _database_label = (
        f"PostgreSQL {_database.get('HOST') or 'socket'}:{_database.get('PORT') or 5432}"
        f" database {_database['TEST']['NAME']} ({_database_source})"
    )
    _postgres_problem = None
else:
    _database_label = f"{_database['ENGINE'].rsplit('.', 1)[-1]} {_database['NAME']}"
    if _database_source:
        _database_label += f" ({_database_source})"
    if _postgres_problem is None:
        _postgres_problem = f"the database is {_database['ENGINE']}, not PostgreSQL"

REDIS_URL = env("WORKOFF_TEST_REDIS_URL", default="redis://127.0.0.1:6379/1")
CELERY_BROKER_URL = REDIS_URL
_redis_problem = _probe_redis(REDIS_URL)

_chromium_path = env("WORKOFF_TEST_CHROMIUM", default="/usr/bin/chromium")
_chromium_problem = _probe_chromium(_chromium_path)

# One entry per pytest mark: what the run uses, and the reason the mark's tests
# cannot run (None when they can).
WORKOFF_TEST_SERVICES = {
    "postgres": {"uses": _database_label, "problem": _postgres_problem},
    "redis": {"uses": REDIS_URL, "problem": _redis_problem},
    "browser": {"uses": _chromium_path, "problem": _chromium_problem},
}
WORKOFF_TEST_CHROMIUM = _chromium_path

# Django 5.2's default PBKDF2 (1,000,000 iterations) took about 0.2 s per hash
# on a 2-core test machine; MD5 takes microseconds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tasks run in the test process; the test that drives a real worker turns
# this off for itself.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

# Uploads go to a throwaway folder per test process, never into the checkout.
# tests/conftest.py removes it when the run ends.
PRIVATE_MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="workoff-test-media-"))
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from static/ and the apps, so tests and the
# browser tests' live server need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
