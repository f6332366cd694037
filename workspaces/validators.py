"""Who a person appears to be: usernames and display names that cannot pass for someone else."""

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import ASCIIUsernameValidator
from django.core.exceptions import ValidationError

# Django's validator, ASCII only: letters from other scripts that look like Latin ones ("аdmin" with a
# Cyrillic а) would pass for a colleague's name.
USERNAME_VALIDATORS = [ASCIIUsernameValidator()]


def _comparable(name: str) -> str:
    """The name as a reader sees it: case, accents, spaces and punctuation do not tell two names apart."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    return re.sub(r"[\W_]+", "", "".join(c for c in folded if not unicodedata.combining(c)))


def username_validate(username: str) -> str:
    for validator in USERNAME_VALIDATORS:
        validator(username)
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken.", code="username_taken")
    return username.lower()


def display_name_refuse_impersonation(*, names: list[str], others) -> None:
    """Refuses a username or full name that reads like the username or full name of one of `others`."""
    taken = set()
    for other in others:
        taken.add(_comparable(other.username))
        if other.get_full_name().strip():
            taken.add(_comparable(other.get_full_name()))
    for name in names:
        if name and _comparable(name) in taken:
            raise ValidationError(f"“{name}” reads like the name of someone already in this workspace; "
                                  "choose a name that is yours.", code="impersonation")
