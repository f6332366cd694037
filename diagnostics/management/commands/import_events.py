import json as json_module
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from diagnostics.models import ImportStatus
from diagnostics.selectors import threshold_get
from diagnostics.services import event_import_create, event_import_run
from maps.models import Journey
from workspaces.models import Role


class Command(BaseCommand):
    help = ("Imports a de-identified event log (CSV or Parquet: case_id, step, timestamp[, channel]) into a "
            "designed map, now, through the same service as the background job. Only suppressed aggregates "
            "are kept; the file itself is left where it is.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--map", dest="map_id", type=int, required=True, help="The designed map's id.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object with the aggregates.")
        parser.add_argument("--return-gap-days", type=int, default=7,
                            help="A gap longer than this between two events is a return (default 7).")
        parser.add_argument("--as", dest="username", help="The member who imports (default: the first owner).")

    def handle(self, *args, path: Path, map_id: int, json: bool, return_gap_days: int, username: str | None,
               **options) -> None:
        journey = Journey.objects.filter(pk=map_id).first()
        if journey is None:
            raise CommandError(f"There is no map with id {map_id}.")
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        actor = self._actor(journey, username)
        try:
            job = event_import_create(actor=actor, journey=journey, filename=path.name,
                                      return_gap_days=return_gap_days, enqueue=False)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        job = event_import_run(import_id=job.pk, path=str(path))
        if job.status != ImportStatus.DONE:
            raise CommandError(f"{path.name} was not imported: {job.error}")
        result = job.result
        if json:
            keys = ["cases", "events", "unknown_steps", "transitions", "exits", "revisits", "returns"]
            self.stdout.write(json_module.dumps({key: result[key] for key in keys}, ensure_ascii=False))
            return
        cases = result["cases"] if result["cases"] is not None else \
            f"fewer than {threshold_get(workspace_id=job.workspace_id)}"
        self.stdout.write(self.style.SUCCESS(
            f"Imported {result['events']:,} events of {cases} cases into “{journey.title}”; "
            f"the observed journey is map {job.observed_id}."))
        if result["unknown_steps"]:
            self.stdout.write("Unknown steps (ignored): " + ", ".join(result["unknown_steps"]))

    def _actor(self, journey: Journey, username: str | None):
        if username:
            actor = get_user_model().objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"There is no user called “{username}”.")
            return actor
        owner = journey.workspace.memberships.filter(role=Role.OWNER).select_related("user").order_by(
            "created_at").first()
        if owner is None:
            raise CommandError("The map's workspace has no owner: say who imports with --as.")
        return owner.user
