"""Benchmark of a 2,000-item workbook import into PostgreSQL.

Builds the workbook with the product's own writer, imports it through
`plan_import_workbook` (read, check, one transaction with bulk inserts and the
stored file), and prints:

- the import's wall time (best of --repeat runs, untraced),
- its peak Python memory (tracemalloc, one extra traced run) and the process's
  maximum resident set size,
- the ratio of the import's time to a bare openpyxl read-only pass over the
  same workbook (every cell value of the items sheet, nothing else).

Usage: .venv/bin/python benchmarks/import_bench.py [--items 2000] [--repeat 3]

DATABASE_URL selects the database (default
postgres://postgres@127.0.0.1:5432/workoff_bench); the script creates that
database when it is missing and migrates it. Uploaded files go to a temporary
folder unless WORKOFF_PRIVATE_MEDIA_ROOT is set.
"""

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/workoff_bench"
PARTICIPANT_ID = "BENCH"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("WORKOFF_PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="workoff-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workoff.settings.base")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
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
        return
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


def build_workbook(count: int) -> bytes:
    from plans.imports import ParsedItem, ParsedPlan
    from plans.workbooks import export_workbook

    severities = ("S3", "S4", "S5")
    ratings = ("High", "Medium", "Low")
    start = date(2027, 3, 1)
    items = []
    for number in range(1, count + 1):
        fix = start + timedelta(days=number % 100)
        items.append(
            ParsedItem(
                reference=f"{PARTICIPANT_ID}-WOP-{number:04d}",
                defect_number=f"SIT-DEF-{number:04d}",
                severity=severities[number % 3],
                defect_status="Open",
                defect_title=f"Settlement period mapping off by one after midnight ({number})",
                description="Messages received just after midnight are filed under the "
                "previous Settlement Date; about 40 MPANs a day are affected in testing.",
                role="Supplier",
                placing_reliance_implications="Evidence for other interfaces remains valid.",
                test_step=f"SIT-FT-CC-{number % 50:03d} Step 4",
                business_requirement_reference="MHHS-BR-SU-021",
                impact_live_operations="Late or misfiled consumption for affected MPANs.",
                impact_migration="None.",
                impact_supplier_migration_schedules="None expected.",
                code_bodies=["BSC", "REC"] if number % 2 else ["DIP"],
                settlement_retail_risk="Settlement risk: consumption allocated to the wrong day.",
                workaround_description="Operations correct the Settlement Date by hand each day.",
                workaround_fully_mitigates=True,
                workaround_monitoring="Daily exception report shows zero misfiled messages.",
                proposed_fix="Derive the Settlement Date from the UTC timestamp.",
                fix_fully_mitigates=number % 5 != 0,
                expected_fix_date=fix,
                expected_resolution_date=fix + timedelta(days=14),
                fix_before_migration=number % 3 != 0,
                confidence=ratings[number % 3],
                proposed_retest_model="Participant-led regression retest with evidence pack.",
            )
        )
    plan = ParsedPlan(
        kind="testing_work_off",
        route="SIT",
        participant_id=PARTICIPANT_ID,
        participant_name="Benchmark Energy Ltd",
        participant_role="Supplier",
        contact_name="Bench Mark",
        contact_email="bench@example.org",
        submission_date=date(2027, 1, 8),
        plan_version="1.0",
        lead_code_body="BSC",
        reporting_interval="fortnightly",
        version_history=[
            {"version": "1.0", "date": date(2027, 1, 8), "author": "Bench", "change_detail": "-"}
        ],
        items=items,
    )
    return export_workbook(plan)


def bare_openpyxl_pass(data: bytes) -> int:
    """Read every value of the items sheet with openpyxl read-only; return the cell count."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    count = 0
    for row in workbook["5. Testing Work Off Items"].iter_rows(values_only=True):
        count += len(row)
    workbook.close()
    return count


def run_import(data: bytes, organisation, actor):
    from plans.services.imports import plan_import_workbook

    result = plan_import_workbook(
        data=data, filename="bench.xlsx", actor=actor, organisation=organisation
    )
    if not result.ok:
        raise SystemExit(f"import rejected: {result.errors[:3]}")
    return result


def best_of(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000, help="Items in the workbook.")
    parser.add_argument("--repeat", type=int, default=3, help="Timed runs; the best is shown.")
    options = parser.parse_args()

    setup_django()
    from django.db import connection

    from plans.choices import UserRole
    from plans.models import Organisation, User

    organisation, _ = Organisation.objects.get_or_create(
        participant_id=PARTICIPANT_ID, defaults={"name": "Benchmark Energy Ltd"}
    )
    actor, _ = User.objects.get_or_create(
        username="import-bench", defaults={"role": UserRole.ADMIN}
    )

    data = build_workbook(options.items)
    bare = best_of(options.repeat, lambda: bare_openpyxl_pass(data))
    imported = best_of(options.repeat, lambda: run_import(data, organisation, actor))

    tracemalloc.start()
    run_import(data, organisation, actor)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # ru_maxrss is in kilobytes on Linux.
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"workbook: {options.items} items, {len(data) / 1024:.0f} KiB")
    print(f"bare openpyxl read-only pass: {bare:.3f} s (best of {options.repeat})")
    print(f"import through plan_import_workbook: {imported:.3f} s (best of {options.repeat})")
    print(f"ratio import / bare pass: {imported / bare:.2f}")
    print(f"peak traced Python memory during one import: {peak / 1024 / 1024:.1f} MiB")
    print(f"process max resident set size: {max_rss_mb:.1f} MiB")


if __name__ == "__main__":
    main()
