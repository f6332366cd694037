from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from core.errors import ApplicationError
from interchange.formats import EXPORT_FORMATS, export_format_get
from maps.models import Journey


class Command(BaseCommand):
    help = "Renders one map to a file now, through the same format registry as the export jobs."

    def add_arguments(self, parser) -> None:
        known = ", ".join(sorted(EXPORT_FORMATS)) or "none installed"
        parser.add_argument("map_id", type=int)
        parser.add_argument("--format", required=True, help=f"The format to render. Known formats: {known}.")
        parser.add_argument("-o", "--output", help="Where to write the file (default: <map>-r<revision>.<ext> here).")

    def handle(self, *args, map_id: int, format: str, output: str | None, **options) -> None:
        journey = Journey.objects.filter(pk=map_id).first()
        if journey is None:
            raise CommandError(f"There is no map with id {map_id}.")
        try:
            export_format = export_format_get(format)
            content = export_format.render(journey.pk)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        path = Path(output or f"{slugify(journey.title) or 'map'}-r{journey.revision}.{export_format.extension}")
        path.write_bytes(content)
        self.stdout.write(f"Wrote {export_format.label} of {journey.title!r} (revision {journey.revision}) "
                          f"to {path} ({len(content)} bytes).")
