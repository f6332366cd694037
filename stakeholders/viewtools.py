"""Small helpers shared by the views of the healthcare layer (stakeholders and compliance)."""

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from workspaces.models import EDITING_ROLES
from workspaces.selectors import membership_get, role_require


def can_edit(user: AbstractBaseUser, workspace_id: int) -> bool:
    membership = membership_get(user=user, workspace_id=workspace_id)
    return membership is not None and membership.role in EDITING_ROLES


def require_edit(user: AbstractBaseUser, workspace_id: int) -> None:
    """Viewers get 403 before any input is even read; non-members 404."""
    role_require(user=user, workspace_id=workspace_id)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A rule the service enforces is shown next to its field, like the form's own checks."""
    if hasattr(error, "error_dict"):
        for name, messages in error.error_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error)


def shown(field: forms.Field, value) -> str:
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
