"""The chase task sent through Redis to a real Celery worker process.

The worker runs with workoff.settings.base against this run's PostgreSQL
test database and Redis database 15, so it touches neither the development
database nor the broker database other tests use.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from escalation.models import Escalation
from reporting.models import ChaseKind, ChaseNotice
from reporting.tasks import chase_reports
from workoff.celery import app as celery_app

from .test_chase_c15 import RUN, make_c15_plans

BROKER_URL = "redis://127.0.0.1:6379/15"
PROJECT_DIR = Path(__file__).resolve().parents[2]
# Maximum wait for the worker to start and for the task's effects, in seconds.
WAIT_SECONDS = 60


def database_url() -> str:
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    redis.Redis.from_url(BROKER_URL).flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "workoff.settings.base",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WORKOFF_PRIVATE_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workoff",
                "worker",
                "--pool=solo",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while "ready." not in log_path.read_text():
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "worker did not start:\n" + log_path.read_text()
                time.sleep(0.2)
            yield log_path
        finally:
            process.terminate()
            process.wait(timeout=30)
            redis.Redis.from_url(BROKER_URL).flushdb()


def wait_for(predicate, log_path):
    deadline = time.monotonic() + WAIT_SECONDS
    while not predicate():
        assert time.monotonic() < deadline, "timed out; worker log:\n" + log_path.read_text()
        time.sleep(0.2)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_worker_runs_chase_task_from_broker(worker):
    make_c15_plans()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with celery_app.connection_for_write(BROKER_URL) as broker:
            # Sent twice, as a redelivered message would be.
            for _ in range(2):
                chase_reports.apply_async(kwargs={"now": RUN.isoformat()}, connection=broker)
    finally:
        celery_app.conf.task_always_eager = eager

    def both_done():
        return worker.read_text().count("report chase task done") == 2

    wait_for(both_done, worker)
    sent = ChaseNotice.objects.filter(kind=ChaseKind.OVERDUE, sent_at__isnull=False)
    assert sent.count() == 3
    assert ChaseNotice.objects.filter(sent_at__isnull=True).count() == 0
    assert Escalation.objects.count() == 0
    log = worker.read_text()
    assert log.count("Subject: Work Off Plans: report to submit") == 3
    assert "overdue=3" in log
    assert "overdue=0" in log
