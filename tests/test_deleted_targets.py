"""Someone else deleted it meanwhile: editing, moving, commenting on or adding a card to a stage, lane
or card that is soft-deleted answers a clear message (a 404 page, or the message in the HTMX target that
htmx flashes), never a 500, as full page and as HTMX."""

import pytest
from django.urls import reverse

from comments import services as comment_services
from maps import services
from maps.models import LaneKind

from .factories import make_card

BOTH = pytest.mark.parametrize("hx", [True, False], ids=["htmx", "page"])


@pytest.fixture
def gone(journey, owner, editor):
    """A stage, a lane and a card (each with what hangs from it) that the editor deleted."""
    stage, live_stage = journey.stages.get(position=0), journey.stages.get(position=1)
    lane = journey.lanes.get(kind=LaneKind.FRICTION)
    live_lane = journey.lanes.get(kind=LaneKind.TOUCHPOINTS)
    card = make_card(journey, owner, stage=live_stage, title="Deleted card")
    live_card = make_card(journey, owner, stage=live_stage, title="Live card")
    on_stage = make_card(journey, owner, stage=stage, title="On the deleted stage")
    comment = comment_services.comment_create(actor=owner, journey=journey, target=card, body="About to go")
    stage_comment = comment_services.comment_create(actor=owner, journey=journey, target=stage, body="Stage talk")
    services.card_delete(actor=editor, card=card, version=card.version)
    services.stage_delete(actor=editor, stage=stage, version=stage.version)
    services.lane_delete(actor=editor, lane=lane, version=lane.version)
    return {"stage": stage, "lane": lane, "card": card, "on_stage": on_stage, "comment": comment,
            "stage_comment": stage_comment, "live_stage": live_stage, "live_lane": live_lane, "live_card": live_card}


def _requests(journey, g):
    m = journey.pk
    stage, lane, card = g["stage"], g["lane"], g["card"]
    card_fields = {"version": 1, "title": "Mine", "channel": "web", "data_classification": "none",
                   "communication_sensitivity": "low"}
    return [
        ("get", reverse("maps:stage_edit", args=[m, stage.pk]), {}),
        ("post", reverse("maps:stage_edit", args=[m, stage.pk]), {"version": 1, "name": "Renamed"}),
        ("post", reverse("maps:stage_move", args=[m, stage.pk]), {"version": 1, "step": 1}),
        ("get", reverse("maps:stage_delete", args=[m, stage.pk]), {}),
        ("post", reverse("maps:stage_delete", args=[m, stage.pk]), {"version": 1}),
        ("get", reverse("maps:lane_edit", args=[m, lane.pk]), {}),
        ("post", reverse("maps:lane_edit", args=[m, lane.pk]), {"version": 1, "name": "Renamed", "kind": lane.kind}),
        ("post", reverse("maps:lane_move", args=[m, lane.pk]), {"version": 1, "step": 1}),
        ("post", reverse("maps:lane_delete", args=[m, lane.pk]), {"version": 1}),
        ("get", reverse("maps:card_detail", args=[m, card.pk]), {}),
        ("get", reverse("maps:card_edit", args=[m, card.pk]), {}),
        ("post", reverse("maps:card_edit", args=[m, card.pk]), card_fields),
        ("post", reverse("maps:card_move", args=[m, card.pk]), {"version": 1, "step": 1}),
        ("post", reverse("maps:card_delete", args=[m, card.pk]), {"version": 1}),
        ("post", reverse("maps:card_edit", args=[m, g["on_stage"].pk]), card_fields),
        # A live card moved into a deleted stage or lane.
        ("post", reverse("maps:card_move", args=[m, g["live_card"].pk]),
         {"version": 1, "stage": stage.pk, "position": 0}),
        ("post", reverse("maps:card_move", args=[m, g["live_card"].pk]),
         {"version": 1, "lane": lane.pk, "position": 0}),
        # A card added to a deleted stage or lane.
        ("get", reverse("maps:card_create", args=[m]) + f"?stage={stage.pk}&lane={g['live_lane'].pk}", {}),
        ("post", reverse("maps:card_create", args=[m]), card_fields | {"stage": stage.pk, "lane": g["live_lane"].pk}),
        ("post", reverse("maps:card_create", args=[m]),
         card_fields | {"stage": g["live_stage"].pk, "lane": lane.pk, "friction_kind": "structural",
                        "severity": "medium", "status": "open"}),
        # Comments on a deleted card or stage, and on comments that went with them.
        ("get", reverse("comments:panel", args=[m, "card", card.pk]), {}),
        ("post", reverse("comments:create", args=[m, "card", card.pk]), {"body": "Still there?"}),
        ("post", reverse("comments:create", args=[m, "stage", stage.pk]), {"body": "Still there?"}),
        ("post", reverse("comments:create", args=[m, "card", g["live_card"].pk]),
         {"body": "A reply", "parent": g["comment"].pk}),
        ("post", reverse("comments:edit", args=[m, g["comment"].pk]), {"body": "Edited", "version": 1}),
        ("post", reverse("comments:resolve", args=[m, g["stage_comment"].pk]), {}),
    ]


@BOTH
def test_every_change_to_a_deleted_target_says_so_and_changes_nothing(journey, owner, gone, owner_client, hx):
    from .factories import map_state

    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    before = map_state(journey)
    failures = []
    for method, url, data in _requests(journey, gone):
        response = getattr(owner_client, method)(url, data, **headers)
        body = response.content.decode()
        if response.status_code not in (404, 409, 422) or "deleted" not in body:
            failures.append((method, url, data, response.status_code, body[:300]))
    assert failures == []
    assert map_state(journey) == before


def test_the_message_names_who_deleted_it_and_what_it_went_with(journey, gone, owner_client, htmx):
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, gone["on_stage"].pk]),
                                 {"version": 1, "title": "Mine"}, **htmx)
    assert response.status_code == 404
    text = response.content.decode()
    assert "The card “On the deleted stage” was deleted by editor" in text
    assert "just now, with the stage “Acquisition”" in text and "Restore it from the map" in text
    own = owner_client.post(reverse("maps:card_edit", args=[journey.pk, gone["card"].pk]), {"version": 1}, **htmx)
    assert "The card “Deleted card” was deleted by editor just now. Restore" in own.content.decode()
    page = owner_client.get(reverse("maps:stage_edit", args=[journey.pk, gone["stage"].pk]))
    assert page.status_code == 404 and "The stage “Acquisition” was deleted by editor" in page.content.decode()


@BOTH
def test_the_layers_above_maps_refuse_a_deleted_stage_or_card_with_a_4xx(journey, owner, editor, owner_client, hx):
    """Steps, checkpoints, evidence and counts aimed at a stage or card deleted meanwhile: refused, never a 500."""
    import datetime

    from diagnostics import services as diagnostics_services
    from maps.models import Card

    from .factories import map_state
    from .healthcare import make_step, make_track

    stage = journey.stages.get(position=0)
    touchpoint = make_card(journey, owner, stage=stage, kind=LaneKind.TOUCHPOINTS, title="Gone touchpoint")
    friction = make_card(journey, owner, stage=stage, kind=LaneKind.FRICTION, title="Gone friction")
    track = make_track(journey, owner, group="clinical")
    step = make_step(track, owner, stage=stage, title="Gone step")
    metric = diagnostics_services.stage_metric_record(actor=owner, journey=journey, stage=stage,
                                                      period=datetime.date(2026, 1, 1), entered=50, progressed=20)
    services.stage_delete(actor=editor, stage=stage, version=stage.version)
    assert not Card.objects.filter(pk__in=[touchpoint.pk, friction.pk]).exists()
    m = journey.pk
    requests = [
        (reverse("stakeholders:step_create", args=[m]), {"track": track.pk, "stage": stage.pk, "title": "New"}),
        (reverse("stakeholders:step_edit", args=[m, step.pk]), {"version": 1, "stage": stage.pk, "title": "Edited"}),
        (reverse("compliance:checkpoint_create", args=[m]), {"stage": stage.pk, "type": "consent", "title": "New"}),
        (reverse("compliance:touchpoint_access", args=[m, touchpoint.pk]), {"access_roles": "Nurses"}),
        (reverse("diagnostics:evidence", args=[m]), {"card": friction.pk, "kind": "survey", "summary": "S",
                                                     "source": "Q", "observed_on": "2026-01-01"}),
        (reverse("diagnostics:metrics", args=[m]), {"stage": stage.pk, "period": "2026-02", "entered": 30,
                                                    "progressed": 10}),
        (reverse("diagnostics:metric_delete", args=[m, metric.pk]), {}),
    ]
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}

    def stored():
        from compliance.models import Checkpoint, TouchpointAccess
        from diagnostics.models import Evidence, StageMetric
        from stakeholders.models import Step

        return map_state(journey), [(m._meta.label, sorted(m._base_manager.values_list("pk", "deletion_id")))
                                    for m in (Step, Checkpoint, TouchpointAccess, Evidence, StageMetric)]

    before = stored()
    answers = {url: owner_client.post(url, data, **headers).status_code for url, data in requests}
    assert all(400 <= status < 500 for status in answers.values()), answers
    assert stored() == before
