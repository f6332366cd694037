from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator

from workspaces.models import Membership


def session_used_two_factor(*, request) -> bool:
    return any(method.get("method") == "mfa" for method in request.session.get(AUTHENTICATION_METHODS_SESSION_KEY, []))


def two_factor_missing(*, request) -> str | None:
    """None when nothing is missing; "setup" when a workspace requires two-factor and the person has no
    authenticator; "sign-in" when they have one but this session was not signed in with it."""
    if session_used_two_factor(request=request):
        return None
    user = request.user
    if not Membership.objects.filter(user=user, workspace__require_two_factor=True).exists():
        return None
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        return "setup"
    return "sign-in"
