"""Session and response rules for signed-in people: idle logoff, no caching, required two-factor."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

LAST_ACTIVITY_KEY = "last_activity"
# The session is written at most this often to note activity: not on every request.
ACTIVITY_RESOLUTION_SECONDS = 60


def _login_redirect(request, message: str) -> HttpResponse:
    messages.warning(request, message)
    target = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def note_activity_at_sign_in(sender, request, user, **kwargs) -> None:
    """The idle clock starts at sign-in, so the first pages after it do not write the session again."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = time.time()


class IdleSessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT_SECONDS without a request (HIPAA automatic logoff).

    Event streams do not count as activity: an open board in a forgotten tab must not keep a session alive."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                logout(request)
                minutes = max(1, settings.SESSION_IDLE_TIMEOUT_SECONDS // 60)
                return _login_redirect(request, f"You were signed out after {minutes} minutes without activity.")
            if not request.path.endswith("/events/") and (last is None or now - last >= ACTIVITY_RESOLUTION_SECONDS):
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class PrivatePagesMiddleware:
    """What a signed-in person sees is never kept by a browser or proxy cache (shared computers on wards)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class RequiredTwoFactorMiddleware:
    """A member of a workspace whose owner requires two-factor sign-in must set it up and use it."""

    EXEMPT_PREFIXES = ("/accounts/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(self.EXEMPT_PREFIXES):
            from accounts.selectors import two_factor_missing

            missing = two_factor_missing(request=request)
            if missing == "setup":
                messages.warning(request, "A workspace you belong to requires two-factor sign-in: set it up to go on.")
                return _redirect_to(request, reverse("mfa_activate_totp"))
            if missing == "sign-in":
                logout(request)
                return _login_redirect(request, "A workspace you belong to requires two-factor sign-in: "
                                                "sign in again with your authenticator code.")
        return self.get_response(request)


def _redirect_to(request, target: str) -> HttpResponse:
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
