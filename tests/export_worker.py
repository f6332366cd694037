"""The Celery app as the worker tests start it: the project's app with the test formats,
on a queue and a Redis key prefix of the test run's own (parallel runs never cross)."""

import os

from journeymap.celery import app
from tests import export_formats

app.conf.update(
    task_default_queue=os.environ["EXPORT_TEST_QUEUE"],
    broker_transport_options={
        "global_keyprefix": os.environ["EXPORT_TEST_KEY_PREFIX"],
        "visibility_timeout": int(os.environ["EXPORT_STUCK_AFTER"]),
    },
)
export_formats.register()


def _event_imports_hang_once() -> None:
    """An event import hangs (long enough for the test to kill its worker) while the test's marker file
    `event-import-hang-once` exists; the hanging run removes it, so the next run imports."""
    import time
    from pathlib import Path

    from diagnostics import events

    aggregate = events.aggregate_events

    def aggregate_hanging_once(path, **options):
        marker = Path(os.environ["EXPORT_TEST_DIR"]) / "event-import-hang-once"
        if marker.exists():
            marker.unlink()
            time.sleep(600)
        return aggregate(path, **options)

    events.aggregate_events = aggregate_hanging_once


_event_imports_hang_once()
