from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance and map health"

    def ready(self) -> None:
        from maps.extensions import register_board_panel, register_deletable

        from . import selectors, services

        register_board_panel(url_name="compliance:health_panel", label="Map health check")
        register_deletable(kind="checkpoint", label="compliance checkpoint", get=selectors.checkpoint_of_journey_get,
                           delete=lambda *, item, **kw: services.checkpoint_delete(checkpoint=item, **kw))
        register_deletable(kind="failure_mode", label="failure mode", get=selectors.failure_mode_get,
                           delete=lambda *, item, **kw: services.failure_mode_delete(failure_mode=item, **kw))
