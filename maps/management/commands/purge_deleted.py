import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maps.deletions import deletions_purge


class Command(BaseCommand):
    help = ("Removes for good what was deleted (maps, stages, cards, checkpoints...) more than "
            "DELETION_RETENTION_DAYS days ago and not restored. Run it daily, as the installation's owner.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help=f"Keep deletions younger than this (default {settings.DELETION_RETENTION_DAYS}).")

    def handle(self, *args, days: int | None, **options) -> None:
        if days is not None and days < 0:
            raise CommandError("--days cannot be negative.")
        before = timezone.now() - datetime.timedelta(days=settings.DELETION_RETENTION_DAYS if days is None else days)
        purged = deletions_purge(before=before)
        self.stdout.write(f"Purged {purged} deletion{'' if purged == 1 else 's'} older than {before:%Y-%m-%d %H:%M}.")
