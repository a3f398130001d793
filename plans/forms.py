"""Forms of the participant's pages: plan details, items and workbook upload."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils.html import format_html, format_html_join

from .choices import PARTICIPANT_ROLES, CodeBody, PlanKind, ReportingInterval, Route
from .imports.layout import is_mandatory, item_columns
from .models import Item, Plan
from .services.plans import route_errors

YES_NO_CHOICES = (("", "---------"), ("yes", "Yes"), ("no", "No"))


def _to_bool(value):
    return {"yes": True, "no": False}.get(value)


class DatalistInput(forms.TextInput):
    """A text input that suggests values from a list but accepts any text.

    The template's role drop-down warns on other text but keeps it, so the
    form does the same.
    """

    def __init__(self, options, attrs=None):
        super().__init__(attrs)
        self.options = options

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id', name)}-options"
        attrs["list"] = list_id
        field_html = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}">', ((option,) for option in self.options)
        )
        return format_html('{}<datalist id="{}">{}</datalist>', field_html, list_id, options)


class PlanForm(forms.ModelForm):
    """Sheet 2 of the template; the organisation comes from the signed-in user."""

    class Meta:
        model = Plan
        fields = [
            "kind",
            "route",
            "lead_code_body",
            "reporting_interval",
            "contact_name",
            "contact_email",
            "participant_role",
        ]
        labels = {
            "route": "Qualification route",
            "lead_code_body": "Lead code body",
            "participant_role": "Participant role",
        }
        widgets = {"participant_role": DatalistInput(PARTICIPANT_ROLES)}
        help_texts = {
            "route": "QAD is only for QAD Action Plans; SIT and QT for Testing Work Off Plans."
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = PlanKind.choices
        self.fields["route"].choices = [("", "---------"), *Route.choices]
        self.fields["lead_code_body"].choices = [("", "---------"), *CodeBody.choices]
        self.fields["reporting_interval"].choices = [("", "---------"), *ReportingInterval.choices]
        if editing:
            # The kind decides the template and its columns, so it is fixed at creation.
            del self.fields["kind"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind", self.instance.kind if self.instance.pk else None)
        route = cleaned.get("route")
        if kind and route:
            for name, message in route_errors(kind=kind, route=route).items():
                self.add_error(name, message)
        return cleaned


class ItemForm(forms.ModelForm):
    """One row of the items sheet, every column, labelled with the template's header text.

    Which columns are mandatory follows the template: severity is optional
    and the QSP risk rating present only on QAD Action Plans.
    """

    class Meta:
        model = Item
        fields = [column.field for column in item_columns(PlanKind.QAD_ACTION)]
        widgets = {
            "expected_fix_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expected_resolution_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "role": DatalistInput(PARTICIPANT_ROLES),
            "reference": forms.TextInput,
            "defect_number": forms.TextInput,
            "defect_title": forms.TextInput,
        }

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        columns = item_columns(plan.kind)
        wanted = {column.field for column in columns}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]

        for column in columns:
            field = self.fields[column.field]
            if column.kind == "yes_no":
                initial = getattr(self.instance, column.field)
                field = forms.TypedChoiceField(
                    choices=YES_NO_CHOICES,
                    coerce=_to_bool,
                    empty_value=None,
                    initial={True: "yes", False: "no"}.get(initial, ""),
                )
                self.fields[column.field] = field
                if self.instance.pk and initial is not None:
                    self.initial[column.field] = "yes" if initial else "no"
            field.label = column.header
            field.required = is_mandatory(column, plan.kind)
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2
        self.fields["code_bodies"].help_text = "Tick every code body the defect impacts."
        if "risk_rating" in self.fields and self.instance.pk and self.instance.risk_rating:
            # The rating is the QSP's: entered once from the workbook, then
            # changed only by the QSP in its review decision. A disabled
            # field ignores posted values and keeps the stored one.
            rating = self.fields["risk_rating"]
            rating.disabled = True
            rating.help_text = (
                "Set by the QSP. Only the QSP changes a risk rating, in its review decision."
            )
        # The model's help text repeats the column header, which is the label here.
        self.fields["workaround_monitoring"].help_text = ""
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        fix_date = cleaned.get("expected_fix_date")
        resolution_date = cleaned.get("expected_resolution_date")
        if fix_date and resolution_date and resolution_date < fix_date:
            self.add_error(
                "expected_resolution_date",
                "The expected resolution date must be on or after the expected fix date.",
            )
        return cleaned

    def _post_clean(self):
        # The item services save the item under the plan lock and check the
        # plan-wide unique constraints there, so the form skips model
        # validation of fields it does not hold (plan, position).
        pass

    def item_data(self) -> dict:
        """Return the cleaned values keyed by item field name, for the item services."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class WorkbookUploadForm(forms.Form):
    """An .xlsx workbook in the plan template, checked by the import service."""

    workbook = forms.FileField(
        label="Workbook (.xlsx)",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
        help_text="A Testing Work Off Plan or QAD Action Plan in the published template.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        limit = settings.WORKOFF_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size} bytes; the largest workbook accepted is {limit} bytes."
            )
        return upload
