"""The board's live regions: what one change re-renders, once, for every board that shows it.

A region is a part of `maps/board.html` with a stable id (listed at the top of its partials):
a cell's cards, a stage or lane header, the confidence curve. `regions_for_revision` reads what a
revision changed (its `Change` rows) and renders the regions it touched, once per variant
(`editor`: with edit controls; `viewer`: without), each marked hx-swap-oob, so the same HTML
serves the live event every open board applies by id and the HTMX response of the person who
made the change. A change whose effect is not one of these regions (a new, moved or deleted
stage or lane) asks boards to re-read themselves instead (`reload`).

Cards come pre-rendered from the cache, keyed by (card id, version, variant, and what else the
card shows that its version does not cover), so a board render is mostly cache hits.
"""

import dataclasses
import functools
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import selectors
from .models import Card, Change, ChangeAction, Journey, LaneKind

BOARD = "maps/board.html"
VARIANTS = {"editor": True, "viewer": False}  # variant -> can_edit
CARD_CACHE_SECONDS = 24 * 3600


@dataclass
class Regions:
    revision: int
    reload: bool = False  # the change is not confined to regions: boards re-read themselves
    html: dict[str, str] = field(default_factory=dict)  # variant -> the changed regions
    note: str = ""  # what changed, in words, for the live region ("edited “Book a visit”")


def variant_for(can_edit: bool) -> str:
    return "editor" if can_edit else "viewer"


def cards_url(journey_id: int) -> str:
    # Card links are built from this prefix: reversing a URL per card is most of a large board's render time.
    return reverse("maps:card_create", args=[journey_id]).removesuffix("new/")


@functools.cache
def _template_digest() -> str:
    """Changes when the board template does, so a deploy never serves cards rendered by the old one."""
    origin = get_template(BOARD).origin.name
    return hashlib.blake2b(Path(origin).read_bytes(), digest_size=6).hexdigest()


def _card_key(card: Card, variant: str) -> str:
    # What a card shows beyond its own row, which its version does not count: badges, team and stage names.
    extra = "|".join([
        "".join(str(b) for b in getattr(card, "badges", ())), str(card.owner_team or ""),
        str(getattr(card, "to_stage", "") or ""), str(getattr(card, "from_team", "") or ""),
        str(getattr(card, "to_team", "") or ""),
    ])
    digest = hashlib.blake2b(extra.encode(), digest_size=8).hexdigest()
    return f"card-html:{_template_digest()}:{card.pk}:{card.version}:{variant}:{digest}"


def cards_html_attach(*, journey: Journey, cards: Iterable[Card], can_edit: bool) -> None:
    """Gives each card `html`, its rendered partial: from the cache when there, rendered (and kept) otherwise.
    Cards need their badges attached first (`selectors.badges_attach`)."""
    cards = list(cards)
    variant = variant_for(can_edit)
    keys = {card.pk: _card_key(card, variant) for card in cards}
    cached = _cache_call(cache.get_many, list(keys.values())) or {} if cards else {}
    missing = {}
    template = get_template(f"{BOARD}#card")
    context = {"journey": journey, "can_edit": can_edit, "cards_url": cards_url(journey.pk)}
    for card in cards:
        html = cached.get(keys[card.pk])
        if html is None:
            html = missing[keys[card.pk]] = template.render(context | {"card": card})
        card.html = mark_safe(html)
    if missing:
        _cache_call(cache.set_many, missing, CARD_CACHE_SECONDS)


def _cache_call(method, *args):
    """The card cache only saves time: when it is down (Redis restarting), every card is rendered, and a
    save still answers with its cards instead of failing after it was made."""
    try:
        return method(*args)
    except Exception:  # the backend's own connection error (redis.exceptions.ConnectionError...)
        return None


def board_html_attach(*, board: selectors.Board, can_edit: bool) -> None:
    cards_html_attach(journey=board.journey, can_edit=can_edit,
                      cards=(card for row in board.rows for cell in row.cells for card in cell.cards))


def cells_render(*, journey: Journey, cells: list[selectors.Cell], can_edit: bool) -> str:
    cards_html_attach(journey=journey, cards=(c for cell in cells for c in cell.cards), can_edit=can_edit)
    return "".join(render_to_string(f"{BOARD}#cell", {"cell": cell, "oob": True}).strip() for cell in cells)


def _badges_changed(journey: Journey) -> str:
    """The badges (comment counts...) of the map's cards and stages that changed since the last time
    this was asked, as OOB regions: the same for every variant. The first time, all of them."""
    stages = list(journey.stages.all())
    cards = list(journey.cards.filter(deleted_at=None).only("pk"))
    selectors.badges_attach(journey=journey, stages=stages, cards=cards)
    now = {badge.dom_id: str(dataclasses.replace(badge, swap_oob=True)) for item in [*stages, *cards]
           for badge in item.badges}
    key = f"live-badges:{journey.pk}"
    before = cache.get(key) or {}
    cache.set(key, now, CARD_CACHE_SECONDS)
    return "".join(html for dom_id, html in now.items() if before.get(dom_id) != html)


_ACTION_WORDS = dict(ChangeAction.choices)


def regions_for_revision(*, journey_id: int, revision: int) -> Regions:
    """The regions revision `revision` of the journey changed, rendered for each variant."""
    regions = Regions(revision=revision)
    changes = list(Change.objects.filter(journey_id=journey_id, revision=revision)
                   .values_list("entity", "action", "entity_id", "label"))
    if any(entity in ("stage", "lane") and action != ChangeAction.UPDATE for entity, action, _, _ in changes):
        regions.reload = True
        return regions
    card_ids = [pk for entity, _, pk, _ in changes if entity == "card"]
    stage_ids = [pk for entity, _, pk, _ in changes if entity == "stage"]
    lane_ids = [pk for entity, _, pk, _ in changes if entity == "lane"]
    if not (card_ids or stage_ids or lane_ids):
        # Not a change of the board's own rows (a comment, a vote, the timer): at most some badges changed.
        badges = _badges_changed(Journey.objects.get(pk=journey_id))
        if badges:
            regions.html = {variant: badges for variant in VARIANTS}
        return regions
    if len(changes) == 1:
        entity, action, _, label = changes[0]
        regions.note = f"{_ACTION_WORDS.get(action, action)} {entity} “{label}”"
    journey = Journey.objects.select_related("workspace").get(pk=journey_id)
    cells = selectors.cells_of_cards(journey=journey, card_ids=card_ids) if card_ids else []
    stages = list(journey.stages.filter(pk__in=stage_ids)) if stage_ids else []
    lanes = list(journey.lanes.filter(pk__in=lane_ids)) if lane_ids else []
    if stages:
        selectors.badges_attach(journey=journey, stages=stages)
    curve = None
    if stages or any(cell.lane.kind == LaneKind.USER_STATE for cell in cells):
        curve = selectors.curve_get(journey=journey)
    for variant, can_edit in VARIANTS.items():
        parts = [cells_render(journey=journey, cells=cells, can_edit=can_edit)]
        base = {"journey": journey, "can_edit": can_edit, "oob": True}
        parts += [render_to_string(f"{BOARD}#stage_cell", base | {"stage": s}).strip() for s in stages]
        parts += [render_to_string(f"{BOARD}#lane_cell", base | {"lane": lane}).strip() for lane in lanes]
        if curve is not None:
            parts.append(render_to_string(f"{BOARD}#curve", {"curve": curve, "oob": True}).strip())
        regions.html[variant] = "".join(parts)
    return regions

