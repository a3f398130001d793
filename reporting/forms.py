"""Forms of the reporting pages: one line form per open item, and the review forms."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone

from plans.choices import Rating

# Evidence is read by reviewers, so only document, spreadsheet, image and
# text formats are taken; executables and archives are rejected.
EVIDENCE_EXTENSIONS = (
    "pdf",
    "docx",
    "xlsx",
    "pptx",
    "csv",
    "txt",
    "png",
    "jpg",
    "jpeg",
    "msg",
    "eml",
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(entry, initial) for entry in data if entry]
        return [single(data, initial)] if data else []


YES_NO = [("yes", "Yes"), ("no", "No")]


class ReportLineForm(forms.Form):
    """The participant's report on one open item, prefixed with the item's id."""

    workaround_mitigates = forms.ChoiceField(
        label="Does the workaround still fully mitigate the defect?",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )
    evidence = forms.CharField(
        label="Evidence that the workaround works", widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence_files = MultipleFileField(
        label="Evidence files",
        required=False,
        validators=[FileExtensionValidator(allowed_extensions=EVIDENCE_EXTENSIONS)],
        help_text="PDF, Word, Excel, PowerPoint, CSV, text, PNG, JPEG or e-mail files.",
    )
    fix_progress = forms.CharField(
        label="Progress on the fix", widget=forms.Textarea(attrs={"rows": 2})
    )
    confidence = forms.ChoiceField(
        label="Confidence in the fix date", choices=[("", "---------"), *Rating.choices]
    )
    revised_fix_date = forms.DateField(
        label="Revised fix date (only if it moved)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    revised_date_reason = forms.CharField(
        label="Why the fix date moved", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, item, **kwargs):
        self.item = item
        super().__init__(*args, prefix=f"item-{item.pk}", **kwargs)

    def clean(self):
        cleaned = super().clean()
        revised = cleaned.get("revised_fix_date")
        if revised == self.item.expected_fix_date:
            cleaned["revised_fix_date"] = revised = None
        if revised and revised < timezone.localdate():
            self.add_error(
                "revised_fix_date",
                f"A revised fix date cannot be in the past ({revised:%d/%m/%Y}).",
            )
        if revised and not cleaned.get("revised_date_reason", "").strip():
            self.add_error("revised_date_reason", "Give the reason the fix date moved.")
        return cleaned


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledge", "Acknowledge"), ("query", "Query")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "query" and not cleaned.get("comment", "").strip():
            self.add_error("comment", "A query needs a comment: say what the participant should answer.")
        return cleaned


class AnswerForm(forms.Form):
    text = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 3}))


class RevisedDateDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("refuse", "Refuse")])
