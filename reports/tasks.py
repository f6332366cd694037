"""Celery tasks for export jobs: thin, by id, idempotent, with stable names.

With a broker (REDIS_URL) jobs go to Celery workers. The embedded default has no broker
worth the name (`memory://` lives in one process), so jobs run in a small thread pool of
the web process instead: still in the background, never inside the request.
"""

import itertools
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import cache

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import connections

from . import services
from .errors import TransientExportError

logger = logging.getLogger(__name__)

RETRY_BACKOFF_MAX = 600  # seconds


@shared_task(
    name="reports.render_export",
    ignore_result=True,  # the job row is the result
    acks_late=True,  # a worker that dies mid-render leaves the message to be delivered again
    reject_on_worker_lost=True,
    soft_time_limit=settings.EXPORT_SOFT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT,
    autoretry_for=(TransientExportError,),
    retry_backoff=settings.EXPORT_RETRY_BACKOFF,
    retry_backoff_max=RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.EXPORT_MAX_ATTEMPTS,  # the service gives up first, and says so on the job
)
def render_export(job_id: int) -> None:
    services.export_job_run(job_id=job_id)


@shared_task(name="reports.requeue_stuck_exports", ignore_result=True)
def requeue_stuck_exports() -> int:
    return services.export_jobs_requeue_stuck()


@shared_task(name="reports.clean_exports", ignore_result=True)
def clean_exports() -> int:
    return services.export_jobs_clean(older_than=timedelta(days=settings.EXPORT_KEEP_DAYS))


def render_export_enqueue(job_id: int) -> None:
    """Hands the job to a worker: Celery's when there is a real broker, the in-process pool otherwise."""
    if render_export.app.conf.broker_url.startswith("memory://"):
        _in_process_pool().submit(_render_in_process, job_id)
    else:
        render_export.delay(job_id)


@cache
def _in_process_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="export")


def _render_in_process(job_id: int) -> None:
    """The task's body with the task's retry policy (exponential backoff), in a pool thread."""
    try:
        for retries in itertools.count():
            try:
                services.export_job_run(job_id=job_id)
                return
            except TransientExportError:
                time.sleep(get_exponential_backoff_interval(
                    settings.EXPORT_RETRY_BACKOFF, retries, RETRY_BACKOFF_MAX, full_jitter=False))
    except Exception:
        logger.exception("Export job %s failed in the in-process pool", job_id)
    finally:
        connections.close_all()  # this thread's own connections; the pool thread lives on
