"""Issue 12: the everyday actions a new user tried in the first ten minutes, each once broken.

Every test here failed before its fix: a related field filled with a valid value (an owner
team, a transition's next stage, the transition a fix repairs, the designed journey an
observed one observes), a move without a target, a viewer's POST, and the like."""

import pytest
from django.urls import reverse

from maps.forms import UNOWNED_KINDS
from maps.models import Card, Journey, JourneyKind, LaneKind, Opportunity, Transition

from . import factories
from .factories import make_card

HTMX = {"HTTP_HX_REQUEST": "true"}
BOTH = pytest.mark.parametrize("hx", [True, False], ids=["htmx", "page"])


def _headers(hx):
    return HTMX if hx else {}


def _create_url(journey):
    return reverse("maps:card_create", args=[journey.pk])


@BOTH
@pytest.mark.parametrize("kind", [k for k, _ in LaneKind.choices])
def test_a_card_is_added_on_every_lane_kind_with_an_owner_team_where_a_team_owns_it(owner_client, journey, workspace,
                                                                                   kind, hx):
    """What the user does, thinks and feels, and free notes, belong to no team: their editor has no owner team
    (maps.forms.UNOWNED_KINDS), so one posted anyway is not saved. Every other kind saves it."""
    lane = journey.lanes.filter(kind=kind).first() or journey.lanes.create(name=kind, kind=kind, position=99)
    stage = journey.stages.first()
    team = workspace.teams.first()
    data = {"stage": stage.pk, "lane": lane.pk, "title": "Owned card", "owner_team": team.pk}
    if kind == LaneKind.USER_STATE:
        data["confidence"] = 2
    for name, default in {"channel": "web", "data_classification": "none", "communication_sensitivity": "low",
                          "friction_kind": "structural", "severity": "medium", "status": "open",
                          "impact": 3, "effort": 3, "risk": "medium"}.items():
        data.setdefault(name, default)
    if kind == LaneKind.OPPORTUNITIES:
        data.update(status="idea", confidence=3)
    response = owner_client.post(_create_url(journey), data, **_headers(hx))
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    card = Card.objects.get(journey=journey, title="Owned card")
    assert card.kind == kind
    assert card.owner_team_id == (None if kind in UNOWNED_KINDS else team.pk)


@BOTH
def test_a_transition_names_its_next_stage_and_teams(owner_client, journey, workspace, hx):
    lane = journey.lanes.get(kind=LaneKind.HANDOFFS)
    first, second = journey.stages.all()[:2]
    teams = list(workspace.teams.all()[:2])
    response = owner_client.post(_create_url(journey), {
        "stage": first.pk, "lane": lane.pk, "title": "Intake to clinician", "to_stage": second.pk,
        "from_team": teams[0].pk, "to_team": teams[1].pk, "risk": "high", "observed_dropoff": "12.5",
    }, **_headers(hx))
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    transition = Transition.objects.get(journey=journey, title="Intake to clinician")
    assert (transition.to_stage_id, transition.from_team_id, transition.to_team_id) == (
        second.pk, teams[0].pk, teams[1].pk)


@BOTH
def test_an_opportunity_names_the_transition_it_fixes(owner_client, journey, owner, hx):
    handoff = make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Handoff")
    lane = journey.lanes.get(kind=LaneKind.OPPORTUNITIES)
    response = owner_client.post(_create_url(journey), {
        "stage": journey.stages.first().pk, "lane": lane.pk, "title": "Warm handoff", "handoff": handoff.pk,
        "impact": 4, "effort": 2, "confidence": 3, "status": "planned",
    }, **_headers(hx))
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    assert Opportunity.objects.get(journey=journey, title="Warm handoff").handoff_id == handoff.pk


def test_a_card_of_another_workspace_team_is_refused_with_a_message(owner_client, journey, other_workspace):
    lane = journey.lanes.get(kind=LaneKind.TOUCHPOINTS)
    response = owner_client.post(_create_url(journey), {
        "stage": journey.stages.first().pk, "lane": lane.pk, "title": "Sneaky",
        "owner_team": other_workspace.teams.first().pk, "channel": "web", "data_classification": "none",
        "communication_sensitivity": "low"}, **HTMX)
    assert response.status_code == 422
    assert not Card.objects.filter(title="Sneaky").exists()


def test_a_new_observed_map_observes_a_designed_one(owner_client, workspace, journey):
    response = owner_client.post(reverse("maps:create", args=[workspace.slug]), {
        "title": "As lived", "persona": "Patient", "kind": JourneyKind.OBSERVED, "observes": journey.pk,
        "description": "What we saw", "template": "telehealth"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Journey.objects.get(title="As lived").observes_id == journey.pk


# --- moves without a target ----------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"step": ""}, {"position": ""}, {"step": "", "position": ""}],
                         ids=["nothing", "empty-step", "empty-position", "both-empty"])
@pytest.mark.parametrize("what", ["stage", "lane", "card"])
def test_a_move_without_a_target_is_a_clear_400(owner_client, journey, owner, what, payload):
    if what == "card":
        item = make_card(journey, owner)
        url = reverse("maps:card_move", args=[journey.pk, item.pk])
    else:
        item = getattr(journey, f"{what}s").first()
        url = reverse(f"maps:{what}_move", args=[journey.pk, item.pk])
    before = factories.map_state(journey)
    response = owner_client.post(url, {"version": item.version, **payload}, **HTMX)
    assert response.status_code == 400
    assert "Say where to move it." in response.content.decode()
    assert factories.map_state(journey) == before


@pytest.mark.parametrize("payload", [{}, {"step": ""}, {"version": "x"}, {"version": 1, "step": 1}])
@pytest.mark.parametrize("what", ["stage_move", "lane_move", "card_move", "stage_delete", "lane_delete",
                                  "card_delete"])
def test_a_viewers_move_or_delete_is_403_whatever_it_posts(viewer_client, journey, owner, what, payload):
    if what.startswith("card"):
        url = reverse(f"maps:{what}", args=[journey.pk, make_card(journey, owner).pk])
    else:
        axis = what.split("_")[0]
        url = reverse(f"maps:{what}", args=[journey.pk, getattr(journey, f"{axis}s").first().pk])
    before = factories.map_state(journey)
    for headers in ({}, HTMX):
        assert viewer_client.post(url, payload, **headers).status_code == 403
    assert factories.map_state(journey) == before


# --- invitations -----------------------------------------------------------------------------


@pytest.mark.parametrize("taken", ["editor", "EDITOR"])
def test_accepting_with_a_taken_username_is_a_form_error(workspace, owner, editor, taken):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from workspaces.models import Invitation, Membership
    from workspaces.services import member_invite

    invitation = member_invite(actor=owner, workspace=workspace, email="new@example.test", role="editor")
    url = reverse("workspaces:accept", args=[invitation.token])
    users_before = get_user_model().objects.count()
    response = Client().post(url, {"username": taken, "password": "a-long-password-42"})
    assert response.status_code == 422
    assert "That username is taken" in response.content.decode()
    assert get_user_model().objects.count() == users_before
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
    assert not Membership.objects.filter(workspace=workspace, user__email="new@example.test").exists()


# --- the suite keeps Django's safety checks on ----------------------------------------------


def test_the_async_safety_check_is_on_outside_the_browser_tests(db):
    """Importing the browser helpers must not switch Django's async-safety check off for everyone."""
    import asyncio
    import os

    from django.core.exceptions import SynchronousOnlyOperation

    from . import browser  # noqa: F401 - importing it once switched the check off for the session

    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ

    async def query_inside_a_loop():
        return Journey.objects.count()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(query_inside_a_loop())


# --- control characters ------------------------------------------------------------------------

CONTROL_TEXT = "Paste\x08d from a te\x1b[0mrminal\x7f"


@BOTH
def test_a_card_with_control_characters_is_refused_with_a_message(owner_client, journey, hx):
    lane = journey.lanes.get(kind=LaneKind.ACTIONS)
    before = factories.map_state(journey)
    response = owner_client.post(_create_url(journey), {
        "stage": journey.stages.first().pk, "lane": lane.pk, "title": CONTROL_TEXT, "body": "fine"},
        **_headers(hx))
    assert response.status_code == 422
    assert "invisible control character" in response.content.decode()
    assert factories.map_state(journey) == before


def test_an_edit_with_control_characters_is_refused(owner_client, journey, owner):
    card = make_card(journey, owner, kind=LaneKind.ACTIONS, title="Clean")
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), {
        "version": card.version, "title": "Clean", "body": "bell\x07"}, **HTMX)
    assert response.status_code == 422
    assert Card.objects.get(pk=card.pk).body == ""


def test_every_text_field_of_the_project_refuses_control_characters():
    from django.db.models import CharField, TextField

    from core.apps import project_app_configs
    from core.text import refuse_control_characters

    assert {"maps", "stakeholders", "compliance", "comments", "workspaces"} <= {a.label for a in project_app_configs()}
    unguarded = [f"{model.__name__}.{field.name}"
                 for app in project_app_configs()
                 for model in app.get_models() for field in model._meta.local_fields
                 if isinstance(field, (CharField, TextField)) and refuse_control_characters not in field.validators]
    assert not unguarded
    assert "validators" not in Card._meta.get_field("title").deconstruct()[3]  # no migration for a check


def test_text_stored_with_control_characters_still_exports_as_svg_and_png(journey, owner):
    """Rows saved before the rule: the diagram exports drop the characters instead of breaking."""
    import xml.etree.ElementTree as ElementTree

    from interchange.formats import EXPORT_FORMATS

    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Clean")
    Card.objects.filter(pk=card.pk).update(title=CONTROL_TEXT, body=CONTROL_TEXT)
    journey.stages.filter(pk=card.stage_id).update(name="Intake\x1b")
    diagrams = [f for name, f in EXPORT_FORMATS.items() if f.extension in ("svg", "png")]
    assert {f.extension for f in diagrams} == {"svg", "png"}
    for export_format in diagrams:
        data = export_format.render(journey.pk)
        if export_format.extension == "svg":
            root = ElementTree.fromstring(data)  # well-formed XML
            if export_format.name == "svg":
                assert "Pastedfrom a te[0mrminal" in "".join(root.itertext()).replace(" ", "") or \
                    "Pasted from" in "".join(root.itertext())
        else:
            assert data.startswith(b"\x89PNG")


# --- one rule, one function ----------------------------------------------------------------------


@pytest.mark.parametrize(("reviewed_days_ago", "made_days_ago"), [(89, 400), (90, 400), (91, 400), (400, 400),
                                                                   (None, 89), (None, 90), (None, 91)])
def test_the_board_banner_and_the_health_check_agree_on_review(owner_client, journey, reviewed_days_ago,
                                                               made_days_ago):
    import datetime

    from django.utils import timezone

    from compliance.health import health_check

    today = timezone.localdate()
    reviewed = None if reviewed_days_ago is None else today - datetime.timedelta(days=reviewed_days_ago)
    Journey.objects.filter(pk=journey.pk).update(
        last_reviewed_at=reviewed, created_at=timezone.now() - datetime.timedelta(days=made_days_ago))
    fresh = Journey.objects.get(pk=journey.pk)
    banner = "Not reviewed for more than 90 days" in owner_client.get(
        reverse("maps:board", args=[journey.pk])).content.decode()
    finding = any(f.rule == "recently_reviewed" for f in health_check(journey=fresh).findings)
    assert banner is finding
    assert banner is ((reviewed_days_ago or made_days_ago) > 90)


def test_edit_rights_open_friction_and_fix_score_each_live_in_one_function():
    """No module computes them on its own again: the rules' names appear only where they are defined."""
    import re

    from tests.servers import PROJECT

    own_rules = {
        r"\.role in EDITING_ROLES|role in EDITING_ROLES": "workspaces/models.py",
        r"impact \* .*confidence.* / ": "maps/rules.py",
        r"FrictionStatus\.INVESTIGATING\b|[\"']open[\"'],\s*[\"']investigating[\"']": "maps/rules.py",
        r"REVIEW_(EVERY|MAX_AGE|AFTER)\w* = ": "maps/rules.py",
    }
    sources = [p for p in PROJECT.glob("*/*.py") if p.parts[-2] not in ("tests", "bench") and "migrations" not in p.parts]
    for pattern, home in own_rules.items():
        found = sorted(str(p.relative_to(PROJECT)) for p in sources if re.search(pattern, p.read_text()))
        assert found == [home], (pattern, found)
