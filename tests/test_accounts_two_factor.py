"""Two-factor sign-in with an authenticator app (TOTP) and recovery codes, and the owner's requirement."""

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from allauth.mfa.totp.internal.auth import yield_hotp_counters_from_time
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from workspaces.models import Workspace

from . import factories


def _code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _password_step(client: Client, user):
    return client.post("/accounts/login/", {"login": user.username, "password": factories.PASSWORD})


def _confirm_password(client: Client) -> None:
    """Setting up an authenticator asks for the password again, however recent the sign-in."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.post(response["Location"], {"password": factories.PASSWORD}).status_code == 302


def _activate_totp(user) -> tuple[Client, str]:
    client = Client()
    assert _password_step(client, user).status_code == 302
    _confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()  # shown for typing into an app, beside the QR code
    assert client.post(reverse("mfa_activate_totp"), {"code": "000000" if _code(secret) != "000000" else "111111"}
                       ).status_code == 200  # a wrong code activates nothing
    assert not Authenticator.objects.filter(user=user).exists()
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    cache.clear()  # the code just used may not be used again in its 30 s; the sign-ins below need one
    return client, secret


def _signed_in(client: Client) -> bool:
    return client.get(reverse("maps:list")).status_code == 200


def test_totp_sign_in_asks_for_the_code_after_the_password(owner):
    _client, secret = _activate_totp(owner)
    client = Client()
    response = _password_step(client, owner)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert not _signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": "123456" if _code(secret) != "123456" else "654321"}
                       ).status_code == 200
    assert not _signed_in(client)
    assert client.post(reverse("mfa_authenticate"), {"code": _code(secret)}).status_code == 302
    assert _signed_in(client)


def test_a_recovery_code_signs_in_once(owner):
    _activate_totp(owner)
    codes = RecoveryCodes(Authenticator.objects.get(user=owner, type=Authenticator.Type.RECOVERY_CODES)).get_unused_codes()
    assert len(codes) >= 8
    client = Client()
    _password_step(client, owner)
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert _signed_in(client)
    again = Client()
    _password_step(again, owner)
    assert again.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 200
    assert not _signed_in(again)


def _signed_in_with_code(user, secret) -> Client:
    client = Client()
    _password_step(client, user)
    assert client.post(reverse("mfa_authenticate"), {"code": _code(secret)}).status_code == 302
    cache.clear()
    return client


def test_an_owner_requires_two_factor_and_members_must_set_it_up(owner_client, owner, editor, workspace):
    url = reverse("workspaces:two_factor", args=[workspace.slug])
    # An owner without an authenticator would lock themselves out: set one up first.
    refused = owner_client.post(url, {"require_two_factor": "on"})
    assert refused.status_code == 400 and "for yourself first" in refused.content.decode()
    assert not Workspace.objects.get(pk=workspace.pk).require_two_factor
    _client, owner_secret = _activate_totp(owner)
    owner_client = _signed_in_with_code(owner, owner_secret)
    editor_client = Client()
    assert _password_step(editor_client, editor).status_code == 302
    assert editor_client.post(url, {"require_two_factor": "on"}).status_code == 403  # owners only
    assert owner_client.post(url, {"require_two_factor": "on"}).status_code == 302
    assert Workspace.objects.get(pk=workspace.pk).require_two_factor

    response = editor_client.get(reverse("maps:list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    page = editor_client.get(response["Location"], follow=True)
    assert "requires two-factor sign-in: set it up" in page.content.decode()
    _confirm_password(editor_client)
    editor_client.get(reverse("mfa_activate_totp"))
    secret = editor_client.session[SECRET_SESSION_KEY]
    assert editor_client.post(reverse("mfa_activate_totp"), {"code": _code(secret)}).status_code == 302
    cache.clear()
    # This session was not signed in with the code: it must sign in again, with it.
    assert editor_client.get(reverse("maps:list"))["Location"].startswith("/accounts/login/")
    client = Client()
    _password_step(client, editor)
    assert not _signed_in(client)
    client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert _signed_in(client)

    assert owner_client.post(url, {}).status_code == 302  # off again
    assert not Workspace.objects.get(pk=workspace.pk).require_two_factor
