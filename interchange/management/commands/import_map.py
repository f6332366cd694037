from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from interchange.services import map_file_import
from workspaces.models import Role, Workspace


class Command(BaseCommand):
    help = ("Imports a map file (Journeymap JSON or OpenJourney .ojf) as a new map of a workspace. "
            "A bad file changes nothing.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--workspace", required=True, help="The slug of the workspace that gets the map.")
        parser.add_argument("--as", dest="username",
                            help="The member who imports it (default: the workspace's first owner).")

    def handle(self, *args, path: Path, workspace: str, username: str | None, **options) -> None:
        target = Workspace.objects.filter(slug=workspace).first()
        if target is None:
            raise CommandError(f"There is no workspace with the slug “{workspace}”.")
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"There is no user called “{username}”.")
        else:
            owner = target.memberships.filter(role=Role.OWNER).select_related("user").order_by("created_at").first()
            if owner is None:
                raise CommandError(f"The workspace “{workspace}” has no owner: say who imports with --as.")
            actor = owner.user
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            result = map_file_import(actor=actor, workspace=target, data=data, filename=path.name)
        except ApplicationError as error:
            raise CommandError(f"{path.name} was not imported: {error.message}") from None
        counts = ", ".join(f"{count} {name}" for name, count in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Imported “{result.journey.title}” as map {result.journey.pk} ({counts})."))
        for line in result.report:
            self.stdout.write(f"- {line}")
