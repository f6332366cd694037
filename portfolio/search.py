"""Search across the maps, cards, comments, checkpoints and personas of the workspaces a person belongs to.

On PostgreSQL each kind is matched by full-text search (English stemming, websearch
syntax: quoted phrases, `or`, `-word`) and ranked; elsewhere (SQLite) every word must
appear in one of the fields (a -word in none), without stemming. Every query starts from the person's memberships, so no
result can come from a workspace they are not in.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet
from django.urls import reverse

from comments.models import Comment
from compliance.models import Checkpoint
from maps.models import Card, Journey
from workspaces.selectors import workspaces_for_user

from .models import Persona

PER_KIND = 50  # results of each kind; a search that needs more needs more words
QUERY_MAX = 200


@dataclass
class Hit:
    kind: str  # "map", "card", "comment", "checkpoint"
    title: str
    text: str
    url: str


@dataclass
class MapResults:
    journey: Journey
    hits: list[Hit] = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    maps: list[MapResults]
    personas: list[Persona]

    @property
    def count(self) -> int:
        return sum(len(m.hits) for m in self.maps) + len(self.personas)


def _matching(queryset: QuerySet, fields: list[str], query: str) -> QuerySet:
    if connection.vendor == "postgresql":
        search = SearchQuery(query, search_type="websearch", config="english")
        vector = SearchVector(*fields, config="english")
        return (queryset.annotate(search_vector=vector, rank=SearchRank(vector, search))
                .filter(search_vector=search).order_by("-rank", "pk"))
    # Without full-text search: every word must appear in some field, and a -word in none.
    words = [word.strip('"') for word in query.split()]
    wanted = [word for word in words if word and not word.startswith("-")]
    unwanted = [word[1:] for word in words if word.startswith("-") and len(word) > 1]

    def anywhere(word: str) -> Q:
        return reduce(or_, [Q(**{f"{name}__icontains": word}) for name in fields])

    if not wanted:
        return queryset.none()
    matching = queryset.filter(reduce(and_, [anywhere(word) for word in wanted]))
    for word in unwanted:
        matching = matching.exclude(anywhere(word))
    return matching.order_by("pk")


def _snippet(text: str, query: str, width: int = 160) -> str:
    """The part of `text` around the first word of the query it contains."""
    lowered = text.casefold()
    at = min((i for word in query.casefold().split() if (i := lowered.find(word.strip('"-'))) >= 0), default=0)
    start = max(0, at - width // 3)
    return ("…" if start else "") + text[start:start + width].strip() + ("…" if start + width < len(text) else "")


def search(*, user: AbstractBaseUser, query: str) -> SearchResults:
    query = " ".join(query.split())[:QUERY_MAX]
    if not query:
        return SearchResults(query="", maps=[], personas=[])
    workspaces = workspaces_for_user(user=user).values("pk")
    journeys = Journey.objects.filter(workspace__in=workspaces)
    by_map: dict[int, MapResults] = {}

    def add(journey: Journey, hit: Hit) -> None:
        by_map.setdefault(journey.pk, MapResults(journey=journey)).hits.append(hit)

    for journey in _matching(journeys, ["title", "description", "persona"], query)[:PER_KIND]:
        add(journey, Hit("map", journey.title, _snippet(journey.description or journey.persona, query),
                         reverse("maps:board", args=[journey.pk])))
    cards = Card.objects.filter(journey__in=journeys, deleted_at=None).select_related("journey", "stage", "lane")
    for card in _matching(cards, ["title", "body"], query)[:PER_KIND]:
        add(card.journey, Hit("card", card.title, f"{card.stage.name} · {card.lane.name}"
                              + (f" — {_snippet(card.body, query)}" if card.body else ""),
                              reverse("maps:board", args=[card.journey_id]) + f"#card-{card.pk}"))
    comments = Comment.objects.filter(journey__in=journeys).filter(
        Q(card__isnull=True) | Q(card__deleted_at=None)).select_related("journey", "card", "stage", "author")
    for comment in _matching(comments, ["body"], query)[:PER_KIND]:
        where = comment.card.title if comment.card_id else comment.stage.name
        anchor = f"card-{comment.card_id}" if comment.card_id else f"stage-{comment.stage_id}"
        add(comment.journey, Hit("comment", f"Comment on “{where}”", _snippet(comment.body, query),
                                 reverse("maps:board", args=[comment.journey_id]) + f"#{anchor}"))
    checkpoints = Checkpoint.objects.filter(journey__in=journeys).select_related("journey")
    for checkpoint in _matching(checkpoints, ["title", "description", "notes"], query)[:PER_KIND]:
        add(checkpoint.journey, Hit("checkpoint", checkpoint.title,
                                    f"{checkpoint.get_type_display()} · {checkpoint.get_status_display()}",
                                    reverse("compliance:checkpoint_review", args=[checkpoint.pk])))
    personas = Persona.objects.filter(workspace__in=workspaces).select_related("workspace")
    found = list(_matching(personas, ["name", "summary", "goals", "needs", "frustrations", "context"],
                           query)[:PER_KIND])
    maps = sorted(by_map.values(), key=lambda m: (-len(m.hits), m.journey.title))
    return SearchResults(query=query, maps=maps, personas=found)
