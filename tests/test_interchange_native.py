"""The native JSON format: export -> import -> export gives the same document, on the demo maps."""

import json

import pytest
from django.core.management import call_command

from compliance.models import Checkpoint, CheckpointTransition
from interchange.native import SCHEMA_VERSION, journey_document, render_json
from interchange.services import journey_import, map_file_import
from maps import demo as maps_demo
from maps.models import Card, Journey, Stage
from maps.services import card_delete
from stakeholders.models import Stakeholder
from workspaces.models import Team

from . import factories


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return maps_demo.seed_workspace()


def _round_trip(journey, actor, workspace):
    exported = json.loads(render_json(journey.pk))
    result = journey_import(actor=actor, workspace=workspace, document=exported)
    return exported, result, journey_document(result.journey.pk)


def test_round_trip_gives_back_the_same_map_for_every_demo_map(demo):
    """One test for the three demo maps: seeding the demo is the slow part."""
    journeys = list(Journey.objects.filter(workspace=demo).order_by("pk"))
    assert len(journeys) == 3
    for journey in journeys:
        exported, result, again = _round_trip(journey, maps_demo.demo_owner(), demo)

        # Counts below the small-count threshold never leave the server, so their rows do not come back.
        carried = [m for m in exported["stage_metrics"] if None not in (m["entered"], m["progressed"])]
        assert again == exported | {"stage_metrics": carried}, journey.title
        assert result.journey.pk != journey.pk
        assert set(Stage.objects.filter(journey=result.journey).values_list("pk", flat=True)).isdisjoint(
            Stage.objects.filter(journey=journey).values_list("pk", flat=True))
        assert result.journey.created_by == maps_demo.demo_owner()

    demo_maps = {journey.title: journey for journey in journeys}
    rpm = demo_maps["Remote patient monitoring: clinic rollout"]
    document = journey_document(rpm.pk)
    assert document["schema_version"] == SCHEMA_VERSION
    assert len(document["tracks"]) == rpm.tracks.count() > 0
    assert sum(len(t["steps"]) for t in document["tracks"]) > 0
    assert len(document["intersections"]) == rpm.intersections.count() > 0
    assert len(document["checkpoints"]) == rpm.checkpoints.count() > 0
    assert {c["status"] for c in document["checkpoints"]} >= {"approved", "not_assessed"}
    assert len(document["failure_modes"]) == rpm.failure_modes.count() > 0
    assert document["touchpoint_access"] and document["safety_loop"]["investigate_within_days"] == 5
    touchpoint_ids = {c["id"] for c in document["cards"] if c["kind"] == "touchpoints"}
    assert {a["touchpoint"] for a in document["touchpoint_access"]} <= touchpoint_ids

    observed = demo_maps["Telehealth patient journey (observed)"]
    assert len(journey_document(observed.pk)["stage_metrics"]) == observed.stage_metrics.count() > 0


def test_import_into_another_workspace_matches_teams_by_name_and_creates_the_rest(demo):
    rpm = Journey.objects.get(workspace=demo, title="Remote patient monitoring: clinic rollout")
    owner = factories.make_user()
    target = factories.make_workspace(owner=owner)
    Team.objects.filter(workspace=target, name="IT").delete()
    document = journey_document(rpm.pk)
    document["cards"][0]["owner_team"] = "Patient Experience"
    clinical = Team.objects.get(workspace=target, name="Clinical")

    result = journey_import(actor=owner, workspace=target, document=document)

    assert result.journey.workspace == target
    assert Team.objects.filter(workspace=target, name="Patient Experience").exists()
    assert Team.objects.filter(workspace=target, name="IT").exists()  # created again, by name
    assert any("Patient Experience" in line for line in result.report)
    assert Checkpoint.objects.filter(journey=result.journey, owner_team=clinical).exists()
    # Reviewed checkpoints name the importer as reviewer: people are not carried between workspaces.
    reviewed = Checkpoint.objects.filter(journey=result.journey).exclude(reviewer=None)
    assert reviewed.exists() and set(reviewed.values_list("reviewer", flat=True)) == {owner.pk}
    assert CheckpointTransition.objects.filter(checkpoint__journey=result.journey, note="Imported").count() == len(
        document["checkpoints"])
    assert set(Stakeholder.objects.filter(tracks__journey=result.journey).values_list("workspace", flat=True)) == {
        target.pk}
    assert journey_document(result.journey.pk) | {"cards": []} == document | {"cards": []}


def test_deleted_cards_are_not_exported(journey, owner):
    kept = factories.make_card(journey, owner, title="Kept")
    gone = factories.make_card(journey, owner, title="Gone")
    card_delete(actor=owner, card=gone, version=gone.version)
    titles = [c["title"] for c in journey_document(journey.pk)["cards"]]
    assert titles == [kept.title]


def test_card_order_within_a_cell_survives(journey, owner, workspace):
    for title in ("First", "Second", "Third"):
        factories.make_card(journey, owner, title=title)
    result = map_file_import(actor=owner, workspace=workspace, data=render_json(journey.pk), filename="map.json")
    cards = Card.objects.filter(journey=result.journey).order_by("position")
    assert [c.title for c in cards] == ["First", "Second", "Third"]
    assert [c.position for c in cards] == [0, 1, 2]
