"""The workspace's own record (issue 12): every change to the stakeholder registry, members, invitations
and API tokens leaves exactly one entry, with its actor, kind and values, in the same transaction; owners
and editors read it on the workspace activity page, viewers get 403, other workspaces 404."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from stakeholders.models import Stakeholder
from workspaces.models import Invitation, Membership, Role, WorkspaceChange
from workspaces.services import member_invite

from .factories import add_member, make_user


def _only_change(workspace, **where) -> WorkspaceChange:
    changes = list(WorkspaceChange.objects.filter(workspace=workspace, **where))
    assert len(changes) == 1, changes
    return changes[0]


def _activity(workspace) -> str:
    return reverse("workspaces:activity", args=[workspace.slug])


def _headers(as_htmx, htmx):
    return htmx if as_htmx else {}


@pytest.mark.parametrize("as_htmx", [False, True])
def test_adding_and_editing_a_stakeholder_is_recorded(editor_client, editor, workspace, htmx, as_htmx):
    response = editor_client.post(reverse("stakeholders:registry", args=[workspace.slug]),
                                  {"role": "Pharmacist", "group": "clinical", "concerns": "accuracy"},
                                  **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    stakeholder = Stakeholder.objects.get(workspace=workspace, role="Pharmacist")
    created = _only_change(workspace, entity="stakeholder", action="created")
    assert (created.actor, created.entity_id, created.label) == (editor, stakeholder.pk, "Pharmacist")
    assert created.after == {"Role": "Pharmacist", "Group": "Clinical", "Primary concerns": "accuracy"}

    response = editor_client.post(reverse("stakeholders:edit", args=[workspace.slug, stakeholder.pk]),
                                  {"role": "Pharmacist", "group": "clinical", "concerns": "accuracy, speed",
                                   "version": stakeholder.version}, **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)  # HTMX: HX-Redirect
    edited = _only_change(workspace, entity="stakeholder", action="edited")
    assert edited.actor == editor and edited.entity_id == stakeholder.pk
    assert (edited.before, edited.after) == ({"Primary concerns": "accuracy"}, {"Primary concerns": "accuracy, speed"})

    page = editor_client.get(_activity(workspace)).content.decode()
    assert "Edited stakeholder “Pharmacist”" in page and "Primary concerns" in page and "accuracy, speed" in page
    entry = page.split(f'id="workspace-change-{edited.pk}"')[1].split("</li>")[0]
    assert "<span>Primary concerns</span>" in entry  # the field's label, not its name
    assert "<span>Role</span>" not in entry and "<span>Group</span>" not in entry  # only what changed


def test_a_refused_stakeholder_leaves_no_entry(viewer_client, editor_client, workspace):
    viewer_client.post(reverse("stakeholders:registry", args=[workspace.slug]), {"role": "X", "group": "it"})
    editor_client.post(reverse("stakeholders:registry", args=[workspace.slug]), {"role": "X", "group": "wizards"})
    assert not WorkspaceChange.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("as_htmx", [False, True])
def test_role_changes_and_removals_are_recorded(workspace, owner, editor, viewer, owner_client, htmx, as_htmx):
    membership = Membership.objects.get(workspace=workspace, user=editor)
    response = owner_client.post(reverse("workspaces:member_role", args=[workspace.slug, membership.pk]),
                                 {"role": Role.VIEWER}, **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    change = _only_change(workspace, entity="member", action="edited")
    assert (change.actor, change.entity_id, change.label) == (owner, editor.pk, "editor")
    assert (change.before, change.after) == ({"Role": "Editor"}, {"Role": "Viewer"})

    gone = Membership.objects.get(workspace=workspace, user=viewer)
    owner_client.post(reverse("workspaces:member_remove", args=[workspace.slug, gone.pk]), **_headers(as_htmx, htmx))
    change = _only_change(workspace, entity="member", action="removed")
    assert (change.actor, change.entity_id, change.before) == (owner, viewer.pk, {"Role": "Viewer"})


def test_a_refused_role_change_leaves_no_entry(workspace, owner, owner_client):
    membership = Membership.objects.get(workspace=workspace, user=owner)
    assert owner_client.post(reverse("workspaces:member_role", args=[workspace.slug, membership.pk]),
                             {"role": Role.VIEWER}).status_code == 400
    assert Membership.objects.get(pk=membership.pk).role == Role.OWNER
    assert not WorkspaceChange.objects.filter(workspace=workspace).exists()


def test_invitations_sent_accepted_and_withdrawn_are_recorded(workspace, owner, owner_client):
    response = owner_client.post(reverse("workspaces:members", args=[workspace.slug]),
                                 {"email": "nurse@example.test", "role": Role.EDITOR})
    assert response.status_code == 200
    invitation = Invitation.objects.get(workspace=workspace, email="nurse@example.test")
    sent = _only_change(workspace, entity="invitation", action="sent")
    assert (sent.actor, sent.entity_id, sent.label, sent.after) == (
        owner, invitation.pk, "nurse@example.test", {"Role": "Editor"})

    nurse = make_user("nurse", email="nurse@example.test")
    client = Client()
    client.force_login(nurse)
    assert client.post(reverse("workspaces:accept", args=[invitation.token])).status_code == 302
    accepted = _only_change(workspace, entity="invitation", action="accepted")
    assert (accepted.actor, accepted.entity_id, accepted.after) == (
        nurse, invitation.pk, {"Member": "nurse", "Role": "Editor"})

    other = member_invite(actor=owner, workspace=workspace, email="late@example.test", role=Role.VIEWER)
    assert owner_client.post(reverse("workspaces:invitation_withdraw", args=[workspace.slug, other.pk])
                             ).status_code == 302
    withdrawn = _only_change(workspace, entity="invitation", action="withdrawn")
    assert (withdrawn.actor, withdrawn.entity_id, withdrawn.label) == (owner, other.pk, "late@example.test")
    # Withdrawing again changes nothing, so records nothing.
    owner_client.post(reverse("workspaces:invitation_withdraw", args=[workspace.slug, other.pk]))
    assert WorkspaceChange.objects.filter(workspace=workspace, action="withdrawn").count() == 1


@pytest.mark.parametrize("as_htmx", [False, True])
def test_api_tokens_are_recorded_in_each_workspace_of_their_person(workspace, editor, editor_client,
                                                                   other_workspace, htmx, as_htmx):
    add_member(other_workspace, editor, Role.VIEWER)
    response = editor_client.post(reverse("api_tokens:list"), {"name": "Nightly sync"}, **_headers(as_htmx, htmx))
    assert response.status_code == 201
    token = ApiToken.objects.get(user=editor)
    for space in (workspace, other_workspace):
        created = _only_change(space, entity="api_token", action="created")
        assert (created.actor, created.entity_id) == (editor, token.pk)
        assert created.label == f"Nightly sync ({token.prefix}…)"
    response = editor_client.post(reverse("api_tokens:revoke", args=[token.pk]), **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    for space in (workspace, other_workspace):
        assert _only_change(space, entity="api_token", action="revoked").actor == editor
    assert "secret" not in str(WorkspaceChange.objects.values_list("before", "after", "label"))


def test_owners_and_editors_read_the_activity_viewers_get_403(workspace, owner_client, editor_client,
                                                              viewer_client, htmx):
    assert owner_client.get(_activity(workspace)).status_code == 200
    assert editor_client.get(_activity(workspace)).status_code == 200
    assert viewer_client.get(_activity(workspace)).status_code == 403
    assert viewer_client.get(_activity(workspace), **htmx).status_code == 403
    # Linked from the members page and the maps list for those who may read it, not for viewers.
    assert _activity(workspace) in owner_client.get(reverse("workspaces:members", args=[workspace.slug])).content.decode()
    assert _activity(workspace) in editor_client.get(reverse("maps:list")).content.decode()
    assert _activity(workspace) not in viewer_client.get(reverse("maps:list")).content.decode()
    assert _activity(workspace) not in viewer_client.get(
        reverse("workspaces:members", args=[workspace.slug])).content.decode()


def test_another_workspaces_activity_is_404(owner_client, other_workspace, htmx):
    assert owner_client.get(_activity(other_workspace)).status_code == 404
    assert owner_client.get(_activity(other_workspace), **htmx).status_code == 404
    assert Client().get(_activity(other_workspace)).status_code == 302


def test_the_activity_filters_by_person_kind_and_date(workspace, owner, editor, owner_client, editor_client, htmx):
    owner_client.post(reverse("workspaces:members", args=[workspace.slug]),
                      {"email": "nurse@example.test", "role": Role.VIEWER})
    editor_client.post(reverse("stakeholders:registry", args=[workspace.slug]), {"role": "Courier", "group": "it"})
    page = owner_client.get(_activity(workspace)).content.decode()
    assert "Sent invitation “nurse@example.test”" in page and "Created stakeholder “Courier”" in page

    by_editor = owner_client.get(_activity(workspace), {"actor": editor.pk}).content.decode()
    assert "Courier" in by_editor and "nurse@example.test" not in by_editor
    invitations = owner_client.get(_activity(workspace), {"entity": "invitation"}, **htmx)
    body = invitations.content.decode()
    assert invitations.status_code == 200 and "<html" not in body and 'id="changes"' in body
    assert "nurse@example.test" in body and "Courier" not in body
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()
    later = owner_client.get(_activity(workspace), {"since": tomorrow}).content.decode()
    assert "Courier" not in later and "match these filters" in later
    today = datetime.date.today().isoformat()
    assert "Courier" in owner_client.get(_activity(workspace), {"since": today, "until": today}).content.decode()


# --- teams and workspace settings -------------------------------------------------------------------


def _team_post(client, workspace, action, team, data, as_htmx, htmx):
    return client.post(reverse(f"workspaces:team_{action}", args=[workspace.slug, team.pk]), data,
                       **_headers(as_htmx, htmx))


@pytest.mark.parametrize("as_htmx", [False, True])
def test_teams_created_renamed_and_deleted_are_recorded(workspace, editor, editor_client, htmx, as_htmx):
    from workspaces.models import Team

    response = editor_client.post(reverse("workspaces:team_create", args=[workspace.slug]), {"name": "Pharmacy"})
    assert response.status_code == 302
    team = Team.objects.get(workspace=workspace, name="Pharmacy")
    created = _only_change(workspace, entity="team", action="created")
    assert (created.actor, created.entity_id, created.after) == (editor, team.pk, {"Name": "Pharmacy"})

    response = _team_post(editor_client, workspace, "rename", team, {"name": "Pharmacy desk", "version": 1},
                          as_htmx, htmx)
    assert response.status_code == (200 if as_htmx else 302)
    if as_htmx:
        assert 'id="teams"' in response.content.decode() and "Pharmacy desk" in response.content.decode()
    renamed = _only_change(workspace, entity="team", action="edited")
    assert (renamed.before, renamed.after, renamed.label) == ({"Name": "Pharmacy"}, {"Name": "Pharmacy desk"},
                                                             "Pharmacy desk")
    # A rename from a stale page is a conflict and records nothing.
    response = _team_post(editor_client, workspace, "rename", team, {"name": "Other", "version": 1}, as_htmx, htmx)
    assert response.status_code == 409 and "changed the team" in response.content.decode()
    assert Team.objects.get(pk=team.pk).name == "Pharmacy desk"

    response = _team_post(editor_client, workspace, "delete", team, {"version": 2}, as_htmx, htmx)
    assert response.status_code == (200 if as_htmx else 302)
    assert not Team.objects.filter(pk=team.pk).exists()
    deleted = _only_change(workspace, entity="team", action="deleted")
    assert (deleted.actor, deleted.before) == (editor, {"Name": "Pharmacy desk"})
    page = editor_client.get(_activity(workspace)).content.decode()
    assert "Pharmacy desk" in page


@pytest.mark.parametrize("as_htmx", [False, True])
def test_a_team_that_owns_cards_is_not_deleted_even_if_they_are_deleted(workspace, owner, journey, owner_client,
                                                                          htmx, as_htmx):
    from maps import services as map_services
    from workspaces.models import Team

    from .factories import make_card

    team = workspace.teams.first()
    card = make_card(journey, owner, title="Owned", owner_team=team)
    map_services.card_delete(actor=owner, card=card, version=card.version)  # it can come back, with its owner
    response = _team_post(owner_client, workspace, "delete", team, {"version": team.version}, as_htmx, htmx)
    assert response.status_code == 422
    assert "The team “Marketing” still owns 1 card (deleted ones included" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
    assert not WorkspaceChange.objects.filter(workspace=workspace, entity="team").exists()


@pytest.mark.parametrize("as_htmx", [False, True])
def test_viewers_cannot_change_teams(workspace, viewer_client, htmx, as_htmx):
    team = workspace.teams.first()
    for action, data in [("rename", {"name": "Mine", "version": 1}), ("delete", {"version": 1})]:
        assert _team_post(viewer_client, workspace, action, team, data, as_htmx, htmx).status_code == 403
    assert not WorkspaceChange.objects.filter(workspace=workspace).exists()


def test_requiring_two_factor_sign_in_is_recorded(workspace, owner, owner_client):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=owner, type=Authenticator.Type.TOTP, data={})
    assert owner_client.post(reverse("workspaces:two_factor", args=[workspace.slug]),
                             {"require_two_factor": "on"}).status_code == 302
    change = _only_change(workspace, entity="setting")
    assert (change.actor, change.action, change.label) == (owner, "edited", "Two-factor sign-in")
    assert (change.before, change.after) == ({"Two-factor sign-in": "Not required"},
                                             {"Two-factor sign-in": "Required"})
    # Saving the same value again records nothing.
    from workspaces.services import workspace_require_two_factor

    workspace_require_two_factor(actor=owner, workspace=workspace, required=True)
    assert WorkspaceChange.objects.filter(workspace=workspace, entity="setting").count() == 1


@pytest.mark.parametrize("as_htmx", [False, True])
def test_changing_the_small_count_threshold_is_recorded(workspace, owner, owner_client, htmx, as_htmx):
    response = owner_client.post(reverse("diagnostics:settings", args=[workspace.slug]),
                                 {"small_count_threshold": 20}, **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    change = _only_change(workspace, entity="setting")
    assert (change.actor, change.label, change.before, change.after) == (
        owner, "Small-count threshold", {"Small-count threshold": "11"}, {"Small-count threshold": "20"})
    page = owner_client.get(_activity(workspace)).content.decode()
    assert "Small-count threshold" in page


# --- personas and saved templates (workspace things outside any map) -----------------------------------


@pytest.mark.parametrize("as_htmx", [False, True])
def test_personas_added_and_edited_are_recorded(workspace, editor, editor_client, htmx, as_htmx):
    from portfolio.models import Persona

    url = reverse("portfolio:personas", args=[workspace.slug])
    response = editor_client.post(url, {"name": "Maria, returning patient", "goals": "Fewer trips",
                                        "avatar": "leaf"}, **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    persona = Persona.objects.get(workspace=workspace)
    created = _only_change(workspace, entity="persona", action="created")
    assert (created.actor, created.entity_id, created.label) == (editor, persona.pk, "Maria, returning patient")
    assert created.after["Goals"] == "Fewer trips"

    response = editor_client.post(reverse("portfolio:persona_edit", args=[workspace.slug, persona.pk]),
                                  {"name": "Maria, returning patient", "goals": "No trips", "avatar": "leaf",
                                   "version": 1}, **_headers(as_htmx, htmx))
    assert response.status_code == (200 if as_htmx else 302)
    edited = _only_change(workspace, entity="persona", action="edited")
    assert (edited.before, edited.after) == ({"Goals": "Fewer trips"}, {"Goals": "No trips"})


def test_a_saved_template_is_recorded(workspace, owner, journey, owner_client):
    response = owner_client.post(reverse("portfolio:template_save", args=[journey.pk]), {"name": "Our intake"})
    assert response.status_code in (200, 302)
    change = _only_change(workspace, entity="map_template", action="created")
    assert (change.actor, change.label, change.after) == (owner, "Our intake", {"From map": journey.title})
