"""Hooks through which higher layers (stakeholders, compliance, reports) add to map
pages without `maps` importing them: they register from their AppConfig.ready()."""

from dataclasses import dataclass


@dataclass(frozen=True)
class BoardPanel:
    url_name: str  # a URL taking the journey's pk; answers a fragment for HTMX and a page otherwise
    label: str


BOARD_PANELS: list[BoardPanel] = []


def register_board_panel(*, url_name: str, label: str) -> None:
    if all(p.url_name != url_name for p in BOARD_PANELS):
        BOARD_PANELS.append(BoardPanel(url_name=url_name, label=label))


@dataclass(frozen=True)
class BoardLink:
    url_name: str  # a URL taking the journey's pk: a page of its own, linked from the board's header
    label: str


BOARD_LINKS: list[BoardLink] = []


def register_board_link(*, url_name: str, label: str) -> None:
    if all(link.url_name != url_name for link in BOARD_LINKS):
        BOARD_LINKS.append(BoardLink(url_name=url_name, label=label))
