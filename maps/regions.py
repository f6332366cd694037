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
from .extensions import BOARD_PANELS, CHANGE_RENDERERS
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
    pages: dict[str, str] = field(default_factory=dict)  # other pages' forms of the changed cards (CHANGE_RENDERERS)


def variant_for(can_edit: bool) -> str:
    return "editor" if can_edit else "viewer"


def url_prefixes(journey_id: int) -> dict[str, str]:
    """The prefixes the board builds its card, stage and lane links from (`cards_url`, `stages_url`,
    `lanes_url`): reversing URLs per card and header was most of a large board's render time."""
    return {f"{axis}s_url": reverse(f"maps:{axis}_create", args=[journey_id]).removesuffix("new/")
            for axis in ("card", "stage", "lane")}


@functools.cache
def _template_digest() -> str:
    """Changes when the board template does, so a deploy never serves cards rendered by the old one."""
    origin = get_template(BOARD).origin.name
    return hashlib.blake2b(Path(origin).read_bytes(), digest_size=6).hexdigest()


def _card_key(card: Card | selectors.CardStamp, variant: str) -> str:
    # What a card shows beyond its own row, which its version does not count: badges, team and stage names.
    names = card.names if isinstance(card, selectors.CardStamp) else selectors.card_names(card)
    extra = "|".join(["".join(str(b) for b in getattr(card, "badges", ())), *map(str, names)])
    digest = hashlib.blake2b(extra.encode(), digest_size=8).hexdigest()
    return f"card-html:{_template_digest()}:{card.pk}:{card.version}:{variant}:{digest}"


def cards_html_attach(*, journey: Journey, cards: Iterable[Card | selectors.CardStamp], can_edit: bool,
                      loaded: dict[int, Card] | None = None) -> dict[int, Card]:
    """Gives each card `html`, its rendered partial: from the cache when there, rendered (and kept) otherwise.
    A card may be a stamp (`selectors.CardStamp`): only the stamps missing from the cache are loaded as cards,
    or taken from `loaded` (cards at hand, as their own kind), which is returned with those added. A stamp
    whose card is gone meanwhile gets no `html`. Cards and stamps need their badges attached first
    (`selectors.badges_attach`)."""
    cards = list(cards)
    loaded = dict(loaded or {})
    variant = variant_for(can_edit)
    keys = {card.pk: _card_key(card, variant) for card in cards}
    cached = _cache_call(cache.get_many, list(keys.values())) or {} if cards else {}
    wanted = [c.pk for c in cards if keys[c.pk] not in cached and isinstance(c, selectors.CardStamp)]
    if unloaded := [pk for pk in wanted if pk not in loaded]:
        loaded |= selectors.cards_of_board(journey=journey, card_ids=unloaded)
    missing = {}
    template = get_template(f"{BOARD}#card")
    context = {"journey": journey, "can_edit": can_edit, **url_prefixes(journey.pk)}
    for card in cards:
        html = cached.get(keys[card.pk])
        if html is None:
            model = loaded.get(card.pk) if isinstance(card, selectors.CardStamp) else card
            if model is None:
                continue  # deleted since its stamp was read: its cell leaves it out
            model.badges = card.badges
            html = missing[keys[card.pk]] = template.render(context | {"card": model})
        card.html = mark_safe(html)
    if missing:
        _cache_call(cache.set_many, missing, CARD_CACHE_SECONDS)
    return loaded


def _cache_call(method, *args):
    """The card cache only saves time: when it is down (Redis restarting), every card is rendered, and a
    save still answers with its cards instead of failing after it was made."""
    try:
        return method(*args)
    except Exception:  # the backend's own connection error (redis.exceptions.ConnectionError...)
        return None


def _cell_key(cell: selectors.Cell, variant: str) -> str:
    # Everything the cell's HTML shows: its stage and lane, and each card's version, names and badges, in order.
    shown = repr((cell.stage.pk, cell.stage.name, cell.lane.pk, cell.lane.name, cell.lane.kind,
                  [(c.pk, c.version, c.names, [repr(b) for b in c.badges]) for c in cell.cards]))
    digest = hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()
    return f"cell-html:{_template_digest()}:{variant}:{digest}"


def board_html_attach(*, board: selectors.BoardOutline, can_edit: bool) -> None:
    """Gives each cell of the board `html`, its whole table cell: from the cache when there (a warm board
    is one cache read for all its cells), rendered from its cards otherwise (those from their own cache)."""
    variant = variant_for(can_edit)
    cells = [cell for row in board.rows for cell in row.cells]
    keys = [_cell_key(cell, variant) for cell in cells]
    cached = cache.get_many(keys)
    missing = [(key, cell) for key, cell in zip(keys, cells, strict=True) if key not in cached]
    if missing:
        journey = board.journey
        cards_html_attach(journey=journey, cards=(c for _, cell in missing for c in cell.cards), can_edit=can_edit)
        template = get_template(f"{BOARD}#board_cell")
        context = {"journey": journey, "can_edit": can_edit, **url_prefixes(journey.pk)}
        for key, cell in missing:
            cell.cards = [card for card in cell.cards if hasattr(card, "html")]
            cached[key] = template.render(context | {"cell": cell})
        cache.set_many({key: cached[key] for key, _ in missing}, CARD_CACHE_SECONDS)
    for key, cell in zip(keys, cells, strict=True):
        cell.html = mark_safe(cached[key])


def cells_render(*, journey: Journey, cells: list[selectors.Cell], can_edit: bool,
                 loaded: dict[int, Card] | None = None) -> tuple[str, dict[int, Card]]:
    """These cells as out-of-band regions, and the cards loaded to render them (with `loaded`, those at hand
    already: the next variant's render needs no query for them)."""
    loaded = cards_html_attach(journey=journey, cards=(c for cell in cells for c in cell.cards), can_edit=can_edit,
                               loaded=loaded)
    for cell in cells:
        cell.cards = [card for card in cell.cards if hasattr(card, "html")]
    html = "".join(render_to_string(f"{BOARD}#cell", {"cell": cell, "oob": True}).strip() for cell in cells)
    return html, loaded


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


def panels_changed(*, journey: Journey) -> str:
    """The live board panels (health score, fix first, counts...) whose HTML changed since this map's panels
    were last rendered, each as `<div id="panel-<key>">` around what the panel's URL answers: a board puts
    that content into its own container of that id. Each is rendered once for everyone (no live panel shows
    edit controls: editors and viewers read the same); its digest, kept in the cache, leaves out the ones
    that read the same as before."""
    changed, digests = [], {}
    for panel in BOARD_PANELS:
        if panel.render is None:
            continue
        html = panel.render(journey=journey).strip()
        key = f"live-panel:{journey.pk}:{panel.key}"
        digest = hashlib.blake2b(html.encode(), digest_size=16).hexdigest()
        if cache.get(key) != digest:
            digests[key] = digest
            changed.append(f'<div id="panel-{panel.key}">{html}</div>')
    if digests:
        cache.set_many(digests, CARD_CACHE_SECONDS)
    return "".join(changed)


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
    if stage_ids:
        # A renamed stage is named elsewhere too: on handoffs to it (the curve comes below with its labels).
        card_ids += selectors.cards_naming_stages(journey=journey, stage_ids=stage_ids)
    cells = selectors.cells_of_cards(journey=journey, card_ids=card_ids) if card_ids else []
    if card_ids:
        regions.pages = {name: render(journey=journey, card_ids=card_ids) for name, render in CHANGE_RENDERERS.items()}
    stages = list(journey.stages.filter(pk__in=stage_ids)) if stage_ids else []
    lanes = list(journey.lanes.filter(pk__in=lane_ids)) if lane_ids else []
    if stages:
        selectors.badges_attach(journey=journey, stages=stages)
    curve = None
    if stages or any(cell.lane.kind == LaneKind.USER_STATE for cell in cells):
        curve = selectors.curve_get(journey=journey)
    # The "+ Add" links name their stage and lane: those of a renamed one come along (editors only have them).
    renamed = []
    if stages:
        renamed += [selectors.Cell(stage=s, lane=lane) for lane in journey.lanes.all() for s in stages]
    if lanes:
        renamed += [selectors.Cell(stage=s, lane=lane) for s in journey.stages.all() for lane in lanes]
    loaded: dict[int, Card] = {}
    for variant, can_edit in VARIANTS.items():
        cells_html, loaded = cells_render(journey=journey, cells=cells, can_edit=can_edit, loaded=loaded)
        parts = [cells_html]
        base = {"journey": journey, "can_edit": can_edit, "oob": True, **url_prefixes(journey.pk)}
        headers = [render_to_string(f"{BOARD}#stage_cell", base | {"stage": s}).strip() for s in stages]
        headers += [render_to_string(f"{BOARD}#lane_cell", base | {"lane": lane}).strip() for lane in lanes]
        if headers:
            # Header cells parse only inside a table: after a cell's <div> the HTML parser would drop a bare <th>.
            parts.append(f"<table><tr>{''.join(headers)}</tr></table>")
        if can_edit:
            parts += [render_to_string(f"{BOARD}#add_card", base | {"cell": cell}).strip() for cell in renamed]
        if curve is not None:
            parts.append(render_to_string(f"{BOARD}#curve", {"curve": curve, "oob": True}).strip())
        regions.html[variant] = "".join(parts)
    return regions

