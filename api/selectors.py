"""Reads for the API: rows found by their own id, scoped to the token owner's workspaces."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.errors import NotFound
from maps import selectors as map_selectors
from maps.models import CARD_DETAIL_RELATIONS, Card, Journey, Lane, Stage
from workspaces.models import Team

from .models import ApiToken


def api_tokens_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def _journey_of(*, user: AbstractBaseUser, queryset: QuerySet, pk: int, noun: str) -> Journey:
    journey_id = queryset.filter(pk=pk).values_list("journey_id", flat=True).first()
    if journey_id is None:
        raise NotFound(f"No such {noun}.")
    return map_selectors.journey_get(user=user, pk=journey_id)


def stage_get(*, user: AbstractBaseUser, pk: int) -> Stage:
    journey = _journey_of(user=user, queryset=Stage.objects.all(), pk=pk, noun="stage")
    return map_selectors.stage_get(journey=journey, pk=pk)


def lane_get(*, user: AbstractBaseUser, pk: int) -> Lane:
    journey = _journey_of(user=user, queryset=Lane.objects.all(), pk=pk, noun="lane")
    return map_selectors.lane_get(journey=journey, pk=pk)


def card_get(*, user: AbstractBaseUser, pk: int) -> Card:
    """A card on the board (not a deleted one) as its own kind."""
    journey = _journey_of(user=user, queryset=Card.objects.filter(deleted_at=None), pk=pk, noun="card")
    return map_selectors.card_get(journey=journey, pk=pk)


def team_get(*, workspace_id: int, pk: int) -> Team | None:
    return Team.objects.filter(workspace_id=workspace_id, pk=pk).first()


def stage_of_journey(*, journey: Journey, pk: int) -> Stage | None:
    return journey.stages.filter(pk=pk).first()


@dataclass
class MapContent:
    journey: Journey
    stages: list[Stage]
    lanes: list[Lane]
    cards: list[Card]


def map_content_get(*, journey: Journey) -> MapContent:
    """The map's rows in three queries, its cards as their own kinds in board order. Unlike the
    board, no grid of cells is built: its cost grows with stages x lanes, and the API needs none."""
    cards = (
        journey.cards.filter(deleted_at=None)
        .select_related(*CARD_DETAIL_RELATIONS)
        .order_by("lane__position", "lane_id", "stage__position", "stage_id", "position", "id")
    )
    return MapContent(
        journey=journey,
        stages=list(journey.stages.all()),
        lanes=list(journey.lanes.all()),
        cards=[map_selectors.card_detail(card) for card in cards],
    )
