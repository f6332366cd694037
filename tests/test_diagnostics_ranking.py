"""Ranking fixes and naming the weakest transition."""

from dataclasses import dataclass
from datetime import date

import pytest

from diagnostics import selectors, services
from diagnostics.ranking import TransitionSignals, fix_score, rank_and_group, rank_fixes, transition_weakness
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

    handoffs = [add(LaneKind.HANDOFFS, index, title=f"Handoff {index}", owner_team=teams["Operations"],
                    from_team=teams["Operations"], to_team=teams["Support"], risk="low", to_stage=stages[index + 1])
                for index in range(len(stages) - 1)]  # every handoff owned, low risk
    add(LaneKind.FRICTION, 2, title="Waiting room", friction_kind="structural", severity="high")
    add(LaneKind.OPPORTUNITIES, 2, title="Wait estimate", impact=4, confidence=3, effort=3, owner_team=teams["Operations"])
    add(LaneKind.OPPORTUNITIES, 2, title="Text me when ready", impact=5, confidence=4, effort=2, handoff=handoffs[2])
    add(LaneKind.OPPORTUNITIES, 0, title="Show price", impact=4, confidence=4, effort=2, owner_team=teams["Marketing"],
        handoff=handoffs[0])
    add(LaneKind.OPPORTUNITIES, 0, title="Done already", impact=5, confidence=5, effort=1, status="done",
        handoff=handoffs[0])
    add(LaneKind.OPPORTUNITIES, 4, title="Same-day call back", impact=2, confidence=2, effort=4, handoff=handoffs[2])
    return journey


def test_rank_and_group_keeps_map_wide_ranks_and_orders_groups_by_their_best_fix():
    fixes = [Fix("a", 1, 1, 5, pk=1), Fix("b", 5, 4, 2, pk=2), Fix("c", 4, 4, 2, pk=3), Fix("d", 3, 3, 1, pk=4)]
    group_of = {1: "x", 2: None, 3: "x", 4: "y"}
    grouped = rank_and_group(fixes, group_of=lambda f: group_of[f.pk])
    assert [(key, [(f.rank, f.opportunity.title, f.score) for f in group]) for key, group in grouped] == [
        (None, [(1, "b", 10.0)]),
        ("y", [(2, "d", 9.0)]),
        ("x", [(3, "c", 8.0), (4, "a", 0.2)]),
    ]


def test_fixes_are_grouped_by_the_transition_they_repair(mapped):
    fixes = selectors.fix_list(journey=mapped)
    assert [(g.transition.title if g.transition else None, [(f.rank, f.opportunity.title, f.score) for f in g.fixes])
            for g in fixes.groups] == [
        ("Handoff 2", [(1, "Text me when ready", 10.0), (4, "Same-day call back", 1.0)]),
        ("Handoff 0", [(2, "Show price", 8.0)]),
        (None, [(3, "Wait estimate", 4.0)]),
    ]
    assert [t.title for t in fixes.unfixed] == ["Handoff 1", "Handoff 3", "Handoff 4"]
    assert fixes.groups[0].transition.owner_team.name == "Operations"


def test_a_fix_of_a_deleted_transition_is_no_longer_grouped_under_it(mapped, owner):
    from maps import services as map_services

    handoff = mapped.cards.get(title="Handoff 0")
    map_services.card_delete(actor=owner, card=handoff, version=handoff.version)
    groups = selectors.fix_list(journey=mapped).groups
    unattached = next(g for g in groups if g.transition is None)
    assert "Show price" in [f.opportunity.title for f in unattached.fixes]


def test_a_fix_cannot_repair_a_transition_of_another_map(mapped, owner, workspace):
    from django.core.exceptions import ValidationError

    other = factories.make_journey(workspace, owner, title="Other")
    theirs = factories.make_card(other, owner, kind=LaneKind.HANDOFFS, title="Theirs")
    with pytest.raises(ValidationError) as error:
        factories.make_card(mapped, owner, kind=LaneKind.OPPORTUNITIES, title="Mine", handoff=theirs)
    assert "handoff" in error.value.message_dict


def test_the_weakest_transition_is_the_one_with_friction(mapped):
    weakest = selectors.weakest_transition(journey=mapped)
    assert weakest.label == "Consultation → Fulfilment"
    assert weakest.signals.owner == "Operations"
    assert [(f.rank, f.opportunity.title) for f in weakest.fixes] == [(1, "Text me when ready"),
                                                                     (4, "Same-day call back")]
    assert [f.opportunity.title for f in weakest.loose_fixes] == ["Wait estimate"]


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


def test_a_map_with_nothing_on_it_has_nothing_to_diagnose(journey):
    """A fresh template map: no "weakest transition" made up from empty lanes."""
    assert selectors.transitions_ranked(journey=journey) == []
    assert selectors.weakest_transition(journey=journey) is None


def test_a_stage_boundary_without_a_handoff_counts_as_unowned(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
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


def test_observing_a_journey_keeps_which_transition_each_fix_repairs(mapped, owner):
    observed = services.journey_observe(actor=owner, designed=mapped)
    fix = observed.cards.get(title="Text me when ready").opportunity
    assert fix.handoff.journey_id == observed.pk and fix.handoff.title == "Handoff 2"
    assert observed.cards.get(title="Wait estimate").opportunity.handoff is None


def test_a_fix_is_attached_to_a_transition_from_its_edit_form(mapped, owner, owner_client, workspace):
    from django.urls import reverse

    from maps.models import Opportunity

    from .test_maps_views import HTMX, card_post_data

    fix = mapped.cards.get(title="Wait estimate")
    handoff = mapped.cards.get(title="Handoff 2")
    url = reverse("maps:card_edit", args=[mapped.pk, fix.pk])
    form = owner_client.get(url, **HTMX).content.decode()
    assert 'name="handoff"' in form and "Fixes the transition" in form and ">Handoff 2</option>" in form
    theirs = factories.make_card(factories.make_journey(workspace, owner, title="Other"), owner,
                                 kind=LaneKind.HANDOFFS, title="Theirs")
    refused = owner_client.post(url, card_post_data(mapped, fix, handoff=theirs.pk), **HTMX)
    assert refused.status_code == 422 and Opportunity.objects.get(pk=fix.pk).handoff is None
    saved = owner_client.post(url, card_post_data(mapped, fix, handoff=handoff.pk), **HTMX)
    assert saved.status_code == 200 and Opportunity.objects.get(pk=fix.pk).handoff_id == handoff.pk
    groups = selectors.fix_list(journey=mapped).groups
    assert [f.opportunity.title for f in groups[0].fixes] == ["Text me when ready", "Wait estimate",
                                                              "Same-day call back"]
