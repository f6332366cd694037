"""Nothing of one workspace is ever visible to, or changeable by, another.

The tests walk every URL of `maps.urls` and `workspaces.urls`, so a new URL that is
not added here fails `test_every_url_is_covered`.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

import maps.urls
import workspaces.urls
from maps import services
from maps.models import Card, LaneKind
from stakeholders.services import stakeholder_create
from workspaces.models import Invitation, Membership, Team, WorkspaceChange
from workspaces.services import member_invite

from . import factories
from .factories import make_card, map_state

# URLs that name no object of a workspace: any signed-in person may use them.
UNSCOPED = {"maps:list", "workspaces:create"}
# Holding the invitation's secret token is what grants access, signed in or not.
PUBLIC = {"workspaces:accept"}


def _all_patterns():
    for module in (maps.urls, workspaces.urls):
        for pattern in module.urlpatterns:
            yield f"{module.app_name}:{pattern.name}", pattern


ALL_NAMES = sorted(name for name, _ in _all_patterns())
SCOPED_NAMES = [name for name in ALL_NAMES if name not in UNSCOPED | PUBLIC]


class Victim:
    """A workspace with a map, a card on it, a deleted card and an open invitation."""

    def __init__(self, workspace, owner):
        self.workspace = workspace
        self.owner = owner
        self.journey = factories.make_journey(workspace, owner, title="Private journey")
        self.card = make_card(self.journey, owner, title="Private card")
        self.deleted = make_card(self.journey, owner, title="Deleted card")
        self.deletion = services.card_delete(actor=owner, card=self.deleted, version=1).deletion
        self.deleted_map = services.journey_delete(
            actor=owner, journey=factories.make_journey(workspace, owner, title="Deleted map"), version=1)
        self.stage = self.journey.stages.get(position=1)
        self.lane = factories.lane_of(self.journey, LaneKind.TOUCHPOINTS)
        self.invitation = member_invite(actor=owner, workspace=workspace, email="newcomer@example.test", role="editor")
        # An entry of the workspace's own record that must not leak (its activity page is swept too).
        stakeholder_create(actor=owner, workspace=workspace, data={"role": "Private role", "group": "it"})

    def url(self, name, pattern, *, card=None, stage=None, lane=None, journey=None):
        journey = journey or self.journey
        card = card or (self.deleted if name == "maps:card_restore" else self.card)
        axis = pattern.default_args.get("axis") or pattern.default_args.get("kind", "stage")
        values = {
            "kind": "stage",
            "member_pk": Membership.objects.get(workspace=self.workspace, user=self.owner).pk,
            "deletion_pk": (self.deleted_map if name == "maps:deleted_map_restore" else self.deletion).pk,
            "change_pk": journey.changes.order_by("-id").first().pk,
            "pk": journey.pk,
            "card_pk": card.pk,
            "item_pk": (stage or self.stage).pk if axis == "stage" else (lane or self.lane).pk,
            "slug": self.workspace.slug,
            "token": self.invitation.token,
            "invitation_id": self.invitation.pk,
            "team_pk": self.workspace.teams.order_by("pk").first().pk,
        }
        kwargs = {key: values[key] for key in pattern.pattern.converters}
        url = reverse(name, kwargs=kwargs)
        if name == "maps:card_create":
            url += f"?stage={(stage or self.stage).pk}&lane={(lane or self.lane).pk}"
        return url

    def post_data(self, name, *, stage=None, lane=None):
        """Valid data for each URL, so a scoping hole would really change something."""
        stage, lane = stage or self.stage, lane or self.lane
        return {
            "maps:create": {"title": "Planted", "kind": "designed", "template": "blank"},
            "maps:journey_edit": {"title": "Hijacked", "kind": "designed", "status": "active", "version": 1},
            "maps:card_create": {"stage": stage.pk, "lane": lane.pk, "title": "Planted", "channel": "web",
                                 "data_classification": "none", "communication_sensitivity": "low"},
            "maps:card_edit": {"title": "Hijacked", "channel": "web", "data_classification": "none",
                               "communication_sensitivity": "low", "version": 1},
            "maps:card_move": {"version": 1, "position": 3, "stage": stage.pk, "lane": lane.pk},
            "maps:card_delete": {"version": 1},
            "maps:stage_create": {"name": "Planted"},
            "maps:stage_edit": {"name": "Hijacked", "version": 1},
            "maps:stage_move": {"version": 1, "position": 4},
            "maps:stage_delete": {"version": 1},
            "maps:lane_create": {"name": "Planted", "kind": "notes"},
            "maps:lane_edit": {"name": "Hijacked", "kind": "touchpoints", "version": 1},
            "maps:lane_move": {"version": 1, "position": 4},
            "maps:lane_delete": {"version": 1},
            "workspaces:members": {"email": "intruder@example.test", "role": "owner"},
            "workspaces:team_create": {"name": "Planted"},
            "workspaces:team_rename": {"name": "Planted", "version": 1},
            "workspaces:team_delete": {"version": 1},
            "workspaces:member_role": {"role": "viewer"},
        }.get(name, {})

    def state(self):
        return {
            "map": map_state(self.journey),
            "journeys": list(self.workspace.journeys.values_list("pk", "title", "version", "revision")),
            "members": list(Membership.objects.filter(workspace=self.workspace).values_list("user_id", "role")),
            "teams": list(Team.objects.filter(workspace=self.workspace).values_list("pk", "name")),
            "invitations": list(Invitation.objects.filter(workspace=self.workspace).values_list("email", "accepted_at")),
            "workspace_record": list(WorkspaceChange.objects.filter(workspace=self.workspace).values_list("pk")),
        }


@pytest.fixture
def victim(workspace, owner):
    return Victim(workspace, owner)


@pytest.fixture
def outsider(other_workspace):
    """A signed-in member (owner, even) of another workspace."""
    user = other_workspace.memberships.get().user
    client = Client()
    client.force_login(user)
    return client


def _pattern(name):
    return dict(_all_patterns())[name]


def test_every_url_is_covered():
    # Every URL is either scoped (tested below) or deliberately listed as unscoped or public.
    assert set(SCOPED_NAMES) | UNSCOPED | PUBLIC == set(ALL_NAMES)
    assert len(SCOPED_NAMES) >= 18


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("name", SCOPED_NAMES)
def test_member_of_another_workspace_gets_404(outsider, victim, name, hx):
    pattern = _pattern(name)
    url = victim.url(name, pattern)
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    before = victim.state()

    get = outsider.get(url, **headers)
    post = outsider.post(url, victim.post_data(name), **headers)
    # A method a URL does not accept answers 405 before anything is looked up; that reveals nothing.
    assert get.status_code in (404, 405), (url, get.status_code)
    assert post.status_code in (404, 405), (url, post.status_code)
    assert 404 in (get.status_code, post.status_code)
    for response in (get, post):
        assert b"Private" not in response.content
    assert victim.state() == before


@pytest.mark.parametrize("name", ALL_NAMES)
def test_signed_out_users_are_redirected_to_login(client, victim, name):
    url = victim.url(name, _pattern(name))
    before = victim.state()
    get = client.get(url)
    post = client.post(url, victim.post_data(name))
    if name in PUBLIC:
        # The invitation page is for people without an account yet; it shows only what the link invites to.
        assert get.status_code == 200
        assert b"Private" not in get.content
    else:
        for response in (get, post):
            if response.status_code == 405:
                continue
            assert response.status_code == 302, (url, response.status_code)
            assert response["Location"].startswith(reverse("login") + "?next=")
    if name not in PUBLIC:
        assert victim.state() == before


def test_invitation_is_only_accepted_once_and_does_not_leak(victim):
    """The public URL: a used token is closed (410, saying so), and nothing of the workspace shows."""
    client = Client()
    url = reverse("workspaces:accept", args=[victim.invitation.token])
    response = client.post(url, {"username": "newcomer", "password": "a-long-password-42"})
    assert response.status_code == 302
    user = get_user_model().objects.get(username="newcomer")
    assert Membership.objects.get(user=user).workspace == victim.workspace
    closed = Client().get(url)
    assert closed.status_code == 410 and b"Private" not in closed.content


CARD_URLS = ["maps:card_detail", "maps:card_edit", "maps:card_move", "maps:card_delete", "maps:card_restore"]
AXIS_URLS = [f"maps:{axis}_{action}" for axis in ("stage", "lane") for action in ("edit", "move", "delete")]


@pytest.fixture(params=["same_workspace", "other_workspace"])
def foreign_map(request, victim, other_journey):
    """Another map: in my own workspace (so I may see it), or in a workspace I am not in."""
    if request.param == "same_workspace":
        return factories.make_journey(victim.workspace, victim.owner, title="Sibling journey")
    return other_journey


def _foreign_objects(foreign):
    owner = foreign.workspace.memberships.get(role="owner").user
    card = make_card(foreign, owner, title="Foreign card")
    deleted = make_card(foreign, owner, title="Foreign deleted")
    services.card_delete(actor=owner, card=deleted, version=1)
    return card, deleted


@pytest.mark.parametrize("name", CARD_URLS)
def test_cards_of_another_map_inside_my_maps_url_answer_404(owner_client, victim, foreign_map, name):
    card, deleted = _foreign_objects(foreign_map)
    card = deleted if name == "maps:card_restore" else card
    url = victim.url(name, _pattern(name), card=card)
    mine, theirs = victim.state(), map_state(foreign_map)
    headers = {"HTTP_HX_REQUEST": "true"}
    responses = [owner_client.post(url, {"version": 1, "step": 1, "title": "Hijacked"}, **headers)]
    if name in ("maps:card_detail", "maps:card_edit"):
        responses.append(owner_client.get(url, **headers))
    for response in responses:
        assert response.status_code in (404, 405)
    assert 404 in [r.status_code for r in responses]
    assert victim.state() == mine
    assert map_state(foreign_map) == theirs
    assert Card.all_objects.get(pk=card.pk).title.startswith("Foreign")


@pytest.mark.parametrize("name", AXIS_URLS)
def test_stages_and_lanes_of_another_map_inside_my_maps_url_answer_404(owner_client, victim, foreign_map, name):
    stage = foreign_map.stages.first()
    lane = foreign_map.lanes.first()
    url = victim.url(name, _pattern(name), stage=stage, lane=lane)
    mine, theirs = victim.state(), map_state(foreign_map)
    get = owner_client.get(url)
    post = owner_client.post(url, {"version": 1, "step": 1, "name": "Hijacked", "kind": lane.kind})
    assert get.status_code in (404, 405) and post.status_code == 404
    assert victim.state() == mine
    assert map_state(foreign_map) == theirs


def test_card_create_in_a_cell_of_another_map_answers_404(owner_client, victim, foreign_map):
    stage = foreign_map.stages.first()
    lane = factories.lane_of(foreign_map, LaneKind.TOUCHPOINTS)
    mine, theirs = victim.state(), map_state(foreign_map)
    url = reverse("maps:card_create", args=[victim.journey.pk])
    for stage_id, lane_id in ((stage.pk, victim.lane.pk), (victim.stage.pk, lane.pk)):
        assert owner_client.get(url, {"stage": stage_id, "lane": lane_id}).status_code == 404
        post = owner_client.post(url, victim.post_data("maps:card_create", stage=type(stage)(pk=stage_id),
                                                       lane=type(lane)(pk=lane_id)))
        assert post.status_code == 404
    assert victim.state() == mine
    assert map_state(foreign_map) == theirs


def test_card_move_to_a_cell_of_another_map_is_refused(owner_client, victim, foreign_map):
    stage = foreign_map.stages.first()
    lane = factories.lane_of(foreign_map, LaneKind.TOUCHPOINTS)
    mine, theirs = victim.state(), map_state(foreign_map)
    url = reverse("maps:card_move", args=[victim.journey.pk, victim.card.pk])
    for data in ({"stage": stage.pk}, {"lane": lane.pk}):
        response = owner_client.post(url, {"version": 1, "position": 0} | data)
        assert response.status_code in (400, 404)
    assert victim.state() == mine
    assert map_state(foreign_map) == theirs


def test_a_journey_cannot_observe_a_journey_of_another_workspace(owner_client, victim, other_journey):
    before = victim.state()
    response = owner_client.post(reverse("maps:journey_edit", args=[victim.journey.pk]), {
        "title": "x", "kind": "observed", "status": "draft", "observes": other_journey.pk, "version": 1})
    assert response.status_code == 422
    assert victim.state() == before
