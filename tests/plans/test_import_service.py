"""plan_import_workbook and the import_plan / export_plan commands against the database."""

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from plans.choices import PlanState, UserRole
from plans.imports import read_workbook
from plans.models import Item, Organisation, Plan, PlanEvent, UploadedWorkbook, User
from plans.services.imports import plan_import_workbook

DATA = Path(__file__).resolve().parent.parent / "data"
CASES = DATA / "cases"
BASE = CASES / "C00a_baseline_sit.xlsx"

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return Organisation.objects.create(name="Example Energy Supply Ltd", participant_id="PRT-0042")


@pytest.fixture
def participant(organisation):
    return User.objects.create_user(
        username="pat", role=UserRole.PARTICIPANT, organisation=organisation
    )


@pytest.fixture
def admin():
    return User.objects.create_user(username="root", role=UserRole.ADMIN)


def import_file(path: Path, **kwargs):
    return plan_import_workbook(data=path.read_bytes(), filename=path.name, **kwargs)


def test_import_creates_draft_plan(participant, organisation):
    result = import_file(BASE, actor=participant, organisation=organisation)
    assert result.ok is True
    assert result.created is True
    plan = Plan.objects.get()
    assert plan.pk == result.plan.pk
    assert plan.state == PlanState.DRAFT
    assert (plan.kind, plan.route, plan.organisation_id) == (
        "testing_work_off",
        "SIT",
        organisation.pk,
    )
    assert (plan.lead_code_body, plan.reporting_interval) == ("BSC", "fortnightly")
    assert plan.template_version == "1.0"
    assert plan.code_bodies == ["BSC", "REC", "DIP"]
    assert plan.version_history[0]["date"]
    items = list(plan.items.order_by("position"))
    assert [item.reference for item in items] == [
        "PRT-0042-WOP-001",
        "PRT-0042-WOP-002",
        "PRT-0042-WOP-003",
    ]
    assert [item.position for item in items] == [0, 1, 2]
    assert items[0].code_bodies == ["BSC", "DIP"]
    assert items[2].fix_fully_mitigates is False
    assert items[0].expected_fix_date.isoformat() == "2027-03-04"


def test_import_stores_workbook_evidence(participant, organisation):
    data = BASE.read_bytes()
    result = import_file(BASE, actor=participant, organisation=organisation)
    workbook = UploadedWorkbook.objects.get()
    assert workbook.pk == result.workbook.pk
    assert workbook.sha256 == hashlib.sha256(data).hexdigest()
    assert workbook.size == len(data)
    assert workbook.original_name == BASE.name
    assert workbook.uploaded_by == participant
    assert workbook.plan == result.plan
    with workbook.file.open("rb") as stored:
        assert stored.read() == data
    event = PlanEvent.objects.get(plan=result.plan)
    assert event.action == "plans.workbook_imported"
    assert event.actor == participant
    assert event.data["items"] == 3


def test_import_logs_plan_and_actor(participant, organisation, caplog):
    caplog.set_level("INFO", logger="plans.services.imports")
    result = import_file(BASE, actor=participant, organisation=organisation)
    message = caplog.records[-1].getMessage()
    assert f"plan_id={result.plan.pk}" in message
    assert f"actor_id={participant.pk}" in message


def test_wrong_participant_rejected(participant):
    other = Organisation.objects.create(name="Northwind", participant_id="NWEL")
    participant.organisation = other
    participant.save()
    result = import_file(BASE, actor=participant, organisation=other)
    assert result.ok is False
    error = result.errors[0]
    assert (error.sheet, error.row, error.column, error.value) == (
        "2. Participant Details",
        5,
        "Participant ID",
        "PRT-0042",
    )
    assert Plan.objects.count() == 0
    assert UploadedWorkbook.objects.count() == 0


def test_participant_id_matched_case_insensitively(participant, organisation):
    result = import_file(CASES / "C19_whitespace_and_case.xlsx", actor=participant,
                         organisation=organisation)  # fmt: skip
    assert result.ok is True


def test_rejected_workbook_stores_nothing(participant, organisation):
    result = import_file(CASES / "C21_unknown_severity.xlsx", actor=participant,
                         organisation=organisation)  # fmt: skip
    assert result.ok is False
    assert result.errors[0].column == "Severity"
    assert Plan.objects.count() == 0
    assert Item.objects.count() == 0
    assert UploadedWorkbook.objects.count() == 0


def test_other_organisation_user_not_allowed(organisation):
    other = Organisation.objects.create(name="Northwind", participant_id="NWEL")
    outsider = User.objects.create_user(username="o", role=UserRole.PARTICIPANT, organisation=other)
    with pytest.raises(PermissionDenied):
        import_file(BASE, actor=outsider, organisation=organisation)


def test_reviewer_not_allowed(organisation):
    reviewer = User.objects.create_user(username="rev", role=UserRole.ELEXON)
    with pytest.raises(PermissionDenied):
        import_file(BASE, actor=reviewer, organisation=organisation)


def test_reimport_replaces_draft_items(participant, organisation):
    first = import_file(BASE, actor=participant, organisation=organisation)
    second = import_file(CASES / "C05b_blank_rows_in_middle.xlsx", actor=participant,
                         organisation=organisation, plan=first.plan)  # fmt: skip
    assert second.ok is True
    assert second.created is False
    assert Plan.objects.count() == 1
    assert first.plan.items.count() == 4
    assert UploadedWorkbook.objects.filter(plan=first.plan).count() == 2


def test_reimport_refused_for_submitted_plan(participant, organisation):
    first = import_file(BASE, actor=participant, organisation=organisation)
    Plan.objects.filter(pk=first.plan.pk).update(state=PlanState.SUBMITTED)
    result = import_file(CASES / "C05b_blank_rows_in_middle.xlsx", actor=participant,
                         organisation=organisation, plan=first.plan)  # fmt: skip
    assert result.ok is False
    assert "submitted" in result.errors[0].message
    assert first.plan.items.count() == 3
    assert UploadedWorkbook.objects.count() == 1


def test_reimport_of_other_kind_refused(participant, organisation):
    first = import_file(BASE, actor=participant, organisation=organisation)
    qad_org = CASES / "C00b_baseline_qad.xlsx"
    organisation.participant_id = "PRT-0057"
    organisation.save()
    result = import_file(qad_org, actor=participant, organisation=organisation, plan=first.plan)
    assert result.ok is False
    assert first.plan.items.count() == 3


def test_two_thousand_items_bulk_inserted(participant, organisation, django_assert_max_num_queries):
    path = CASES / "C26_two_thousand_defects.xlsx"
    with django_assert_max_num_queries(40):
        result = import_file(path, actor=participant, organisation=organisation)
    assert result.plan.items.count() == 2000


def test_stored_plan_round_trips_through_export(participant, organisation, tmp_path):
    result = import_file(CASES / "C27_non_ascii_text.xlsx", actor=participant,
                         organisation=organisation)  # fmt: skip
    target = tmp_path / "export.xlsx"
    call_command("export_plan", str(result.plan.pk), str(target), stdout=io.StringIO())
    again = read_workbook(target.read_bytes(), filename=target.name)
    original = result.parsed
    assert again.participant_name == original.participant_name
    assert again.participant_id == "PRT-0042"
    fields = [name for name in vars(original.items[0]) if name != "row"]
    for before, after in zip(original.items, again.items, strict=True):
        assert {n: getattr(after, n) for n in fields} == {n: getattr(before, n) for n in fields}
    assert again.version_history == original.version_history


def test_export_command_unknown_plan(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("export_plan", "999999", str(tmp_path / "x.xlsx"))


def test_import_command_stores_plan(organisation, admin):
    out = io.StringIO()
    call_command("import_plan", str(BASE), "--json", "--as-of", "2026-12-04", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True
    plan = Plan.objects.get(pk=report["stored_plan_id"])
    assert plan.items.count() == 3
    assert UploadedWorkbook.objects.get().uploaded_by == admin


def test_import_command_needs_existing_organisation(admin):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import_plan", str(BASE), "--json", stdout=out)
    assert exited.value.code == 1
    report = json.loads(out.getvalue())
    assert "PRT-0042" in report["errors"][0]["message"]
    assert Plan.objects.count() == 0


def test_import_command_dry_run_stores_nothing(organisation, admin):
    call_command("import_plan", str(BASE), "--dry-run", "--json", stdout=io.StringIO())
    assert Plan.objects.count() == 0
    assert UploadedWorkbook.objects.count() == 0
