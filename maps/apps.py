from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "maps"

    def ready(self) -> None:
        from django.urls import reverse

        from . import selectors, services
        from .extensions import register_deletable
        from .models import CARD_MODELS, Card, Journey, Lane, Stage

        def on_board(anchor):
            return lambda journey, pk: reverse("maps:board", args=[journey.pk]) + f"#{anchor}-{pk}"

        register_deletable(kind="journey", label="map", models=(Journey,), get=selectors.journey_of_itself,
                           delete=lambda *, item, **kw: services.journey_delete(journey=item, **kw),
                           update=lambda *, item, **kw: services.journey_update(journey=item, **kw),
                           url=lambda journey, pk: reverse("maps:board", args=[journey.pk]))
        register_deletable(kind="stage", label="stage", models=(Stage,), get=selectors.stage_get,
                           delete=lambda *, item, **kw: services.stage_delete(stage=item, **kw),
                           update=lambda *, item, **kw: services.stage_update(stage=item, **kw),
                           url=on_board("stage"))
        register_deletable(kind="lane", label="lane", models=(Lane,), get=selectors.lane_get,
                           delete=lambda *, item, **kw: services.lane_delete(lane=item, **kw),
                           update=lambda *, item, **kw: services.lane_update(lane=item, **kw),
                           url=on_board("lane"))
        register_deletable(kind="card", label="card", models=(*CARD_MODELS.values(), Card), get=selectors.card_get,
                           delete=lambda *, item, **kw: services.card_delete(card=item, **kw),
                           update=lambda *, item, **kw: services.card_update(card=item, **kw),
                           url=on_board("card"))
