"""Every committed map change becomes one `changed` event on the bus."""

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from maps.signals import journey_changed

from . import bus
from .people import display_name


@receiver(journey_changed, dispatch_uid="live.publish_journey_changed")
def publish_journey_changed(*, journey_id: int, revision: int, actor_id: int | None, **kwargs) -> None:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    bus.publish(journey_id, {"event": "changed", "revision": revision, "actor": display_name(actor) if actor else ""})
