from django.core.management.base import BaseCommand

from notifications import tasks


class Command(BaseCommand):
    help = ("Does now what Celery beat does on a schedule: emails recent @mentions not yet emailed and, with "
            "--digest, this week's digest to everyone who has not had it. For installs without Redis and beat.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--digest", action="store_true", help="Also send this week's digests.")

    def handle(self, *args, digest: bool = False, **options) -> None:
        mentions = tasks.send_mention_emails.apply().get()
        digests = tasks.send_weekly_digests.apply().get() if digest else 0
        self.stdout.write(f"Mention emails considered: {mentions}; digest recipients considered: {digests}.")
