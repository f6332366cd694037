"""Reads of maps, always scoped to the workspaces of the person asking."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from core.errors import NotFound
from workspaces.models import Team

from .curve import Curve, confidence_curve
from .extensions import BOARD_BADGE_SOURCES
from .models import CARD_DETAIL_RELATIONS, Card, Change, Journey, Lane, LaneKind, Stage, card_model_for


def journeys_for_user(*, user: AbstractBaseUser) -> QuerySet[Journey]:
    if not user.is_authenticated:
        return Journey.objects.none()
    return Journey.objects.filter(workspace__memberships__user=user).select_related("workspace", "observes")


def journey_list(*, user: AbstractBaseUser) -> QuerySet[Journey]:
    return journeys_for_user(user=user).annotate(
        card_count=Count("cards", filter=Q(cards__deleted_at=None), distinct=True),
        stage_count=Count("stages", distinct=True),
    ).order_by("workspace__name", "title")


def journey_get(*, user: AbstractBaseUser, pk: int) -> Journey:
    try:
        return journeys_for_user(user=user).get(pk=pk)
    except Journey.DoesNotExist:
        raise NotFound("No such map.") from None


def stage_get(*, journey: Journey, pk: int) -> Stage:
    try:
        return journey.stages.get(pk=pk)
    except Stage.DoesNotExist:
        raise NotFound("No such stage on this map.") from None


def lane_get(*, journey: Journey, pk: int) -> Lane:
    try:
        return journey.lanes.get(pk=pk)
    except Lane.DoesNotExist:
        raise NotFound("No such lane on this map.") from None


def _with_details(queryset: QuerySet[Card]) -> QuerySet[Card]:
    return queryset.select_related(
        *CARD_DETAIL_RELATIONS,
        "owner_team",
        "stage",
        "lane",
        "transition__to_stage",
        "transition__from_team",
        "transition__to_team",
    )


def card_detail(card: Card) -> Card:
    """The card as its own kind (a Touchpoint, a UserState...), from rows already joined."""
    for relation in CARD_DETAIL_RELATIONS:
        if card.kind == _RELATION_KIND[relation]:
            return getattr(card, relation)
    return card


_RELATION_KIND = {
    "userstate": LaneKind.USER_STATE,
    "touchpoint": LaneKind.TOUCHPOINTS,
    "frictionpoint": LaneKind.FRICTION,
    "opportunity": LaneKind.OPPORTUNITIES,
    "transition": LaneKind.HANDOFFS,
}


def card_get(*, journey: Journey, pk: int, deleted: bool = False) -> Card:
    """One card as its own kind. Reads the kind first, then joins only that kind's table:
    cheaper on the hot edit path than the board's join of every kind."""
    kind = journey.cards.filter(pk=pk, deleted_at__isnull=not deleted).values_list("kind", flat=True).first()
    if kind is None:
        raise NotFound("No such card on this map.")
    model = card_model_for(kind)
    related = ["owner_team", "stage", "lane"]
    if kind == LaneKind.HANDOFFS:
        related += ["to_stage", "from_team", "to_team"]
    card = model.objects.select_related(*related).get(pk=pk)
    card.journey = journey
    return card


@dataclass
class Cell:
    stage: Stage
    lane: Lane
    cards: list[Card] = field(default_factory=list)


@dataclass
class Row:
    lane: Lane
    cells: list[Cell]


@dataclass
class Board:
    journey: Journey
    stages: list[Stage]
    rows: list[Row]
    curve: Curve
    teams: list[Team]
    card_count: int


def board_get(*, journey: Journey) -> Board:
    """The whole board in a fixed number of queries, whatever its size."""
    stages = list(journey.stages.all())
    lanes = list(journey.lanes.all())
    cards = _with_details(journey.cards.filter(deleted_at=None)).order_by("position", "id")
    by_cell: dict[tuple[int, int], list[Card]] = defaultdict(list)
    scores: dict[int, list[int]] = defaultdict(list)
    details = []
    for card in cards:
        detail = card_detail(card)
        by_cell[(card.stage_id, card.lane_id)].append(detail)
        if card.kind == LaneKind.USER_STATE:
            scores[card.stage_id].append(detail.confidence)
        details.append(detail)
    badges_attach(journey=journey, stages=stages, cards=details)
    rows = [
        Row(lane=lane, cells=[Cell(stage=s, lane=lane, cards=by_cell.get((s.pk, lane.pk), [])) for s in stages])
        for lane in lanes
    ]
    return Board(
        journey=journey,
        stages=stages,
        rows=rows,
        curve=confidence_curve([(s.name, scores.get(s.pk, [])) for s in stages]),
        teams=list(Team.objects.filter(workspace_id=journey.workspace_id)),
        card_count=len(details),
    )


def cells_of_cards(*, journey: Journey, card_ids: list[int]) -> list[Cell]:
    """The cells that hold these cards (or held them: a deleted card's cell, without it), each with
    its cards in order and their badges: what a live change of those cards re-renders."""
    places = set(Card.objects.filter(journey=journey, pk__in=card_ids).values_list("stage_id", "lane_id"))
    if not places:
        return []
    where = Q()
    for stage_id, lane_id in places:
        where |= Q(stage_id=stage_id, lane_id=lane_id)
    cards = [card_detail(c) for c in _with_details(journey.cards.filter(where, deleted_at=None)).order_by("position", "id")]
    badges_attach(journey=journey, cards=cards)
    by_cell: dict[tuple[int, int], list[Card]] = defaultdict(list)
    for card in cards:
        by_cell[(card.stage_id, card.lane_id)].append(card)
    stages = {s.pk: s for s in journey.stages.filter(pk__in={s for s, _ in places})}
    lanes = {lane.pk: lane for lane in journey.lanes.filter(pk__in={lane for _, lane in places})}
    return [Cell(stage=stages[s], lane=lanes[lane], cards=by_cell.get((s, lane), []))
            for s, lane in sorted(places) if s in stages and lane in lanes]


def badges_attach(*, journey: Journey, stages: list[Stage] = (), cards: list[Card] = ()) -> None:
    """Gives each card and stage a `badges` list from the sources higher layers registered:
    one query per source, whatever the number of cards."""
    for item in [*stages, *cards]:
        item.badges = []
    if not stages and not cards:
        return
    for source in BOARD_BADGE_SOURCES:
        badges = source(journey=journey, card_ids=[c.pk for c in cards], stage_ids=[s.pk for s in stages])
        for kind, items in (("stage", stages), ("card", cards)):
            for item in items:
                if (badge := badges.get((kind, item.pk))) is not None:
                    item.badges.append(badge)


def curve_get(*, journey: Journey) -> Curve:
    stages = list(journey.stages.all())
    scores: dict[int, list[int]] = defaultdict(list)
    for stage_id, confidence in Card.objects.filter(
        journey=journey, kind=LaneKind.USER_STATE, deleted_at=None
    ).values_list("stage_id", "userstate__confidence"):
        scores[stage_id].append(confidence)
    return confidence_curve([(s.name, scores.get(s.pk, [])) for s in stages])


def changes_list(*, journey: Journey, limit: int = 300) -> list[Change]:
    return list(journey.changes.select_related("actor").order_by("-revision", "id")[:limit])


def deleted_cards(*, journey: Journey) -> QuerySet[Card]:
    return journey.cards.exclude(deleted_at=None).select_related("stage", "lane").order_by("-deleted_at")


def cards_on_board(*, journey: Journey) -> list[Card]:
    """The map's cards (not deleted ones), each as its own kind, in their order within each cell."""
    return [card_detail(c) for c in _with_details(journey.cards.filter(deleted_at=None)).order_by("position", "id")]
