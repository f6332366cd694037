from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance and map health"

    def ready(self) -> None:
        from maps.extensions import register_board_panel, register_deletable

        from django.urls import reverse

        from . import selectors, services
        from .models import Checkpoint, FailureMode

        def health_panel_html(**kwargs) -> str:
            from .views import health_panel_html

            return health_panel_html(**kwargs)

        register_board_panel(url_name="compliance:health_panel", label="Map health check", key="health",
                             render=health_panel_html, tab="Health", position=20)
        register_deletable(kind="checkpoint", label="compliance checkpoint", models=(Checkpoint,),
                           get=selectors.checkpoint_of_journey_get,
                           delete=lambda *, item, **kw: services.checkpoint_delete(checkpoint=item, **kw),
                           update=lambda *, item, **kw: services.checkpoint_review(checkpoint=item, **kw),
                           url=lambda journey, pk: reverse("compliance:checkpoint_review", args=[pk]))
        register_deletable(kind="failure_mode", label="failure mode", models=(FailureMode,),
                           get=selectors.failure_mode_get,
                           delete=lambda *, item, **kw: services.failure_mode_delete(failure_mode=item, **kw),
                           update=lambda *, item, **kw: services.failure_mode_update(failure_mode=item, **kw),
                           url=lambda journey, pk: reverse("compliance:safety", args=[journey.pk]))
