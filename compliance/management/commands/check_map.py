import json

from django.core.management.base import BaseCommand, CommandError

from compliance.health import health_check
from maps.models import Journey


class Command(BaseCommand):
    help = "Runs the map health check on one map and prints its score and findings."

    def add_arguments(self, parser) -> None:
        parser.add_argument("map_id", type=int)
        parser.add_argument("--json", action="store_true", help="Print one JSON object: score and findings.")

    def handle(self, *args, map_id: int, **options) -> None:
        journey = Journey.objects.filter(pk=map_id).first()
        if journey is None:
            raise CommandError(f"There is no map with id {map_id}.")
        report = health_check(journey=journey)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{journey.title}: health score {report.score}/100")
        for result in report.results:
            mark = "ok  " if result.passed else "FAIL"
            self.stdout.write(f"  {mark} {result.rule.title}")
        for finding in report.findings:
            self.stdout.write(f"  - [{finding.severity}] {finding.message} ({finding.url})")
