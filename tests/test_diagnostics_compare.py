"""Designed vs observed: maps built to differ in known ways produce exactly those differences."""

import pytest

from diagnostics import selectors, services
from diagnostics.compare import CardShape, DiffKind, MapShape, StageShape, journey_diff
from maps import services as map_services
from maps.models import Card, Change, Journey, JourneyKind, LaneKind
from workspaces.models import Team

from . import factories


def shape(*stages):
    return MapShape("m", tuple(StageShape(name, tuple(cards)) for name, cards in stages))


def state(title, confidence):
    return CardShape("user_state", title, confidence=confidence)


def step(title, owner=""):
    return CardShape("actions", title, owner=owner)


def tp(title, expectation="", experience="", owner=""):
    return CardShape("touchpoints", title, owner=owner, expectation=expectation, experience=experience)


def handoff(title, owner="", from_team="", to_team=""):
    return CardShape("handoffs", title, owner=owner, from_team=from_team, to_team=to_team)


DESIGNED = shape(
    ("Acquisition", [step("Searches"), tp("Ad", "Fast", "Fast"), state("Curious", 2)]),
    ("Intake", [step("Fills intake"), step("Uploads card"), state("Unsure", 0), handoff("Intake → queue", "Product", "Product", "Clinical")]),
    ("Consultation", [step("Joins the visit"), state("Reassured", 3)]),
    ("Re-engagement", [step("Returns")]),
)


def kinds(comparison):
    return [(d.kind, d.stage) for d in comparison.differences]


def test_identical_maps_have_no_differences():
    comparison = journey_diff(DESIGNED, DESIGNED)
    assert comparison.differences == []
    assert comparison.summary == "The observed journey matches the design: no differences found."


def test_known_differences_are_found_exactly():
    observed = shape(
        ("acquisition", [step("Searches"), tp("Ad", "Fast", "Slow and confusing"), state("Curious", 2)]),
        ("Intake", [step("Fills intake"), step("Calls support"), state("Unsure", -3),
                    handoff("Intake → queue", "", "Product", "Support")]),
        ("Waiting", [step("Waits")]),
        ("Intake (again)", [step("Uploads card")]),
        ("Consultation", [step("Joins the visit"), state("Reassured", 4)]),  # higher confidence: not a difference
    )
    comparison = journey_diff(DESIGNED, observed)
    assert kinds(comparison) == [
        (DiffKind.EXPECTATION_GAP, "Acquisition"),
        (DiffKind.STAGE_REPEATED, "Intake"),
        (DiffKind.STEP_MISSING, "Intake"),  # Uploads card (it moved to the repeat, not the first pass)
        (DiffKind.STEP_ADDED, "Intake"),  # Calls support
        (DiffKind.CONFIDENCE_LOWER, "Intake"),
        (DiffKind.OWNER_CHANGED, "Intake"),  # owner Product -> nobody
        (DiffKind.OWNER_CHANGED, "Intake"),  # to team Clinical -> Support
        (DiffKind.STAGE_SKIPPED, "Re-engagement"),
        (DiffKind.STAGE_ADDED, "Waiting"),
    ]
    texts = [d.text for d in comparison.differences]
    assert "“Ad”: users expect “Fast” but meet “Slow and confusing”." in texts
    assert "Confidence is -3, 3 lower than the designed +0." in texts
    assert "Handoff “Intake → queue”: owner is nobody in reality, Product by design." in texts
    assert "Handoff “Intake → queue”: to team is Support in reality, Clinical by design." in texts
    assert comparison.summary.startswith("Diverges most at Intake: ")
    assert "9 differences in all" in comparison.summary


def test_repeated_stage_names_count_as_a_loop():
    observed = shape(("Acquisition", [step("Searches")]), ("Intake", []), ("Acquisition", [step("Searches")]))
    designed = shape(("Acquisition", [step("Searches")]), ("Intake", []))
    comparison = journey_diff(designed, observed)
    assert kinds(comparison) == [(DiffKind.STAGE_REPEATED, "Acquisition")]
    assert "2 times" in comparison.differences[0].text


def test_a_gap_the_design_already_knows_weighs_less():
    designed = shape(("A", [tp("Ad", "Fast", "Slow")]))
    known = journey_diff(designed, shape(("A", [tp("Ad", "Fast", "Slow")])))
    new = journey_diff(designed, shape(("A", [tp("Ad", "Fast", "Very slow")])))
    assert [d.kind for d in known.differences] == [DiffKind.EXPECTATION_GAP]
    assert known.differences[0].weight < new.differences[0].weight
    assert "already knows" in known.differences[0].text


def test_touchpoint_owner_change():
    comparison = journey_diff(shape(("A", [tp("Chat", owner="Support")])), shape(("A", [tp("Chat", owner="IT")])))
    assert [d.text for d in comparison.differences] == ["Touchpoint “Chat”: owner is IT in reality, Support by design."]


# --- with real maps -----------------------------------------------------------------------


@pytest.fixture
def designed(journey, owner, workspace):
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    stages = list(journey.stages.all())
    factories.make_card(journey, owner, kind=LaneKind.ACTIONS, stage=stages[0], title="Searches")
    factories.make_card(journey, owner, kind=LaneKind.USER_STATE, stage=stages[1], title="Unsure", confidence=1)
    factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=stages[1], title="Intake form",
                        expectation="Quick", experience="Quick", owner_team=teams["Product"])
    factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, stage=stages[1], title="Intake → visit",
                        owner_team=teams["Product"], from_team=teams["Product"], to_team=teams["Clinical"],
                        to_stage=stages[2])
    factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, stage=stages[1], title="Progress bar",
                        impact=5, confidence=4, effort=2)
    return journey


def test_observing_copies_stages_lanes_and_cards_with_history(designed, owner):
    observed = services.journey_observe(actor=owner, designed=designed)
    assert observed.kind == JourneyKind.OBSERVED and observed.observes_id == designed.pk
    assert observed.title == "Telehealth journey (observed)"
    assert list(observed.stages.values_list("name", "description")) == list(designed.stages.values_list("name", "description"))
    assert list(observed.lanes.values_list("name", "kind")) == list(designed.lanes.values_list("name", "kind"))
    copied = list(Card.objects.filter(journey=observed).order_by("stage__position", "lane__position", "position")
                  .values_list("stage__name", "lane__kind", "title", "owner_team_id"))
    original = list(Card.objects.filter(journey=designed).order_by("stage__position", "lane__position", "position")
                    .values_list("stage__name", "lane__kind", "title", "owner_team_id"))
    assert copied == original
    handoff = Card.objects.get(journey=observed, kind=LaneKind.HANDOFFS).transition
    assert handoff.to_stage.journey_id == observed.pk and handoff.to_stage.name == "Consultation"
    assert Change.objects.filter(journey=observed, entity="card", action="create").count() == len(original)
    comparison = selectors.side_by_side(designed=designed, observed=observed).comparison
    assert comparison.differences == []


def test_observed_map_edited_to_differ(designed, owner, workspace):
    observed = services.journey_observe(actor=owner, designed=designed, title="What users do")
    state = Card.objects.get(journey=observed, kind=LaneKind.USER_STATE).userstate
    map_services.card_update(actor=owner, card=state, version=state.version, data={"confidence": -2})
    form = Card.objects.get(journey=observed, kind=LaneKind.TOUCHPOINTS).touchpoint
    map_services.card_update(actor=owner, card=form, version=form.version, data={"experience": "Twenty questions"})
    handoff = Card.objects.get(journey=observed, kind=LaneKind.HANDOFFS).transition
    map_services.card_update(actor=owner, card=handoff, version=handoff.version, data={"owner_team": None})
    last = observed.stages.get(name="Re-engagement")
    map_services.stage_delete(actor=owner, stage=last, version=last.version)
    comparison = selectors.side_by_side(designed=designed, observed=observed).comparison
    assert kinds(comparison) == [
        (DiffKind.EXPECTATION_GAP, "Onboarding & intake"),
        (DiffKind.CONFIDENCE_LOWER, "Onboarding & intake"),
        (DiffKind.OWNER_CHANGED, "Onboarding & intake"),
        (DiffKind.STAGE_SKIPPED, "Re-engagement"),
    ]


def test_only_a_designed_journey_can_be_observed(designed, owner):
    observed = services.journey_observe(actor=owner, designed=designed)
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.journey_observe(actor=owner, designed=observed)
    assert Journey.objects.filter(kind=JourneyKind.OBSERVED).count() == 1


def test_a_viewer_cannot_observe(designed, viewer):
    from core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.journey_observe(actor=viewer, designed=designed)
    assert not Journey.objects.filter(kind=JourneyKind.OBSERVED).exists()
