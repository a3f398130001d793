"""Reporting pages: wrong role gets 403, wrong organisation 404, fixed query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.choices import CodeBody
from reporting.models import Report, ReportingPeriod
from reporting.services import report_submit

from .conftest import START
from .support import lines_for, make_plan


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def bsc_report(users, bsc_plan):
    lines = lines_for(bsc_plan)
    lines[0].files = [SimpleUploadedFile("recon.csv", b"a,b\n", content_type="text/csv")]
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=1)
    return report_submit(period_id=period.pk, actor=users["participant"], lines=lines)


@pytest.mark.parametrize(
    ("username", "status"),
    [("participant", 200), ("osm", 403), ("reccm", 403), ("pab", 403), ("admin", 403)],
)
def test_my_reports_page_by_role(client, users, bsc_plan, username, status):
    response = login(client, users[username]).get(reverse("reporting:my_reports"))
    assert response.status_code == status


def test_my_reports_lists_due_and_late(client, users, bsc_plan):
    response = login(client, users["participant"]).get(reverse("reporting:my_reports"))
    late = [p.sequence for p in response.context["sections"][1][2]]
    due = [p.sequence for p in response.context["sections"][0][2]]
    assert late == [1]
    assert due == [2]


@pytest.mark.parametrize(
    ("username", "status"),
    [("participant", 200), ("participant2", 404), ("osm", 403), ("pab", 403)],
)
def test_report_form_by_user(client, users, bsc_plan, username, status):
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=1)
    response = login(client, users[username]).get(reverse("reporting:report_new", args=[period.pk]))
    assert response.status_code == status


def test_report_form_post_submits(client, users, bsc_plan):
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    data = {}
    for item in bsc_plan.items.all():
        prefix = f"item-{item.pk}"
        data |= {
            f"{prefix}-workaround_mitigates": "yes",
            f"{prefix}-evidence": "Checks clean.",
            f"{prefix}-fix_progress": "In test.",
            f"{prefix}-confidence": "High",
        }
    response = login(client, users["participant"]).post(
        reverse("reporting:report_new", args=[period.pk]), data
    )
    report = Report.objects.get(period=period)
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:report_detail", args=[report.pk])
    assert report.lines.count() == 2


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("osm", 200),
        ("reccm", 200),
        ("participant", 403),
        ("pab", 403),
        ("elexon", 403),
        ("mhhsp", 403),
        ("admin", 403),
    ],
)
def test_queue_by_role(client, users, bsc_report, username, status):
    response = login(client, users[username]).get(reverse("reporting:queue"))
    assert response.status_code == status


def test_queues_split_by_lead_code_body(client, users, bsc_report, rec_plan):
    period = ReportingPeriod.objects.get(plan=rec_plan, sequence=1)
    rec_report = report_submit(
        period_id=period.pk, actor=users["participant2"], lines=lines_for(rec_plan)
    )
    osm_queue = login(client, users["osm"]).get(reverse("reporting:queue")).context["sections"]
    assert [r.pk for r in osm_queue[0][1]] == [bsc_report.pk]
    reccm_queue = login(client, users["reccm"]).get(reverse("reporting:queue")).context["sections"]
    assert [r.pk for r in reccm_queue[0][1]] == [rec_report.pk]


def test_dip_led_report_goes_to_osm(client, users):
    plan = make_plan(participant_id="BWDS", lead=CodeBody.DIP, started_at=START)
    period = ReportingPeriod.objects.get(plan=plan, sequence=1)
    report = report_submit(period_id=period.pk, actor=users["participant3"], lines=lines_for(plan))
    assert report.route == "BSC"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("participant", 200),
        ("participant2", 404),
        ("osm", 200),
        ("pab", 200),
        ("reccm", 403),
        ("mhhsp", 403),
        ("qsp", 403),
    ],
)
def test_report_detail_by_user(client, users, bsc_report, username, status):
    response = login(client, users[username]).get(
        reverse("reporting:report_detail", args=[bsc_report.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("participant", 200), ("participant2", 404), ("osm", 200), ("mhhsp", 403), ("reccm", 403)],
)
def test_evidence_download_by_user(client, users, bsc_report, username, status):
    evidence = bsc_report.lines.first().evidence_files.get()
    response = login(client, users[username]).get(
        reverse("reporting:evidence_download", args=[evidence.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == b"a,b\n"
        assert 'filename="recon.csv"' in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("username", "status"), [("reccm", 403), ("participant", 403), ("participant2", 404)]
)
def test_review_post_refuses_wrong_user(client, users, bsc_report, username, status):
    response = login(client, users[username]).post(
        reverse("reporting:report_review", args=[bsc_report.pk]), {"action": "acknowledge"}
    )
    assert response.status_code == status
    bsc_report.refresh_from_db()
    assert bsc_report.status == "submitted"


def test_osm_acknowledges_through_page(client, users, bsc_report):
    response = login(client, users["osm"]).post(
        reverse("reporting:report_review", args=[bsc_report.pk]),
        {"action": "acknowledge", "comment": "Seen."},
    )
    assert response.status_code == 302
    bsc_report.refresh_from_db()
    assert bsc_report.status == "acknowledged"


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_pages_have_fixed_query_counts(client, users):
    plans = [make_plan(participant_id="NWEL", started_at=START)]
    report_submit(
        period_id=ReportingPeriod.objects.get(plan=plans[0], sequence=1).pk,
        actor=users["participant"],
        lines=lines_for(plans[0]),
    )
    participant = login(client, users["participant"])
    small_list = _count_queries(participant, reverse("reporting:my_reports"))
    small_plan = _count_queries(participant, reverse("plans:plan_detail", args=[plans[0].pk]))
    osm = login(client, users["osm"])
    small_queue = _count_queries(osm, reverse("reporting:queue"))

    for _ in range(5):
        plan = make_plan(participant_id="NWEL", started_at=START)
        report_submit(
            period_id=ReportingPeriod.objects.get(plan=plan, sequence=1).pk,
            actor=users["participant"],
            lines=lines_for(plan),
        )
    participant = login(client, users["participant"])
    assert _count_queries(participant, reverse("reporting:my_reports")) == small_list
    assert (
        _count_queries(participant, reverse("plans:plan_detail", args=[plans[0].pk])) == small_plan
    )
    osm = login(client, users["osm"])
    assert _count_queries(osm, reverse("reporting:queue")) == small_queue
