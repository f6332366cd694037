"""Invitations done right (issue 13): emailed, accepted only with the invited verified email, expiring,
withdrawable, no silent adds, no account enumeration, usernames and names that cannot impersonate."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from core.errors import NotFound, PermissionDenied
from workspaces import services
from workspaces.models import Invitation, Membership, Role

from . import factories


def _invite(owner, workspace, email="new@example.test", role=Role.EDITOR, capture=None) -> Invitation:
    return services.member_invite(actor=owner, workspace=workspace, email=email, role=role)


def test_an_invitation_is_refused_to_an_account_without_the_invited_email(workspace, owner, other_workspace):
    """Finding: an invitation was accepted by whatever account was signed in."""
    invitation = _invite(owner, workspace, email="nurse@example.test")
    stranger = other_workspace.memberships.get().user
    client = Client()
    client.force_login(stranger)
    page = client.get(reverse("workspaces:accept", args=[invitation.token]))
    assert "whose verified email is not nurse@example.test" in page.content.decode()
    response = client.post(reverse("workspaces:accept", args=[invitation.token]))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=stranger, workspace=workspace).exists()
    with pytest.raises(PermissionDenied):
        services.invitation_accept(token=invitation.token, user=stranger)


def test_an_unverified_copy_of_the_invited_email_does_not_accept(workspace, owner):
    invitation = _invite(owner, workspace, email="nurse@example.test")
    pretender = factories.make_user("pretender", email="nurse@example.test", verified=False)
    with pytest.raises(PermissionDenied):
        services.invitation_accept(token=invitation.token, user=pretender)
    assert not Membership.objects.filter(user=pretender, workspace=workspace).exists()


def test_invitations_expire_after_the_set_days(workspace, owner):
    """Finding: invitations never expired."""
    invitation = _invite(owner, workspace)
    assert abs(invitation.expires_at - (timezone.now() + datetime.timedelta(days=7))) < datetime.timedelta(minutes=1)
    with override_settings(INVITATION_EXPIRY_DAYS=2):
        short = _invite(owner, workspace, email="short@example.test")
    assert abs(short.expires_at - (timezone.now() + datetime.timedelta(days=2))) < datetime.timedelta(minutes=1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    url = reverse("workspaces:accept", args=[invitation.token])
    page = Client().get(url)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    signup = Client().post(url, {"username": "late", "password": "a-long-password-42"})
    assert signup.status_code == 410
    assert not get_user_model().objects.filter(username="late").exists()
    with pytest.raises(NotFound):
        services.invitation_accept(token=invitation.token, user=factories.make_user("x", email="new@example.test"))


def test_an_owner_withdraws_an_invitation(owner_client, editor_client, workspace, owner):
    """Finding: invitations could not be withdrawn."""
    invitation = _invite(owner, workspace)
    members_page = owner_client.get(reverse("workspaces:members", args=[workspace.slug])).content.decode()
    withdraw = reverse("workspaces:invitation_withdraw", args=[workspace.slug, invitation.pk])
    assert withdraw in members_page
    assert editor_client.post(withdraw).status_code == 403
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None
    assert owner_client.post(withdraw).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is not None
    assert withdraw not in owner_client.get(reverse("workspaces:members", args=[workspace.slug])).content.decode()
    response = Client().post(reverse("workspaces:accept", args=[invitation.token]),
                             {"username": "newcomer", "password": "a-long-password-42"})
    assert response.status_code == 410
    assert not get_user_model().objects.filter(username="newcomer").exists()


def _invite_answer(client, workspace, email, **headers) -> tuple[int, str]:
    response = client.post(reverse("workspaces:members", args=[workspace.slug]), {"email": email, "role": Role.VIEWER},
                           **headers)
    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r"/invitations/[^/\"<]+/", "/invitations/TOKEN/", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'nonce="[^"]+"', "", html)
    html = re.sub(r"withdraw/\d+|/invitations/\d+/withdraw/", "", html)
    return response.status_code, html


@pytest.mark.parametrize("as_htmx", [False, True])
def test_inviting_an_existing_account_adds_nobody_and_answers_like_any_address(owner_client, workspace, owner,
                                                                                as_htmx, htmx):
    """Findings: an owner typing an existing account's email added it at once without consent and saw its
    name (accounts enumerable by email). Now both get an invitation, and the answer is the same."""
    colleague = factories.make_user("colleague")
    colleague.first_name, colleague.last_name = "Secret", "Name"
    colleague.save()
    headers = htmx if as_htmx else {}
    existing = _invite_answer(owner_client, workspace, colleague.email, **headers)
    unknown = _invite_answer(owner_client, workspace, "nobody-yet@example.test", **headers)
    assert existing[0] == unknown[0] == 200
    assert existing[1].replace("EMAIL", "") .count("Secret Name") == 0
    # Same page but for the pending-invitations list (which now lists one more).
    first_only = re.sub(r'<ul class="invitations">.*?</ul>', "", existing[1], flags=re.S)
    second_only = re.sub(r'<ul class="invitations">.*?</ul>', "", unknown[1], flags=re.S)
    assert first_only == second_only
    assert not Membership.objects.filter(user=colleague, workspace=workspace).exists()
    assert Invitation.objects.filter(workspace=workspace).count() == 2


def test_the_invitation_is_emailed_once_on_commit(workspace, owner, django_capture_on_commit_callbacks):
    """Finding: nothing was ever sent by email; invitations were links to copy."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(owner, workspace, email="nurse@example.test")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nurse@example.test"] and "Acme Health" in message.subject
    assert f"/invitations/{invitation.token}/" in message.body
    from workspaces.tasks import send_invitation

    send_invitation.apply(args=[invitation.pk])  # a second delivery of the task sends nothing
    assert len(mail.outbox) == 1


def test_the_invitation_email_goes_through_a_real_smtp_server(workspace, owner, smtp_server,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(owner, workspace, email="pharmacist@example.test", role=Role.VIEWER)
    [message] = smtp_server.messages()
    assert message["To"] == "pharmacist@example.test"
    assert message["Subject"] == "[Journeymap] Join Acme Health"
    body = message.get_body(("plain",)).get_content()
    assert f"/invitations/{invitation.token}/" in body and "as viewer" in body
    link = re.search(r"https?://\S+/invitations/\S+/", body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    response = client.post(path, {"username": "pharmacist", "first_name": "Pat", "last_name": "Ng",
                                  "password": "a-long-password-42"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="pharmacist")
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.VIEWER
    assert user.emailaddress_set.get().verified  # the link came to that address


@pytest.mark.parametrize("username,why", [
    ("dana okafor", "spaces"),
    ("<b>owner</b>", "markup"),
    ("OWNER", "a case twin of the owner's username"),
    ("Owner", "a case twin of the owner's username"),
    ("dаna", "a Cyrillic letter"),
    ("danaokafor", "the owner's full name"),
])
def test_usernames_that_are_invalid_or_impersonate_are_refused(workspace, owner, username, why):
    """Finding: the join form accepted usernames Django's validator refuses, and look-alikes of members."""
    owner.first_name, owner.last_name = "Dana", "Okafor"
    owner.save()
    invitation = _invite(owner, workspace)
    response = Client().post(reverse("workspaces:accept", args=[invitation.token]),
                             {"username": username, "password": "a-long-password-42"})
    assert response.status_code == 422, why
    assert get_user_model().objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_display_name_impersonating_a_member_is_refused(workspace, owner):
    owner.first_name, owner.last_name = "Dana", "Okafor"
    owner.save()
    invitation = _invite(owner, workspace)
    response = Client().post(reverse("workspaces:accept", args=[invitation.token]),
                             {"username": "newcomer", "first_name": "Dana", "last_name": "Okafor",
                              "password": "a-long-password-42"})
    assert response.status_code == 422
    assert "reads like the name of someone" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()


def test_a_signed_out_invitee_whose_email_has_an_account_is_told_to_sign_in(workspace, owner):
    factories.make_user("nurse", email="nurse@example.test")
    invitation = _invite(owner, workspace, email="nurse@example.test")
    response = Client().post(reverse("workspaces:accept", args=[invitation.token]),
                             {"username": "nurse2", "password": "a-long-password-42"})
    assert response.status_code == 422 and "sign in with it to accept" in response.content.decode()
    assert not get_user_model().objects.filter(username="nurse2").exists()


def test_the_newest_invitation_to_an_address_replaces_the_older_one(workspace, owner):
    first = _invite(owner, workspace)
    second = _invite(owner, workspace, role=Role.VIEWER)
    assert Invitation.objects.get(pk=first.pk).withdrawn_at is not None
    assert Invitation.objects.get(pk=second.pk).is_open
