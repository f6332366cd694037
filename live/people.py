"""How a person is named and drawn in presence."""

from django.contrib.auth.models import AbstractBaseUser

AVATAR_HUES = 6  # app.css has .avatar-0 .. .avatar-5


def display_name(user: AbstractBaseUser) -> str:
    """The name shown to others, as the top bar shows it."""
    return user.get_full_name() or user.get_username()


def initials(name: str) -> str:
    words = name.replace(".", " ").replace("_", " ").split()
    if len(words) >= 2:
        return (words[0][0] + words[-1][0]).upper()
    return name[:2].upper()


def avatar_hue(key: str) -> int:
    """A stable colour per person, the same in every browser and process."""
    return sum(key.encode()) % AVATAR_HUES
