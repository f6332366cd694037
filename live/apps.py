from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = "Live updates and presence"

    def ready(self) -> None:
        from maps.extensions import register_board_stream

        from . import receivers  # noqa: F401 - turns maps.signals.journey_changed into bus events
        from .streams import can_stream

        register_board_stream(events_url_name="live:events", editing_url_name="live:editing", serves=can_stream)
