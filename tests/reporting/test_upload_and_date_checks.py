"""Evidence and presentation file types, and revised fix dates in the past."""

import datetime as dt

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict

from escalation.forms import PresentationForm
from plans.models import Item
from reporting.forms import ReportLineForm

TODAY = dt.datetime(2027, 3, 10, 12, 0, tzinfo=dt.UTC)


def line_form(*, files=(), revised=""):
    item = Item(pk=7, reference="NWEL-WOP-001", expected_fix_date=dt.date(2027, 4, 30))
    data = {
        "item-7-workaround_mitigates": "yes",
        "item-7-evidence": "Daily reconciliation shows no gaps.",
        "item-7-fix_progress": "Release built.",
        "item-7-confidence": "High",
        "item-7-revised_fix_date": revised,
        "item-7-revised_date_reason": "Supplier release moved." if revised else "",
    }
    return ReportLineForm(data, MultiValueDict({"item-7-evidence_files": list(files)}), item=item)


@time_machine.travel(TODAY)
def test_evidence_pdf_is_accepted():
    form = line_form(files=[SimpleUploadedFile("recon.pdf", b"%PDF-1.7")])

    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["evidence_files"]] == ["recon.pdf"]


@time_machine.travel(TODAY)
def test_evidence_executable_is_rejected():
    form = line_form(files=[SimpleUploadedFile("tool.exe", b"MZ")])

    assert not form.is_valid()
    assert "evidence_files" in form.errors
    assert "exe" in form.errors["evidence_files"][0]


@time_machine.travel(TODAY)
def test_revised_fix_date_in_past_is_rejected():
    form = line_form(revised="2027-03-09")

    assert not form.is_valid()
    assert form.errors["revised_fix_date"] == [
        "A revised fix date cannot be in the past (09/03/2027)."
    ]


@time_machine.travel(TODAY)
def test_revised_fix_date_today_is_accepted():
    form = line_form(revised="2027-03-10")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["revised_fix_date"] == dt.date(2027, 3, 10)


def test_presentation_must_be_slides_or_document():
    good = PresentationForm({}, {"presentation": SimpleUploadedFile("deck.pptx", b"PK")})
    bad = PresentationForm({}, {"presentation": SimpleUploadedFile("deck.exe", b"MZ")})

    assert good.is_valid(), good.errors
    assert not bad.is_valid()
    assert "presentation" in bad.errors
