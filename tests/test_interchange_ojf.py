"""OpenJourney (.ojf): both real fixture shapes import with every element accounted for; export -> import."""

import json

import pytest
from django.conf import settings

from interchange.ojf import journey_ojf, render_ojf
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


def test_the_blueprint_shape_with_metadata_imports_every_layer(owner, workspace):
    result = _import(owner, workspace, "clinic-visit-blueprint.ojf")
    journey = result.journey

    assert (journey.title, journey.persona, journey.description) == (
        "Patient Clinic Visit", "Returning Patient", "Annual check-up at a GP clinic")
    assert list(journey.stages.values_list("name", flat=True)) == ["Check-in", "Triage", "Consultation"]
    lanes = _lanes(journey)
    assert list(lanes) == ["Patient Journey", "Evidence", "Onstage (frontstage)", "Backstage", "Support processes",
                           "Emotion"]
    assert lanes["Patient Journey"] == (LaneKind.TOUCHPOINTS,
                                        ["Arrival & Reception", "Vitals Assessment", "Doctor Consultation"])
    assert lanes["Evidence"][1] == ["Waiting Room", "Sign-in Sheet", "Exam Room 1", "Medical Equipment",
                                    "Prescription Paper", "Digital Chart"]
    assert lanes["Onstage (frontstage)"][1] == ["Confirms appointment and collects co-pay",
                                                "Conducts triage and records vitals",
                                                "Performs exam and explains treatment"]
    assert lanes["Backstage"] == (LaneKind.BACKSTAGE, ["Verifies insurance eligibility",
                                                       "Pre-verifies current medications list",
                                                       "Prepares for upcoming blood draw"])
    assert lanes["Support processes"][1] == ["EMR Database", "VitalSync App", "Decision Support", "LIS (Lab Info)"]
    # 3 nodes + 6 evidence + 3 onstage + 3 backstage + 4 support + 3 emotion scores: nothing dropped.
    assert Card.objects.filter(journey=journey).count() == result.counts["cards"] == 22
    onstage = journey.cards.get(title="Confirms appointment and collects co-pay")
    assert onstage.body == "Receptionist" and onstage.stage.name == "Check-in"
    assert Touchpoint.objects.get(journey=journey, title="Arrival & Reception").channel == "in_person"
    emotions = UserState.objects.filter(journey=journey).order_by("stage__position")
    assert [(u.title, u.confidence, u.feeling) for u in emotions] == [
        ("Arrival & Reception", 1, "neutral"), ("Vitals Assessment", 0, "neutral"),
        ("Doctor Consultation", 3, "positive")]
    assert any("“milestone”" in line for line in result.report)


def test_the_root_shape_imports_emotions_friction_and_reports_what_has_no_place(owner, workspace):
    result = _import(owner, workspace, "self-guided-tutorial.ojf")
    journey = result.journey

    assert journey.persona == "New User"
    assert journey.title == journey.description == "Learning how to use Ptolemy"
    assert journey.stages.count() == 5
    lanes = _lanes(journey)
    assert {name: kind for name, (kind, _titles) in lanes.items()} == {
        "User Actions": LaneKind.ACTIONS, "Thoughts & Feelings": LaneKind.USER_STATE,
        "Friction Points": LaneKind.FRICTION, "Emotion": LaneKind.USER_STATE}
    assert lanes["Friction Points"][1] == ["Inline Editing", "Moments of Truth"]
    assert journey.cards.get(title="Moments of Truth", lane__name="Friction Points").frictionpoint.severity == "high"
    feelings = UserState.objects.filter(journey=journey, lane__name="Thoughts & Feelings")
    assert {(u.title, u.confidence, u.feeling) for u in feelings} == {
        ("Columns vs Rows", 2, "delighted"), ("Emotional Curves", 4, "surprised"), ("Generated Reports", 5, "delighted")}
    # 10 nodes, and the 7 scores outside the feelings lane on the emotion curve.
    assert len(lanes["Emotion"][1]) == 7 and result.counts["cards"] == 17
    report = " ".join(result.report)
    assert "basics" in report and "productivity" in report  # tags
    assert "Moments of Truth, Welcome to the Map!" in report  # moment-of-truth flags
    assert "#fee2e2" in report  # icon colours
    assert "“Welcome to the Map!” (opportunity)" in report


@pytest.mark.parametrize("name", ["clinic-visit-blueprint.ojf", "self-guided-tutorial.ojf"])
def test_export_then_import_keeps_stages_lanes_and_cards(owner, workspace, name):
    first = _import(owner, workspace, name).journey
    exported = json.loads(render_ojf(first.pk))
    assert set(exported) == {"metadata", "stages", "swimlanes", "nodes"}
    assert exported["metadata"]["title"] == first.title

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
