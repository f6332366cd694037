"""Changing stages, lanes and cards through the API: the board's services, its version
checks (409 with the current row) and its scoping; a refused request changes nothing."""

import pytest

from maps.models import Card, Journey, LaneKind
from maps.services import card_update, stage_update
from maps.signals import journey_changed
from tests import factories
from tests.api import assert_matches, client_for
from tests.factories import map_state


@pytest.fixture
def api(editor):
    return client_for(editor)


def test_create_and_rename_a_stage(api, journey):
    created = api.post(f"/api/maps/{journey.pk}/stages/", {"name": "Aftercare", "description": "Follow-up"})
    assert created.status_code == 201
    stage = created.json()
    assert_matches(stage, "Stage")
    assert stage["position"] == journey.stages.count() - 1 and stage["version"] == 1
    renamed = api.patch(f"/api/stages/{stage['id']}/", {"version": 1, "name": "Aftercare & follow-up"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Aftercare & follow-up" and renamed.json()["version"] == 2


def test_move_a_stage_by_position(api, journey):
    last = journey.stages.last()
    response = api.patch(f"/api/stages/{last.pk}/", {"version": last.version, "position": 0})
    assert response.status_code == 200 and response.json()["position"] == 0
    assert journey.stages.first().pk == last.pk
    factories.assert_map_positions_contiguous(journey)


def test_create_and_edit_a_lane(api, journey):
    created = api.post(f"/api/maps/{journey.pk}/lanes/", {"name": "Backstage", "kind": "backstage"})
    assert created.status_code == 201 and created.json()["kind"] == "backstage"
    assert_matches(created.json(), "Lane")
    lane = created.json()
    moved = api.patch(f"/api/lanes/{lane['id']}/", {"version": 1, "name": "Systems", "position": 0})
    assert moved.status_code == 200
    assert moved.json() == {"id": lane["id"], "name": "Systems", "kind": "backstage", "position": 0, "version": 3}


def test_create_a_card_of_the_lanes_kind_with_its_own_fields(api, journey, workspace):
    stage, lane = journey.stages.first(), factories.lane_of(journey, LaneKind.TOUCHPOINTS)
    team = workspace.teams.get(name="Support")
    response = api.post(f"/api/maps/{journey.pk}/cards/", {
        "kind": "touchpoints", "stage": stage.pk, "lane": lane.pk, "title": "Reminder SMS",
        "channel": "sms", "expectation": "A reminder", "experience": "Nothing arrives", "owner_team": team.pk,
        "needs_legal_review": True,
    })
    assert response.status_code == 201, response.json()
    card = response.json()
    assert_matches(card, "Card")
    assert card["channel"] == "sms" and card["owner_team"] == team.pk and card["needs_legal_review"] is True
    assert Card.objects.get(pk=card["id"]).touchpoint.experience == "Nothing arrives"


def test_a_card_whose_kind_does_not_match_its_lane_is_refused_and_nothing_is_saved(api, journey):
    before = map_state(journey)
    response = api.post(f"/api/maps/{journey.pk}/cards/", {
        "kind": "notes", "stage": journey.stages.first().pk,
        "lane": factories.lane_of(journey, LaneKind.FRICTION).pk, "title": "Wrong lane"})
    assert response.status_code == 400 and "kind" in response.json()["fields"]
    assert map_state(journey) == before


def test_edit_a_transition_and_move_it_in_one_request(api, journey, editor, workspace):
    card = factories.make_card(journey, editor, kind=LaneKind.HANDOFFS, title="Intake to clinician")
    target = journey.stages.all()[2]
    teams = workspace.teams.all()
    response = api.patch(f"/api/cards/{card.pk}/", {
        "version": card.version, "risk": "high", "observed_dropoff": 12.5, "from_team": teams[0].pk,
        "to_team": teams[1].pk, "to_stage": target.pk, "stage": target.pk,
    })
    assert response.status_code == 200, response.json()
    data = response.json()
    assert_matches(data, "Card")
    assert data["risk"] == "high" and data["observed_dropoff"] == 12.5 and data["stage"] == target.pk
    assert data["to_stage"] == target.pk and data["position"] == 0 and data["version"] == card.version + 2
    factories.assert_map_positions_contiguous(journey)


def test_a_user_states_confidence_is_bounded(api, journey, editor):
    card = factories.make_card(journey, editor, kind=LaneKind.USER_STATE, title="Worried")
    before = map_state(journey)
    response = api.patch(f"/api/cards/{card.pk}/", {"version": 1, "confidence": 6})
    assert response.status_code == 400 and response.json()["fields"]["confidence"] == ["At most 5."]
    assert map_state(journey) == before
    assert api.patch(f"/api/cards/{card.pk}/", {"version": 1, "confidence": -5}).status_code == 200


def test_stale_card_save_is_409_with_the_current_card_and_changes_nothing(api, journey, owner):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Long form")
    card_update(actor=owner, card=card, version=1, data={"title": "Long intake form"})
    before = map_state(journey)
    response = api.patch(f"/api/cards/{card.pk}/", {"version": 1, "title": "Mine", "severity": "high"})
    assert response.status_code == 409
    body = response.json()
    assert_matches(body, "CardConflict")
    assert body["current"]["title"] == "Long intake form" and body["current"]["version"] == 2
    assert body["current"]["kind"] == "friction" and "severity" in body["current"]
    assert map_state(journey) == before


def test_stale_stage_save_is_409_with_the_current_stage(api, journey, owner):
    stage = journey.stages.first()
    stage_update(actor=owner, stage=stage, version=1, data={"name": "Theirs"})
    response = api.patch(f"/api/stages/{stage.pk}/", {"version": 1, "name": "Mine"})
    assert response.status_code == 409
    assert_matches(response.json(), "StageConflict")
    assert response.json()["current"]["name"] == "Theirs"


def test_stale_lane_move_is_409(api, journey, owner):
    lane = journey.lanes.last()
    other = client_for(owner)
    assert other.patch(f"/api/lanes/{lane.pk}/", {"version": 1, "position": 0}).status_code == 200
    response = api.patch(f"/api/lanes/{lane.pk}/", {"version": 1, "position": 2})
    assert response.status_code == 409 and response.json()["current"]["position"] == 0


def test_a_viewer_cannot_change_anything(viewer, journey, owner):
    api = client_for(viewer)
    card = factories.make_card(journey, owner, title="Read only")
    before = map_state(journey)
    responses = [
        api.post(f"/api/maps/{journey.pk}/stages/", {"name": "Nope"}),
        api.post(f"/api/maps/{journey.pk}/lanes/", {"name": "Nope"}),
        api.post(f"/api/maps/{journey.pk}/cards/", {"kind": "touchpoints", "stage": card.stage_id,
                                                   "lane": card.lane_id, "title": "Nope"}),
        api.patch(f"/api/stages/{card.stage_id}/", {"version": 1, "name": "Nope"}),
        api.patch(f"/api/lanes/{card.lane_id}/", {"version": 1, "name": "Nope"}),
        api.patch(f"/api/cards/{card.pk}/", {"version": 1, "title": "Nope"}),
    ]
    assert [r.status_code for r in responses] == [403] * 6
    assert map_state(journey) == before


def test_another_workspaces_rows_are_404(api, other_journey):
    stranger = other_journey.workspace.memberships.get().user
    card = factories.make_card(other_journey, stranger, title="Theirs")
    before = map_state(other_journey)
    responses = [
        api.post(f"/api/maps/{other_journey.pk}/stages/", {"name": "Mine"}),
        api.post(f"/api/maps/{other_journey.pk}/cards/", {"kind": "touchpoints", "stage": card.stage_id,
                                                         "lane": card.lane_id, "title": "Mine"}),
        api.patch(f"/api/stages/{card.stage_id}/", {"version": 1, "name": "Mine"}),
        api.patch(f"/api/lanes/{card.lane_id}/", {"version": 1, "name": "Mine"}),
        api.patch(f"/api/cards/{card.pk}/", {"version": 1, "title": "Mine"}),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert map_state(other_journey) == before


def test_rows_of_another_workspace_cannot_be_referenced(api, journey, other_journey, editor):
    card = factories.make_card(journey, editor, kind=LaneKind.HANDOFFS, title="Handoff")
    their_team = other_journey.workspace.teams.first()
    their_stage = other_journey.stages.first()
    before = map_state(journey)
    response = api.patch(f"/api/cards/{card.pk}/", {"version": 1, "owner_team": their_team.pk,
                                                   "to_stage": their_stage.pk})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"owner_team", "to_stage"}
    moved = api.patch(f"/api/cards/{card.pk}/", {"version": 1, "stage": their_stage.pk})
    assert moved.status_code == 400
    assert map_state(journey) == before


@pytest.mark.parametrize("body, field", [
    ({}, "version"),
    ({"version": "1"}, "version"),
    ({"version": True}, "version"),
    ({"version": 0}, "version"),
    ({"version": 1, "title": ""}, "title"),
    ({"version": 1, "title": "x" * 201}, "title"),
    ({"version": 1, "title": "nul\u0000byte"}, "title"),
    ({"version": 1, "title": None}, "title"),
    ({"version": 1, "channel": "pigeon"}, "channel"),
    ({"version": 1, "confidence": 3}, "confidence"),  # a field of another kind of card
    ({"version": 1, "position": -1}, "position"),
    ({"version": 1, "owner_team": 0}, "owner_team"),
    ({"version": 1, "body": ["not", "text"]}, "body"),
])
def test_invalid_fields_are_400_with_field_errors_and_change_nothing(api, journey, editor, body, field):
    card = factories.make_card(journey, editor, kind=LaneKind.TOUCHPOINTS, title="SMS")
    before = map_state(journey)
    response = api.patch(f"/api/cards/{card.pk}/", body)
    assert response.status_code == 400
    assert_matches(response.json(), "Error")
    assert field in response.json()["fields"]
    assert map_state(journey) == before


@pytest.mark.parametrize("body", [[], "text", 3, None, {"kind": "ghost", "title": "x"}, {"kind": ["touchpoints"]}])
def test_card_bodies_that_are_not_card_objects_are_400(api, journey, body):
    before = map_state(journey)
    response = api.post(f"/api/maps/{journey.pk}/cards/", body)
    assert response.status_code == 400 and response.json()["error"]
    assert map_state(journey) == before


def test_malformed_json_is_400(api, journey):
    before = map_state(journey)
    for raw in (b"{", b"{'name': 'x'}", b"\xff\xfe", b'{"name": NaN}', b"[1, 2"):
        response = api.post(f"/api/maps/{journey.pk}/stages/", raw=raw)
        assert response.status_code == 400 and response.json()["error"], raw
    assert map_state(journey) == before


def test_other_media_types_are_415(api, journey):
    before = map_state(journey)
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"):
        response = api.post(f"/api/maps/{journey.pk}/stages/", raw="name=x", content_type=content_type)
        assert response.status_code == 415 and response.json()["error"], content_type
    assert map_state(journey) == before


def test_an_oversized_body_is_413(api, journey):
    before = map_state(journey)
    response = api.post(f"/api/maps/{journey.pk}/stages/", {"name": "x", "description": "y" * 70_000})
    assert response.status_code == 413
    assert_matches(response.json(), "Error")
    assert map_state(journey) == before


def test_a_change_bumps_the_maps_revision(api, journey):
    revision = Journey.objects.get(pk=journey.pk).revision
    api.post(f"/api/maps/{journey.pk}/stages/", {"name": "New"})
    assert Journey.objects.get(pk=journey.pk).revision == revision + 1


def test_an_api_edit_is_announced_like_a_board_edit(api, journey, editor, django_capture_on_commit_callbacks):
    """Live boards learn of API changes the way they learn of board changes."""
    announced = []

    def receiver(sender, journey_id, revision, actor_id, **kwargs):
        announced.append((journey_id, revision, actor_id))

    journey_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(f"/api/maps/{journey.pk}/stages/", {"name": "Aftercare"})
    finally:
        journey_changed.disconnect(receiver)
    assert response.status_code == 201
    assert announced == [(journey.pk, Journey.objects.get(pk=journey.pk).revision, editor.pk)]
