"""Test data built through the real services, so every fixture obeys the same rules as the app."""

import itertools

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from maps import services as map_services
from maps.models import Journey, LaneKind
from workspaces.models import Membership, Role, Workspace
from workspaces.services import workspace_create

_counter = itertools.count(1)
PASSWORD = "a-test-password-1"


def make_user(username: str | None = None, *, email: str | None = None, verified: bool = True):
    """An account whose email is recorded (verified unless told otherwise), as sign-in requires."""
    n = next(_counter)
    username = username or f"user{n}"
    email = email or f"{username}@example.test"
    user = get_user_model().objects.create_user(username=username, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


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


# --- helpers added for the foundation suite (assertions over the stored state) ---


def map_state(journey: Journey) -> dict:
    """Everything stored for a map, so a test can assert that a refused change changed nothing."""
    from maps.models import Card, Change, Lane, Stage

    fresh = Journey.objects.get(pk=journey.pk)
    return {
        "journey": (fresh.title, fresh.persona, fresh.kind, fresh.status, fresh.version, fresh.revision),
        "stages": list(Stage.objects.filter(journey=journey).order_by("pk").values_list("pk", "name", "position", "version")),
        "lanes": list(Lane.objects.filter(journey=journey).order_by("pk").values_list("pk", "name", "kind", "position", "version")),
        "cards": list(
            Card.objects.filter(journey=journey).order_by("pk").values_list(
                "pk", "title", "body", "stage_id", "lane_id", "position", "version", "owner_team_id", "deleted_at"
            )
        ),
        "changes": Change.objects.filter(journey=journey).count(),
    }


def assert_contiguous(positions) -> None:
    """Positions of one cell, stage row or lane column must be exactly 0..n-1."""
    positions = sorted(positions)
    assert positions == list(range(len(positions))), positions


def assert_map_positions_contiguous(journey: Journey) -> None:
    from collections import defaultdict

    from maps.models import Card, Lane, Stage

    assert_contiguous(Stage.objects.filter(journey=journey).values_list("position", flat=True))
    assert_contiguous(Lane.objects.filter(journey=journey).values_list("position", flat=True))
    cells = defaultdict(list)
    for stage_id, lane_id, position in Card.objects.filter(journey=journey, deleted_at=None).values_list(
        "stage_id", "lane_id", "position"
    ):
        cells[(stage_id, lane_id)].append(position)
    for positions in cells.values():
        assert_contiguous(positions)
