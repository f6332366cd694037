from django.apps import AppConfig


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = "Stakeholders and sub-maps"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from maps.extensions import register_board_panel
        from workspaces.models import Workspace

        from .signals import seed_new_workspace

        post_save.connect(seed_new_workspace, sender=Workspace, dispatch_uid="stakeholders_seed_new_workspace")
        def panel_html(**kwargs) -> str:
            from .views import panel_html

            return panel_html(**kwargs)

        register_board_panel(url_name="stakeholders:panel", label="Stakeholder sub-maps", key="stakeholders",
                             render=panel_html, tab="Sub-maps", position=30)

        from django.urls import reverse

        from maps.extensions import register_deletable

        from . import selectors, services
        from .models import Intersection, Step, Track

        def on_swimlanes(anchor):
            return lambda journey, pk: reverse("stakeholders:swimlanes", args=[journey.pk]) + f"#{anchor}-{pk}"

        register_deletable(kind="track", label="stakeholder sub-map", models=(Track,), get=selectors.track_get,
                           delete=lambda *, item, **kw: services.track_delete(track=item, **kw),
                           url=on_swimlanes("track"))
        register_deletable(kind="step", label="sub-map step", models=(Step,), get=selectors.step_get,
                           delete=lambda *, item, **kw: services.step_delete(step=item, **kw),
                           update=lambda *, item, **kw: services.step_update(step=item, **kw),
                           url=on_swimlanes("step"))
        register_deletable(kind="intersection", label="intersection", models=(Intersection,),
                           get=selectors.intersection_get,
                           delete=lambda *, item, **kw: services.intersection_delete(intersection=item, **kw),
                           update=lambda *, item, **kw: services.intersection_update(intersection=item, **kw),
                           url=on_swimlanes("intersection"))
