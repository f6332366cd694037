"""No state-changing request without a CSRF token, except the token-authenticated API.

The owner of the workspace is signed in, so the only thing that can refuse is the CSRF
check: every POST, PUT, PATCH and DELETE to every URL outside /api/ answers 403 and
changes nothing. The set of csrf_exempt views is exactly the API's, and the API ignores
a session cookie (401), so a forged cross-site request has nothing to ride on. The one other
exemption is an email's one-click unsubscribe link, granted by its signed token.
"""

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from .test_security_isolation import ProjectVictim, all_patterns, send_form, tables_checksum

UNSAFE = ("post", "put", "patch", "delete")


@pytest.fixture
def victim(workspace, owner):
    return ProjectVictim(workspace, owner)


@pytest.fixture
def strict_owner(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    return client


def _is_api(name):
    return name.startswith("api:")


# An email's one-click unsubscribe (RFC 8058) is a mail client's POST without a CSRF token; the signed
# per-person token in its URL is what grants it, and it can only turn an email off
# (tests/test_notifications_email.py::test_a_forged_or_altered_unsubscribe_link_changes_nothing).
UNSUBSCRIBE = "notifications:unsubscribe"


def test_only_the_api_is_exempt_from_csrf():
    exempt = {name for name, pattern, _route in all_patterns() if getattr(pattern.callback, "csrf_exempt", False)}
    api = {name for name, _pattern, _route in all_patterns() if _is_api(name)}
    assert api and exempt == api | {UNSUBSCRIBE}


def test_every_change_without_a_csrf_token_is_refused(victim, strict_owner):
    swept = 0
    for name, pattern, _route in all_patterns():
        url = victim.url(name, pattern)
        if url is None or _is_api(name) or name == UNSUBSCRIBE:
            continue
        before = tables_checksum()
        for method in UNSAFE:
            response = send_form(strict_owner, method, url)
            assert response.status_code == 403, (name, method, url, response.status_code)
            swept += 1
        assert tables_checksum() == before, (name, url)
    assert swept >= 4 * 80


def test_the_same_change_with_its_csrf_token_goes_through(victim, strict_owner):
    """The control: the refusal above is the CSRF check, not something else about the request."""
    strict_owner.get(reverse("maps:board", args=[victim.journey.pk]))  # sets the CSRF cookie
    token = strict_owner.cookies["csrftoken"].value
    url = reverse("maps:stage_edit", args=[victim.journey.pk, victim.stage.pk])
    data = {"name": "Renamed", "version": victim.stage.version}
    assert strict_owner.post(url, data).status_code == 403
    response = strict_owner.post(url, data, headers={"X-CSRFToken": token})
    assert response.status_code in (200, 302)
    victim.stage.refresh_from_db()
    assert victim.stage.name == "Renamed"


def test_the_api_ignores_a_session_cookie(victim, owner):
    """A signed-in browser that is lured into calling the API carries no token: 401, nothing changed."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    token = get_token(RequestFactory().get("/"))  # even a well-formed CSRF header does not stand in for a token
    for name, pattern, _route in all_patterns():
        if not _is_api(name) or name in ("api:openapi", "api:not_found"):
            continue
        url = victim.url(name, pattern)
        before = tables_checksum()
        statuses = set()
        for method in ("GET", *(m.upper() for m in UNSAFE)):
            response = client.generic(method, url, '{"title": "Forged", "name": "Forged", "version": 1}',
                                      content_type="application/json", headers={"X-CSRFToken": token})
            assert response.status_code in (401, 405), (name, method, url, response.status_code)
            statuses.add(response.status_code)
        assert 401 in statuses, name
        assert tables_checksum() == before, (name, url)
