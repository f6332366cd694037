"""Reading maps through the API: bearer tokens only, scoped to the token owner's workspaces."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.services import api_token_create, api_token_revoke
from maps import services as map_services
from maps.models import LaneKind
from tests import factories
from tests.api import ApiClient, assert_matches, client_for


@pytest.fixture
def api(owner):
    return client_for(owner)


def test_list_shows_the_maps_of_my_workspaces_only(api, journey, other_journey):
    response = api.get("/api/maps/")
    assert response.status_code == 200
    assert_matches(response.json(), "MapList")
    assert [m["id"] for m in response.json()["maps"]] == [journey.pk]
    assert response.json()["maps"][0]["workspace"] == {"slug": journey.workspace.slug, "name": "Acme Health"}


def test_detail_has_stages_lanes_and_cards_of_every_kind_with_versions(api, journey, owner):
    for kind in LaneKind.values:
        if not journey.lanes.filter(kind=kind).exists():
            map_services.lane_create(actor=owner, journey=journey, data={"name": kind, "kind": kind})
        factories.make_card(journey, owner, kind=kind, title=f"A {kind} card")
    response = api.get(f"/api/maps/{journey.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert_matches(data, "Map")
    assert data["revision"] == journey.__class__.objects.get(pk=journey.pk).revision
    assert [s["name"] for s in data["stages"]] == list(journey.stages.values_list("name", flat=True))
    assert {c["kind"] for c in data["cards"]} == set(LaneKind.values)
    touchpoint = next(c for c in data["cards"] if c["kind"] == LaneKind.TOUCHPOINTS)
    assert touchpoint["channel"] == "web" and touchpoint["version"] == 1 and touchpoint["title"] == "A touchpoints card"


def test_another_workspaces_map_is_404(api, other_journey):
    response = api.get(f"/api/maps/{other_journey.pk}/")
    assert response.status_code == 404
    assert_matches(response.json(), "Error")


def test_a_viewer_reads(viewer, journey):
    assert client_for(viewer).get(f"/api/maps/{journey.pk}/").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Bearer jm_nope"},
                                     {"Authorization": "Basic b3duZXI6cHc="}, {"Authorization": "Token abc"}])
def test_missing_or_invalid_token_is_401(db, journey, headers):
    response = ApiClient(None).get(f"/api/maps/{journey.pk}/", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_matches(response.json(), "Error")


def test_revoked_token_is_401(owner, journey):
    token, secret = api_token_create(user=owner, name="old")
    api = ApiClient(secret)
    assert api.get("/api/maps/").status_code == 200
    api_token_revoke(user=owner, token_id=token.pk)
    assert api.get("/api/maps/").status_code == 401


def test_a_signed_in_browser_session_is_not_enough(owner_client, journey):
    """Cookies never authenticate /api/: that is what makes its CSRF exemption safe."""
    assert owner_client.get("/api/maps/").status_code == 401
    response = owner_client.post(f"/api/maps/{journey.pk}/stages/", {"name": "Sneaky"}, content_type="application/json")
    assert response.status_code == 401
    assert not journey.stages.filter(name="Sneaky").exists()


def test_unknown_paths_and_methods_answer_json(api, journey):
    missing = api.get("/api/nothing/here/")
    assert missing.status_code == 404 and missing.json()["error"]
    negative_id = api.post("/api/maps/-1/stages/", {"name": "x"})
    assert negative_id.status_code == 404 and negative_id.json()["error"]
    wrong_method = api.client.delete(f"/api/maps/{journey.pk}/", headers=api.headers)
    assert wrong_method.status_code == 405 and wrong_method["Allow"] == "GET" and wrong_method.json()["error"]


def test_ids_out_of_any_range_are_404(api):
    assert api.get(f"/api/maps/{10**30}/").status_code == 404
    assert api.patch(f"/api/cards/{10**30}/", {"version": 1}).status_code == 404


def test_a_map_reads_in_the_same_number_of_queries_whatever_its_size(api, journey, owner):
    def queries(map_id: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/maps/{map_id}/").status_code == 200
        return len(captured)

    factories.make_card(journey, owner, title="One")
    small = queries(journey.pk)
    for kind in (LaneKind.TOUCHPOINTS, LaneKind.USER_STATE, LaneKind.HANDOFFS, LaneKind.FRICTION):
        for stage in journey.stages.all():
            factories.make_card(journey, owner, kind=kind, stage=stage)
    assert queries(journey.pk) == small
