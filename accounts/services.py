from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ApplicationError
from workspaces.models import Membership
from workspaces.validators import display_name_refuse_impersonation


@transaction.atomic
def profile_update(*, user: AbstractBaseUser, first_name: str, last_name: str) -> AbstractBaseUser:
    """A new name may not read like the name of anyone who shares a workspace with the person."""
    first_name, last_name = first_name.strip(), last_name.strip()
    others = {m.user for m in Membership.objects.select_related("user")
              .filter(workspace__memberships__user=user).exclude(user=user)}
    try:
        display_name_refuse_impersonation(names=[f"{first_name} {last_name}".strip()], others=others)
    except ValidationError as error:
        raise ApplicationError(error.messages[0]) from None
    user.first_name, user.last_name = first_name, last_name
    user.full_clean()
    user.save(update_fields=["first_name", "last_name"])
    return user
