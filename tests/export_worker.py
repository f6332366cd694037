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
