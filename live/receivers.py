"""Every committed map change becomes one `changed` event on the bus."""

from django.dispatch import receiver

from maps.signals import journey_changed

from . import bus
from .people import display_name


@receiver(journey_changed, dispatch_uid="live.publish_journey_changed")
def publish_journey_changed(*, journey_id: int, revision: int, actor=None, **kwargs) -> None:
    name = display_name(actor) if actor is not None and actor.is_authenticated else ""
    bus.publish(journey_id, {"event": "changed", "revision": revision, "actor": name})
