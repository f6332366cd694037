"""Celery tasks of the diagnostics layer: thin, by id, idempotent, with stable names.

As with export jobs, the embedded default (`memory://`, no real broker) runs imports in a
small thread pool of the web process instead: still in the background, never in the request.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from celery import shared_task
from django.db import connections

logger = logging.getLogger(__name__)

IMPORT_TIME_LIMIT = 3600  # seconds: a 10-million-event log takes well under a minute


@shared_task(name="diagnostics.import_events", ignore_result=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=IMPORT_TIME_LIMIT - 60, time_limit=IMPORT_TIME_LIMIT)
def import_events(import_id: int) -> None:
    from . import services  # services enqueue this task: import at call time

    services.event_import_run(import_id=import_id)


@shared_task(name="diagnostics.requeue_stuck_imports", ignore_result=True)
def requeue_stuck_imports() -> int:
    from . import services

    return services.event_imports_requeue_stuck()


def import_events_enqueue(import_id: int) -> None:
    if import_events.app.conf.broker_url.startswith("memory://"):
        _in_process_pool().submit(_run_in_process, import_id)
    else:
        import_events.delay(import_id)


@cache
def _in_process_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="events")


def _run_in_process(import_id: int) -> None:
    from . import services

    try:
        services.event_import_run(import_id=import_id)
    except Exception:
        logger.exception("Event import %s failed in the in-process pool", import_id)
    finally:
        connections.close_all()
