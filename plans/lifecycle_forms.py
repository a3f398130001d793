"""Forms of the lifecycle actions: submit, withdraw, review decision, PAB decision.

Each form carries the state and review round the page showed, as hidden
fields, so the service can tell a stale page from a current one.
"""

from django import forms
from django.utils import timezone

from .choices import Rating
from .models import Decision, PabOutcome
from .services.lifecycle import pab_meeting_date_error


class SeenStateForm(forms.Form):
    seen_state = forms.CharField(widget=forms.HiddenInput)
    seen_round = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_plan(cls, plan, **kwargs):
        return cls(initial={"seen_state": plan.state, "seen_round": plan.review_round}, **kwargs)


class SubmitForm(SeenStateForm):
    pass


class WithdrawForm(SeenStateForm):
    comment = forms.CharField(
        label="Reason (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewDecisionForm(SeenStateForm):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required to request changes or reject. Every comment of the round goes back "
        "to the participant.",
    )
    downstream_items = forms.TypedMultipleChoiceField(
        label="Items with downstream impact on other parties (rule 7)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    settlement_risk_items = forms.TypedMultipleChoiceField(
        label="Items that are a high-impact settlement risk (rule 8)",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items=(), rate_risks: bool = False, **kwargs):
        """Build the form; with `rate_risks` (the QSP on a QAD plan) add a rating per item."""
        super().__init__(*args, **kwargs)
        items = list(items)
        choices = [(item.pk, f"{item.reference}: {item.defect_title}") for item in items]
        self.fields["downstream_items"].choices = choices
        self.fields["settlement_risk_items"].choices = choices
        self.rated_items = items if rate_risks else []
        for item in self.rated_items:
            self.fields[self.rating_field_name(item)] = forms.ChoiceField(
                label=f"{item.reference}: {item.defect_title}",
                choices=[("", "---------"), *Rating.choices],
                initial=item.risk_rating or "",
                error_messages={"required": f"Rate the risk of {item.reference}."},
            )

    @staticmethod
    def rating_field_name(item) -> str:
        return f"risk_rating_{item.pk}"

    def rating_fields(self):
        """Return (item, bound field) for each item the QSP rates, in item order."""
        return [(item, self[self.rating_field_name(item)]) for item in self.rated_items]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != Decision.AGREE and not cleaned.get("comment", "").strip():
            self.add_error("comment", "A comment is required to request changes or reject.")
        ratings = {
            item.pk: cleaned[self.rating_field_name(item)]
            for item in self.rated_items
            if cleaned.get(self.rating_field_name(item))
        }
        cleaned["risk_ratings"] = ratings
        if decision == Decision.AGREE:
            for item in self.rated_items:
                if ratings.get(item.pk) == Rating.HIGH:
                    self.add_error(
                        self.rating_field_name(item),
                        f"{item.reference} is rated High risk, so the plan cannot be agreed "
                        "(rule 2). Request changes or reject it.",
                    )
        flagged = cleaned.get("downstream_items") or cleaned.get("settlement_risk_items")
        if decision == Decision.AGREE and flagged:
            self.add_error(
                "decision",
                "A plan with an item that has downstream impact or is a high-impact settlement "
                "risk cannot be agreed (rules 7 and 8). Request changes or reject it.",
            )
        return cleaned


class PabDecisionForm(SeenStateForm):
    outcome = forms.ChoiceField(choices=PabOutcome.choices, widget=forms.RadioSelect)
    meeting_date = forms.DateField(
        label="PAB meeting date", widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(label="Paper or minute reference", max_length=64, required=False)
    comment = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to refuse.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker then offers no future day. The service
        # and clean_meeting_date enforce the same limit on the server.
        self.fields["meeting_date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_meeting_date(self):
        meeting_date = self.cleaned_data["meeting_date"]
        error = pab_meeting_date_error(meeting_date)
        if error:
            raise forms.ValidationError(error)
        return meeting_date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == PabOutcome.REFUSE and not cleaned.get("comment", "").strip():
            self.add_error("comment", "A comment is required to refuse a plan.")
        return cleaned
