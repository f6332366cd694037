from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Personas, linked journeys, templates and search"

    def ready(self) -> None:
        from maps.extensions import register_board_link, register_workspace_action
        from workspaces.models import Role

        everyone = frozenset({Role.OWNER, Role.EDITOR, Role.VIEWER})
        register_board_link(url_name="portfolio:map_links", label="Personas & links", roles=everyone)
        register_board_link(url_name="portfolio:duplicate", label="Duplicate", roles=frozenset({Role.OWNER, Role.EDITOR}))
        register_workspace_action(url_name="portfolio:gallery", label="New map from a template")
