"""Test data built through the real services, so every fixture obeys the same rules as the app."""

import itertools

from django.contrib.auth import get_user_model

from maps import services as map_services
from maps.models import Journey, LaneKind
from workspaces.models import Membership, Role, Workspace
from workspaces.services import workspace_create

_counter = itertools.count(1)
PASSWORD = "a-test-password-1"


def make_user(username: str | None = None):
    n = next(_counter)
    username = username or f"user{n}"
    return get_user_model().objects.create_user(username=username, email=f"{username}@example.test", password=PASSWORD)


def make_workspace(owner=None, name: str | None = None) -> Workspace:
    owner = owner or make_user()
    n = next(_counter)
    return workspace_create(owner=owner, name=name or f"Workspace {n}", slug=f"ws-{n}")


def add_member(workspace: Workspace, user=None, role: str = Role.EDITOR):
    user = user or make_user()
    Membership.objects.create(workspace=workspace, user=user, role=role)
    return user


def make_journey(workspace: Workspace, actor, *, template: str = "telehealth", title: str = "Journey") -> Journey:
    return map_services.journey_create(actor=actor, workspace=workspace, title=title, template=template)


def lane_of(journey: Journey, kind: str = LaneKind.TOUCHPOINTS):
    return journey.lanes.get(kind=kind)


def make_card(journey: Journey, actor, *, kind: str = LaneKind.TOUCHPOINTS, stage=None, **data):
    stage = stage or journey.stages.first()
    data.setdefault("title", f"Card {next(_counter)}")
    return map_services.card_create(
        actor=actor, journey=journey, stage_id=stage.pk, lane_id=lane_of(journey, kind).pk, data=data
    )
