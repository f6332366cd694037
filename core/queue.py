"""Hands a Celery task its ids once the transaction that made them commits."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def task_enqueue_on_commit(task, *args) -> None:
    """To a worker through the broker; without one (`memory://`, make run) the task runs here after commit."""

    def enqueue() -> None:
        if task.app.conf.broker_url.startswith("memory://"):
            try:
                task.apply(args=args, throw=True)
            except Exception:
                logger.exception("Task %s%r failed in-process", task.name, args)
        else:
            task.delay(*args)

    transaction.on_commit(enqueue)
