from django import forms

from .models import HearingOutcome


class RaiseForm(forms.Form):
    comment = forms.CharField(
        label="Why the plan is escalated", widget=forms.Textarea(attrs={"rows": 2})
    )


class HearingForm(forms.Form):
    hearing_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PresentationForm(forms.Form):
    presentation = forms.FileField()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=HearingOutcome.choices, widget=forms.RadioSelect)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
