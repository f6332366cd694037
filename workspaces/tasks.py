"""Celery tasks of workspaces: thin, by id, idempotent, with stable names."""

from celery import shared_task

from . import emails


@shared_task(name="workspaces.send_invitation", ignore_result=True, acks_late=True,
             autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_invitation(invitation_id: int) -> None:
    emails.invitation_send(invitation_id=invitation_id)
