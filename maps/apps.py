from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "maps"

    def ready(self) -> None:
        from . import selectors, services
        from .extensions import register_deletable

        register_deletable(kind="journey", label="map", get=selectors.journey_of_itself,
                           delete=lambda *, item, **kw: services.journey_delete(journey=item, **kw))
        register_deletable(kind="stage", label="stage", get=selectors.stage_get,
                           delete=lambda *, item, **kw: services.stage_delete(stage=item, **kw))
        register_deletable(kind="lane", label="lane", get=selectors.lane_get,
                           delete=lambda *, item, **kw: services.lane_delete(lane=item, **kw))
        register_deletable(kind="card", label="card", get=selectors.card_get,
                           delete=lambda *, item, **kw: services.card_delete(card=item, **kw))
