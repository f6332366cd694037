"""Hands Celery tasks their ids: through the broker, or here when there is none (`memory://`, make run)."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def task_enqueue(task, *args) -> None:
    """To a worker through the broker; without one the task runs in this process, now."""
    if task.app.conf.broker_url.startswith("memory://"):
        try:
            task.apply(args=args, throw=True)
        except Exception:
            logger.exception("Task %s%r failed in-process", task.name, args)
    else:
        task.delay(*args)


def task_enqueue_on_commit(task, *args) -> None:
    """Once the transaction that made the ids commits."""
    transaction.on_commit(lambda: task_enqueue(task, *args))
