"""The demo workspace and its designed telehealth journey (the first seed document)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from maps import services
from maps.demo_content import TELEHEALTH_DEMO
from maps.models import Journey, LaneKind
from workspaces.models import Membership, Role, Team, Workspace
from workspaces.services import workspace_create

DEMO_PASSWORD = "journeymap-demo"
PEOPLE = [  # username, name, role
    ("demo", "Dana Okafor", Role.OWNER),
    ("maria", "Maria Lind", Role.EDITOR),
    ("sam", "Sam Patel", Role.VIEWER),
]
JOURNEY_TITLE = "Telehealth patient journey"


def seed_workspace() -> Workspace:
    """The demo people and workspace; returns the workspace. Idempotent."""
    users = {}
    for username, name, _role in PEOPLE:
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": name.split()[0], "last_name": name.split()[1],
                      "email": f"{username}@demo.journeymap.test"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        users[username] = user
    workspace = Workspace.objects.filter(slug="demo").first()
    if workspace is None:
        workspace = workspace_create(owner=users["demo"], name="Northwind Telehealth", slug="demo")
    for username, _name, role in PEOPLE:
        Membership.objects.get_or_create(workspace=workspace, user=users[username], defaults={"role": role})
    return workspace


def demo_owner():
    return get_user_model().objects.get(username="demo")


def seed_telehealth_journey(workspace: Workspace) -> Journey:
    existing = Journey.objects.filter(workspace=workspace, title=JOURNEY_TITLE).first()
    return existing or _telehealth_journey(workspace, demo_owner())


@transaction.atomic
def _telehealth_journey(workspace: Workspace, actor) -> Journey:
    journey = services.journey_create(
        actor=actor, workspace=workspace, title=JOURNEY_TITLE, template="telehealth",
        persona="Adult seeking a first online consultation",
        description="The journey we designed, from the first ad to coming back months later.",
    )
    teams = {t.name: t for t in Team.objects.filter(workspace=workspace)}
    lanes = {lane.kind: lane for lane in journey.lanes.all()}
    stages = list(journey.stages.all())
    for index, (stage, content) in enumerate(zip(stages, TELEHEALTH_DEMO, strict=True)):
        def add(kind: str, **data):
            return services.card_create(actor=actor, journey=journey, stage_id=stage.pk, lane_id=lanes[kind].pk,
                                        data=data)

        for title, body in content["actions"]:
            add(LaneKind.ACTIONS, title=title, body=body)
        for title, thinking, feeling, needing, questioning, confidence in content["user_state"]:
            add(LaneKind.USER_STATE, title=title, thinking=thinking, feeling=feeling, needing=needing,
                questioning=questioning, confidence=confidence)
        for title, channel, expectation, experience, data_class, sensitivity, legal, owner in content["touchpoints"]:
            add(LaneKind.TOUCHPOINTS, title=title, channel=channel, expectation=expectation, experience=experience,
                data_classification=data_class, communication_sensitivity=sensitivity, needs_legal_review=legal,
                owner_team=teams[owner])
        for title, kind, severity, evidence, owner in content["friction"]:
            add(LaneKind.FRICTION, title=title, friction_kind=kind, severity=severity, evidence=evidence,
                owner_team=teams[owner])
        handoffs = [
            add(LaneKind.HANDOFFS, title=title, body=body, from_team=teams[from_team], to_team=teams[to_team],
                owner_team=teams[from_team], risk=risk, observed_dropoff=dropoff,
                to_stage=stages[index + 1] if index + 1 < len(stages) else None)
            for title, from_team, to_team, risk, dropoff, body in content["handoffs"]
        ]
        for title, impact, confidence, effort, owner in content["opportunities"]:
            # a stage's fixes repair the handoff out of it; the last stage's have none to repair
            add(LaneKind.OPPORTUNITIES, title=title, impact=impact, confidence=confidence, effort=effort,
                owner_team=teams[owner], handoff=handoffs[0] if handoffs else None)
    journey.refresh_from_db()
    services.journey_update(actor=actor, journey=journey, version=journey.version, data={"status": "active"})
    services.journey_mark_reviewed(actor=actor, journey=journey)
    return journey
