"""Every case workbook and sample, run through `import_plan --dry-run --json`,
compared with the report that tests/data/cases/expected.json lists for a correct importer."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = DATA / "cases"
EXPECTED = json.loads((CASES / "expected.json").read_text(encoding="utf-8"))
CASE_NAMES = sorted(name for name in EXPECTED if not name.startswith("_"))


def run_import(path: Path, *extra: str) -> tuple[int, dict]:
    """Run the command and return (exit status, parsed JSON report)."""
    out = io.StringIO()
    status = 0
    try:
        call_command(
            "import_plan", str(path), "--dry-run", "--json", "--as-of", "2026-12-04", *extra,
            stdout=out,
        )  # fmt: skip
    except SystemExit as exit_:
        status = exit_.code
    return status, json.loads(out.getvalue())


def _normalise(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    return value


def test_expected_lists_every_case_file():
    on_disk = {path.name for path in CASES.iterdir() if path.name != "expected.json"}
    assert on_disk == set(CASE_NAMES)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_matches_expected(name):
    expected = EXPECTED[name]
    status, report = run_import(CASES / name)

    if expected["outcome"] == "reject":
        assert status == 1
        assert report["ok"] is False
        assert report["errors"]
        errors = report["errors"]
        wanted = {key: expected[f"error_{key}"] for key in ("sheet", "row", "column")
                  if f"error_{key}" in expected}  # fmt: skip
        matching = [e for e in errors if all(e[key] == value for key, value in wanted.items())]
        assert matching, f"no error names {wanted}: {errors}"
        for word in expected.get("error_mentions", []):
            assert any(word.lower() in e["message"].lower() for e in matching), (word, matching)
        return

    assert status == 0
    assert report["ok"] is True
    assert report["errors"] == []
    plan = report["plan"]
    assert len(plan["items"]) == expected["items"]
    for key, value in expected["plan"].items():
        assert _normalise(plan[key]) == value, key
    assert report["eligibility"]["eligible"] is expected["eligible"]
    failing = {failure["rule"] for failure in report["eligibility"]["failures"]}
    for rule in expected.get("failing_rules", []):
        assert rule in failing

    by_reference = {item["reference"]: item for item in plan["items"]}
    for reference, fields in expected.get("values", {}).items():
        item = by_reference[reference]
        for field, value in fields.items():
            if field == "code_bodies":
                assert sorted(item[field]) == sorted(value), (reference, field)
            else:
                assert _normalise(item[field]) == value, (reference, field)


def test_blank_rows_messages_name_real_rows():
    _, report = run_import(CASES / "C05b_blank_rows_in_middle.xlsx")
    rows = [item["row"] for item in report["plan"]["items"]]
    assert rows == [4, 5, 8, 10]


def test_banner_above_header_rows():
    _, report = run_import(CASES / "C18_banner_above_header.xlsx")
    assert [item["row"] for item in report["plan"]["items"]] == [6, 7, 8]


def test_formula_without_cache_one_error_per_cell():
    _, report = run_import(CASES / "C03b_formula_without_cached_value.xlsx")
    cells = [(e["row"], e["column"]) for e in report["errors"]]
    column = "Is fix date prior to migration start?"
    assert cells == [(4, column), (5, column), (6, column)]
    for error in report["errors"]:
        assert "open" in error["message"].lower()
        assert "excel" in error["message"].lower()


def test_duplicate_defect_names_both_rows():
    _, report = run_import(CASES / "C23_duplicate_defect_numbers.xlsx")
    error = next(e for e in report["errors"] if e["column"] == "Defect Number")
    assert error["row"] == 7
    assert error["value"] == "SIT-DEF-4102"
    assert "row 5" in error["message"]


def test_unknown_severity_error_value():
    _, report = run_import(CASES / "C21_unknown_severity.xlsx")
    assert report["errors"][0]["value"] == "Sev 2"


def test_unknown_template_version_value():
    _, report = run_import(CASES / "C29_unknown_template_version.xlsx")
    error = report["errors"][0]
    assert (error["sheet"], error["row"], error["column"]) == (
        "1. Introduction",
        9,
        "Template Version",
    )
    assert error["value"] == "9.9"


def test_password_and_legacy_messages_differ():
    _, report = run_import(CASES / "C08a_legacy_xls_renamed.xlsx")
    assert "97-2003" in report["errors"][0]["message"]
    assert "password" not in report["errors"][0]["message"].lower()


def test_csv_named_xlsx_is_not_a_workbook():
    _, report = run_import(CASES / "C08c_csv_named_xlsx.xlsx")
    assert "not an excel workbook" in report["errors"][0]["message"].lower()


@pytest.mark.parametrize(
    ("name", "participant", "items", "eligible"),
    [
        ("sit_supplier_plan.xlsx", "NWEL", 6, True),
        ("qt_ldso_plan.xlsx", "ASHD", 3, False),
        ("qad_agent_action_plan.xlsx", "BWDS", 4, True),
    ],
)
def test_sample_plans(name, participant, items, eligible):
    status, report = run_import(DATA / name)
    assert status == 0
    assert report["plan"]["participant_id"] == participant
    assert len(report["plan"]["items"]) == items
    assert report["eligibility"]["eligible"] is eligible


def test_ldso_sample_fails_rules_one_and_three():
    _, report = run_import(DATA / "qt_ldso_plan.xlsx")
    failures = report["eligibility"]["failures"]
    assert {(f["rule"], f["item"]) for f in failures} == {(1, "ASHD-WOP-001"), (3, "ASHD-WOP-001")}
    assert failures[0]["reason"] == "ASHD-WOP-001 is S2 Major"


def test_qad_sample_item_without_severity():
    _, report = run_import(DATA / "qad_agent_action_plan.xlsx")
    item = next(i for i in report["plan"]["items"] if i["reference"] == "BWDS-QAP-004")
    assert item["severity"] is None
    assert item["risk_rating"] == "Low"


@pytest.mark.parametrize("name", ["blank_testing_work_off_plan.xlsx", "blank_qad_action_plan.xlsx"])
def test_blank_template_rejected_for_missing_participant(name):
    status, report = run_import(DATA / name)
    assert status == 1
    assert any(e["column"] == "Participant ID" and e["row"] == 5 for e in report["errors"])


def test_organisation_option_mismatch():
    status, report = run_import(CASES / "C00a_baseline_sit.xlsx", "--organisation", "NWEL")
    assert status == 1
    error = report["errors"][0]
    assert (error["sheet"], error["row"], error["column"], error["value"]) == (
        "2. Participant Details",
        5,
        "Participant ID",
        "PRT-0042",
    )


@pytest.mark.django_db
def test_organisation_option_case_insensitive():
    from plans.models import Organisation

    Organisation.objects.create(name="Example Energy Supply Ltd", participant_id="PRT-0042")
    status, report = run_import(
        CASES / "C19_whitespace_and_case.xlsx", "--organisation", "prt-0042"
    )
    assert status == 0
    assert report["ok"] is True


@pytest.mark.django_db
def test_dry_run_organisation_must_exist():
    status, report = run_import(CASES / "C00a_baseline_sit.xlsx", "--organisation", "PRT-0042")
    assert status == 1
    error = report["errors"][0]
    assert (error["sheet"], error["row"], error["column"], error["value"]) == (
        "2. Participant Details",
        5,
        "Participant ID",
        "PRT-0042",
    )
    assert "No organisation has participant ID PRT-0042" in error["message"]


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_organisation_is_usage_error(value):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as raised:
        call_command(
            "import_plan", str(CASES / "C00a_baseline_sit.xlsx"), "--dry-run",
            "--organisation", value,
        )  # fmt: skip
    assert raised.value.returncode == 2


def test_as_of_help_says_today():
    from django.core.management import load_command_class

    parser = load_command_class("plans", "import_plan").create_parser("manage.py", "import_plan")
    help_text = " ".join(parser.format_help().split())
    assert "default: today" in help_text
    assert "Submission Date" not in help_text


def test_case_reports_have_no_warnings():
    _, report = run_import(CASES / "C00a_baseline_sit.xlsx")
    assert report["warnings"] == []


def test_bad_as_of_is_usage_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as raised:
        call_command("import_plan", str(CASES / "C00a_baseline_sit.xlsx"), "--as-of", "04/12/2026")
    assert raised.value.returncode == 2


def test_missing_file_is_usage_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as raised:
        call_command("import_plan", str(tmp_path / "absent.xlsx"), "--dry-run")
    assert raised.value.returncode == 2
