"""Email sent by a real Celery worker process (Redis broker) to a real SMTP server process: the invitation
task is enqueued on commit with the invitation's id, and the worker sends it once."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from journeymap.celery import app as celery_app
from workspaces import services
from workspaces.models import Invitation, Role

from .mailserver import smtp_server_process
from .servers import database_url


def _drop_broker_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_and_mail(transactional_db, tmp_path, monkeypatch):
    redis_url = django_settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    run = uuid.uuid4().hex[:12]
    queue, prefix = f"email-test-{run}", f"jm-test-{run}:"
    for name, value in {"broker_url": redis_url, "task_default_queue": queue,
                        "broker_transport_options": {"global_keyprefix": prefix, "visibility_timeout": 60}}.items():
        monkeypatch.setitem(celery_app.conf, name, value)
    _drop_broker_pools()
    with smtp_server_process(tmp_path) as mail_server:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "journeymap.settings.test", "DATABASE_URL": database_url(),
            "REDIS_URL": redis_url, "EXPORT_TEST_DIR": str(tmp_path), "EXPORT_TEST_QUEUE": queue,
            "EXPORT_TEST_KEY_PREFIX": prefix, "EXPORT_STUCK_AFTER": "60",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(mail_server.port), "EMAIL_USE_TLS": "0",
            "SITE_URL": "https://maps.example.org",
        }
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.export_worker", "worker", "--pool=solo", "-Q", queue,
             "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield mail_server
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            monkeypatch.undo()
            _drop_broker_pools()
            client = redis.Redis.from_url(redis_url)
            keys = list(client.scan_iter(f"{prefix}*"))
            if keys:
                client.delete(*keys)


def test_a_worker_emails_the_invitation_once(worker_and_mail, workspace, owner):
    invitation = services.member_invite(actor=owner, workspace=workspace, email="nurse@example.test",
                                        role=Role.EDITOR)
    [message] = worker_and_mail.messages(at_least=1, timeout=90)
    assert message["To"] == "nurse@example.test"
    body = message.get_body(("plain",)).get_content()
    assert f"https://maps.example.org/invitations/{invitation.token}/" in body
    deadline = time.monotonic() + 30
    while Invitation.objects.get(pk=invitation.pk).emailed_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Invitation.objects.get(pk=invitation.pk).emailed_at is not None
    from workspaces.tasks import send_invitation

    send_invitation.delay(invitation.pk)  # delivered twice (a retry, a redelivery): still one email
    time.sleep(3)
    assert len(worker_and_mail.messages(at_least=2, timeout=3)) == 1
