"""OpenJourney (.ojf): both real fixture shapes import with every element accounted for; export -> import."""

import json

import pytest
from django.conf import settings

from interchange.ojf import EXTENSION, journey_ojf, render_ojf, without_extensions
from maps import services as map_services
from interchange.services import map_file_import
from maps.models import Card, LaneKind, Touchpoint, UserState
from workspaces.models import Team

from .factories import make_card

FIXTURES = settings.BASE_DIR.parent / "shared" / "interop" / "ojf"


def _import(owner, workspace, name: str):
    path = FIXTURES / name
    return map_file_import(actor=owner, workspace=workspace, data=path.read_bytes(), filename=path.name)


def _lanes(journey) -> dict[str, tuple[str, list[str]]]:
    return {lane.name: (lane.kind, [c.title for c in lane.cards.order_by("stage__position", "position")])
            for lane in journey.lanes.all()}


def _emotions(journey) -> list[tuple]:
    return list(UserState.objects.filter(journey=journey).order_by("lane__position", "stage__position", "position")
                .values_list("title", "confidence", "feeling"))


def test_the_blueprint_shape_keeps_its_layers_on_their_nodes(owner, workspace):
    result = _import(owner, workspace, "clinic-visit-blueprint.ojf")
    journey = result.journey

    assert (journey.title, journey.persona, journey.description) == (
        "Patient Clinic Visit", "Returning Patient", "Annual check-up at a GP clinic")
    assert list(journey.stages.values_list("name", flat=True)) == ["Check-in", "Triage", "Consultation"]
    # One swimlane and three nodes in the file: one lane and three cards, no lane per blueprint layer.
    assert _lanes(journey) == {"Patient Journey": (LaneKind.TOUCHPOINTS,
                                                   ["Arrival & Reception", "Vitals Assessment", "Doctor Consultation"])}
    assert Card.objects.filter(journey=journey).count() == result.counts["cards"] == 3
    assert Touchpoint.objects.get(journey=journey, title="Arrival & Reception").channel == "in_person"
    report = " ".join(result.report)
    # The report says where each thing went, honestly: nothing claims a place it did not get.
    assert ("Service-blueprint layers of 3 nodes (6 evidence, 3 onstage, 3 backstage, 4 support entries) stay on "
            "their node") in report and "the board does not show them" in report
    assert "Emotion scores of 3 nodes outside a thoughts-and-feelings lane" in report
    assert "not drawn on the emotion curve" in report
    assert "Severity of 3 nodes outside a friction lane" in report
    assert "“milestone”" in report


def test_the_root_shape_imports_feelings_friction_and_reports_what_has_no_place(owner, workspace):
    result = _import(owner, workspace, "self-guided-tutorial.ojf")
    journey = result.journey

    assert journey.persona == "New User"
    assert journey.title == journey.description == "Learning how to use Ptolemy"
    assert journey.stages.count() == 5
    lanes = _lanes(journey)
    assert {name: kind for name, (kind, _titles) in lanes.items()} == {
        "User Actions": LaneKind.ACTIONS, "Thoughts & Feelings": LaneKind.USER_STATE,
        "Friction Points": LaneKind.FRICTION}
    assert lanes["Friction Points"][1] == ["Inline Editing", "Moments of Truth"]
    assert journey.cards.get(title="Moments of Truth", lane__name="Friction Points").frictionpoint.severity == "high"
    feelings = UserState.objects.filter(journey=journey, lane__name="Thoughts & Feelings")
    assert {(u.title, u.confidence, u.feeling) for u in feelings} == {
        ("Columns vs Rows", 2, "delighted"), ("Emotional Curves", 4, "surprised"),
        ("Generated Reports", 5, "delighted")}
    assert result.counts["cards"] == 10  # the file's 10 nodes, no more
    report = " ".join(result.report)
    assert "basics" in report and "productivity" in report  # tags
    assert "Moments of Truth, Welcome to the Map!" in report  # moment-of-truth flags
    assert "#fee2e2" in report  # icon colours
    assert "“Welcome to the Map!” (opportunity)" in report
    assert "Emotion scores of 7 nodes outside a thoughts-and-feelings lane" in report


@pytest.mark.parametrize("name", ["clinic-visit-blueprint.ojf", "self-guided-tutorial.ojf"])
def test_a_fixture_imported_and_exported_compares_equal_but_for_the_extensions(owner, workspace, name):
    original = json.loads((FIXTURES / name).read_bytes())
    journey = _import(owner, workspace, name).journey

    exported = journey_ojf(journey.pk)

    assert without_extensions(exported) == original
    # The documented additions: Journeymap's own fields, on the root, each stage, swimlane and node.
    assert exported[EXTENSION]["status"] == "draft"
    assert all(EXTENSION in item for part in ("stages", "swimlanes", "nodes") for item in exported[part])


def test_an_edited_import_goes_back_out_with_the_edits_and_the_rest_as_it_came(owner, workspace):
    journey = _import(owner, workspace, "clinic-visit-blueprint.ojf").journey
    card = journey.cards.get(title="Vitals Assessment")
    map_services.card_update(actor=owner, card=card, version=card.version, data={"title": "Vitals check"})
    stage = journey.stages.get(name="Triage")
    map_services.stage_update(actor=owner, stage=stage, version=stage.version, data={"name": "Nurse triage"})
    make_card(journey.__class__.objects.get(pk=journey.pk), owner, kind=LaneKind.TOUCHPOINTS, title="Follow-up call")

    exported = without_extensions(journey_ojf(journey.pk))
    original = json.loads((FIXTURES / "clinic-visit-blueprint.ojf").read_bytes())

    nodes = {n["id"]: n for n in exported["nodes"]}
    assert nodes["cn2"]["title"] == "Vitals check"
    assert {k: v for k, v in nodes["cn2"].items() if k != "title"} == {
        k: v for k, v in original["nodes"][1].items() if k != "title"}  # blueprint, score, purpose untouched
    assert nodes["cn1"] == original["nodes"][0] and nodes["cn3"] == original["nodes"][2]
    assert [s["name"] for s in exported["stages"]] == ["Check-in", "Nurse triage", "Consultation"]
    new = [n for n in exported["nodes"] if n["id"] not in {"cn1", "cn2", "cn3"}]
    assert [(n["title"], n["stageId"], n["swimlaneId"], n["purpose"]) for n in new] == [
        ("Follow-up call", "s1", "l1", "touchpoint")]


@pytest.mark.parametrize("name", ["clinic-visit-blueprint.ojf", "self-guided-tutorial.ojf"])
def test_export_then_import_keeps_stages_lanes_and_cards(owner, workspace, name):
    first = _import(owner, workspace, name).journey

    second = map_file_import(actor=owner, workspace=workspace, data=render_ojf(first.pk), filename="again.ojf").journey

    assert _lanes(second) == _lanes(first)
    assert list(second.stages.values_list("name", flat=True)) == list(first.stages.values_list("name", flat=True))
    assert _emotions(second) == _emotions(first)


def test_an_ojf_of_our_own_map_reads_back_with_lane_kinds_and_owners(journey, owner, workspace):
    clinical = Team.objects.get(workspace=workspace, name="Clinical")
    make_card(journey, owner, kind=LaneKind.FRICTION, title="Long wait", severity="critical", owner_team=clinical)
    make_card(journey, owner, kind=LaneKind.USER_STATE, title="Worried", confidence=-3, feeling="anxious")
    nodes = {n["title"]: n for n in journey_ojf(journey.pk)["nodes"]}
    assert nodes["Long wait"]["severity"] == "high" and nodes["Long wait"]["owner"] == "Clinical"
    assert (nodes["Worried"]["score"], nodes["Worried"]["sentiment"]) == (-3, "anxious")

    again = map_file_import(actor=owner, workspace=workspace, data=render_ojf(journey.pk), filename="m.ojf").journey
    assert [(lane.name, lane.kind) for lane in again.lanes.all()] == [(lane.name, lane.kind)
                                                                      for lane in journey.lanes.all()]
    assert again.cards.get(title="Long wait").owner_team == clinical


def test_channel_data_classification_and_handoff_teams_travel_in_the_extension(journey, owner, workspace):
    clinical = Team.objects.get(workspace=workspace, name="Clinical")
    billing = Team.objects.create(workspace=workspace, name="Billing")
    make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Video visit", channel="video",
              data_classification="phi", needs_legal_review=True)
    handoff = make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Referral", from_team=clinical, to_team=billing,
                        to_stage=journey.stages.last(), risk="high", observed_dropoff="12.5")
    make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Warm handoff", handoff=handoff, impact=5)

    again = map_file_import(actor=owner, workspace=workspace, data=render_ojf(journey.pk), filename="m.ojf").journey

    video = again.cards.get(title="Video visit").touchpoint
    assert (video.channel, video.data_classification, video.needs_legal_review) == ("video", "phi", True)
    referral = again.cards.get(title="Referral").transition
    assert (referral.from_team, referral.to_team, referral.risk, str(referral.observed_dropoff)) == (
        clinical, billing, "high", "12.5")
    assert referral.to_stage.name == journey.stages.last().name and referral.to_stage.journey == again
    fix = again.cards.get(title="Warm handoff").opportunity
    assert (fix.handoff_id, fix.impact) == (referral.pk, 5)


def test_a_node_edited_in_another_tool_wins_over_a_stale_extension(journey, owner, workspace):
    make_card(journey, owner, kind=LaneKind.FRICTION, title="Long wait", severity="critical")
    make_card(journey, owner, kind=LaneKind.USER_STATE, title="Worried", confidence=-3, feeling="anxious")
    document = journey_ojf(journey.pk)
    nodes = {n["title"]: n for n in document["nodes"]}
    assert nodes["Long wait"][EXTENSION]["severity"] == "critical"  # what "high" in the file stood for

    unchanged = map_file_import(actor=owner, workspace=workspace, data=json.dumps(document).encode(),
                                filename="a.ojf").journey
    assert unchanged.cards.get(title="Long wait").frictionpoint.severity == "critical"
    nodes["Long wait"]["severity"] = "low"  # as Ptolemy would save an edit: the extension rides along untouched
    nodes["Worried"]["score"] = 2
    edited = map_file_import(actor=owner, workspace=workspace, data=json.dumps(document).encode(),
                             filename="b.ojf").journey
    assert edited.cards.get(title="Long wait").frictionpoint.severity == "low"
    assert edited.cards.get(title="Worried").userstate.confidence == 2
