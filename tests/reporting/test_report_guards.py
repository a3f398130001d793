"""The report form refuses a period already reported or not yet started, with a plain message."""

import pytest
import time_machine
from django.urls import reverse

from reporting.models import Report, ReportingPeriod
from reporting.services import ReportChanged, report_submit

from .conftest import NOW
from .support import lines_for


def _form_data(plan, *, evidence):
    data = {}
    for item in plan.items.all():
        prefix = f"item-{item.pk}"
        data |= {
            f"{prefix}-workaround_mitigates": "yes",
            f"{prefix}-evidence": evidence,
            f"{prefix}-fix_progress": "In test.",
            f"{prefix}-confidence": "High",
        }
    return data


def _messages(response):
    return [str(message) for message in response.context["messages"]]


EXISTING = (
    "A report for this period was submitted on 16 Jan 2027 12:00 GMT by Priya Shah; "
    "submitted reports cannot be changed."
)


@pytest.fixture
def reported(users, bsc_plan):
    period = ReportingPeriod.objects.get(plan=bsc_plan, sequence=2)
    # A frozen clock makes the stored submission time exactly 12:00.
    with time_machine.travel(NOW, tick=False):
        report_submit(period_id=period.pk, actor=users["participant"], lines=lines_for(bsc_plan))
    return period


def test_repost_shows_message_and_keeps_report(client, users, bsc_plan, reported):
    before = Report.objects.get(period=reported)
    evidence_before = sorted(before.lines.values_list("evidence", flat=True))
    client.force_login(users["participant"])
    response = client.post(
        reverse("reporting:report_new", args=[reported.pk]),
        _form_data(bsc_plan, evidence="Rewritten evidence."),
        follow=True,
    )
    assert _messages(response) == [EXISTING]
    assert response.redirect_chain[-1][0] == reverse("reporting:report_detail", args=[before.pk])
    after = Report.objects.get(period=reported)
    assert after.pk == before.pk
    assert after.submitted_at == before.submitted_at
    assert sorted(after.lines.values_list("evidence", flat=True)) == evidence_before
    assert "Rewritten evidence." not in evidence_before


def test_service_refusal_names_first_submission(users, bsc_plan, reported):
    with pytest.raises(ReportChanged) as error:
        report_submit(period_id=reported.pk, actor=users["participant"], lines=lines_for(bsc_plan))
    assert str(error.value) == EXISTING
    assert Report.objects.filter(period=reported).count() == 1


def test_future_period_form_refused_on_get(client, users, bsc_plan):
    future = ReportingPeriod.objects.get(plan=bsc_plan, sequence=3)
    client.force_login(users["participant"])
    response = client.get(reverse("reporting:report_new", args=[future.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:my_reports")
    assert _messages(response) == [
        f"Report 3 on plan #{bsc_plan.pk} cannot be filled in yet: its reporting period "
        "starts on 22 Jan 2027 17:00 GMT."
    ]
    assert "forms" not in response.context


def test_future_period_post_refused_without_report(client, users, bsc_plan):
    future = ReportingPeriod.objects.get(plan=bsc_plan, sequence=3)
    client.force_login(users["participant"])
    response = client.post(
        reverse("reporting:report_new", args=[future.pk]), _form_data(bsc_plan, evidence="x")
    )
    assert response.status_code == 302
    assert not Report.objects.filter(period=future).exists()
