"""Single sign-on with OpenID Connect, end to end in Chromium against a real provider process.

The provider is django-oauth-toolkit with OIDC on (tests/oidc_provider), started here in its own process
with its own database and RSA key. The app finds it only through the settings an operator would set:
the issuer, a client id and a client secret."""

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from journeymap.settings.base import oidc_origin
from workspaces.models import Membership, Role

from . import factories
from .browser import wait_for_server_requests_to_finish
from .servers import PROJECT

CLIENT_ID = "journeymap-test-client"
CLIENT_SECRET = "a-client-secret-for-the-test-provider-only"
PEOPLE = [
    {"username": "dokafor", "password": "provider-password-1", "email": "dana.okafor@hospital.test",
     "first_name": "Dana", "last_name": "Okafor"},
    {"username": "rnew", "password": "provider-password-2", "email": "robin.new@hospital.test",
     "first_name": "Robin", "last_name": "New"},
]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def oidc_provider(live_server, tmp_path, settings):
    """The provider process; the app is configured for it as an operator would (issuer, id, secret)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    environment |= {"OIDC_PROVIDER_DB": str(tmp_path / "provider.sqlite3"), "OIDC_PROVIDER_KEY": key}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port),
         f"{live_server.url}/accounts/oidc/sso/login/callback/", CLIENT_ID, CLIENT_SECRET, json.dumps(PEOPLE)],
        cwd=PROJECT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120  # migrating its database takes a while on a busy machine
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2) as answer:
                discovery = json.load(answer)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the OpenID provider did not start: {process.stderr.read().decode()[-3000:]}")
            time.sleep(0.2)
    assert discovery["issuer"] == issuer
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
        "provider_id": "sso", "name": "Hospital SSO", "client_id": CLIENT_ID, "secret": CLIENT_SECRET,
        "settings": {"server_url": issuer}}]}}
    settings.SECURE_CSP = settings.SECURE_CSP | {"form-action": [*settings.SECURE_CSP["form-action"], oidc_origin(issuer)]}
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def sso_page(browser, live_server):
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    wait_for_server_requests_to_finish()


def _sign_in_at_the_provider(page, person) -> None:
    page.goto("/accounts/login/")
    page.click("button.sso-button")  # "Sign in with Hospital SSO"
    page.wait_for_url(lambda url: "/login/?next=/o/authorize/" in url)  # the provider's own sign-in page
    assert "Hospital sign-in" in page.content()
    page.fill("#id_username", person["username"])
    page.fill("#id_password", person["password"])
    page.click("#provider-sign-in")
    page.wait_for_url("**/maps/", timeout=30000)  # back at the app, signed in


def test_sso_signs_in_the_account_with_the_same_verified_email(oidc_provider, sso_page, workspace):
    """An existing member whose verified email the provider vouches for is signed in as themselves."""
    dana = factories.make_user("dana", email="dana.okafor@hospital.test")
    factories.add_member(workspace, dana, Role.EDITOR)
    page = sso_page()
    _sign_in_at_the_provider(page, PEOPLE[0])
    assert "Acme Health" in page.content()
    assert get_user_model().objects.filter(email__iexact="dana.okafor@hospital.test").count() == 1
    assert SocialAccount.objects.get(provider="sso").user == dana
    assert page.errors == []


def test_sso_creates_an_account_for_a_new_verified_email(oidc_provider, sso_page, db):
    factories.make_user("someone")  # not a new install: sign-up is closed, except through the provider
    page = sso_page()
    _sign_in_at_the_provider(page, PEOPLE[1])
    user = SocialAccount.objects.get(provider="sso").user
    assert user.email == "robin.new@hospital.test" and user.get_full_name() == "Robin New"
    assert EmailAddress.objects.get(user=user).verified
    assert not Membership.objects.filter(user=user).exists()  # an account, but no workspace until invited
    assert "Robin New" in page.content()
