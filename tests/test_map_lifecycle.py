"""A map's life: archived maps leave the list (a filter shows them); a deleted map leaves every read
and comes back whole from "Deleted maps"."""

import pytest

from comments import services as comment_services
from compliance.models import Checkpoint
from maps import services
from maps.models import Card, Deletion, Journey, LaneKind
from workshop import services as workshop_services

from .factories import make_card, make_journey
from .healthcare import make_checkpoint
from .test_deletions import dump


def test_archived_maps_leave_the_list_and_the_filter_shows_them(workspace, owner, journey, editor_client):
    other = make_journey(workspace, owner, title="Old pilot")
    services.journey_update(actor=owner, journey=other, version=1, data={"status": "archived"})
    page = editor_client.get("/maps/").content.decode()
    assert journey.title in page and "Old pilot" not in page and "Show archived maps (1)" in page
    archived = editor_client.get("/maps/?archived=1").content.decode()
    assert "Old pilot" in archived and f'href="/maps/{journey.pk}/"' not in archived
    assert editor_client.get(f"/maps/{other.pk}/").status_code == 200  # archived, not gone


@pytest.mark.parametrize("as_htmx", [False, True])
def test_a_deleted_map_leaves_every_read_and_comes_back_whole(workspace, owner, editor, journey, editor_client,
                                                             htmx, as_htmx):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    make_checkpoint(journey, owner, title="Consent recorded", touchpoint=card)
    comment_services.comment_create(actor=editor, journey=journey, target=card, body="Check this")
    link = workshop_services.share_link_create(actor=owner, journey=journey, label="Projector")
    before = dump(journey)
    headers = htmx if as_htmx else {}

    page = editor_client.get(f"/maps/{journey.pk}/delete/journey/{journey.pk}/").content.decode()
    assert "Delete the map “Telehealth journey”?" in page or "Delete the map" in page
    assert "<strong>1</strong> checkpoint" in page and "<strong>1</strong> share link" in page
    response = editor_client.post(f"/maps/{journey.pk}/delete/journey/{journey.pk}/", {"version": 1}, **headers)
    assert response.status_code == 200 if as_htmx else 302
    assert editor_client.get(f"/maps/{journey.pk}/").status_code == 404
    assert f"/maps/{journey.pk}/" not in editor_client.get("/maps/").content.decode()
    assert not Checkpoint.objects.filter(workspace=workspace).exists()
    assert not Card.objects.filter(journey_id=journey.pk).exists()
    assert editor_client.get(f"/api/v1/maps/{journey.pk}/").status_code in (401, 404)
    from workshop.models import ShareLink
    assert not ShareLink.objects.filter(pk=link.pk).exists()

    deleted = editor_client.get(f"/w/{workspace.slug}/maps/deleted/").content.decode()
    deletion = Deletion.objects.get(entity="journey", entity_id=journey.pk)
    assert f'id="deleted-map-{deletion.pk}"' in deleted
    response = editor_client.post(f"/w/{workspace.slug}/maps/deleted/{deletion.pk}/restore/", **headers)
    assert response.status_code == 200 if as_htmx else 302
    assert dump(journey) == before
    assert editor_client.get(f"/maps/{journey.pk}/").status_code == 200
    assert Journey.objects.get(pk=journey.pk).changes.filter(action="restore", entity="journey").exists()


def test_deleted_maps_are_refused_to_viewers_and_hidden_from_other_workspaces(
        workspace, owner, journey, viewer_client, other_workspace, editor_client, htmx):
    deletion = services.journey_delete(actor=owner, journey=journey, version=1)
    for headers in ({}, htmx):
        assert viewer_client.post(f"/maps/{journey.pk}/delete/journey/{journey.pk}/", {"version": 1},
                                  **headers).status_code == 404  # already gone
        assert viewer_client.post(f"/w/{workspace.slug}/maps/deleted/{deletion.pk}/restore/",
                                  **headers).status_code == 403
        assert editor_client.get(f"/w/{other_workspace.slug}/maps/deleted/", **headers).status_code == 404
        assert editor_client.post(f"/w/{other_workspace.slug}/maps/deleted/{deletion.pk}/restore/",
                                  **headers).status_code == 404
    assert Deletion.objects.get(pk=deletion.pk).restored_at is None


def test_a_viewer_cannot_delete_a_map(journey, viewer_client, htmx):
    for headers in ({}, htmx):
        assert viewer_client.get(f"/maps/{journey.pk}/delete/journey/{journey.pk}/", **headers).status_code == 403
        assert viewer_client.post(f"/maps/{journey.pk}/delete/journey/{journey.pk}/", {"version": 1},
                                  **headers).status_code == 403
    assert Journey.objects.filter(pk=journey.pk).exists()
