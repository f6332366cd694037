"""Small helpers shared by the views of the healthcare layer (stakeholders and compliance)."""

from django.contrib.auth.models import AbstractBaseUser

from workspaces.models import EDITING_ROLES
from workspaces.selectors import membership_get, role_require


def can_edit(user: AbstractBaseUser, workspace_id: int) -> bool:
    membership = membership_get(user=user, workspace_id=workspace_id)
    return membership is not None and membership.role in EDITING_ROLES


def require_edit(user: AbstractBaseUser, workspace_id: int) -> None:
    """Viewers get 403 before any input is even read; non-members 404."""
    role_require(user=user, workspace_id=workspace_id)
