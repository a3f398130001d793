"""Benchmark of the report chase job over many due periods in PostgreSQL.

For each size (default 10,000 and 100,000 due periods) the script empties the
plan tables, seeds plans in monitoring with bulk inserts, and times one
chase run and a second, idle run, counting their queries with
CaptureQueriesContext. Each plan has --due-per-plan periods already due
(default five) and three to come. Every due period but the newest has a
report, and the newest became due a day before the run, so the first run
sends one overdue notice per plan: 20,000 at 100,000 periods by default,
100,000 with --due-per-plan 1. Plans are spread over a fixed number of
organisations (one e-mail each), so the query count should be the same at
every size.

The seeding ends with ANALYZE while the notice table is still empty, so the
first run plans its queries on statistics that predate its own claim, as a
daily run does until autovacuum analyses the rows that run claimed.

Usage: .venv/bin/python benchmarks/chase_bench.py [--sizes 10000 100000] [--organisations 100]
       [--due-per-plan 5]

DATABASE_URL selects the database (default
postgres://postgres@127.0.0.1:5432/workoff_chase_bench); the script creates
that database when it is missing and migrates it. E-mails go to Django's
in-memory backend.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/workoff_chase_bench"
DUE_PER_PLAN = 5
AHEAD_PER_PLAN = 3
BATCH_SIZE = 5000
# The run is on a Wednesday; the newest due period fell due the day before.
RUN_AT = dt.datetime(2027, 6, 16, 8, 0, tzinfo=dt.UTC)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("WORKOFF_PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="workoff-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    create_database(os.environ["DATABASE_URL"])

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_database(url: str) -> None:
    """Create the PostgreSQL database named in url unless it exists."""
    import environ
    import psycopg
    from psycopg import sql

    config = environ.Env.db_url_config(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"The chase benchmark needs PostgreSQL; DATABASE_URL is {url!r}.")
    with psycopg.connect(
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def reset_and_seed(*, due_periods: int, organisation_count: int, due_per_plan: int) -> dict:
    """Empty the plan tables and seed plans with `due_periods` due periods in all."""
    from django.db import connection

    from plans.models import Organisation, Plan, User
    from reporting.models import Report, ReportingPeriod
    from reporting.schedule import local_moment

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {Plan._meta.db_table} RESTART IDENTITY CASCADE")

    organisations = []
    for number in range(organisation_count):
        organisation, _ = Organisation.objects.get_or_create(
            participant_id=f"BENCH{number:03d}", defaults={"name": f"Bench participant {number}"}
        )
        organisations.append(organisation)
    users = {}
    for organisation in organisations:
        user, _ = User.objects.get_or_create(
            username=f"bench-{organisation.participant_id.lower()}",
            defaults={
                "role": "participant",
                "organisation": organisation,
                "email": f"{organisation.participant_id.lower()}@example.org",
            },
        )
        users[organisation.pk] = user

    plan_count = due_periods // due_per_plan
    last_due_day = (RUN_AT - dt.timedelta(days=1)).date()
    start_day = last_due_day - dt.timedelta(days=7 * due_per_plan)
    started_at = local_moment(start_day, dt.time(10, 0))
    plans = [
        Plan(
            kind="testing_work_off",
            route="SIT",
            organisation=organisations[number % organisation_count],
            lead_code_body="BSC",
            code_bodies=["BSC"],
            reporting_interval="weekly",
            state="monitoring",
            submitted_at=started_at,
            monitoring_started_at=started_at,
            contact_email="",
        )
        for number in range(plan_count)
    ]
    Plan.objects.bulk_create(plans, batch_size=BATCH_SIZE)

    due_times = [
        local_moment(start_day + dt.timedelta(days=7 * n))
        for n in range(due_per_plan + AHEAD_PER_PLAN + 1)
    ]
    periods = []
    for plan in plans:
        for sequence in range(1, due_per_plan + AHEAD_PER_PLAN + 1):
            periods.append(
                ReportingPeriod(
                    plan_id=plan.pk,
                    sequence=sequence,
                    period_start=due_times[sequence - 1] if sequence > 1 else started_at,
                    due_at=due_times[sequence],
                )
            )
    ReportingPeriod.objects.bulk_create(periods, batch_size=BATCH_SIZE)

    reports = [
        Report(
            period_id=period.pk,
            plan_id=period.plan_id,
            route="BSC",
            submitted_by=users[plans[index // (due_per_plan + AHEAD_PER_PLAN)].organisation_id],
            submitted_at=period.due_at - dt.timedelta(hours=2),
        )
        for index, period in enumerate(periods)
        if period.sequence < due_per_plan
    ]
    Report.objects.bulk_create(reports, batch_size=BATCH_SIZE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    due = ReportingPeriod.objects.filter(due_at__lte=RUN_AT).count()
    return {"plans": plan_count, "due_periods": due, "reports": len(reports)}


def timed_run():
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.services import chase_run

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = chase_run(now=RUN_AT)
        elapsed = time.perf_counter() - started
    return result.counts(), elapsed, len(queries), len(mail.outbox)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument(
        "--due-per-plan",
        type=int,
        default=DUE_PER_PLAN,
        help="periods already due per plan; only the newest lacks a report, so 1 makes "
        "every due period need a notice",
    )
    args = parser.parse_args()
    setup_django()

    header = (
        f"{'due periods':>11} {'plans':>6} {'run':>5} {'seconds':>8} "
        f"{'queries':>7} {'e-mails':>7}  counts"
    )
    print(header)
    for size in args.sizes:
        started = time.perf_counter()
        seeded = reset_and_seed(
            due_periods=size,
            organisation_count=args.organisations,
            due_per_plan=args.due_per_plan,
        )
        seed_seconds = time.perf_counter() - started
        for label in ("first", "again"):
            counts, seconds, queries, emails = timed_run()
            print(
                f"{seeded['due_periods']:>11} {seeded['plans']:>6} {label:>5} {seconds:>8.2f} "
                f"{queries:>7} {emails:>7}  {counts}"
            )
        print(f"{'':>11} seeded in {seed_seconds:.1f} s")


if __name__ == "__main__":
    main()
