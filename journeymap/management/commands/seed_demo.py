from django.core.management.base import BaseCommand

from comments import demo as comments_demo
from compliance import demo as compliance_demo
from diagnostics import demo as diagnostics_demo
from maps import demo as maps_demo
from portfolio import demo as portfolio_demo
from stakeholders import demo as stakeholders_demo


class Command(BaseCommand):
    help = "Creates the demo workspace and its journeys. Safe to run twice: nothing is duplicated."

    def handle(self, *args, **options) -> None:
        workspace = maps_demo.seed_workspace()
        telehealth = maps_demo.seed_telehealth_journey(workspace)
        comments_demo.seed_telehealth_comments(telehealth)
        diagnostics_demo.seed_observed_journey(workspace)
        rpm = stakeholders_demo.seed_rpm_journey(workspace, maps_demo.demo_owner())
        compliance_demo.seed_rpm_compliance(rpm, maps_demo.demo_owner())
        portfolio_demo.seed_personas(workspace)
        self.stdout.write(self.style.SUCCESS(
            f"Demo workspace ready: sign in as demo / {maps_demo.DEMO_PASSWORD} (owner), "
            f"maria (editor) or sam (viewer), same password."
        ))
