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

        from maps.extensions import register_change_renderer

        def present_cards_html(**kwargs) -> str:
            from .views import present_cards_html

            return present_cards_html(**kwargs)

        register_change_renderer(name="present", render=present_cards_html)
        register_board_link(url_name="workshop:facilitate", label="Vote", roles=frozenset(Role))
        register_board_link(url_name="workshop:share_links", label="Share", roles=frozenset({Role.OWNER}),
                            placement="primary")
