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
    url_name: str  # a URL taking the journey's pk, shown in the board's header
    label: str
    roles: frozenset  # the workspace roles that see the link


BOARD_LINKS: list[BoardLink] = []


def register_board_link(*, url_name: str, label: str, roles: frozenset) -> None:
    if all(link.url_name != url_name for link in BOARD_LINKS):
        BOARD_LINKS.append(BoardLink(url_name=url_name, label=label, roles=roles))


@dataclass(frozen=True)
class WorkspaceAction:
    url_name: str  # a URL taking the workspace's slug
    label: str


# Shown to a workspace's editors next to "New map" on the maps list.
WORKSPACE_ACTIONS: list[WorkspaceAction] = []


def register_workspace_action(*, url_name: str, label: str) -> None:
    if all(a.url_name != url_name for a in WORKSPACE_ACTIONS):
        WORKSPACE_ACTIONS.append(WorkspaceAction(url_name=url_name, label=label))
