"""Form helpers every app's views share: service errors next to fields, and the
theirs-next-to-yours rows of a conflict view."""

from collections.abc import Callable
from dataclasses import dataclass

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
    """Theirs (saved now) next to yours, for each field the person submitted whose value differs:
    the fields that agree are not the person's problem. A checkbox left unticked is never "in" the
    data, so it is compared too."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or not hasattr(current, name):
            continue
        if name not in form.data and not isinstance(field.widget, forms.CheckboxInput):
            continue
        theirs, yours = shown(field, getattr(current, name)), shown(field, form.cleaned_data.get(name))
        if theirs != yours:
            rows.append({"name": name, "label": field.label or name, "theirs": theirs, "yours": yours})
    return rows


@dataclass
class ConflictView:
    """What a lost save shows, in every app (one template: core/conflict.html): who saved in between,
    the fields that differ, and the form again, holding yours on top of their version."""

    headline: str
    saved_by: str  # the other person, from the change history; "" when the history does not say
    rows: list[dict]
    form: forms.BaseForm
    deleted: bool = False


def conflict_view(*, error, form: forms.BaseForm, saved_by: str = "",
                  rebase: Callable[[dict], forms.BaseForm] | None = None) -> ConflictView:
    """`error` is the service's Conflict; `rebase(data)` builds the form on the row as it is now
    (`error.current`), so saving it again goes over theirs knowingly. `saved_by` names who won."""
    current = error.current
    headline = error.message
    if saved_by:  # the services cannot know who; the history does
        headline = headline.replace("Someone", saved_by, 1)
    if current is None:
        return ConflictView(headline=headline, saved_by=saved_by, rows=[], form=form, deleted=True)
    rows = conflict_rows(form, current)
    if rebase is not None:
        data = form.data.copy()
        data["version"] = current.version
        if error.theirs_only:
            theirs = rebase(None)  # unbound: their values, as the form shows them
            for name in error.theirs_only & set(theirs.fields):
                _put(data, name, theirs[name])
        form = rebase(data)
        form.is_valid()
        if error.theirs_only:  # kept: no longer a difference
            rows = [row for row in rows if row["name"] not in error.theirs_only]
    return ConflictView(headline=headline, saved_by=saved_by, rows=rows, form=form)


def _put(data, name: str, field: forms.BoundField) -> None:
    """Puts a field's shown value into posted data, as its widget would have posted it."""
    value = field.value()
    if isinstance(field.field.widget, forms.CheckboxInput):
        data[name] = "true" if value else "false"
    elif isinstance(value, list | tuple):
        data.setlist(name, [str(item) for item in value])
    else:
        data[name] = "" if value is None else str(value)


def int_or_zero(value: str | None) -> int:
    """An id from a query string; 0 (which matches nothing) when it is missing or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
