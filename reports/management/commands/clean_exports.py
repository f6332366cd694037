from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = ("Does now what Celery beat does on a schedule: hands exports whose worker died to a worker "
            "again, and deletes finished exports (and their files) older than EXPORT_KEEP_DAYS.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=settings.EXPORT_KEEP_DAYS,
                            help=f"Keep exports this many days (default {settings.EXPORT_KEEP_DAYS}).")

    def handle(self, *args, days: int, **options) -> None:
        requeued = services.export_jobs_requeue_stuck()
        deleted = services.export_jobs_clean(older_than=timedelta(days=days))
        self.stdout.write(f"Queued {requeued} stuck export(s) again; deleted {deleted} export(s) older than {days} days.")
