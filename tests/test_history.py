"""History: who changed what, before and after, one revision per change of the map."""

import pytest

from core.errors import Conflict
from maps import services
from maps.models import Card, Change, Journey, LaneKind

from . import factories
from .factories import make_card


def _revision(journey):
    return Journey.objects.get(pk=journey.pk).revision


def _latest(journey):
    """The changes of the map's latest revision."""
    return list(Change.objects.filter(journey=journey, revision=_revision(journey)).order_by("id"))


# (description, call(journey, actor, card, stage, lane) -> None, expected action, entity, before, after)
# `before` / `after` are either exact dicts, None, or a set of keys that must be present.
CASES = [
    ("card create", lambda j, a, c, s, l: services.card_create(
        actor=a, journey=j, stage_id=s.pk, lane_id=c.lane_id, data={"title": "New card", "channel": "sms"}),
     "create", "card", None, {"title", "channel", "expectation", "needs_legal_review"}),
    ("card update", lambda j, a, c, s, l: services.card_update(
        actor=a, card=c, version=1, data={"title": "Renamed", "body": c.body}),
     "update", "card", {"title": "Card"}, {"title": "Renamed"}),
    ("card move", lambda j, a, c, s, l: services.card_move(
        actor=a, card=c, version=1, stage_id=s.pk, lane_id=c.lane_id, position=0),
     "move", "card", {"stage": "Acquisition", "lane": "Touchpoints", "position": 0},
     {"stage": "Consultation", "lane": "Touchpoints", "position": 0}),
    ("card delete", lambda j, a, c, s, l: services.card_delete(actor=a, card=c, version=1),
     "delete", "card", {"title", "channel"}, None),
    ("stage create", lambda j, a, c, s, l: services.stage_create(actor=a, journey=j, data={"name": "Referral"}),
     "create", "stage", None, {"name": "Referral", "description": ""}),
    ("stage update", lambda j, a, c, s, l: services.stage_update(actor=a, stage=s, version=1, data={"name": "Visit"}),
     "update", "stage", {"name": "Consultation"}, {"name": "Visit"}),
    ("stage move", lambda j, a, c, s, l: services.stage_move(actor=a, stage=s, version=1, position=0),
     "move", "stage", {"position": 2}, {"position": 0}),
    ("lane create", lambda j, a, c, s, l: services.lane_create(
        actor=a, journey=j, data={"name": "Backstage", "kind": "backstage"}),
     "create", "lane", None, {"name": "Backstage", "kind": "backstage"}),
    ("lane update", lambda j, a, c, s, l: services.lane_update(actor=a, lane=l, version=1, data={"name": "Doing"}),
     "update", "lane", {"name": "User actions"}, {"name": "Doing"}),
    ("lane move", lambda j, a, c, s, l: services.lane_move(actor=a, lane=l, version=1, position=3),
     "move", "lane", {"position": 0}, {"position": 3}),
    ("lane delete", lambda j, a, c, s, l: services.lane_delete(actor=a, lane=l, version=1),
     "delete", "lane", {"name": "User actions", "kind": "actions"}, None),
    ("journey update", lambda j, a, c, s, l: services.journey_update(
        actor=a, journey=j, version=1, data={"title": "Renamed map"}),
     "update", "journey", {"title": "Telehealth journey"}, {"title": "Renamed map"}),
    ("journey reviewed", lambda j, a, c, s, l: services.journey_mark_reviewed(actor=a, journey=j),
     "update", "journey", {"last_reviewed_at": None}, {"last_reviewed_at"}),
]


def _matches(value, expected):
    if expected is None:
        return value is None
    if isinstance(expected, set):
        return isinstance(value, dict) and expected <= set(value)
    return value == expected


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_service_records_a_change_with_actor_before_and_after(journey, owner, editor, case):
    _, call, action, entity, before, after = case
    card = make_card(journey, owner, title="Card")
    stage = journey.stages.get(position=2)
    lane = journey.lanes.get(position=0)
    revision = _revision(journey)

    call(journey, editor, card, stage, lane)

    assert _revision(journey) == revision + 1
    changes = _latest(journey)
    assert len(changes) == 1
    [change] = changes
    assert change.actor == editor
    assert (change.action, change.entity) == (action, entity)
    assert _matches(change.before, before), change.before
    assert _matches(change.after, after), change.after
    assert change.label


def test_an_update_records_only_the_fields_that_changed(journey, editor):
    card = make_card(journey, editor, kind=LaneKind.USER_STATE, title="Worried", confidence=-2, feeling="lost")
    services.card_update(actor=editor, card=card, version=1, data={"confidence": 3, "feeling": "lost"})
    [change] = _latest(journey)
    assert change.before == {"confidence": -2}
    assert change.after == {"confidence": 3}
    assert change.entity_id == card.pk


def test_journey_create_from_a_template_is_one_bulk_change(workspace, editor):
    journey = services.journey_create(actor=editor, workspace=workspace, title="New", template="telehealth")
    changes = list(Change.objects.filter(journey=journey))
    assert len(changes) == 1 + 6 + 6
    assert {c.revision for c in changes} == {1} == {journey.revision}
    assert {c.actor for c in changes} == {editor}
    assert sorted(c.entity for c in changes).count("stage") == 6
    assert {c.action for c in changes} == {"create"}


def test_stage_delete_with_cards_is_one_change_that_says_what_it_took(journey, owner, editor):
    stage = journey.stages.get(position=0)
    cards = [make_card(journey, owner, stage=stage, kind=k, title=f"On {k}")
             for k in (LaneKind.TOUCHPOINTS, LaneKind.FRICTION, LaneKind.USER_STATE)]
    services.stage_delete(actor=editor, stage=stage, version=1)

    [change] = _latest(journey)
    assert (change.action, change.entity, change.actor) == ("delete", "stage", editor)
    assert change.before["name"] == "Acquisition" and change.before["took"] == "3 cards"
    assert set(change.deletion.took[0].items()) >= {("plural", "cards"), ("count", 3)}
    assert set(Card.all_objects.filter(deletion=change.deletion).values_list("pk", flat=True)) == {
        c.pk for c in cards}


def test_revision_increases_by_one_per_service_call_and_not_on_refusal(journey, owner):
    revisions = [_revision(journey)]
    card = make_card(journey, owner)
    revisions.append(_revision(journey))
    services.card_update(actor=owner, card=card, version=1, data={"title": "a"})
    revisions.append(_revision(journey))
    services.card_move(actor=owner, card=card, version=2, stage_id=card.stage_id, lane_id=card.lane_id, position=0)
    revisions.append(_revision(journey))
    services.stage_create(actor=owner, journey=journey, data={"name": "x"})
    revisions.append(_revision(journey))
    services.card_delete(actor=owner, card=card, version=3)
    revisions.append(_revision(journey))
    assert revisions == list(range(revisions[0], revisions[0] + 6))

    with pytest.raises(Conflict):
        services.card_update(actor=owner, card=card, version=1, data={"title": "b"})
    assert _revision(journey) == revisions[-1]
    # Revisions in history are the same sequence, with no gaps.
    assert sorted(set(Change.objects.filter(journey=journey).values_list("revision", flat=True))) == list(
        range(1, revisions[-1] + 1))


def test_revisions_are_per_map(journey, owner, workspace):
    other = factories.make_journey(workspace, owner, template="blank")
    before = _revision(journey)
    make_card(other, owner, kind=LaneKind.NOTES)
    assert _revision(journey) == before
    assert _revision(other) == 2


def test_a_deleted_card_is_restored_and_the_restore_is_recorded(journey, owner, editor):
    card = make_card(journey, owner, kind=LaneKind.FRICTION, title="Long intake", severity="high")
    services.card_delete(actor=owner, card=card, version=1)
    [deleted] = _latest(journey)
    assert (deleted.action, deleted.before["title"], deleted.before["severity"]) == ("delete", "Long intake", "high")

    services.card_restore(actor=editor, card=card)
    [restored] = _latest(journey)
    assert restored.action == "restore" and restored.actor == editor
    assert restored.entity_id == card.pk
    assert restored.after["title"] == "Long intake" and restored.after["severity"] == "high"
    stored = Card.objects.get(pk=card.pk)
    assert stored.deleted_at is None
    assert stored.frictionpoint.severity == "high"
