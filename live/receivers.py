"""Every committed map change becomes one `changed` event on the bus, its regions rendered here once.

The event carries the SSE message each kind of listener gets, ready to send: `editor` and `viewer`
(the changed regions with or without edit controls, who changed it and what), and `guest` (share
links: the revision only, naming nobody). Streams relay those bytes as they are.
"""

import logging

from django.dispatch import receiver

from maps.regions import Regions, regions_for_revision
from maps.signals import journey_changed

from . import bus
from .people import display_name
from .streams import changed_messages

logger = logging.getLogger(__name__)


@receiver(journey_changed, dispatch_uid="live.publish_journey_changed")
def publish_journey_changed(*, journey_id: int, revision: int, actor=None, **kwargs) -> None:
    name = display_name(actor) if actor is not None and actor.is_authenticated else ""
    try:
        regions = regions_for_revision(journey_id=journey_id, revision=revision)
    except Exception:
        # The change is saved; boards then re-read themselves rather than miss it.
        logger.exception("Could not render the regions of revision %s of map %s", revision, journey_id)
        regions = Regions(revision=revision, reload=True)
    bus.publish(journey_id, {"event": "changed", "revision": revision,
                             "messages": changed_messages(regions=regions, actor=name)})
