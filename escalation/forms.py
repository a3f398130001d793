from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator

from .models import HearingOutcome
from .services import check_hearing_date, check_outcome_date


class RaiseForm(forms.Form):
    comment = forms.CharField(
        label="Why the plan is escalated", widget=forms.Textarea(attrs={"rows": 2})
    )


class HearingForm(forms.Form):
    """The date of a BSC PAB hearing, or of the REC PAB meeting; today or later."""

    hearing_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_hearing_date(self):
        hearing_date = self.cleaned_data["hearing_date"]
        try:
            check_hearing_date(hearing_date)
        except ValidationError as error:
            raise ValidationError(error.message_dict["hearing_date"]) from error
        return hearing_date


class PresentationForm(forms.Form):
    presentation = forms.FileField(
        validators=[FileExtensionValidator(allowed_extensions=["pdf", "pptx", "ppt", "docx"])],
        help_text="PDF, PowerPoint or Word.",
    )


class OutcomeForm(forms.Form):
    """The board's outcome of a hearing, accepted from the hearing date on."""

    outcome = forms.ChoiceField(choices=HearingOutcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, hearing, **kwargs):
        self.hearing = hearing
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        check_outcome_date(self.hearing)
        return cleaned


class ComplianceForm(forms.Form):
    comment = forms.CharField(
        label="How the participant became compliant again",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
