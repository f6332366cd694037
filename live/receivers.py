"""Every committed map change becomes one `changed` event on the bus, its regions rendered here once.

Then, on a thread of their own and coalesced per map, the board panels the change altered follow as a
`panels` event. The event carries the SSE message each kind of listener gets, ready to send: `editor` and `viewer`
(the changed regions with or without edit controls, who changed it and what), and `guest` (share
links: the revision only, naming nobody). Streams relay those bytes as they are.

Rendering happens on one publishing thread per process, after the change's own response has been
handed back: an edit does not wait for the others' HTML, and one thread keeps this process's events
in the order of their commits.
"""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.dispatch import receiver

from maps.models import Journey
from maps.regions import Regions, panels_changed, regions_for_revision
from maps.signals import journey_changed

from . import bus
from .people import display_name
from .streams import changed_messages, panels_messages

logger = logging.getLogger(__name__)

_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-publish")


def _render_and_publish(*, journey_id: int, revision: int, actor: str) -> None:
    try:
        regions = regions_for_revision(journey_id=journey_id, revision=revision)
    except Exception:
        # The change is saved; boards then re-read themselves rather than miss it.
        logger.exception("Could not render the regions of revision %s of map %s", revision, journey_id)
        regions = Regions(revision=revision, reload=True)
    bus.publish(journey_id, {"event": "changed", "revision": revision,
                             "messages": changed_messages(regions=regions, actor=actor)})


def _publish_in_background(**kwargs) -> None:
    try:
        _render_and_publish(**kwargs)
    finally:
        connection.close()  # back to the pool: the thread may wait a long time for the next change


# Board panels (health score, fix first...) read the whole map: far dearer than a change's regions. They
# follow on a thread of their own, as a `panels` event, so a change reaches the boards without waiting for
# them; and they wait PANELS_SETTLE_SECONDS, a journey whose panels are already queued not being queued
# again, so a burst of edits costs one render of its panels once the burst is over, not one per edit.
PANELS_SETTLE_SECONDS = 1.0
_panel_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="live-panels")
_panels_queued: set[int] = set()
_panels_lock = threading.Lock()


def _render_and_publish_panels(journey_id: int) -> None:
    with _panels_lock:
        _panels_queued.discard(journey_id)  # a change from now on queues another render
    try:
        journey = Journey.objects.select_related("workspace").filter(pk=journey_id).first()
        html = panels_changed(journey=journey) if journey is not None else ""
    except Exception:
        logger.exception("Could not render the board panels of map %s", journey_id)
        return
    if html:
        bus.publish(journey_id, {"event": "panels", "messages": panels_messages(html=html)})


def _publish_panels_in_background(journey_id: int) -> None:
    try:
        _render_and_publish_panels(journey_id)
    finally:
        connection.close()


def _queue_panels(journey_id: int) -> None:
    with _panels_lock:
        if journey_id in _panels_queued:
            return
        _panels_queued.add(journey_id)
    timer = threading.Timer(PANELS_SETTLE_SECONDS, _submit_panels, args=(journey_id,))
    timer.daemon = True
    timer.start()


def _submit_panels(journey_id: int) -> None:
    try:
        _panel_publisher.submit(_publish_panels_in_background, journey_id)
    except RuntimeError:  # the process is shutting down: no one is left to show them to
        with _panels_lock:
            _panels_queued.discard(journey_id)


def settled(timeout: float) -> None:
    """Waits until every queued change is published and no panel render is queued or running (tests
    flush the database after it; the bench times a page on a server that is not still publishing)."""
    deadline = time.monotonic() + timeout
    _publisher.submit(lambda: None).result(timeout=timeout)  # one worker: every render queued before is done
    while _panels_queued and time.monotonic() < deadline:
        time.sleep(0.05)
    _panel_publisher.submit(lambda: None).result(timeout=max(0.1, deadline - time.monotonic()))


@receiver(journey_changed, dispatch_uid="live.publish_journey_changed")
def publish_journey_changed(*, journey_id: int, revision: int, actor=None, **kwargs) -> None:
    name = display_name(actor) if actor is not None and actor.is_authenticated else ""
    if connection.in_atomic_block:
        # Committed inside an outer transaction (a test's): only this connection sees the change yet.
        _render_and_publish(journey_id=journey_id, revision=revision, actor=name)
        _render_and_publish_panels(journey_id)
    else:
        _publisher.submit(_publish_in_background, journey_id=journey_id, revision=revision, actor=name)
        _queue_panels(journey_id)
