"""Without Redis there is no Celery beat: `make run` sends mention emails and the weekly digest from a
thread of the web process instead (local settings only, NOTIFICATIONS_IN_PROCESS), and on the same beat
queues again the event-log imports whose run died with an earlier process (diagnostics' periodic task)."""

import datetime
import logging
import threading
import time

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_started = threading.Event()


def digest_due(now: datetime.datetime) -> bool:
    """From the configured day and hour on, for the rest of the week (each person gets one a week)."""
    day = DAYS.index(settings.DIGEST_DAY_OF_WEEK)
    return (now.weekday(), now.hour) >= (day, settings.DIGEST_HOUR)


def tick(now: datetime.datetime) -> None:
    from diagnostics import tasks as diagnostics_tasks

    from . import tasks

    tasks.send_mention_emails.apply()
    if digest_due(now):
        tasks.send_weekly_digests.apply()
    diagnostics_tasks.requeue_stuck_imports.apply()


def _loop() -> None:
    from django.utils import timezone

    while True:
        time.sleep(settings.MENTION_EMAIL_EVERY_SECONDS)
        try:
            tick(timezone.now())
        except Exception:
            logger.exception("In-process notification run failed")
        finally:
            connections.close_all()


def start_in_process_scheduler() -> None:
    if not settings.NOTIFICATIONS_IN_PROCESS or not settings.CELERY_BROKER_URL.startswith("memory://"):
        return
    if not _started.is_set():
        _started.set()
        threading.Thread(target=_loop, name="notifications", daemon=True).start()
