"""Hooks through which higher layers (stakeholders, compliance, reports) add to map
pages without `maps` importing them: they register from their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class BoardPanel:
    url_name: str  # a URL taking the journey's pk; answers a fragment for HTMX and a page otherwise
    label: str


BOARD_PANELS: list[BoardPanel] = []


@dataclass(frozen=True)
class BoardStream:
    events_url_name: str  # a URL taking the journey's pk: its Server-Sent Events
    editing_url_name: str  # a URL taking the journey's pk: where the board says which card its person edits
    serves: Callable[[HttpRequest], bool]  # whether this server can stream to that request (ASGI can, WSGI cannot)


# The live-update layer registers itself here; without it the board is simply not live.
BOARD_STREAMS: list[BoardStream] = []


def register_board_panel(*, url_name: str, label: str) -> None:
    if all(p.url_name != url_name for p in BOARD_PANELS):
        BOARD_PANELS.append(BoardPanel(url_name=url_name, label=label))


def register_board_stream(*, events_url_name: str, editing_url_name: str,
                          serves: Callable[[HttpRequest], bool]) -> None:
    BOARD_STREAMS[:] = [BoardStream(events_url_name=events_url_name, editing_url_name=editing_url_name, serves=serves)]
