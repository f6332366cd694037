"""Ranking fixes and naming the weakest transition."""

from dataclasses import dataclass
from datetime import date

import pytest

from diagnostics import selectors, services
from diagnostics.ranking import TransitionSignals, fix_score, rank_fixes, transition_weakness
from maps.models import LaneKind
from workspaces.models import Team

from . import factories


@dataclass
class Fix:
    title: str
    impact: int
    confidence: int
    effort: int
    status: str = "idea"
    pk: int = 0


def test_score_is_impact_times_confidence_over_effort():
    assert fix_score(impact=5, confidence=4, effort=2) == 10
    assert fix_score(impact=3, confidence=3, effort=5) == pytest.approx(1.8)


def test_rank_orders_by_score_then_impact_then_effort_and_leaves_done_out():
    fixes = [
        Fix("low", 1, 1, 5),  # 0.2
        Fix("best", 5, 4, 2),  # 10
        Fix("tie low impact", 2, 5, 1),  # 10, impact 2
        Fix("done", 5, 5, 1, status="done"),
        Fix("tie cheap", 4, 5, 2),  # 10, impact 4, effort 2
    ]
    assert [f.title for f in rank_fixes(fixes)] == ["best", "tie cheap", "tie low impact", "low"]


def test_weakness_adds_up_its_signals():
    quiet = transition_weakness(TransitionSignals(label="a", owner="Ops", from_team="Ops", to_team="IT", risk="low"))
    assert quiet.score == 0 and quiet.reasons == ()
    broken = transition_weakness(TransitionSignals(
        label="b", dropoff=0.4, dropoff_source="stage metrics",
        frictions=[("structural", "high", "open"), ("communication", "medium", "investigating"),
                   ("structural", "critical", "resolved")],
        owner="", from_team="Ops", to_team="", min_confidence=-4, risk="high"))
    # 4 (drop-off) + 2 + 1 (open friction) + 2 (no owner) + 1 (teams) + 2 (confidence) + 1 (risk)
    assert broken.score == 13
    assert broken.reasons == ("40% drop off here (stage metrics)", "2 open friction points (1 structural, 1 communication)",
                              "nobody owns this handoff", "the teams on either side are not named",
                              "user confidence falls to -4", "high risk")


@pytest.fixture
def mapped(journey, owner, workspace):
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    stages = list(journey.stages.all())

    def add(kind, stage, **data):
        return factories.make_card(journey, owner, kind=kind, stage=stages[stage], **data)

    for index in range(len(stages) - 1):  # every handoff owned, low risk
        add(LaneKind.HANDOFFS, index, title=f"Handoff {index}", owner_team=teams["Operations"],
            from_team=teams["Operations"], to_team=teams["Support"], risk="low", to_stage=stages[index + 1])
    add(LaneKind.FRICTION, 2, title="Waiting room", friction_kind="structural", severity="high")
    add(LaneKind.OPPORTUNITIES, 2, title="Wait estimate", impact=4, confidence=3, effort=3, owner_team=teams["Operations"])
    add(LaneKind.OPPORTUNITIES, 2, title="Text me when ready", impact=5, confidence=4, effort=2)
    add(LaneKind.OPPORTUNITIES, 0, title="Show price", impact=4, confidence=4, effort=2, owner_team=teams["Marketing"])
    add(LaneKind.OPPORTUNITIES, 0, title="Done already", impact=5, confidence=5, effort=1, status="done")
    return journey


def test_fix_groups_rank_across_the_map_and_group_by_stage(mapped):
    groups = selectors.fix_groups(journey=mapped)
    assert [(g.stage.name, [(f.rank, f.opportunity.title, f.score) for f in g.fixes]) for g in groups] == [
        ("Consultation", [(1, "Text me when ready", 10.0), (3, "Wait estimate", 4.0)]),
        ("Acquisition", [(2, "Show price", 8.0)]),
    ]
    assert [t.title for t in groups[0].transitions] == ["Handoff 2"]


def test_the_weakest_transition_is_the_one_with_friction(mapped):
    weakest = selectors.weakest_transition(journey=mapped)
    assert weakest.label == "Consultation → Fulfilment"
    assert weakest.signals.owner == "Operations"
    assert [f.opportunity.title for f in weakest.fixes] == ["Text me when ready", "Wait estimate"]


def test_metrics_drop_off_can_make_another_transition_the_weakest(mapped, owner):
    stage = mapped.stages.get(name="Acquisition")
    services.stage_metric_record(actor=owner, journey=mapped, stage=stage, period=date(2026, 1, 1),
                                 entered=1000, progressed=300)
    weakest = selectors.weakest_transition(journey=mapped)
    assert weakest.label == "Acquisition → Onboarding & intake"
    assert weakest.signals.dropoff == pytest.approx(0.7)
    assert weakest.signals.dropoff_source == "stage metrics"


def test_suppressed_metrics_do_not_count_as_drop_off(mapped, owner):
    stage = mapped.stages.get(name="Acquisition")
    services.stage_metric_record(actor=owner, journey=mapped, stage=stage, period=date(2026, 1, 1),
                                 entered=10, progressed=0)
    assert selectors.weakest_transition(journey=mapped).label == "Consultation → Fulfilment"


def test_a_stage_boundary_without_a_handoff_counts_as_unowned(journey):
    weakest = selectors.weakest_transition(journey=journey)
    assert weakest.card is None
    assert "nobody owns this handoff" in weakest.weakness.reasons


def test_a_designed_map_borrows_the_drop_off_its_observation_measured(mapped, owner):
    observed = services.journey_observe(actor=owner, designed=mapped)
    stage = observed.stages.get(name="Acquisition")
    services.stage_metric_record(actor=owner, journey=observed, stage=stage, period=date(2026, 1, 1),
                                 entered=1000, progressed=300)
    weakest = selectors.weakest_transition(journey=mapped)
    assert weakest.label == "Acquisition → Onboarding & intake"
    assert weakest.signals.dropoff == pytest.approx(0.7)
    assert weakest.signals.dropoff_source == "stage metrics of “Telehealth journey (observed)”"
