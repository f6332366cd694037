from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance and map health"

    def ready(self) -> None:
        from maps.extensions import register_board_panel

        register_board_panel(url_name="compliance:health_panel", label="Map health check")
