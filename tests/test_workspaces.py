"""Workspaces, members, roles, invitations and teams."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.errors import ApplicationError, NotFound, PermissionDenied
from workspaces import services
from workspaces.models import DEFAULT_TEAMS, Invitation, Membership, Role, Team, Workspace
from workspaces.selectors import role_require, workspaces_for_user

from . import factories

# --- services ---------------------------------------------------------------------------------


def test_workspace_create_makes_the_creator_owner_with_default_teams(owner):
    workspace = services.workspace_create(owner=owner, name="Bright Clinic")
    assert workspace.slug == "bright-clinic"
    assert Membership.objects.get(workspace=workspace).role == Role.OWNER
    assert list(workspace.teams.values_list("name", flat=True)) == DEFAULT_TEAMS


def test_workspace_slugs_are_unique(owner):
    services.workspace_create(owner=owner, name="Bright Clinic")
    with pytest.raises(ValidationError):
        services.workspace_create(owner=owner, name="Bright Clinic")
    assert Workspace.objects.filter(name="Bright Clinic").count() == 1


def test_invite_an_existing_account_sends_an_invitation_it_must_accept(workspace, owner):
    user = factories.make_user("nurse")
    invitation = services.member_invite(actor=owner, workspace=workspace, email="NURSE@example.test", role=Role.VIEWER)
    assert isinstance(invitation, Invitation) and invitation.email == "nurse@example.test"
    assert not Membership.objects.filter(user=user, workspace=workspace).exists()  # no silent add
    membership = services.invitation_accept(token=invitation.token, user=user)
    assert (membership.user, membership.role) == (user, Role.VIEWER)
    with pytest.raises(ApplicationError, match="already a member"):
        services.member_invite(actor=owner, workspace=workspace, email=user.email, role=Role.EDITOR)
    assert Membership.objects.get(user=user).role == Role.VIEWER


def test_invite_someone_without_an_account_then_accept_once(workspace, owner):
    invitation = services.member_invite(actor=owner, workspace=workspace, email="new@example.test", role=Role.EDITOR)
    assert isinstance(invitation, Invitation) and invitation.token
    user = factories.make_user("newcomer", email="new@example.test")
    membership = services.invitation_accept(token=invitation.token, user=user)
    assert (membership.workspace, membership.role) == (workspace, Role.EDITOR)
    with pytest.raises(NotFound):
        services.invitation_accept(token=invitation.token, user=factories.make_user())


def test_only_owners_invite_and_set_roles(workspace, editor, viewer, other_workspace):
    stranger = other_workspace.memberships.get().user
    for actor, error in ((editor, PermissionDenied), (viewer, PermissionDenied), (stranger, NotFound)):
        with pytest.raises(error):
            services.member_invite(actor=actor, workspace=workspace, email="x@example.test", role=Role.OWNER)
        with pytest.raises(error):
            services.member_set_role(actor=actor, membership=Membership.objects.get(user=viewer), role=Role.OWNER)
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user=viewer).role == Role.VIEWER


def test_bad_roles_are_refused(workspace, owner, editor):
    with pytest.raises(ApplicationError):
        services.member_invite(actor=owner, workspace=workspace, email="x@example.test", role="admin")
    with pytest.raises(ApplicationError):
        services.member_set_role(actor=owner, membership=Membership.objects.get(user=editor), role="admin")
    assert Membership.objects.get(user=editor).role == Role.EDITOR


def test_set_role_and_the_last_owner_stays(workspace, owner, editor):
    services.member_set_role(actor=owner, membership=Membership.objects.get(user=editor), role=Role.VIEWER)
    assert Membership.objects.get(user=editor).role == Role.VIEWER
    with pytest.raises(ApplicationError, match="at least one owner"):
        services.member_set_role(actor=owner, membership=Membership.objects.get(user=owner), role=Role.EDITOR)
    assert Membership.objects.get(user=owner).role == Role.OWNER

    services.member_set_role(actor=owner, membership=Membership.objects.get(user=editor), role=Role.OWNER)
    services.member_set_role(actor=owner, membership=Membership.objects.get(user=owner), role=Role.EDITOR)
    assert Membership.objects.get(user=owner).role == Role.EDITOR


def test_team_create_by_editors_only_with_unique_names(workspace, editor, viewer):
    team = services.team_create(actor=editor, workspace=workspace, name="  Pharmacy ")
    assert team.name == "Pharmacy" and team.position == len(DEFAULT_TEAMS)
    with pytest.raises(ValidationError):
        services.team_create(actor=editor, workspace=workspace, name="Pharmacy")
    with pytest.raises(PermissionDenied):
        services.team_create(actor=viewer, workspace=workspace, name="Billing")
    assert workspace.teams.count() == len(DEFAULT_TEAMS) + 1


def test_role_require_and_workspaces_for_user(workspace, owner, editor, viewer, other_workspace):
    assert role_require(user=editor, workspace_id=workspace.pk).role == Role.EDITOR
    assert role_require(user=viewer, workspace_id=workspace.pk, roles=set(Role)).role == Role.VIEWER
    with pytest.raises(PermissionDenied):
        role_require(user=editor, workspace_id=workspace.pk, roles={Role.OWNER})
    with pytest.raises(NotFound):
        role_require(user=editor, workspace_id=other_workspace.pk)
    assert list(workspaces_for_user(user=viewer)) == [workspace]


# --- views ----------------------------------------------------------------------------------------


def test_workspace_create_view(owner_client, owner):
    assert owner_client.get(reverse("workspaces:create")).status_code == 200
    response = owner_client.post(reverse("workspaces:create"), {"name": "Bright Clinic"})
    assert response.status_code == 302 and response["Location"] == reverse("maps:list")
    assert Membership.objects.get(workspace__slug="bright-clinic").user == owner

    again = owner_client.post(reverse("workspaces:create"), {"name": "Bright Clinic"})
    assert again.status_code == 422
    assert Workspace.objects.filter(slug="bright-clinic").count() == 1
    assert owner_client.post(reverse("workspaces:create"), {"name": ""}).status_code == 422


def test_members_page_lists_members_and_teams(owner_client, workspace, editor, viewer):
    html = owner_client.get(reverse("workspaces:members", args=[workspace.slug])).content.decode()
    for name in ("owner", "editor", "viewer", "Marketing", "Compliance/Legal"):
        assert name in html


def test_owner_invites_by_email_and_gets_a_link(owner_client, workspace):
    response = owner_client.post(reverse("workspaces:members", args=[workspace.slug]),
                                 {"email": "new@example.test", "role": Role.EDITOR})
    invitation = Invitation.objects.get(email="new@example.test")
    assert response.status_code == 200
    assert reverse("workspaces:accept", args=[invitation.token]) in response.content.decode()


def test_owner_invites_an_existing_user_who_must_accept(owner_client, workspace):
    user = factories.make_user("clinician")
    response = owner_client.post(reverse("workspaces:members", args=[workspace.slug]),
                                 {"email": user.email, "role": Role.VIEWER})
    assert response.status_code == 200
    assert "Invitation emailed to clinician@example.test" in response.content.decode()
    assert not Membership.objects.filter(user=user, workspace=workspace).exists()
    assert Invitation.objects.get(email=user.email).role == Role.VIEWER


def test_invalid_invitation_answers_422(owner_client, workspace):
    response = owner_client.post(reverse("workspaces:members", args=[workspace.slug]),
                                 {"email": "not-an-email", "role": Role.EDITOR})
    assert response.status_code == 422
    assert not Invitation.objects.exists()


def test_editor_cannot_invite(editor_client, workspace):
    response = editor_client.post(reverse("workspaces:members", args=[workspace.slug]),
                                  {"email": "new@example.test", "role": Role.OWNER})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_team_create_view(editor_client, viewer_client, workspace):
    url = reverse("workspaces:team_create", args=[workspace.slug])
    response = editor_client.post(url, {"name": "Pharmacy"})
    assert response.status_code == 302
    assert Team.objects.filter(workspace=workspace, name="Pharmacy").exists()
    duplicate = editor_client.post(url, {"name": "Pharmacy"})
    assert duplicate.status_code == 422
    assert viewer_client.post(url, {"name": "Billing"}).status_code == 403
    assert workspace.teams.count() == len(DEFAULT_TEAMS) + 1


def test_accept_an_invitation_with_a_new_account(workspace, owner):
    invitation = services.member_invite(actor=owner, workspace=workspace, email="new@example.test", role=Role.EDITOR)
    client = Client()
    url = reverse("workspaces:accept", args=[invitation.token])
    assert client.get(url).status_code == 200

    weak = client.post(url, {"username": "newcomer", "password": "12345678"})
    assert weak.status_code == 422
    assert not get_user_model().objects.filter(username="newcomer").exists()

    response = client.post(url, {"username": "newcomer", "password": "a-long-password-42"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newcomer")
    assert user.email == "new@example.test"
    assert Membership.objects.get(user=user).role == Role.EDITOR
    # Signed in straight away.
    assert client.get(reverse("maps:list")).status_code == 200
    assert client.get(url).status_code == 410


def test_signed_in_user_accepts_an_invitation_sent_to_their_email(workspace, owner, other_workspace):
    stranger = other_workspace.memberships.get().user
    invitation = services.member_invite(actor=owner, workspace=workspace, email=stranger.email, role=Role.VIEWER)
    client = Client()
    client.force_login(stranger)
    response = client.post(reverse("workspaces:accept", args=[invitation.token]))
    assert response.status_code == 302
    assert Membership.objects.get(user=stranger, workspace=workspace).role == Role.VIEWER
