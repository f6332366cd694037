"""The Celery app. With REDIS_URL set, Redis is the broker and result store, shared by
every web process and worker; without it an in-memory broker keeps `make run` free
of services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings.local")

app = Celery("journeymap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
