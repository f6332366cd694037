"""Reads of maps, always scoped to the workspaces of the person asking."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q, QuerySet

from core.errors import NotFound
from workspaces.models import Team
from workspaces.selectors import ActivityFilters

from .curve import Curve, confidence_curve
from .deletions import not_found
from .extensions import BOARD_BADGE_SOURCES, DELETABLES
from .models import (
    CARD_DETAIL_RELATIONS,
    Card,
    Change,
    Deletion,
    Journey,
    JourneyStatus,
    Lane,
    LaneKind,
    Stage,
    card_model_for,
)


def journeys_for_user(*, user: AbstractBaseUser) -> QuerySet[Journey]:
    if not user.is_authenticated:
        return Journey.objects.none()
    return Journey.objects.filter(workspace__memberships__user=user).select_related("workspace", "observes")


def journey_list(*, user: AbstractBaseUser, archived: bool = False) -> QuerySet[Journey]:
    """The user's maps; archived ones only when asked for (then only them)."""
    journeys = journeys_for_user(user=user)
    journeys = journeys.filter(status=JourneyStatus.ARCHIVED) if archived else journeys.exclude(
        status=JourneyStatus.ARCHIVED)
    return journeys.annotate(
        card_count=Count("cards", filter=Q(cards__deleted_at=None), distinct=True),
        stage_count=Count("stages", filter=Q(stages__deletion=None), distinct=True),
    ).order_by("workspace__name", "title")


def journey_get(*, user: AbstractBaseUser, pk: int) -> Journey:
    try:
        return journeys_for_user(user=user).get(pk=pk)
    except Journey.DoesNotExist:
        raise NotFound("No such map.") from None


def journey_of_itself(*, journey: Journey, pk: int) -> Journey:
    """The map itself, as the thing a delete URL names (maps/<pk>/delete/journey/<pk>/)."""
    if pk != journey.pk:
        raise NotFound("No such map.")
    return journey


def stage_get(*, journey: Journey, pk: int) -> Stage:
    try:
        return journey.stages.get(pk=pk)
    except Stage.DoesNotExist:
        raise not_found(Stage, journey_id=journey.pk, pk=pk, noun="stage") from None


def lane_get(*, journey: Journey, pk: int) -> Lane:
    try:
        return journey.lanes.get(pk=pk)
    except Lane.DoesNotExist:
        raise not_found(Lane, journey_id=journey.pk, pk=pk, noun="lane") from None


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
    cards = Card.all_objects.filter(journey=journey, deleted_at__isnull=not deleted)
    kind = cards.filter(pk=pk).values_list("kind", flat=True).first()
    if kind is None:
        raise not_found(Card, journey_id=journey.pk, pk=pk, noun="card") if not deleted else NotFound(
            "No such deleted card on this map.")
    model = card_model_for(kind)
    related = ["owner_team", "stage", "lane"]
    if kind == LaneKind.HANDOFFS:
        related += ["to_stage", "from_team", "to_team"]
    card = model.all_objects.select_related(*related).get(pk=pk)
    card.journey = journey
    return card


@dataclass
class Cell:
    stage: Stage
    lane: Lane
    cards: list["CardStamp"] = field(default_factory=list)  # in order; `regions` gives each its `html`


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


@dataclass
class CardStamp:
    """What a card's rendered HTML depends on besides its row (its version counts that): the names it
    shows and its badges. Enough to find the card's cell in the cache without loading the card."""

    pk: int
    version: int
    names: tuple  # owner team, and a handoff's to-stage, from-team and to-team
    badges: list = field(default_factory=list)


# A stamp's columns, then the user state's confidence (for the curve).
_STAMP_COLUMNS = ("pk", "version", "kind", "stage_id", "lane_id", "owner_team__name", "transition__to_stage__name",
                  "transition__from_team__name", "transition__to_team__name", "userstate__confidence")
_HANDOFF_NAMES = ("to_stage", "from_team", "to_team")


def card_names(card: Card) -> tuple:
    """A card's `CardStamp.names`, from the card as its own kind."""
    def name(relation: str):
        return getattr(card, relation).name if getattr(card, f"{relation}_id", None) else None
    return (name("owner_team"), *(name(r) if card.kind == LaneKind.HANDOFFS else None for r in _HANDOFF_NAMES))


@dataclass
class BoardOutline:
    """The board as the board page renders it from the cache: its stages, lanes and curve, and in each
    cell the stamps of its cards, in order (`cards_of_board` loads the cards of cells not cached)."""

    journey: Journey
    stages: list[Stage]
    rows: list[Row]
    curve: Curve
    card_count: int  # an empty map's board guides its first steps instead


def board_outline_get(*, journey: Journey) -> BoardOutline:
    """The board's outline in a fixed number of queries, reading a few columns of each card rather than
    building its models: on a large board that construction was most of the page's time."""
    stages = list(journey.stages.all())
    lanes = list(journey.lanes.all())
    by_cell, scores = _stamps_by_cell(journey.cards.filter(deleted_at=None))
    stamps = [stamp for cell in by_cell.values() for stamp in cell]
    badges_attach(journey=journey, stages=stages, cards=stamps)
    return BoardOutline(
        journey=journey,
        stages=stages,
        rows=[Row(lane=lane, cells=[Cell(stage=s, lane=lane, cards=by_cell.get((s.pk, lane.pk), [])) for s in stages])
              for lane in lanes],
        curve=confidence_curve([(s.name, scores.get(s.pk, [])) for s in stages]),
        card_count=len(stamps),
    )


def _stamps_by_cell(cards: QuerySet[Card]) -> tuple[dict[tuple[int, int], list[CardStamp]], dict[int, list[int]]]:
    """Each of `cards` as its stamp, by (stage, lane) in the cell's order; and the user states' confidence
    scores by stage, for the curve."""
    by_cell: dict[tuple[int, int], list[CardStamp]] = defaultdict(list)
    scores: dict[int, list[int]] = defaultdict(list)
    for pk, version, kind, stage_id, lane_id, *names, confidence in cards.order_by("position", "id").values_list(
            *_STAMP_COLUMNS):
        by_cell[(stage_id, lane_id)].append(CardStamp(pk=pk, version=version, names=tuple(names)))
        if kind == LaneKind.USER_STATE:
            scores[stage_id].append(confidence)
    return by_cell, scores


def cards_of_board(*, journey: Journey, card_ids: list[int]) -> dict[int, Card]:
    """These cards of the map, each as its own kind, by id (badges not attached)."""
    cards = _with_details(journey.cards.filter(pk__in=card_ids, deleted_at=None))
    return {card.pk: card_detail(card) for card in cards}


def cells_of_cards(*, journey: Journey, card_ids: list[int]) -> list[Cell]:
    """The cells that hold these cards (or held them: a deleted card's cell, without it), each with the
    stamps of its cards in order and their badges: what a live change of those cards re-renders
    (`regions.cells_render` takes the cards' HTML from the cache and loads only the cards not there)."""
    places = set(Card.all_objects.filter(journey=journey, pk__in=card_ids).values_list("stage_id", "lane_id"))
    if not places:
        return []
    stages = {s.pk: s for s in journey.stages.filter(pk__in={s for s, _ in places})}
    lanes = {lane.pk: lane for lane in journey.lanes.filter(pk__in={lane for _, lane in places})}
    return _cells_at(journey=journey, places=places, stages=stages, lanes=lanes)


def cell_of_card(*, journey: Journey, card: Card) -> list[Cell]:
    """Like `cells_of_cards` for one card a service has just saved, its stage and lane loaded with it:
    where it is is known, so only its cell's cards are read."""
    return _cells_at(journey=journey, places={(card.stage_id, card.lane_id)},
                     stages={card.stage_id: card.stage}, lanes={card.lane_id: card.lane})


def _cells_at(*, journey: Journey, places: set[tuple[int, int]], stages: dict[int, Stage],
              lanes: dict[int, Lane]) -> list[Cell]:
    where = Q()
    for stage_id, lane_id in places:
        where |= Q(stage_id=stage_id, lane_id=lane_id)
    by_cell, _ = _stamps_by_cell(journey.cards.filter(where, deleted_at=None))
    badges_attach(journey=journey, cards=[stamp for cell in by_cell.values() for stamp in cell])
    return [Cell(stage=stages[s], lane=lanes[lane], cards=by_cell.get((s, lane), []))
            for s, lane in sorted(places) if s in stages and lane in lanes]


def cards_naming_stages(*, journey: Journey, stage_ids: list[int]) -> list[int]:
    """The cards that show one of these stages' names (a handoff's "to" stage): a rename re-renders them."""
    return list(journey.cards.filter(kind=LaneKind.HANDOFFS, transition__to_stage_id__in=stage_ids)
                .values_list("pk", flat=True))


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


def changes_list(*, journey: Journey, filters: ActivityFilters = ActivityFilters(), limit: int = 300) -> list[Change]:
    """The map's history, newest first, each entry with `rows` (its changed fields with human labels
    and values) and `url` (where the thing changed is seen, while it is there)."""
    changes = list(filters.apply(journey.changes.select_related("actor").order_by("-revision", "id"))[:limit])
    for change in changes:
        kind = DELETABLES.get(change.entity)
        change.rows = _change_rows(change, kind.models if kind else ())
        change.url = kind.url(journey, change.entity_id) if kind and kind.url and change.action != "delete" else ""
        change.revertible = kind is not None or change.deletion_id is not None
    return changes


def activity_choices(*, journey: Journey) -> dict:
    """The people and kinds a map's history can be filtered by."""
    people = {c.actor_id: c.actor for c in journey.changes.select_related("actor").exclude(actor=None)
              .distinct("actor_id").order_by("actor_id")}
    kinds = sorted(set(journey.changes.values_list("entity", flat=True)))
    return {"people": list(people.values()), "kinds": [(k, k.replace("_", " ")) for k in kinds]}


def _field(models_: tuple, name: str):
    for model in models_:
        try:
            return model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


def shown_value(field, value) -> str:
    """A stored value as a person reads it: a choice by its label, yes/no, a dash for nothing."""
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _change_rows(change: Change, models_: tuple) -> list[dict]:
    before, after = change.before or {}, change.after or {}
    if change.action in ("create", "delete", "restore"):
        return []
    rows = []
    for name in [*before, *[k for k in after if k not in before]]:
        field = _field(models_, name)
        label = str(field.verbose_name) if field is not None else name.replace("_", " ")
        rows.append({"label": label[:1].upper() + label[1:], "before": shown_value(field, before.get(name)),
                     "after": shown_value(field, after.get(name))})
    return [r for r in rows if r["before"] != r["after"]]


def change_get(*, journey: Journey, pk: int) -> Change:
    change = journey.changes.filter(pk=pk).first()
    if change is None:
        raise NotFound("No such entry in this map's history.")
    return change


def archived_count(*, user: AbstractBaseUser) -> int:
    return journeys_for_user(user=user).filter(status=JourneyStatus.ARCHIVED).count()


def deleted_maps(*, workspace_id: int) -> QuerySet[Deletion]:
    """The workspace's deleted maps that can still be restored, newest first."""
    return Deletion.objects.filter(workspace_id=workspace_id, entity="journey", restored_at=None).select_related(
        "actor").order_by("-at", "-id")


def deleted_map_get(*, workspace_id: int, pk: int) -> Deletion:
    deletion = deleted_maps(workspace_id=workspace_id).filter(pk=pk).first()
    if deletion is None:
        raise NotFound("No such deleted map.")
    return deletion


def deletions_open(*, journey: Journey) -> QuerySet[Deletion]:
    """What was deleted on the map and can still be restored, newest first."""
    return journey.deletions.filter(restored_at=None).select_related("actor").order_by("-at", "-id")


def deletion_get(*, journey: Journey, pk: int) -> Deletion:
    deletion = journey.deletions.filter(pk=pk).first()
    if deletion is None:
        raise NotFound("No such deletion on this map.")
    return deletion


def cards_on_board(*, journey: Journey) -> list[Card]:
    """The map's cards (not deleted ones), each as its own kind, in their order within each cell."""
    return [card_detail(c) for c in _with_details(journey.cards.filter(deleted_at=None)).order_by("position", "id")]
