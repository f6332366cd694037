"""Celery tasks of notifications: thin, by id, idempotent, stable names. Beat runs the two scans."""

from celery import shared_task
from django.utils import timezone

from core.queue import task_enqueue

from . import emails


@shared_task(name="notifications.send_mention_email", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_mention_email(mention_id: int) -> None:
    emails.mention_email_send(mention_id=mention_id)


@shared_task(name="notifications.send_mention_emails", ignore_result=True)
def send_mention_emails() -> int:
    """Every few minutes: one task per recent unseen mention not yet emailed."""
    due = emails.mention_emails_due()
    for mention_id in due:
        task_enqueue(send_mention_email, mention_id)
    return len(due)


@shared_task(name="notifications.send_digest", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def send_digest(user_id: int) -> None:
    emails.digest_send(user_id=user_id, today=timezone.localdate())


@shared_task(name="notifications.send_weekly_digests", ignore_result=True)
def send_weekly_digests() -> int:
    recipients = emails.digest_recipients()
    for user_id in recipients:
        task_enqueue(send_digest, user_id)
    return len(recipients)
