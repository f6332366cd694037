"""Form helpers every app's views share: service errors next to fields, and the
theirs-next-to-yours rows of a conflict view."""

from django import forms
from django.core.exceptions import ValidationError


class VersionField(forms.IntegerField):
    """The version of a row that an edit read; without it the save is refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, error_messages={
            "required": "This save does not say which version it read. Reload and try again."}, **kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A rule the service enforces is shown next to its field, like the form's own checks."""
    if hasattr(error, "error_dict"):
        for name, messages in error.error_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


def shown(field: forms.Field, value) -> str:
    """A value as the person sees it in the form (a choice by its label, empty as a dash)."""
    if value in (None, ""):
        return "—"
    if hasattr(value, "pk") or not hasattr(field, "choices"):
        return str(value)
    return str(dict(field.choices).get(value, value))


def conflict_rows(form: forms.BaseForm, current) -> list[dict]:
    """Theirs (saved now) next to yours for each field the person submitted."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.data or not hasattr(current, name):
            continue
        theirs, yours = shown(field, getattr(current, name)), shown(field, form.cleaned_data.get(name))
        rows.append({"label": field.label or name, "theirs": theirs, "yours": yours, "differs": theirs != yours})
    return rows


def int_or_zero(value: str | None) -> int:
    """An id from a query string; 0 (which matches nothing) when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
