"""An owner changes a member's role and removes a member; a workspace never ends up without an owner,
even when two owners demote each other at the same moment."""

import threading

import pytest
from django.db import close_old_connections, connection

from core.errors import ApplicationError
from workspaces import services
from workspaces.models import Membership, Role

from .factories import add_member, make_user, make_workspace


def _member(workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


@pytest.mark.parametrize("as_htmx", [False, True])
def test_an_owner_changes_a_role_and_removes_a_member(workspace, editor, viewer, owner_client, htmx, as_htmx):
    headers = htmx if as_htmx else {}
    response = owner_client.post(f"/w/{workspace.slug}/members/{_member(workspace, editor).pk}/role/",
                                 {"role": Role.VIEWER}, **headers)
    assert response.status_code == (200 if as_htmx else 302)
    assert _member(workspace, editor).role == Role.VIEWER
    if as_htmx:
        assert 'id="members"' in response.content.decode() and "<html" not in response.content.decode()
    page = owner_client.get(f"/w/{workspace.slug}/members/").content.decode()
    assert f'id="role-{_member(workspace, viewer).pk}"' in page

    response = owner_client.post(f"/w/{workspace.slug}/members/{_member(workspace, viewer).pk}/remove/", **headers)
    assert response.status_code == (200 if as_htmx else 302)
    assert not Membership.objects.filter(workspace=workspace, user=viewer).exists()


def test_a_bad_role_changes_nothing(workspace, editor, owner_client):
    response = owner_client.post(f"/w/{workspace.slug}/members/{_member(workspace, editor).pk}/role/",
                                 {"role": "admin"})
    assert response.status_code == 400
    assert _member(workspace, editor).role == Role.EDITOR


def test_the_last_owner_can_be_neither_demoted_nor_removed(workspace, owner, owner_client):
    me = _member(workspace, owner)
    assert owner_client.post(f"/w/{workspace.slug}/members/{me.pk}/role/", {"role": Role.EDITOR}).status_code == 400
    assert owner_client.post(f"/w/{workspace.slug}/members/{me.pk}/remove/").status_code == 400
    assert _member(workspace, owner).role == Role.OWNER


def test_editors_and_viewers_get_403_and_other_workspaces_404(workspace, owner, editor, editor_client, viewer_client,
                                                             other_workspace, htmx):
    target = _member(workspace, owner)
    stranger = other_workspace.memberships.get()
    for client in (editor_client, viewer_client):
        for headers in ({}, htmx):
            assert client.post(f"/w/{workspace.slug}/members/{target.pk}/role/", {"role": Role.VIEWER},
                               **headers).status_code == 403
            assert client.post(f"/w/{workspace.slug}/members/{target.pk}/remove/", **headers).status_code == 403
            assert client.post(f"/w/{other_workspace.slug}/members/{stranger.pk}/remove/",
                               **headers).status_code == 404
            assert client.post(f"/w/{workspace.slug}/members/{stranger.pk}/remove/", **headers).status_code == 404
    assert _member(workspace, owner).role == Role.OWNER
    assert other_workspace.memberships.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    assert connection.vendor == "postgresql"
    for _ in range(5):
        first, second = make_user(), make_user()
        workspace = make_workspace(owner=first)
        add_member(workspace, second, role=Role.OWNER)
        barrier = threading.Barrier(2)
        outcomes = []

        def demote(actor, target):
            try:
                barrier.wait()
                services.member_set_role(actor=actor, membership=_member(workspace, target), role=Role.EDITOR)
                outcomes.append("demoted")
            except ApplicationError as error:
                outcomes.append(error.message)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=demote, args=(first, second)),
                   threading.Thread(target=demote, args=(second, first))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # The one refused is refused either way: the other owner's demotion commits first (then it is no
        # longer an owner) or both pass the role check and the workspace lock serialises the last-owner check.
        refused = [outcome for outcome in outcomes if outcome != "demoted"]
        assert outcomes.count("demoted") == 1 and refused in (
            ["A workspace needs at least one owner."], ["Only an owner of this workspace can do that."]), outcomes
        assert Membership.objects.filter(workspace=workspace, role=Role.OWNER).count() == 1
