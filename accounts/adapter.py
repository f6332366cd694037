"""How django-allauth fits Journeymap: who may sign up, and a clear word when sign-in is locked."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import parse_duration
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model



def lockout_minutes() -> int:
    """The longest window of the failed sign-in limits, in minutes: how long a lockout can last."""
    windows = [parse_duration(rate.split("/")[1])
               for rate in (settings.LOGIN_FAILED_PER_ADDRESS, settings.LOGIN_FAILED_PER_ACCOUNT)]
    return max(1, round(max(windows) / 60))


class AccountAdapter(DefaultAccountAdapter):
    def __init__(self, request=None):
        super().__init__(request)
        self.error_messages = self.error_messages | {"too_many_login_attempts": (
            "Too many failed sign-ins for this account or from this address. Sign-in is locked: "
            f"try again in {lockout_minutes()} minutes, or reset your password."
        )}

    def is_open_for_signup(self, request) -> bool:
        """Open to the first person on a new install (the first owner), or to all by setting; invitees
        sign up on their invitation's page, with the email it was sent to."""
        return settings.ACCOUNT_OPEN_SIGNUP or not get_user_model().objects.exists()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        """The organisation's identity provider vouches for its people: single sign-on creates their account."""
        return True
