from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Personas, linked journeys, templates and search"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from maps.extensions import register_board_link, register_workspace_action
        from maps.models import Journey

        from .signals import persona_from_text

        post_save.connect(persona_from_text, sender=Journey, dispatch_uid="portfolio_persona_from_text")
        from workspaces.models import Role

        everyone = frozenset({Role.OWNER, Role.EDITOR, Role.VIEWER})
        register_board_link(url_name="portfolio:map_links", label="Personas & links", roles=everyone)
        editors = frozenset({Role.OWNER, Role.EDITOR})
        register_board_link(url_name="portfolio:duplicate", label="Duplicate", roles=editors)
        register_workspace_action(url_name="portfolio:gallery", label="New map from a template")
