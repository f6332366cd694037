"""Fixtures for tests that run Celery work: `broker` points the Celery app at a broker for one test,
`celery_worker` starts real `celery worker` processes on a Redis queue of the test's own; and `wait_for`,
the patient poll those tests use. Loaded for every test module by tests/conftest.py."""

import os
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings

from journeymap.celery import app as celery_app
from tests.servers import database_url, redis_for_tests

WAIT_LIMIT = 90  # seconds: only a guard against a hang, never a measure of speed


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_LIMIT
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"Gave up waiting for {what}.")
        time.sleep(0.1)
    return result


@pytest.fixture
def broker(monkeypatch):
    """Points the Celery app at the given broker for one test, then back (its pools are rebuilt)."""

    def use(url: str, **conf) -> None:
        for name, value in {"broker_url": url, **conf}.items():
            monkeypatch.setitem(celery_app.conf, name, value)
        _drop_broker_pools()

    yield use
    monkeypatch.undo()
    _drop_broker_pools()


def _drop_broker_pools() -> None:
    # Celery keeps its broker connections for the process; they must follow the URL just set.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def celery_worker(broker, settings, tmp_path):
    """Starts `celery worker` subprocesses on a Redis queue and key prefix of this test's own."""
    redis_url = django_settings.REDIS_URL or redis_for_tests(0)
    run = uuid.uuid4().hex[:12]
    queue, prefix, stuck_after = f"exports-test-{run}", f"jm-test-{run}:", 3
    settings.EXPORT_STUCK_AFTER = stuck_after
    broker(redis_url, task_default_queue=queue,
           broker_transport_options={"global_keyprefix": prefix, "visibility_timeout": stuck_after})
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "journeymap.settings.test", "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "EXPORT_TEST_DIR": str(tmp_path),
        "EXPORT_TEST_QUEUE": queue, "EXPORT_TEST_KEY_PREFIX": prefix, "EXPORT_STUCK_AFTER": str(stuck_after),
        "EXPORT_RETRY_BACKOFF": "1",
    }
    workers = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(workers)}.log").open("w")
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.export_worker", "worker", "--pool=solo", "-Q", queue,
             "-n", f"{queue}-{len(workers)}@%h", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
            cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
