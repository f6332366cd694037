"""API tokens: created and revoked on the signed-in person's page, checked on every API call."""

import pytest
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_authenticate, api_token_create, api_token_revoke
from core.errors import NotAuthenticated, NotFound

PAGE = "/account/api-tokens/"


def test_secret_is_shown_once_and_stored_only_as_a_digest(owner):
    token, secret = api_token_create(user=owner, name="CI export")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("jm_") and len(secret) > 40
    assert secret not in (stored.secret_digest, stored.prefix) and secret.startswith(stored.prefix)
    assert api_token_authenticate(secret=secret) == owner
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None


def test_revoked_or_unknown_secret_is_refused(owner):
    token, secret = api_token_create(user=owner, name="old")
    api_token_revoke(user=owner, token_id=token.pk)
    with pytest.raises(NotAuthenticated):
        api_token_authenticate(secret=secret)
    with pytest.raises(NotAuthenticated):
        api_token_authenticate(secret=secret + "x")


def test_token_of_a_deactivated_user_is_refused(owner):
    _token, secret = api_token_create(user=owner, name="old")
    owner.is_active = False
    owner.save()
    with pytest.raises(NotAuthenticated):
        api_token_authenticate(secret=secret)


def test_nobody_revokes_another_persons_token(owner, editor):
    token, _secret = api_token_create(user=owner, name="mine")
    with pytest.raises(NotFound):
        api_token_revoke(user=editor, token_id=token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_page_lists_only_my_tokens(owner_client, owner, editor):
    api_token_create(user=owner, name="Reporting script")
    api_token_create(user=editor, name="Someone else's")
    response = owner_client.get(PAGE)
    assert response.status_code == 200
    assert b"Reporting script" in response.content and b"Someone else" not in response.content


def test_create_shows_the_secret_once_as_full_page_and_fragment(owner_client, owner, htmx):
    response = owner_client.post(PAGE, {"name": "Full page"})
    assert response.status_code == 201 and b"<html" in response.content
    secret = response.context["new_secret"]
    assert secret.encode() in response.content
    assert api_token_authenticate(secret=secret) == owner
    fragment = owner_client.post(PAGE, {"name": "Fragment"}, **htmx)
    assert fragment.status_code == 201 and b"<html" not in fragment.content
    assert b'id="api-tokens"' in fragment.content and fragment.context["new_secret"].encode() in fragment.content
    listed = owner_client.get(PAGE)
    assert secret.encode() not in listed.content  # never shown again


def test_create_needs_a_name(owner_client):
    response = owner_client.post(PAGE, {"name": ""})
    assert response.status_code == 422 and not ApiToken.objects.exists()


def test_revoke_as_plain_form_and_fragment(owner_client, owner, htmx):
    first, _ = api_token_create(user=owner, name="first")
    second, _ = api_token_create(user=owner, name="second")
    response = owner_client.post(reverse("api_tokens:revoke", args=[first.pk]))
    assert response.status_code == 302 and response.url == PAGE
    fragment = owner_client.post(reverse("api_tokens:revoke", args=[second.pk]), **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"revoked" in fragment.content
    assert ApiToken.objects.filter(revoked_at=None).count() == 0


def test_revoking_another_persons_token_is_404(editor_client, owner):
    token, _ = api_token_create(user=owner, name="mine")
    assert editor_client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_signed_out_goes_to_login(client, owner):
    token, _ = api_token_create(user=owner, name="mine")
    for response in (client.get(PAGE), client.post(reverse("api_tokens:revoke", args=[token.pk]))):
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_page_needs_csrf_like_every_page(owner):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert client.post(PAGE, {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()

