"""Hooks through which higher layers (stakeholders, compliance, reports) add to map
pages without `maps` importing them: they register from their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe


@dataclass(frozen=True)
class BoardPanel:
    url_name: str  # a URL taking the journey's pk; answers a fragment for HTMX and a page otherwise
    label: str
    key: str  # its container on the board is #panel-<key>
    # render(journey=...) -> the fragment the URL answers, without a request, the same for editors and viewers.
    # Given, the panel is live: a change that alters it brings it to every open board (maps.regions.panels_changed).
    render: Callable[..., str] | None = None
    tab: str = ""  # its short name on the analysis drawer's tab (the label when empty)
    placement: str = "drawer"  # "drawer": a tab of the analysis drawer; "export": a part of the Export menu
    position: int = 100  # tabs in ascending position, then in the order registered


BOARD_PANELS: list[BoardPanel] = []


@dataclass(frozen=True)
class BoardStream:
    events_url_name: str  # a URL taking the journey's pk: its Server-Sent Events
    editing_url_name: str  # a URL taking the journey's pk: where the board says which card its person edits
    serves: Callable[[HttpRequest], bool]  # whether this server can stream to that request (ASGI can, WSGI cannot)


# The live-update layer registers itself here; without it the board is simply not live.
BOARD_STREAMS: list[BoardStream] = []


def register_board_panel(*, url_name: str, label: str, key: str = "", render: Callable[..., str] | None = None,
                         tab: str = "", placement: str = "drawer", position: int = 100) -> None:
    if all(p.url_name != url_name for p in BOARD_PANELS):
        BOARD_PANELS.append(BoardPanel(url_name=url_name, label=label, key=key or url_name.split(":")[0], render=render,
                                       tab=tab, placement=placement, position=position))
        BOARD_PANELS.sort(key=lambda p: p.position)  # stable: equal positions keep their order


# Other pages that follow a map's changes live (the workshop's presentation) render their own form of the
# changed cards, once per change, beside the board's: render(journey=..., card_ids=[...]) -> HTML, by name.
# It goes to every listener, share-link guests too: it must show no more than a share page does.
CHANGE_RENDERERS: dict[str, Callable[..., str]] = {}


def register_change_renderer(*, name: str, render: Callable[..., str]) -> None:
    CHANGE_RENDERERS[name] = render


@dataclass(frozen=True)
class BoardLink:
    url_name: str  # a URL taking the journey's pk, shown in the board's header
    label: str
    roles: frozenset  # the workspace roles that see the link
    # "primary": a button in the header; "export": in the Export menu (its page loads into the menu);
    # "more": in the header's More menu
    placement: str = "more"


BOARD_LINKS: list[BoardLink] = []


def register_board_link(*, url_name: str, label: str, roles: frozenset, placement: str = "more") -> None:
    if all(link.url_name != url_name for link in BOARD_LINKS):
        BOARD_LINKS.append(BoardLink(url_name=url_name, label=label, roles=roles, placement=placement))


@dataclass(frozen=True)
class WorkspaceAction:
    url_name: str  # a URL taking the workspace's slug
    label: str


# Shown to a workspace's editors next to "New map" on the maps list.
WORKSPACE_ACTIONS: list[WorkspaceAction] = []


def register_workspace_action(*, url_name: str, label: str) -> None:
    if all(a.url_name != url_name for a in WORKSPACE_ACTIONS):
        WORKSPACE_ACTIONS.append(WorkspaceAction(url_name=url_name, label=label))


@dataclass(frozen=True)
class BoardBadge:
    """A small counter linked from a card or a stage header (say, its open comment threads)."""

    dom_id: str  # stable across renders, so a response can replace it out of band
    url: str
    count: int
    label: str  # what a screen reader says
    css_class: str
    swap_oob: bool = False  # sent beside another region's response, to replace the one on the board

    def __str__(self) -> str:  # the template engine renders `{{ badge }}` from str(), safe as built
        return self.__html__()

    def __html__(self) -> str:
        # Built here rather than by a template: a large board shows hundreds of badges, and
        # resolving each attribute through the template engine cost a fifth of its render time.
        return format_html(
            '<a class="board-badge {}{}" id="{}" href="{}" hx-get="{}" hx-target="#dialog" hx-swap="innerHTML" '
            'aria-label="{}" title="{}"{}>{}</a>',
            self.css_class, "" if self.count else " empty", self.dom_id, self.url, self.url, self.label, self.label,
            mark_safe(' hx-swap-oob="true"') if self.swap_oob else "", self.count or "",
        )


# Each source answers, in one query, the badges of the given cards and stages of a
# journey: source(journey=..., card_ids=[...], stage_ids=[...]) -> {("card"|"stage", pk): BoardBadge}.
BadgeSource = Callable[..., dict[tuple[str, int], BoardBadge]]
BOARD_BADGE_SOURCES: list[BadgeSource] = []


def register_board_badges(source: BadgeSource) -> None:
    if source not in BOARD_BADGE_SOURCES:
        BOARD_BADGE_SOURCES.append(source)


def register_board_stream(*, events_url_name: str, editing_url_name: str,
                          serves: Callable[[HttpRequest], bool]) -> None:
    BOARD_STREAMS[:] = [BoardStream(events_url_name=events_url_name, editing_url_name=editing_url_name, serves=serves)]


@dataclass(frozen=True)
class MapAlarm:
    """Something about a map that needs attention now (a metric past its threshold, say)."""

    journey_id: int
    label: str
    url: str
    severity: str = "medium"  # "high", "medium" or "low"


# Alarms come from the layer that watches the numbers (diagnostics). Each source answers, in a few queries,
# the alarms of the given maps: source(journey_ids=[...]) -> [MapAlarm]. None registered: pages say alarms
# are not being watched, rather than that there are none.
AlarmSource = Callable[..., list[MapAlarm]]
MAP_ALARM_SOURCES: list[AlarmSource] = []


def register_map_alarms(source: AlarmSource) -> None:
    if source not in MAP_ALARM_SOURCES:
        MAP_ALARM_SOURCES.append(source)


@dataclass(frozen=True)
class Deletable:
    """A kind of row of a map that people delete (with everything depending on it) from its confirmation
    page, and whose history entries can be undone from the map's activity."""

    kind: str  # in the URL and the history (`Change.entity`): "stage", "step", "checkpoint"...
    label: str  # as a person reads it: "compliance checkpoint"
    models: tuple  # the models its rows may be (a card: each card kind), for field labels
    get: Callable  # get(journey=..., pk=...) -> the row, or raises NotFound
    delete: Callable  # delete(actor=..., item=..., version=...) -> Deletion
    update: Callable | None = None  # update(actor=..., item=..., version=..., data=...): undoes an edit
    url: Callable | None = None  # url(journey, pk) -> where the row is seen


# Keyed by kind; maps registers its own kinds, higher layers theirs from their AppConfig.ready().
DELETABLES: dict[str, Deletable] = {}


def register_deletable(*, kind: str, label: str, models: tuple, get: Callable, delete: Callable,
                       update: Callable | None = None, url: Callable | None = None) -> None:
    DELETABLES[kind] = Deletable(kind=kind, label=label, models=models, get=get, delete=delete, update=update,
                                 url=url)
