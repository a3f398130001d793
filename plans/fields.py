"""A model field for a set of code bodies (BSC, REC, DIP)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .choices import CODE_BODY_ORDER, CodeBody


def normalise_code_bodies(values) -> list[str]:
    """Return the distinct code bodies in `values` in canonical order.

    Raises ValueError naming the first value that is not a code body.
    """
    wanted = set()
    for value in values:
        code = str(value).strip().upper()
        if code not in CodeBody.values:
            raise ValueError(f"{value!r} is not a code body (expected BSC, REC or DIP)")
        wanted.add(code)
    return [str(code) for code in CODE_BODY_ORDER if code in wanted]


class CodeBodiesField(models.CharField):
    """A set of code bodies, stored as canonical text such as ``BSC/REC``.

    The text form keeps the column queryable on SQLite and PostgreSQL alike:
    ``code_bodies__contains="REC"`` finds every row that impacts the REC.
    In Python the value is always a list in canonical order.
    """

    separator = "/"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return self.to_python(value)

    def to_python(self, value):
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = value.split(self.separator)
        try:
            return normalise_code_bodies(value)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def get_prep_value(self, value):
        if isinstance(value, str):
            return value
        return self.separator.join(normalise_code_bodies(value or []))

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def validate(self, value, model_instance):
        # CharField.validate would compare a list against the choices.
        if not self.blank and not value:
            raise ValidationError(self.error_messages["blank"], code="blank")

    def formfield(self, **kwargs):
        # Skip CharField.formfield, which would add max_length to a multiple
        # choice field.
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("choices", CodeBody.choices)
        kwargs.setdefault("form_class", forms.TypedMultipleChoiceField)
        return models.Field.formfield(self, **kwargs)
