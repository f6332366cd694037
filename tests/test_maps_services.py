"""The map services: every change to a journey map goes through them, so their rules are the app's rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from maps import services
from maps.models import (
    Card,
    Channel,
    DataClassification,
    FrictionPoint,
    Journey,
    Lane,
    LaneKind,
    Opportunity,
    Stage,
    Touchpoint,
    Transition,
    UserState,
    card_model_for,
)

from . import factories
from .factories import assert_contiguous, assert_map_positions_contiguous, make_card, map_state


def _create_data(journey, kind):
    """Values a person would fill in for a new card of each kind (one dict per kind)."""
    teams = list(journey.workspace.teams.all())
    stages = list(journey.stages.all())
    return {
        LaneKind.ACTIONS: {"title": "Searches for an online doctor", "body": "From a search ad", "owner_team": teams[0]},
        LaneKind.USER_STATE: {"title": "Unsure it is legit", "feeling": "anxious", "questioning": "Is this real?",
                              "confidence": -3},
        LaneKind.TOUCHPOINTS: {"title": "Reminder SMS", "channel": Channel.SMS, "expectation": "A reminder",
                               "experience": "Three reminders", "data_classification": DataClassification.PHI,
                               "needs_legal_review": True, "owner_team": teams[2]},
        LaneKind.FRICTION: {"title": "Intake form too long", "friction_kind": "communication", "severity": "high",
                            "evidence": "40% abandon"},
        LaneKind.OPPORTUNITIES: {"title": "Shorter intake", "impact": 5, "effort": 2, "confidence": 4,
                                 "status": "planned"},
        LaneKind.HANDOFFS: {"title": "Intake to clinician", "to_stage": stages[2], "from_team": teams[2],
                            "to_team": teams[5], "risk": "high", "observed_dropoff": Decimal("12.5")},
    }[kind]


MODEL_OF_KIND = {
    LaneKind.ACTIONS: Card,
    LaneKind.USER_STATE: UserState,
    LaneKind.TOUCHPOINTS: Touchpoint,
    LaneKind.FRICTION: FrictionPoint,
    LaneKind.OPPORTUNITIES: Opportunity,
    LaneKind.HANDOFFS: Transition,
}

UPDATES = {
    LaneKind.ACTIONS: {"title": "Clicks the ad", "body": "Then leaves"},
    LaneKind.USER_STATE: {"confidence": 4, "thinking": "That was quick"},
    LaneKind.TOUCHPOINTS: {"channel": Channel.VIDEO, "needs_legal_review": False},
    LaneKind.FRICTION: {"severity": "critical", "status": "investigating"},
    LaneKind.OPPORTUNITIES: {"impact": 2, "status": "done"},
    LaneKind.HANDOFFS: {"risk": "low", "observed_dropoff": Decimal("3.0")},
}


def _fresh(card):
    return card_model_for(card.kind).all_objects.get(pk=card.pk)


# --- cards of each kind ----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(MODEL_OF_KIND))
def test_card_create_stores_a_card_of_the_lanes_kind_with_its_own_fields(journey, editor, kind):
    data = _create_data(journey, kind)
    card = make_card(journey, editor, kind=kind, stage=journey.stages.get(position=1), **data)

    stored = _fresh(card)
    assert type(stored) is MODEL_OF_KIND[kind]
    assert stored.kind == kind
    assert stored.lane.kind == kind
    assert stored.stage.position == 1
    assert stored.position == 0
    assert stored.version == 1
    for name, value in data.items():
        assert getattr(stored, name) == value, name


def test_plain_card_in_a_notes_lane_of_a_blank_map(workspace, owner):
    journey = factories.make_journey(workspace, owner, template="blank")
    card = make_card(journey, owner, kind=LaneKind.NOTES, title="Remember the caregiver")
    stored = Card.objects.get(pk=card.pk)
    assert stored.kind == LaneKind.NOTES
    assert not UserState.objects.filter(pk=card.pk).exists()
    assert stored.title == "Remember the caregiver"


@pytest.mark.parametrize("kind", list(MODEL_OF_KIND))
def test_card_update_saves_the_fields_of_its_kind_and_bumps_the_version(journey, editor, kind):
    card = make_card(journey, editor, kind=kind, **_create_data(journey, kind))
    saved = services.card_update(actor=editor, card=card, version=1, data=UPDATES[kind])

    stored = _fresh(card)
    assert saved.version == stored.version == 2
    for name, value in UPDATES[kind].items():
        assert getattr(stored, name) == value, name


@pytest.mark.parametrize("kind", list(MODEL_OF_KIND))
def test_card_delete_and_restore_for_each_kind(journey, editor, kind):
    card = make_card(journey, editor, kind=kind, **_create_data(journey, kind))
    services.card_delete(actor=editor, card=card, version=1)
    assert _fresh(card).deleted_at is not None
    assert not Card.objects.filter(journey=journey, deleted_at=None, pk=card.pk).exists()

    restored = services.card_restore(actor=editor, card=card)
    stored = _fresh(card)
    assert stored.deleted_at is None
    assert restored.version == stored.version
    assert type(stored) is MODEL_OF_KIND[kind]


@pytest.mark.parametrize("kind", list(MODEL_OF_KIND))
def test_card_move_to_another_stage_in_a_lane_of_its_kind(journey, editor, kind):
    card = make_card(journey, editor, kind=kind, **_create_data(journey, kind))
    target = journey.stages.get(position=3)
    moved = services.card_move(actor=editor, card=card, version=1, stage_id=target.pk, lane_id=card.lane_id, position=0)
    stored = _fresh(card)
    assert stored.stage_id == target.pk
    assert stored.version == moved.version == 2


def test_restore_of_a_card_on_the_board_is_refused(journey, editor):
    card = make_card(journey, editor)
    before = map_state(journey)
    with pytest.raises(ApplicationError):
        services.card_restore(actor=editor, card=card)
    assert map_state(journey) == before


def test_restored_card_goes_back_to_its_place_in_its_cell(journey, editor):
    a, b, c = (make_card(journey, editor, title=t) for t in "abc")
    services.card_delete(actor=editor, card=b, version=1)
    assert list(Card.objects.filter(lane=a.lane, stage=a.stage).values_list("title", flat=True)) == ["a", "c"]
    services.card_restore(actor=editor, card=b)
    order = list(Card.objects.filter(lane=a.lane, stage=a.stage, deleted_at=None).values_list("title", flat=True))
    assert order == ["a", "b", "c"]
    assert_map_positions_contiguous(journey)


# --- positions ---------------------------------------------------------------------------


def _cell_titles(journey, stage, lane):
    cards = Card.objects.filter(journey=journey, stage=stage, lane=lane, deleted_at=None).order_by("position")
    return list(cards.values_list("title", flat=True))


def test_card_moves_within_a_cell_keep_positions_contiguous(journey, editor):
    cards = {t: make_card(journey, editor, title=t) for t in "abcd"}
    stage, lane = cards["a"].stage, cards["a"].lane
    assert _cell_titles(journey, stage, lane) == ["a", "b", "c", "d"]

    services.card_move(actor=editor, card=cards["a"], version=1, stage_id=stage.pk, lane_id=lane.pk, position=2)
    assert _cell_titles(journey, stage, lane) == ["b", "c", "a", "d"]
    services.card_move(actor=editor, card=cards["d"], version=1, stage_id=stage.pk, lane_id=lane.pk, position=0)
    assert _cell_titles(journey, stage, lane) == ["d", "b", "c", "a"]
    # Past the end lands at the end, not in a gap.
    services.card_move(actor=editor, card=cards["b"], version=1, stage_id=stage.pk, lane_id=lane.pk, position=99)
    assert _cell_titles(journey, stage, lane) == ["d", "c", "a", "b"]
    assert_map_positions_contiguous(journey)


def test_card_move_across_cells_renumbers_both_cells(journey, editor):
    first = journey.stages.get(position=0)
    second = journey.stages.get(position=1)
    src = [make_card(journey, editor, title=f"s{i}", stage=first) for i in range(3)]
    [make_card(journey, editor, title=f"t{i}", stage=second) for i in range(2)]
    lane = src[0].lane

    services.card_move(actor=editor, card=src[1], version=1, stage_id=second.pk, lane_id=lane.pk, position=1)
    assert _cell_titles(journey, first, lane) == ["s0", "s2"]
    assert _cell_titles(journey, second, lane) == ["t0", "s1", "t1"]
    assert_map_positions_contiguous(journey)


def test_card_delete_renumbers_its_cell(journey, editor):
    cards = [make_card(journey, editor, title=t) for t in "abcd"]
    services.card_delete(actor=editor, card=cards[1], version=1)
    assert _cell_titles(journey, cards[0].stage, cards[0].lane) == ["a", "c", "d"]
    assert_map_positions_contiguous(journey)


def test_card_can_only_move_to_a_lane_of_its_own_kind(journey, editor):
    card = make_card(journey, editor, kind=LaneKind.TOUCHPOINTS)
    friction = factories.lane_of(journey, LaneKind.FRICTION)
    before = map_state(journey)
    with pytest.raises(ApplicationError, match="only move to a lane of that kind"):
        services.card_move(actor=editor, card=card, version=1, stage_id=card.stage_id, lane_id=friction.pk, position=0)
    assert map_state(journey) == before


def test_stage_moves_and_deletes_keep_positions_contiguous(journey, editor):
    names = lambda: list(Stage.objects.filter(journey=journey).order_by("position").values_list("name", flat=True))  # noqa: E731
    acquisition = journey.stages.get(name="Acquisition")
    services.stage_move(actor=editor, stage=acquisition, version=1, position=3)
    assert names() == ["Onboarding & intake", "Consultation", "Fulfilment", "Acquisition", "Retention", "Re-engagement"]
    services.stage_delete(actor=editor, stage=journey.stages.get(name="Consultation"), version=1)
    assert names() == ["Onboarding & intake", "Fulfilment", "Acquisition", "Retention", "Re-engagement"]
    assert_contiguous(journey.stages.values_list("position", flat=True))


def test_lane_moves_and_deletes_keep_positions_contiguous(journey, editor):
    names = lambda: list(Lane.objects.filter(journey=journey).order_by("position").values_list("name", flat=True))  # noqa: E731
    services.lane_move(actor=editor, lane=journey.lanes.get(name="Owners & handoffs"), version=1, position=0)
    assert names()[0] == "Owners & handoffs"
    services.lane_delete(actor=editor, lane=journey.lanes.get(name="Touchpoints"), version=1)
    assert "Touchpoints" not in names()
    assert_contiguous(journey.lanes.values_list("position", flat=True))


# --- stages and lanes ---------------------------------------------------------------------


def test_stage_create_appends_at_the_end_and_update_renames(journey, editor):
    stage = services.stage_create(actor=editor, journey=journey, data={"name": "Referral"})
    assert stage.position == 6
    updated = services.stage_update(actor=editor, stage=stage, version=1,
                                    data={"name": "Referrals", "description": "Word of mouth"})
    stored = Stage.objects.get(pk=stage.pk)
    assert (stored.name, stored.description, stored.version) == ("Referrals", "Word of mouth", 2)
    assert updated.version == 2


def test_lane_create_update_and_kind_change_only_while_empty(journey, editor):
    lane = services.lane_create(actor=editor, journey=journey, data={"name": "Backstage", "kind": LaneKind.BACKSTAGE})
    assert lane.position == 6
    services.lane_update(actor=editor, lane=lane, version=1, data={"name": "Notes", "kind": LaneKind.NOTES})
    lane.refresh_from_db()
    assert (lane.name, lane.kind, lane.version) == ("Notes", LaneKind.NOTES, 2)

    make_card(journey, editor, kind=LaneKind.NOTES)
    before = map_state(journey)
    with pytest.raises(ApplicationError):
        services.lane_update(actor=editor, lane=lane, version=2, data={"kind": LaneKind.FRICTION})
    assert map_state(journey) == before


def test_stage_delete_takes_its_cards_with_it(journey, editor):
    stage = journey.stages.get(position=0)
    make_card(journey, editor, stage=stage)
    make_card(journey, editor, stage=stage, kind=LaneKind.FRICTION)
    services.stage_delete(actor=editor, stage=stage, version=1)
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert not Card.objects.filter(stage_id=stage.pk).exists()


def test_last_stage_and_last_lane_cannot_be_deleted(workspace, owner):
    journey = factories.make_journey(workspace, owner, template="blank")
    before = map_state(journey)
    with pytest.raises(ApplicationError):
        services.stage_delete(actor=owner, stage=journey.stages.get(), version=1)
    with pytest.raises(ApplicationError):
        services.lane_delete(actor=owner, lane=journey.lanes.get(), version=1)
    assert map_state(journey) == before


@pytest.mark.parametrize("bad", [{"name": ""}, {"name": "x" * 121}])
def test_invalid_stage_and_lane_values_change_nothing(journey, editor, bad):
    stage = journey.stages.first()
    lane = journey.lanes.first()
    before = map_state(journey)
    with pytest.raises(ValidationError):
        services.stage_update(actor=editor, stage=stage, version=1, data=bad)
    with pytest.raises(ValidationError):
        services.lane_update(actor=editor, lane=lane, version=1, data=bad)
    with pytest.raises(ValidationError):
        services.stage_create(actor=editor, journey=journey, data=bad)
    assert map_state(journey) == before


def test_lane_of_an_unknown_kind_is_refused(journey, editor):
    before = map_state(journey)
    with pytest.raises(ValidationError):
        services.lane_create(actor=editor, journey=journey, data={"name": "Odd", "kind": "gossip"})
    assert map_state(journey) == before


# --- journeys -----------------------------------------------------------------------------


def test_journey_create_from_telehealth_template(journey, owner):
    assert list(journey.stages.values_list("name", "position")) == [
        ("Acquisition", 0), ("Onboarding & intake", 1), ("Consultation", 2), ("Fulfilment", 3), ("Retention", 4),
        ("Re-engagement", 5),
    ]
    assert list(journey.lanes.values_list("kind", flat=True)) == [
        LaneKind.ACTIONS, LaneKind.USER_STATE, LaneKind.TOUCHPOINTS, LaneKind.FRICTION, LaneKind.OPPORTUNITIES,
        LaneKind.HANDOFFS,
    ]
    assert (journey.revision, journey.version, journey.created_by) == (1, 1, owner)


def test_journey_create_from_blank_template(workspace, editor):
    journey = services.journey_create(actor=editor, workspace=workspace, title="Refills", template="blank")
    assert list(journey.stages.values_list("name", flat=True)) == ["Stage 1"]
    assert list(journey.lanes.values_list("kind", flat=True)) == [LaneKind.NOTES]
    assert journey.created_by == editor


def test_journey_create_refuses_an_unknown_template(workspace, editor):
    with pytest.raises(ApplicationError):
        services.journey_create(actor=editor, workspace=workspace, title="X", template="nope")
    assert not Journey.objects.filter(title="X").exists()


def test_journey_update_and_observed_journey_rules(journey, workspace, editor, other_journey):
    observed = services.journey_create(actor=editor, workspace=workspace, title="Observed", template="blank",
                                       kind="observed", observes=journey)
    assert observed.observes == journey
    services.journey_update(actor=editor, journey=journey, version=1, data={"title": "Renamed", "status": "active"})
    stored = Journey.objects.get(pk=journey.pk)
    assert (stored.title, stored.status, stored.version) == ("Renamed", "active", 2)

    # An observed journey may only observe a designed journey of its own workspace.
    before = map_state(observed)
    with pytest.raises(ValidationError):
        services.journey_update(actor=editor, journey=observed, version=1, data={"observes": other_journey})
    with pytest.raises(ValidationError):
        services.journey_update(actor=editor, journey=observed, version=1, data={"kind": "designed"})
    assert map_state(observed) == before


def test_journey_mark_reviewed_sets_today(journey, editor):
    from django.utils import timezone

    services.journey_mark_reviewed(actor=editor, journey=journey)
    assert Journey.objects.get(pk=journey.pk).last_reviewed_at == timezone.localdate()


# --- refusals change nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,data",
    [
        (LaneKind.ACTIONS, {"title": "x" * 201}),
        (LaneKind.ACTIONS, {"title": ""}),
        (LaneKind.USER_STATE, {"confidence": 6}),
        (LaneKind.USER_STATE, {"confidence": -6}),
        (LaneKind.TOUCHPOINTS, {"channel": "pigeon"}),
        (LaneKind.TOUCHPOINTS, {"data_classification": "secret"}),
        (LaneKind.FRICTION, {"severity": "apocalyptic"}),
        (LaneKind.OPPORTUNITIES, {"effort": 0}),
        (LaneKind.HANDOFFS, {"observed_dropoff": Decimal("101")}),
    ],
)
def test_invalid_card_values_raise_and_change_nothing(journey, editor, kind, data):
    card = make_card(journey, editor, kind=kind)
    before = map_state(journey)
    with pytest.raises(ValidationError) as raised:
        services.card_update(actor=editor, card=card, version=1, data=data)
    assert set(raised.value.message_dict) == set(data)
    with pytest.raises(ValidationError):
        make_card(journey, editor, kind=kind, **({"title": "ok"} | data))
    assert map_state(journey) == before


def test_teams_and_stages_of_another_workspace_are_refused_on_cards(journey, editor, other_journey):
    foreign_team = other_journey.workspace.teams.first()
    foreign_stage = other_journey.stages.first()
    plain = make_card(journey, editor, kind=LaneKind.TOUCHPOINTS)
    handoff = make_card(journey, editor, kind=LaneKind.HANDOFFS)
    before = map_state(journey)
    with pytest.raises(ValidationError) as raised:
        services.card_update(actor=editor, card=plain, version=1, data={"owner_team": foreign_team})
    assert "owner_team" in raised.value.message_dict
    for field, value in (("to_stage", foreign_stage), ("from_team", foreign_team), ("to_team", foreign_team)):
        with pytest.raises(ValidationError) as raised:
            services.card_update(actor=editor, card=handoff, version=1, data={field: value})
        assert field in raised.value.message_dict
    assert map_state(journey) == before


def test_stage_or_lane_of_another_map_is_refused(journey, editor, other_journey):
    card = make_card(journey, editor)
    mine_stage = journey.stages.first()
    mine_lane = card.lane
    their_stage = other_journey.stages.first()
    their_lane = factories.lane_of(other_journey, LaneKind.TOUCHPOINTS)
    before, theirs_before = map_state(journey), map_state(other_journey)
    for stage_id, lane_id in ((their_stage.pk, mine_lane.pk), (mine_stage.pk, their_lane.pk)):
        with pytest.raises(ApplicationError):
            services.card_create(actor=editor, journey=journey, stage_id=stage_id, lane_id=lane_id, data={"title": "x"})
        with pytest.raises(ApplicationError):
            services.card_move(actor=editor, card=card, version=1, stage_id=stage_id, lane_id=lane_id, position=0)
    assert map_state(journey) == before
    assert map_state(other_journey) == theirs_before


def test_a_save_without_a_version_is_refused(journey, editor):
    card = make_card(journey, editor)
    stage, lane = journey.stages.first(), journey.lanes.first()
    before = map_state(journey)
    calls = [
        lambda: services.card_update(actor=editor, card=card, version=None, data={"title": "new"}),
        lambda: services.card_move(actor=editor, card=card, version=None, stage_id=stage.pk, lane_id=card.lane_id,
                                   position=0),
        lambda: services.card_delete(actor=editor, card=card, version=None),
        lambda: services.stage_update(actor=editor, stage=stage, version=None, data={"name": "new"}),
        lambda: services.stage_move(actor=editor, stage=stage, version=None, position=2),
        lambda: services.stage_delete(actor=editor, stage=stage, version=None),
        lambda: services.lane_update(actor=editor, lane=lane, version=None, data={"name": "new"}),
        lambda: services.lane_move(actor=editor, lane=lane, version=None, position=2),
        lambda: services.lane_delete(actor=editor, lane=lane, version=None),
        lambda: services.journey_update(actor=editor, journey=journey, version=None, data={"title": "new"}),
    ]
    for call in calls:
        with pytest.raises(ApplicationError, match="which version"):
            call()
    assert map_state(journey) == before


def test_a_stale_version_raises_conflict_with_the_current_row(journey, editor, owner):
    card = make_card(journey, editor, title="Mine")
    services.card_update(actor=owner, card=card, version=1, data={"title": "Theirs"})
    before = map_state(journey)
    with pytest.raises(Conflict) as raised:
        services.card_update(actor=editor, card=card, version=1, data={"title": "Yours"})
    assert raised.value.current.title == "Theirs"
    assert raised.value.current.version == 2
    assert raised.value.status_code == 409
    assert map_state(journey) == before


def _revision(journey) -> int:
    return Journey.objects.get(pk=journey.pk).revision


def test_a_stale_save_merges_with_a_move_and_an_edit_of_other_fields(journey, editor, owner):
    card = make_card(journey, editor, title="Mine", body="")
    read = _revision(journey)
    other_stage = journey.stages.exclude(pk=card.stage_id).first()
    services.card_move(actor=owner, card=card, version=1, stage_id=other_stage.pk, lane_id=card.lane_id, position=0)
    services.card_update(actor=owner, card=card, version=2, data={"title": "Theirs"})
    saved = services.card_update(actor=editor, card=card, version=1, read_revision=read,
                                 data={"title": "Mine", "body": "Takes two minutes"})
    card.refresh_from_db()
    assert (card.title, card.body, card.stage_id, card.version) == ("Theirs", "Takes two minutes", other_stage.pk, 4)
    assert saved.version == 4


def test_a_stale_save_whose_revision_and_version_disagree_is_a_conflict(journey, editor, owner):
    card = make_card(journey, editor, title="Mine")
    services.card_update(actor=owner, card=card, version=1, data={"title": "Theirs"})
    before = map_state(journey)
    with pytest.raises(Conflict) as raised:  # it claims to have read after their save, with the version before it
        services.card_update(actor=editor, card=card, version=1, read_revision=_revision(journey),
                             data={"body": "Yours"})
    assert raised.value.current.version == 2 and raised.value.theirs_only == frozenset()
    assert map_state(journey) == before


def test_stale_versions_conflict_for_stages_lanes_journeys_and_moves(journey, editor):
    stage, lane = journey.stages.first(), journey.lanes.first()
    card = make_card(journey, editor)
    services.stage_update(actor=editor, stage=stage, version=1, data={"name": "S"})
    services.lane_update(actor=editor, lane=lane, version=1, data={"name": "L"})
    services.journey_update(actor=editor, journey=journey, version=1, data={"title": "J"})
    services.card_update(actor=editor, card=card, version=1, data={"title": "C"})
    before = map_state(journey)
    stale = [
        (lambda: services.stage_update(actor=editor, stage=stage, version=1, data={"name": "x"}), "S"),
        (lambda: services.stage_move(actor=editor, stage=stage, version=1, position=3), "S"),
        (lambda: services.stage_delete(actor=editor, stage=stage, version=1), "S"),
        (lambda: services.lane_update(actor=editor, lane=lane, version=1, data={"name": "x"}), "L"),
        (lambda: services.lane_move(actor=editor, lane=lane, version=1, position=3), "L"),
        (lambda: services.journey_update(actor=editor, journey=journey, version=1, data={"title": "x"}), "J"),
        (lambda: services.card_move(actor=editor, card=card, version=1, stage_id=stage.pk, lane_id=card.lane_id,
                                    position=0), "C"),
        (lambda: services.card_delete(actor=editor, card=card, version=1), "C"),
    ]
    for call, current in stale:
        with pytest.raises(Conflict) as raised:
            call()
        assert str(raised.value.current) == current
        assert raised.value.current.version == 2
    assert map_state(journey) == before


def test_editing_a_card_deleted_meanwhile_is_a_conflict_without_current(journey, editor):
    card = make_card(journey, editor)
    services.card_delete(actor=editor, card=card, version=1)
    with pytest.raises(Conflict) as raised:
        services.card_update(actor=editor, card=card, version=2, data={"title": "x"})
    assert raised.value.current is None


def _every_change(journey, actor, card, stage, lane):
    return [
        lambda: services.journey_create(actor=actor, workspace=journey.workspace, title="New"),
        lambda: services.journey_update(actor=actor, journey=journey, version=1, data={"title": "x"}),
        lambda: services.journey_mark_reviewed(actor=actor, journey=journey),
        lambda: services.stage_create(actor=actor, journey=journey, data={"name": "x"}),
        lambda: services.stage_update(actor=actor, stage=stage, version=1, data={"name": "x"}),
        lambda: services.stage_move(actor=actor, stage=stage, version=1, position=2),
        lambda: services.stage_delete(actor=actor, stage=stage, version=1),
        lambda: services.lane_create(actor=actor, journey=journey, data={"name": "x", "kind": "notes"}),
        lambda: services.lane_update(actor=actor, lane=lane, version=1, data={"name": "x"}),
        lambda: services.lane_move(actor=actor, lane=lane, version=1, position=2),
        lambda: services.lane_delete(actor=actor, lane=lane, version=1),
        lambda: services.card_create(actor=actor, journey=journey, stage_id=stage.pk, lane_id=card.lane_id,
                                     data={"title": "x"}),
        lambda: services.card_update(actor=actor, card=card, version=1, data={"title": "x"}),
        lambda: services.card_move(actor=actor, card=card, version=1, stage_id=stage.pk, lane_id=card.lane_id,
                                   position=0),
        lambda: services.card_delete(actor=actor, card=card, version=1),
    ]


def test_a_viewer_cannot_change_anything(journey, owner, viewer):
    card = make_card(journey, owner)
    deleted = make_card(journey, owner)
    services.card_delete(actor=owner, card=deleted, version=1)
    before = map_state(journey)
    calls = _every_change(journey, viewer, card, journey.stages.first(), journey.lanes.first())
    calls.append(lambda: services.card_restore(actor=viewer, card=deleted))
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert map_state(journey) == before
    assert Journey.objects.count() == 1


def test_a_non_member_gets_not_found(journey, owner, other_workspace):
    stranger = other_workspace.memberships.get().user
    card = make_card(journey, owner)
    before = map_state(journey)
    for call in _every_change(journey, stranger, card, journey.stages.first(), journey.lanes.first()):
        with pytest.raises(NotFound):
            call()
    assert map_state(journey) == before
    assert not Journey.objects.filter(workspace=journey.workspace, title="New").exists()
