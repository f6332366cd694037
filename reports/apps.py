from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and exports"

    def ready(self) -> None:
        from maps.extensions import register_board_link
        from workspaces.models import Role

        from . import formats  # noqa: F401 - registers pdf, svg and png with interchange.formats

        register_board_link(url_name="reports:exports", label="Export", roles=frozenset(Role), placement="export")
