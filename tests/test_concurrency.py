"""Edits made at the same time: real threads, each with its own database connection.

These run against PostgreSQL in CI and also on SQLite (where writers take the lock
when their transaction starts, `transaction_mode = "IMMEDIATE"`).
"""

import random
import threading

import pytest
from django.db import connection

from core.errors import Conflict
from maps import services
from maps.models import Card, Change, ChangeAction, LaneKind, Stage

from . import factories
from .factories import assert_map_positions_contiguous, make_card

pytestmark = pytest.mark.django_db(transaction=True)


def run_in_threads(functions, *, timeout=60):
    """Starts every function at the same moment in its own thread; returns (results, errors) by index."""
    barrier = threading.Barrier(len(functions))
    results, errors = {}, {}

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except BaseException as error:  # noqa: BLE001 -- reported to the test below
            errors[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a writer never finished: deadlock?"
    return results, errors


def test_two_stale_saves_of_the_same_version_exactly_one_wins(journey, owner, editor):
    card = make_card(journey, owner, title="Original")

    def save(actor, title):
        return lambda: services.card_update(actor=actor, card=card, version=1, data={"title": title})

    results, errors = run_in_threads([save(owner, "Owner's"), save(editor, "Editor's")])

    assert len(results) == 1, errors
    assert len(errors) == 1
    [error] = errors.values()
    assert isinstance(error, Conflict), repr(error)
    [winner] = results.values()
    stored = Card.objects.get(pk=card.pk)
    assert stored.title == winner.title
    assert stored.version == 2
    assert error.current is not None and error.current.version == 2
    updates = Change.objects.filter(journey=journey, entity="card", entity_id=card.pk, action=ChangeAction.UPDATE)
    assert updates.count() == 1
    assert updates.get().after == {"title": winner.title}


def test_many_stale_saves_at_once_still_one_winner(journey, owner, editor):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=0)
    saves = [
        (lambda n=n: services.card_update(actor=editor, card=card, version=1, data={"confidence": n - 2}))
        for n in range(4)
    ]
    results, errors = run_in_threads(saves)
    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(e, Conflict) for e in errors.values()), errors
    assert Card.objects.get(pk=card.pk).version == 2
    assert Change.objects.filter(entity_id=card.pk, action=ChangeAction.UPDATE).count() == 1


def _retrying(call, *, attempts=200):
    """Calls `call(version)` with a fresh version until it is not refused as stale."""
    for _ in range(attempts):
        try:
            return call()
        except Conflict:
            continue
    raise AssertionError("never got through")


def test_concurrent_card_and_stage_reorders_keep_positions_contiguous(journey, owner, editor):
    first, second = journey.stages.get(position=0), journey.stages.get(position=1)
    cards = [make_card(journey, owner, stage=first if i % 2 else second, title=f"c{i}") for i in range(8)]
    lane = cards[0].lane
    stage_ids = list(journey.stages.values_list("pk", flat=True))
    revision_before = journey.__class__.objects.get(pk=journey.pk).revision

    def card_mover(seed, actor):
        rng = random.Random(seed)

        def work():
            done = 0
            for _ in range(20):
                card_id = rng.choice(cards).pk
                target = rng.choice([first.pk, second.pk])
                position = rng.randint(0, 5)

                def move():
                    card = Card.objects.get(pk=card_id)
                    return services.card_move(actor=actor, card=card, version=card.version, stage_id=target,
                                              lane_id=lane.pk, position=position)

                _retrying(move)
                done += 1
            return done

        return work

    def stage_mover(seed, actor):
        rng = random.Random(seed)

        def work():
            done = 0
            for _ in range(20):
                stage_id = rng.choice(stage_ids)
                position = rng.randint(0, len(stage_ids) - 1)

                def move():
                    stage = Stage.objects.get(pk=stage_id)
                    return services.stage_move(actor=actor, stage=stage, version=stage.version, position=position)

                _retrying(move)
                done += 1
            return done

        return work

    results, errors = run_in_threads(
        [card_mover(1, owner), card_mover(2, editor), card_mover(3, owner), stage_mover(4, editor)]
    )
    assert not errors, errors
    assert sum(results.values()) == 80

    assert_map_positions_contiguous(journey)
    on_board = Card.objects.filter(journey=journey, deleted_at=None)
    assert on_board.count() == 8
    assert set(on_board.values_list("stage_id", flat=True)) <= {first.pk, second.pk}
    # Every successful move is one revision and one history entry.
    journey.refresh_from_db()
    assert journey.revision == revision_before + 80
    assert Change.objects.filter(journey=journey, action=ChangeAction.MOVE).count() == 80


def test_concurrent_moves_in_one_cell_by_stale_readers(journey, owner, editor):
    """Readers that loaded the cell before others moved it: the stale ones retry, none leaves a gap."""
    cards = [make_card(journey, owner, title=f"c{i}") for i in range(6)]
    stage_id, lane_id = cards[0].stage_id, cards[0].lane_id

    def mover(seed):
        rng = random.Random(seed)

        def work():
            for _ in range(20):
                card_id = rng.choice(cards).pk
                position = rng.randint(0, 5)

                def move():
                    card = Card.objects.get(pk=card_id)
                    return services.card_move(actor=rng.choice([owner, editor]), card=card, version=card.version,
                                              stage_id=stage_id, lane_id=lane_id, position=position)

                _retrying(move)
            return True

        return work

    results, errors = run_in_threads([mover(s) for s in range(3)])
    assert not errors, errors
    positions = sorted(Card.objects.filter(stage_id=stage_id, lane_id=lane_id, deleted_at=None)
                       .values_list("position", flat=True))
    assert positions == list(range(6))


def test_concurrent_deletes_and_creates_keep_a_cell_contiguous(journey, owner, editor):
    cards = [make_card(journey, owner, title=f"c{i}") for i in range(6)]
    stage, lane = cards[0].stage, cards[0].lane

    def deleter(card):
        return lambda: services.card_delete(actor=editor, card=card, version=1)

    def creator(n):
        return lambda: services.card_create(actor=owner, journey=journey, stage_id=stage.pk, lane_id=lane.pk,
                                            data={"title": f"new{n}"})

    results, errors = run_in_threads([deleter(c) for c in cards[:3]] + [creator(n) for n in range(3)])
    assert not errors, errors
    factories.assert_contiguous(
        Card.objects.filter(stage=stage, lane=lane, deleted_at=None).values_list("position", flat=True)
    )
    assert Card.objects.filter(stage=stage, lane=lane, deleted_at=None).count() == 6
