"""Sign-in on django-allauth: limits per account and per address, password change and reset, profile,
signing out other sessions, the admin unmounted. Each test names the finding of issue 13 it answers."""

import re
import time
import types
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from workspaces.models import Role

from . import factories

LOGIN = "/accounts/login/"
LOCKED = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _sign_in(client: Client, login: str, password: str = factories.PASSWORD, **extra):
    return client.post(LOGIN, {"login": login, "password": password}, **extra)


def _signed_in(client: Client) -> bool:
    return client.get(reverse("maps:list")).status_code == 200


def _hammer_then_try_the_right_password(owner, attempts: int = 50):
    client = Client()
    answers = [_sign_in(client, owner.username, f"wrong-{n}") for n in range(attempts)]
    return answers, _sign_in(client, owner.username)


def test_failed_sign_ins_lock_the_account_with_a_clear_message(owner):
    """Finding: 50 wrong passwords for one account were all answered, and the right one worked at once."""
    answers, right = _hammer_then_try_the_right_password(owner)
    assert all(answer.status_code == 200 for answer in answers)  # the form again, never a sign-in
    assert LOCKED not in answers[3].content.decode()
    assert LOCKED in answers[5].content.decode()
    assert "try again in 15 minutes" in answers[5].content.decode()
    assert LOCKED in right.content.decode() and right.status_code == 200
    assert not _signed_in(Client())


def test_the_account_lock_is_per_account_and_ends_by_itself(owner, editor, monkeypatch):
    client = Client()
    for n in range(6):
        _sign_in(client, owner.username, f"wrong-{n}")
    assert LOCKED in _sign_in(client, owner.username).content.decode()
    # Another account from the same address is not locked.
    assert _sign_in(Client(), editor.username).status_code == 302
    # Sixteen minutes later (the limiter's clock moved on; the cache entries are the real ones).
    later = types.SimpleNamespace(time=lambda: time.time() + 16 * 60, monotonic=time.monotonic, sleep=time.sleep)
    monkeypatch.setattr("allauth.core.internal.ratelimit.time", later)
    assert _sign_in(client, owner.username).status_code == 302
    assert _signed_in(client)


def test_failed_sign_ins_from_one_address_lock_that_address(owner, editor):
    """Guessing many accounts' passwords from one address stops too, for every account; others still sign in."""
    with override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "5/15m/ip,100/15m/key"}):
        client = Client()
        for n in range(6):
            _sign_in(client, f"someone{n}", "guess")
        assert LOCKED in _sign_in(client, editor.username).content.decode()
        elsewhere = Client(REMOTE_ADDR="10.9.8.7")
        assert _sign_in(elsewhere, owner.username).status_code == 302


def test_the_lock_is_shared_through_redis_when_redis_is_the_cache(owner):
    """With REDIS_URL, every web process counts into one place: a new process (client) sees the lock."""
    redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": "redis://127.0.0.1:6379/0", "KEY_PREFIX": f"test-lock-{uuid.uuid4().hex}"}}
    with override_settings(CACHES=redis):
        from django.core.cache import caches

        assert type(caches["default"]).__name__ == "RedisCache"
        for n in range(6):
            _sign_in(Client(), owner.username, f"wrong-{n}")
        assert LOCKED in _sign_in(Client(), owner.username).content.decode()
        keys = caches["default"]._cache.get_client().keys(f"{redis['default']['KEY_PREFIX']}*")
        assert keys, "the failures were counted in Redis"
        caches["default"].clear()


def test_the_admin_is_not_mounted():
    """Finding: the admin login was mounted (no model registered) and had no limit."""
    client = Client()
    assert client.get("/admin/").status_code == 404
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 404


def test_sign_in_by_username_or_email_then_sign_out(owner):
    client = Client()
    page = client.get(LOGIN)
    assert page.status_code == 200 and 'name="login"' in page.content.decode()
    assert _sign_in(client, owner.email).status_code == 302
    assert _signed_in(client)
    client.post(reverse("logout"))
    assert not _signed_in(client)


def test_an_unverified_email_cannot_sign_in_until_verified(db):
    user = factories.make_user("unverified", verified=False)
    client = Client()
    response = _sign_in(client, user.username)
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert not _signed_in(client)
    assert mail.outbox and mail.outbox[-1].to == [user.email]


def test_password_change(owner_client, owner):
    """Finding: no way to change a password."""
    url = reverse("account_change_password")
    assert owner_client.get(url).status_code == 200
    wrong = owner_client.post(url, {"oldpassword": "not-it", "password1": "a-new-password-77",
                                    "password2": "a-new-password-77"})
    assert wrong.status_code == 200 and "Please type your current password" in wrong.content.decode()
    response = owner_client.post(url, {"oldpassword": factories.PASSWORD, "password1": "a-new-password-77",
                                       "password2": "a-new-password-77"})
    assert response.status_code == 302
    assert _sign_in(Client(), owner.username, "a-new-password-77").status_code == 302
    assert LOCKED not in _sign_in(Client(), owner.username).content.decode()


def test_password_reset_by_email(owner):
    """Finding: no way to reset a forgotten password."""
    client = Client()
    assert client.post(reverse("account_reset_password"), {"email": owner.email}).status_code == 302
    message = mail.outbox[-1]
    assert message.to == [owner.email]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    form = client.get("/" + path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else "/" + path
    response = client.post(set_url, {"password1": "a-reset-password-88", "password2": "a-reset-password-88"})
    assert response.status_code == 302
    assert _sign_in(Client(), owner.username, "a-reset-password-88").status_code == 302
    # An address without an account gets the same answer (nothing to enumerate).
    before = len(mail.outbox)
    assert client.post(reverse("account_reset_password"), {"email": "nobody@example.test"}).status_code == 302
    assert len(mail.outbox) <= before + 1


def test_profile_name_and_no_impersonation(editor_client, editor, owner, workspace):
    """Finding: a newcomer could look exactly like the workspace owner: names that read like a colleague's are refused."""
    owner.first_name, owner.last_name = "Dana", "Okafor"
    owner.save()
    url = reverse("accounts:profile")
    assert editor_client.get(url).status_code == 200
    saved = editor_client.post(url, {"first_name": "Eddie", "last_name": "Tor"})
    assert saved.status_code == 302
    editor.refresh_from_db()
    assert editor.get_full_name() == "Eddie Tor"
    for first, last in (("Dana", "Okafor"), ("dana", "OKAFOR"), ("Dána", "Okafor "), ("Owner", "")):
        refused = editor_client.post(url, {"first_name": first, "last_name": last})
        assert refused.status_code == 422, (first, last)
        assert "reads like the name of someone" in refused.content.decode()
    editor.refresh_from_db()
    assert editor.get_full_name() == "Eddie Tor"


def test_sign_out_of_all_other_sessions(owner):
    """Sessions are listed, and one click ends every other one."""
    laptop, ward_pc = Client(), Client()
    assert _sign_in(laptop, owner.username).status_code == 302
    assert _sign_in(ward_pc, owner.username).status_code == 302
    listing = laptop.get(reverse("usersessions_list"))
    assert listing.status_code == 200
    assert laptop.post(reverse("usersessions_list")).status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(ward_pc)


def test_the_first_account_of_a_new_install_can_sign_up_then_sign_up_closes(db):
    """Finding: the first account needed createsuperuser. Now the first visitor creates it; nobody after."""
    assert not get_user_model().objects.exists()
    client = Client()
    assert "Create the first account" in client.get(LOGIN).content.decode()
    response = client.post(reverse("account_signup"), {
        "email": "first@example.test", "username": "first", "password1": "a-first-password-9",
        "password2": "a-first-password-9"})
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="first").exists()
    later = Client()
    assert "Create the first account" not in later.get(LOGIN).content.decode()
    closed = later.post(reverse("account_signup"), {
        "email": "second@example.test", "username": "second", "password1": "a-second-password-9",
        "password2": "a-second-password-9"})
    assert not get_user_model().objects.filter(username="second").exists()
    assert closed.status_code in (200, 403)


def test_make_run_demo_login_still_works(db):
    from django.core.management import call_command

    from maps.demo import DEMO_PASSWORD

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    client = Client()
    assert _sign_in(client, "demo", DEMO_PASSWORD).status_code == 302
    assert _signed_in(client)
    assert Role.OWNER == client.get(reverse("maps:list")).context["user"].memberships.get().role
