"""A storm of concurrent edits on one map: nothing accepted is lost, nothing refused is half-done.

Threads edit and reorder the same cards, stages and lanes through the real services (and a
slice of them through the HTTP views), each saving with the version it last read, so many
saves are stale. PostgreSQL only: row locks and the connection per thread are what is proven.
"""

import random
from collections import Counter, defaultdict
from functools import partial

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core.errors import Conflict
from maps import services
from maps.models import Card, Change, ChangeAction, Journey, Lane, LaneKind, Stage

from .factories import assert_map_positions_contiguous, lane_of, make_card
from .test_concurrency import run_in_threads
from .test_maps_views import card_post_data

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6
OPERATIONS_PER_WRITER = 350  # 6 writers: 2,100 interleaved operations
HTTP_WRITERS = 3
HTTP_OPERATIONS_PER_WRITER = 30


@pytest.fixture
def storm_map(journey, owner):
    """Two cards in each of three cells of the user-actions lane, so moves cross cells."""
    assert connection.vendor == "postgresql", "the storm proves PostgreSQL's locking: run it on PostgreSQL"
    stages = list(journey.stages.order_by("position")[:3])
    cards = [make_card(journey, owner, kind=LaneKind.ACTIONS, stage=stage, title=f"start {stage.pk}-{n}")
             for stage in stages for n in range(2)]
    return journey, stages, cards


class Ledger:
    """What one writer did: every accepted write with its resulting version, every refusal."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str, int, int, str | None]] = []  # (entity, action, pk, new version, title)
        self.refused = 0


def _service_writer(seed, actor, journey, stages, cards):
    rng = random.Random(seed)
    lane = lane_of(journey, LaneKind.ACTIONS)
    lanes = list(Lane.objects.filter(journey=journey))
    ledger = Ledger()
    # The version this writer last read of each row; a refusal makes it read again.
    seen = {("card", c.pk): c.version for c in cards}
    seen |= {("stage", s.pk): s.version for s in Stage.objects.filter(journey=journey)}
    seen |= {("lane", item.pk): item.version for item in lanes}
    all_stages = list(Stage.objects.filter(journey=journey))

    def work():
        for n in range(OPERATIONS_PER_WRITER):
            roll = rng.random()
            if roll < 0.45:
                card = rng.choice(cards)
                key, title = ("card", card.pk), f"w{seed}-{n}"
                call = partial(services.card_update, actor=actor, card=card, data={"title": title})
                action = ChangeAction.UPDATE
            elif roll < 0.8:
                card, stage = rng.choice(cards), rng.choice(stages)
                key, title = ("card", card.pk), None
                call = partial(services.card_move, actor=actor, card=card, stage_id=stage.pk, lane_id=lane.pk,
                               position=rng.randint(0, 3))
                action = ChangeAction.MOVE
            elif roll < 0.9:
                stage = rng.choice(all_stages)
                key, title = ("stage", stage.pk), None
                call = partial(services.stage_move, actor=actor, stage=stage, position=rng.randint(0, len(all_stages) - 1))
                action = ChangeAction.MOVE
            else:
                moved_lane = rng.choice(lanes)
                key, title = ("lane", moved_lane.pk), None
                call = partial(services.lane_move, actor=actor, lane=moved_lane, position=rng.randint(0, len(lanes) - 1))
                action = ChangeAction.MOVE
            try:
                saved = call(version=seen[key])
            except Conflict as refusal:
                ledger.refused += 1
                assert refusal.current is not None  # nothing is deleted in this storm
                seen[key] = refusal.current.version
            else:
                ledger.accepted.append((key[0], action, key[1], saved.version, title))
                seen[key] = saved.version
        return ledger

    return work


def _assert_nothing_lost(journey, revision_before, initial_versions, ledgers):
    accepted = [write for ledger in ledgers for write in ledger.accepted]
    history = Change.objects.filter(journey=journey, revision__gt=revision_before)
    # Every accepted write is one revision and one history entry of its kind, and nothing else was recorded.
    assert Journey.objects.get(pk=journey.pk).revision == revision_before + len(accepted)
    assert Counter(history.values_list("entity", "action")) == Counter((e, a) for e, a, *_ in accepted)
    accepted_titles = sorted(title for *_, title in accepted if title is not None)
    recorded_titles = sorted(c.after["title"] for c in history.filter(entity="card", action=ChangeAction.UPDATE))
    assert recorded_titles == accepted_titles

    # No write silently overwrote another: each accepted write started from the row's current version
    # (so the versions they produced are exactly the next ones, none twice), and the row's version
    # counts exactly the writes accepted to it.
    produced = defaultdict(list)
    for entity, _, pk, version, _ in accepted:
        produced[(entity, pk)].append(version)
    for (entity, pk), version in initial_versions.items():
        writes = sorted(produced[(entity, pk)])
        assert writes == list(range(version + 1, version + 1 + len(writes))), (entity, pk, writes)
        model = {"card": Card, "stage": Stage, "lane": Lane}[entity]
        assert model.objects.get(pk=pk).version == version + len(writes), (entity, pk)

    # A card's title is the one written by its latest accepted rename (the highest version it produced).
    latest_title = {}
    for entity, action, pk, version, title in sorted(accepted, key=lambda w: w[3]):
        if title is not None:
            latest_title[pk] = title
    for pk, title in latest_title.items():
        assert Card.objects.get(pk=pk).title == title

    assert_map_positions_contiguous(journey)


def _initial_versions(journey):
    versions = {("card", pk): v for pk, v in Card.objects.filter(journey=journey).values_list("pk", "version")}
    versions |= {("stage", pk): v for pk, v in Stage.objects.filter(journey=journey).values_list("pk", "version")}
    versions |= {("lane", pk): v for pk, v in Lane.objects.filter(journey=journey).values_list("pk", "version")}
    return versions


def test_a_storm_of_stale_edits_and_reorders_loses_nothing(storm_map, owner, editor):
    journey, stages, cards = storm_map
    revision_before = Journey.objects.get(pk=journey.pk).revision
    initial_versions = _initial_versions(journey)

    results, errors = run_in_threads(
        [_service_writer(seed, owner if seed % 2 else editor, journey, stages, cards) for seed in range(WRITERS)],
        timeout=120,
    )

    assert not errors, errors  # every refusal was a Conflict; anything else reached here
    ledgers = list(results.values())
    accepted = sum(len(ledger.accepted) for ledger in ledgers)
    refused = sum(ledger.refused for ledger in ledgers)
    assert accepted + refused == WRITERS * OPERATIONS_PER_WRITER
    assert accepted > 0 and refused > 0, (accepted, refused)  # really a storm: both outcomes happened
    _assert_nothing_lost(journey, revision_before, initial_versions, ledgers)


def _http_writer(seed, user, journey, stages, cards):
    rng = random.Random(seed)
    lane = lane_of(journey, LaneKind.ACTIONS)
    ledger = Ledger()
    statuses = Counter()
    seen = {c.pk: c.version for c in cards}

    def work():
        client = Client()
        client.force_login(user)
        for n in range(HTTP_OPERATIONS_PER_WRITER):
            card = rng.choice(cards)
            if rng.random() < 0.5:
                title = f"h{seed}-{n}"
                # Without the map revision it read, a stale save is refused, never merged (the merge of
                # different fields is tested in test_card_editor_views): the ledger counts on that.
                response = client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                       card_post_data(journey, card, title=title, version=seen[card.pk],
                                                      read_revision=None))
                action = ChangeAction.UPDATE
            else:
                title = None
                response = client.post(reverse("maps:card_move", args=[journey.pk, card.pk]),
                                       {"version": seen[card.pk], "stage": rng.choice(stages).pk, "lane": lane.pk,
                                        "position": rng.randint(0, 3)})
                action = ChangeAction.MOVE
            statuses[response.status_code] += 1
            fresh = Card.objects.get(pk=card.pk).version  # what a reload shows
            if response.status_code == 302:
                ledger.accepted.append(("card", action, card.pk, seen[card.pk] + 1, title))
            elif response.status_code == 409:
                ledger.refused += 1
            seen[card.pk] = fresh
        return ledger, statuses

    return work


def test_a_storm_through_the_views_refuses_stale_saves_with_409(storm_map, owner, editor):
    journey, stages, cards = storm_map
    revision_before = Journey.objects.get(pk=journey.pk).revision
    initial_versions = _initial_versions(journey)

    results, errors = run_in_threads(
        [_http_writer(seed, owner if seed % 2 else editor, journey, stages, cards) for seed in range(HTTP_WRITERS)],
        timeout=120,
    )

    assert not errors, errors
    statuses = sum((s for _, s in results.values()), Counter())
    # Accepted saves redirect to the board; stale ones answer 409 with the conflict view; nothing else.
    assert set(statuses) <= {302, 409}, statuses
    assert statuses[302] > 0 and statuses[409] > 0, statuses
    _assert_nothing_lost(journey, revision_before, initial_versions, [ledger for ledger, _ in results.values()])
