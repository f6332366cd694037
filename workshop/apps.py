from django.apps import AppConfig


class WorkshopConfig(AppConfig):
    """The facilitator's workshop mode: the projector view, dot votes, the timer and share links.

    Sits above `maps` (and reports): it changes maps only through
    `maps.services.journey_change_begin`, so every vote and timer change reaches the
    live views, and adds its links to the board through `maps.extensions`.
    """

    name = "workshop"
    verbose_name = "Workshop mode"

    def ready(self) -> None:
        from maps.extensions import register_board_link
        from workspaces.models import Role

        register_board_link(url_name="workshop:present", label="Present", roles=frozenset(Role), placement="primary")
        register_board_link(url_name="workshop:facilitate", label="Vote", roles=frozenset(Role))
        register_board_link(url_name="workshop:share_links", label="Share", roles=frozenset({Role.OWNER}),
                            placement="primary")
