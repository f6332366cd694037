"""The board's views, each as an HTMX fragment and as a plain full page."""

import re
from html import escape

import pytest
from django.forms import BooleanField
from django.urls import reverse

from maps import selectors, services
from maps.forms import card_form_class
from maps.models import Card, Change, Deletion, Journey, Lane, LaneKind, Stage, UserState

from . import factories
from .factories import assert_map_positions_contiguous, make_card, map_state

HTMX = {"HTTP_HX_REQUEST": "true"}
BOTH = pytest.mark.parametrize("hx", [True, False], ids=["htmx", "page"])


def _headers(hx):
    return HTMX if hx else {}


def card_post_data(journey, card, **overrides):
    """What the edit form of this card posts back unchanged, with `overrides` applied (None drops a field)."""
    journey = Journey.objects.get(pk=journey.pk)  # as the editor reads it: its revision now
    card = selectors.card_get(journey=journey, pk=card.pk)
    form = card_form_class(type(card))(instance=card, journey=journey)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field, BooleanField):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _is_page(response):
    return b"<html" in response.content


def _version_in(html: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field in the form"
    return int(match.group(1))


# --- the board ------------------------------------------------------------------------------


def test_board_full_page(owner_client, journey, owner):
    card = make_card(journey, owner, title="Reminder SMS")
    response = owner_client.get(reverse("maps:board", args=[journey.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert 'id="board"' in html
    assert f'id="card-{card.pk}"' in html and "Reminder SMS" in html
    for stage in journey.stages.all():
        assert f'id="stage-{stage.pk}"' in html
    assert "Add stage" in html  # the owner may edit


def test_board_fragment_is_only_the_board_retargeted(owner_client, journey, owner):
    make_card(journey, owner, title="Reminder SMS")
    response = owner_client.get(reverse("maps:board", args=[journey.pk]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert response["HX-Retarget"] == "#board"
    assert response["HX-Reswap"] == "outerHTML"
    assert 'id="board"' in html and "Reminder SMS" in html


def test_viewer_sees_the_board_without_edit_controls(viewer_client, journey, owner):
    card = make_card(journey, owner)
    html = viewer_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert f'id="card-{card.pk}"' in html
    assert reverse("maps:card_edit", args=[journey.pk, card.pk]) not in html
    assert "Add stage" not in html
    assert "data-editable" not in html


def test_a_workspace_without_maps_offers_the_templates_and_import(owner_client, viewer_client, workspace):
    page = owner_client.get(reverse("maps:list")).content.decode()
    assert f"No maps in {workspace.name} yet" in page
    create = reverse("maps:create", args=[workspace.slug])
    assert f'href="{create}?template=telehealth"' in page and f'href="{create}?template=blank"' in page
    assert f'href="{reverse("interchange:import", args=[workspace.slug])}"' in page
    form = owner_client.get(f"{create}?template=blank").content.decode()
    assert '<option value="blank" selected>' in form  # the tile's template comes chosen
    assert '<option value="telehealth" selected>' in owner_client.get(create).content.decode()  # the default
    # A viewer cannot start a map: the empty state says who can, and offers nothing to click.
    viewer_page = viewer_client.get(reverse("maps:list")).content.decode()
    assert "An editor or owner of this workspace can start the first map." in viewer_page
    assert "?template=" not in viewer_page


def test_journey_list_shows_my_maps_only(owner_client, journey, other_journey):
    html = owner_client.get(reverse("maps:list")).content.decode()
    assert journey.title in html
    assert other_journey.title not in html


# --- card detail and edit -----------------------------------------------------------------------


def test_card_detail_fragment_and_plain_redirect(owner_client, journey, owner):
    card = make_card(journey, owner, title="Consent")
    url = reverse("maps:card_detail", args=[journey.pk, card.pk])
    fragment = owner_client.get(url, **HTMX)
    assert fragment.status_code == 200 and not _is_page(fragment)
    assert f'id="card-{card.pk}"' in fragment.content.decode()
    page = owner_client.get(url)
    assert page.status_code == 302
    assert page["Location"] == reverse("maps:board", args=[journey.pk]) + f"#card-{card.pk}"


@BOTH
def test_card_edit_get(owner_client, journey, owner, hx):
    card = make_card(journey, owner, title="Consent")
    response = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk]), **_headers(hx))
    assert response.status_code == 200
    html = response.content.decode()
    assert _is_page(response) is not hx
    assert 'id="card-editor"' in html
    assert ('role="dialog"' in html) is hx  # a drawer on the board; a page of its own without HTMX
    assert 'value="Consent"' in html
    assert _version_in(html) == 1


def test_card_edit_post_htmx_closes_the_editor_and_sends_the_card_out_of_band(owner_client, journey, owner):
    card = make_card(journey, owner, title="Consent")
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Consent, clearer"), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="card-editor"' not in html  # the drawer's slot is emptied: it closes
    assert html.lstrip().startswith(f'<div class="cards" id="cell-{card.stage_id}-{card.lane_id}"')
    assert f'id="card-{card.pk}"' in html and "Consent, clearer" in html
    assert 'data-version="2"' in html
    assert f'"card": {card.pk}' in response["HX-Trigger-After-Settle"]  # focus goes back to the card
    assert Card.objects.get(pk=card.pk).title == "Consent, clearer"


def test_card_edit_post_plain_redirects_to_the_board(owner_client, journey, owner):
    card = make_card(journey, owner, title="Consent")
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Consent, clearer"))
    assert response.status_code == 302
    assert response["Location"] == reverse("maps:board", args=[journey.pk]) + f"#card-{card.pk}"
    assert Card.objects.get(pk=card.pk).title == "Consent, clearer"


def test_editing_a_user_state_sends_the_curve_out_of_band(owner_client, journey, owner):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=-2)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, confidence=4), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="curve"' in html and 'hx-swap-oob="true"' in html
    assert UserState.objects.get(pk=card.pk).confidence == 4


@BOTH
def test_stale_card_edit_answers_409_with_theirs_and_yours(owner_client, editor, journey, owner, hx):
    card = make_card(journey, owner, title="Original")
    mine = card_post_data(journey, card, title="Yours")
    services.card_update(actor=editor, card=card, version=1, data={"title": "Theirs"})
    before = map_state(journey)

    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine, **_headers(hx))
    assert response.status_code == 409
    html = response.content.decode()
    assert _is_page(response) is not hx
    assert "Theirs" in html and "Yours" in html
    assert "Save mine over theirs" in html
    assert _version_in(html) == 2  # the form that saves mine over theirs names the current version
    assert map_state(journey) == before

    # Saving mine over theirs then works.
    again = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine | {"version": 2},
                              **_headers(hx))
    assert again.status_code in (200, 302)
    assert Card.objects.get(pk=card.pk).title == "Yours"


def test_conflict_with_a_card_deleted_meanwhile(owner_client, editor, journey, owner):
    card = make_card(journey, owner, title="Original")
    mine = card_post_data(journey, card, title="Yours")
    services.card_delete(actor=editor, card=card, version=1)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine, **HTMX)
    # The card left the board: it is no longer found for editing.
    assert response.status_code in (404, 409)
    assert Card.all_objects.get(pk=card.pk).title == "Original"


@BOTH
def test_card_edit_without_version_answers_422_and_changes_nothing(owner_client, journey, owner, hx):
    card = make_card(journey, owner, title="Original")
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Changed", version=None), **_headers(hx))
    assert response.status_code == 422
    assert "does not say which version it read" in response.content.decode()
    assert map_state(journey) == before


@BOTH
def test_card_edit_with_an_over_long_title_answers_422(owner_client, journey, owner, hx):
    card = make_card(journey, owner, title="Original")
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="x" * 201), **_headers(hx))
    assert response.status_code == 422
    html = response.content.decode()
    assert "at most 200 characters" in html
    assert _is_page(response) is not hx
    assert map_state(journey) == before


@BOTH
def test_card_edit_refuses_a_team_of_another_workspace(owner_client, journey, owner, other_workspace, hx):
    card = make_card(journey, owner, title="Original")
    foreign = other_workspace.teams.first()
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, owner_team=foreign.pk), **_headers(hx))
    assert response.status_code == 422
    assert "valid choice" in response.content.decode()
    assert map_state(journey) == before


@BOTH
def test_user_state_confidence_out_of_range_answers_422(owner_client, journey, owner, hx):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=1)
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, confidence=6), **_headers(hx))
    assert response.status_code == 422
    assert "less than or equal to 5" in response.content.decode()
    assert map_state(journey) == before


# --- card create, move, delete, restore ---------------------------------------------------------


@BOTH
def test_card_create(owner_client, journey, hx):
    stage = journey.stages.get(position=2)
    lane = factories.lane_of(journey, LaneKind.FRICTION)
    url = reverse("maps:card_create", args=[journey.pk])
    form = owner_client.get(url, {"stage": stage.pk, "lane": lane.pk}, **_headers(hx))
    assert form.status_code == 200
    assert _is_page(form) is not hx
    assert 'name="severity"' in form.content.decode()

    response = owner_client.post(url, {"stage": stage.pk, "lane": lane.pk, "title": "No slots left",
                                       "friction_kind": "structural", "severity": "high", "status": "open"},
                                 **_headers(hx))
    card = Card.objects.get(title="No slots left")
    assert (card.stage, card.lane, card.kind) == (stage, lane, LaneKind.FRICTION)
    assert card.frictionpoint.severity == "high"
    if hx:
        assert response.status_code == 200
        html = response.content.decode()
        # The editor's slot is emptied (it closes); the cell, with the new card, comes out of band.
        assert html.lstrip().startswith('<div class="cards"') and 'id="card-editor"' not in html
        assert f'id="cell-{stage.pk}-{lane.pk}" ' in html and f'id="card-{card.pk}"' in html
        assert 'hx-swap-oob="true"' in html and 'id="board"' not in html
        assert f'"card": {card.pk}' in response["HX-Trigger-After-Settle"]  # focus goes to the new card
    else:
        assert response.status_code == 302
        assert response["Location"].endswith(f"#card-{card.pk}")


def test_card_create_with_an_over_long_title_answers_422(owner_client, journey):
    stage, lane = journey.stages.first(), journey.lanes.first()
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_create", args=[journey.pk]),
                                 {"stage": stage.pk, "lane": lane.pk, "title": "x" * 201}, **HTMX)
    assert response.status_code == 422
    assert "at most 200 characters" in response.content.decode()
    assert map_state(journey) == before


@BOTH
def test_card_move(owner_client, journey, owner, hx):
    a, b, c = (make_card(journey, owner, title=t) for t in "abc")
    target = journey.stages.get(position=4)
    response = owner_client.post(reverse("maps:card_move", args=[journey.pk, a.pk]),
                                 {"version": 1, "stage": target.pk, "lane": a.lane_id, "position": 0}, **_headers(hx))
    assert response.status_code == (200 if hx else 302)
    if hx:  # the target cell, out of band (the card leaves its old cell on the board by itself), not the board
        html = response.content.decode()
        assert f'id="cell-{target.pk}-{a.lane_id}"' in html and 'id="board"' not in html
        assert f'"card": {a.pk}' in response["HX-Trigger-After-Settle"]
    assert Card.objects.get(pk=a.pk).stage == target
    assert_map_positions_contiguous(journey)


def test_card_move_by_step_and_to_a_lane_of_another_kind(owner_client, journey, owner):
    a, b = make_card(journey, owner, title="a"), make_card(journey, owner, title="b")
    response = owner_client.post(reverse("maps:card_move", args=[journey.pk, a.pk]), {"version": 1, "step": 1}, **HTMX)
    assert response.status_code == 200
    assert Card.objects.get(pk=a.pk).position == 1 and Card.objects.get(pk=b.pk).position == 0

    before = map_state(journey)
    friction = factories.lane_of(journey, LaneKind.FRICTION)
    response = owner_client.post(reverse("maps:card_move", args=[journey.pk, a.pk]),
                                 {"version": 2, "lane": friction.pk, "position": 0}, **HTMX)
    assert response.status_code == 400
    assert map_state(journey) == before


def test_stale_card_move_answers_409(owner_client, journey, owner):
    card = make_card(journey, owner)
    services.card_update(actor=owner, card=card, version=1, data={"title": "x"})
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_move", args=[journey.pk, card.pk]), {"version": 1, "step": 1},
                                 **HTMX)
    assert response.status_code == 409
    assert map_state(journey) == before


def test_card_move_without_version_is_refused(owner_client, journey, owner):
    card = make_card(journey, owner)
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_move", args=[journey.pk, card.pk]), {"step": 1}, **HTMX)
    assert response.status_code == 400
    assert map_state(journey) == before


@BOTH
def test_card_delete_and_restore(owner_client, journey, owner, hx):
    card = make_card(journey, owner, title="Gone soon")
    response = owner_client.post(reverse("maps:card_delete", args=[journey.pk, card.pk]), {"version": 1},
                                 **_headers(hx))
    assert response.status_code == (200 if hx else 302)
    assert Card.all_objects.get(pk=card.pk).deleted_at is not None
    if hx:
        assert f'id="card-{card.pk}"' not in response.content.decode()
    board = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert f'id="card-{card.pk}"' not in board

    activity = owner_client.get(reverse("maps:activity", args=[journey.pk])).content.decode()
    deletion = Deletion.objects.get(entity="card", entity_id=card.pk)
    assert f'id="deletion-{deletion.pk}"' in activity
    assert reverse("maps:deletion_restore", args=[journey.pk, deletion.pk]) in activity

    response = owner_client.post(reverse("maps:card_restore", args=[journey.pk, card.pk]), **_headers(hx))
    assert response.status_code == 302
    assert Card.objects.get(pk=card.pk).deleted_at is None
    # Restoring twice is refused: the card is found only among deleted cards.
    assert owner_client.post(reverse("maps:card_restore", args=[journey.pk, card.pk])).status_code == 404


def test_stale_card_delete_answers_409(owner_client, journey, owner):
    card = make_card(journey, owner)
    services.card_update(actor=owner, card=card, version=1, data={"title": "x"})
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_delete", args=[journey.pk, card.pk]), {"version": 1}, **HTMX)
    assert response.status_code == 409
    assert map_state(journey) == before


# --- stages and lanes -----------------------------------------------------------------------------


@BOTH
@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_axis_create(owner_client, journey, axis, hx):
    url = reverse(f"maps:{axis}_create", args=[journey.pk])
    form = owner_client.get(url, **_headers(hx))
    assert form.status_code == 200
    assert _is_page(form) is not hx
    data = {"name": "Referral"} | ({"kind": LaneKind.BACKSTAGE} if axis == "lane" else {})
    response = owner_client.post(url, data, **_headers(hx))
    model = Stage if axis == "stage" else Lane
    item = model.objects.get(journey=journey, name="Referral")
    assert item.position == 6
    if hx:
        assert response.status_code == 200 and response["HX-Retarget"] == "#board"
        assert f'id="{axis}-{item.pk}"' in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"].endswith(f"#{axis}-{item.pk}")


@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_axis_create_with_a_bad_name_answers_422(owner_client, journey, axis):
    before = map_state(journey)
    data = {"name": "x" * 121} | ({"kind": LaneKind.BACKSTAGE} if axis == "lane" else {})
    response = owner_client.post(reverse(f"maps:{axis}_create", args=[journey.pk]), data, **HTMX)
    assert response.status_code == 422
    assert "at most 120 characters" in response.content.decode()
    assert map_state(journey) == before


@BOTH
@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_axis_edit(owner_client, journey, axis, hx):
    item = getattr(journey, f"{axis}s").first()
    url = reverse(f"maps:{axis}_edit", args=[journey.pk, item.pk])
    form = owner_client.get(url, **_headers(hx))
    assert form.status_code == 200 and _is_page(form) is not hx
    assert _version_in(form.content.decode()) == 1
    data = {"name": "Renamed", "version": 1} | ({"kind": item.kind} if axis == "lane" else {"description": ""})
    response = owner_client.post(url, data, **_headers(hx))
    assert response.status_code == (200 if hx else 302)
    item.refresh_from_db()
    assert (item.name, item.version) == ("Renamed", 2)


@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_stale_axis_edit_answers_409_and_without_version_422(owner_client, owner, journey, axis):
    item = getattr(journey, f"{axis}s").first()
    update = getattr(services, f"{axis}_update")
    update(actor=owner, **{axis: item}, version=1, data={"name": "Theirs"})
    extra = {"kind": item.kind} if axis == "lane" else {"description": ""}
    url = reverse(f"maps:{axis}_edit", args=[journey.pk, item.pk])
    before = map_state(journey)

    response = owner_client.post(url, {"name": "Yours", "version": 1} | extra, **HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Theirs" in html and "Yours" in html and "Save mine over theirs" in html
    assert _version_in(html) == 2

    response = owner_client.post(url, {"name": "Yours"} | extra, **HTMX)
    assert response.status_code == 422
    assert "does not say which version it read" in response.content.decode()
    assert map_state(journey) == before


@BOTH
@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_axis_move(owner_client, journey, axis, hx):
    items = getattr(journey, f"{axis}s")
    first = items.get(position=0)
    response = owner_client.post(reverse(f"maps:{axis}_move", args=[journey.pk, first.pk]),
                                 {"version": 1, "step": 1}, **_headers(hx))
    assert response.status_code == (200 if hx else 302)
    first.refresh_from_db()
    assert first.position == 1
    assert_map_positions_contiguous(journey)
    response = owner_client.post(reverse(f"maps:{axis}_move", args=[journey.pk, first.pk]),
                                 {"version": 2, "position": 5}, **_headers(hx))
    first.refresh_from_db()
    assert first.position == 5


@BOTH
@pytest.mark.parametrize("axis", ["stage", "lane"])
def test_axis_delete(owner_client, owner, journey, axis, hx):
    item = getattr(journey, f"{axis}s").get(position=1)
    kind = LaneKind.TOUCHPOINTS if axis == "stage" else item.kind
    make_card(journey, owner, kind=kind, **({"stage": item} if axis == "stage" else {}))
    url = reverse(f"maps:{axis}_delete", args=[journey.pk, item.pk])
    confirm = owner_client.get(url)
    assert confirm.status_code == 200
    assert "<strong>1</strong> card</li>" in confirm.content.decode()

    response = owner_client.post(url, {"version": 1}, **_headers(hx))
    assert response.status_code == (200 if hx else 302)
    assert not type(item).objects.filter(pk=item.pk).exists()
    assert_map_positions_contiguous(journey)


# --- journeys ---------------------------------------------------------------------------------


@pytest.mark.parametrize("template,stages,lanes", [("telehealth", 6, 6), ("blank", 1, 1)])
def test_journey_create_from_a_template(owner_client, workspace, template, stages, lanes):
    url = reverse("maps:create", args=[workspace.slug])
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, {"title": "Refill journey", "persona": "Patient", "kind": "designed",
                                       "template": template, "description": "", "observes": ""})
    journey = Journey.objects.get(title="Refill journey")
    assert response.status_code == 302 and response["Location"] == reverse("maps:board", args=[journey.pk])
    assert (journey.stages.count(), journey.lanes.count()) == (stages, lanes)
    assert journey.workspace == workspace


def test_journey_create_with_a_bad_template_answers_422(owner_client, workspace):
    response = owner_client.post(reverse("maps:create", args=[workspace.slug]),
                                 {"title": "X", "kind": "designed", "template": "nope"})
    assert response.status_code == 422
    assert not Journey.objects.filter(title="X").exists()


def test_journey_create_refuses_a_designed_journey_observing_another(owner_client, workspace, journey):
    response = owner_client.post(reverse("maps:create", args=[workspace.slug]),
                                 {"title": "X", "kind": "designed", "template": "blank", "observes": journey.pk})
    assert response.status_code == 422
    assert "Only an observed journey" in response.content.decode()
    assert not Journey.objects.filter(title="X").exists()


def _journey_data(journey, **overrides):
    return {"title": journey.title, "persona": journey.persona, "description": journey.description,
            "kind": journey.kind, "observes": "", "status": journey.status, "last_reviewed_at": "",
            "version": journey.version} | overrides


@BOTH
def test_journey_settings(owner_client, journey, hx):
    url = reverse("maps:journey_edit", args=[journey.pk])
    page = owner_client.get(url, **_headers(hx))
    assert page.status_code == 200 and _is_page(page) is not hx
    response = owner_client.post(url, _journey_data(journey, title="New title", status="active"), **_headers(hx))
    assert response.status_code == 302
    journey.refresh_from_db()
    assert (journey.title, journey.status, journey.version) == ("New title", "active", 2)


def test_journey_settings_stale_missing_version_and_too_long(owner_client, owner, journey):
    services.journey_update(actor=owner, journey=journey, version=1, data={"title": "Theirs"})
    journey.refresh_from_db()
    url = reverse("maps:journey_edit", args=[journey.pk])
    before = map_state(journey)

    stale = owner_client.post(url, _journey_data(journey, title="Yours", version=1))
    assert stale.status_code == 409
    assert "Save mine over theirs" in stale.content.decode() and _version_in(stale.content.decode()) == 2

    missing = owner_client.post(url, _journey_data(journey, title="Yours", version=""))
    assert missing.status_code == 422
    assert "does not say which version it read" in missing.content.decode()

    too_long = owner_client.post(url, _journey_data(journey, title="x" * 201))
    assert too_long.status_code == 422
    assert "at most 200 characters" in too_long.content.decode()
    assert map_state(journey) == before


def test_journey_review(owner_client, journey):
    response = owner_client.post(reverse("maps:journey_review", args=[journey.pk]))
    assert response.status_code == 302
    assert Journey.objects.get(pk=journey.pk).last_reviewed_at is not None


def test_activity_lists_changes(owner_client, owner, editor, journey):
    card = make_card(journey, editor, title="Reminder SMS")
    services.card_update(actor=owner, card=card, version=1, data={"title": "Reminder text"})
    html = owner_client.get(reverse("maps:activity", args=[journey.pk])).content.decode()
    assert f'Edited card\n          <a href="/maps/{journey.pk}/#card-{card.pk}">“Reminder text”</a>' in html
    assert f'Created card\n          <a href="/maps/{journey.pk}/#card-{card.pk}">“Reminder SMS”</a>' in html
    assert "Reminder SMS" in html and "Reminder text" in html  # the old and the new value
    assert "editor" in html and "owner" in html
    assert "made 13 changes" in html  # the map's creation from the telehealth template


# --- viewers ----------------------------------------------------------------------------------


def test_viewer_posts_answer_403_and_change_nothing(viewer_client, owner, journey, workspace):
    card = make_card(journey, owner, title="Original")
    deleted = make_card(journey, owner, title="Deleted")
    services.card_delete(actor=owner, card=deleted, version=1)
    stage, lane = journey.stages.first(), journey.lanes.first()
    before = map_state(journey)
    journeys = Journey.objects.count()
    posts = [
        (reverse("maps:card_edit", args=[journey.pk, card.pk]), card_post_data(journey, card, title="Hacked")),
        (reverse("maps:card_create", args=[journey.pk]), {"stage": stage.pk, "lane": lane.pk, "title": "New"}),
        (reverse("maps:card_move", args=[journey.pk, card.pk]), {"version": 1, "step": 1}),
        (reverse("maps:card_delete", args=[journey.pk, card.pk]), {"version": 1}),
        (reverse("maps:card_restore", args=[journey.pk, deleted.pk]), {}),
        (reverse("maps:stage_create", args=[journey.pk]), {"name": "New"}),
        (reverse("maps:stage_edit", args=[journey.pk, stage.pk]), {"name": "New", "description": "", "version": 1}),
        (reverse("maps:stage_move", args=[journey.pk, stage.pk]), {"version": 1, "step": 1}),
        (reverse("maps:stage_delete", args=[journey.pk, stage.pk]), {"version": 1}),
        (reverse("maps:lane_create", args=[journey.pk]), {"name": "New", "kind": "notes"}),
        (reverse("maps:lane_edit", args=[journey.pk, lane.pk]), {"name": "New", "kind": lane.kind, "version": 1}),
        (reverse("maps:lane_move", args=[journey.pk, lane.pk]), {"version": 1, "step": 1}),
        (reverse("maps:lane_delete", args=[journey.pk, lane.pk]), {"version": 1}),
        (reverse("maps:journey_edit", args=[journey.pk]), _journey_data(journey, title="Hacked")),
        (reverse("maps:journey_review", args=[journey.pk]), {}),
        (reverse("maps:create", args=[workspace.slug]), {"title": "New", "kind": "designed", "template": "blank"}),
    ]
    for hx in (True, False):
        for url, data in posts:
            response = viewer_client.post(url, data, **_headers(hx))
            assert response.status_code == 403, url
            assert "Viewers cannot change" in response.content.decode()
            assert _is_page(response) is not hx
    assert map_state(journey) == before
    assert Journey.objects.count() == journeys
    assert Change.objects.filter(journey=journey).count() == before["changes"]


def test_full_page_card_edit_offers_a_move_form_that_works_without_javascript(owner_client, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    target = journey.stages.all()[2]
    page = owner_client.get(f"/maps/{journey.pk}/cards/{card.pk}/edit/")
    assert b"Move this card" in page.content
    fragment = owner_client.get(f"/maps/{journey.pk}/cards/{card.pk}/edit/", HTTP_HX_REQUEST="true")
    assert b"Move this card" not in fragment.content  # on the board, dragging and the keyboard move cards
    response = owner_client.post(f"/maps/{journey.pk}/cards/{card.pk}/move/", {
        "version": card.version, "stage": target.pk, "lane": card.lane_id, "position": 0})
    assert response.status_code == 302
    assert Card.objects.get(pk=card.pk).stage_id == target.pk


def test_board_shows_a_legend_and_an_icon_per_card_kind(client, owner, journey):
    """Kinds are told apart by icon and words, not by a border colour alone."""
    client.force_login(owner)
    html = client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert 'class="legend" aria-label="Card kinds"' in html
    lanes = journey.lanes.filter(deleted_at=None)
    assert lanes.exists()
    for lane in lanes:
        assert f'<span class="kind-icon icon-{lane.kind}" aria-hidden="true"></span>{escape(lane.get_kind_display())}</li>' in html
