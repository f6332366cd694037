"""The card editor's views: for each card kind, the add and edit forms as a page and as the board's drawer
(HTMX), every field filled as a person would; the unhappy paths (each error next to its field, named, and
in a summary that links to it); and the conflict view of a lost save (who saved in between, only what differs)."""

import re

import pytest
from django.urls import reverse

from maps import services
from maps.models import CARD_MODELS, Card, Journey, LaneKind, UserState
from maps.regions import regions_for_revision

from . import factories
from .factories import make_card, map_state
from .form_walk import as_saved, fill, parse, snapshot, written
from .test_maps_views import HTMX, card_post_data

BOTH = pytest.mark.parametrize("hx", [True, False], ids=["htmx", "page"])
KINDS = pytest.mark.parametrize("kind", LaneKind.values)
CARD_TABLES = [Card._meta.db_table] + [model._meta.db_table for model in CARD_MODELS.values()]


def _headers(hx):
    return HTMX if hx else {}


@pytest.fixture
def journey(journey):
    """The map with a lane of every kind (the template has no backstage or notes lane)."""
    for kind in LaneKind.values:
        if not journey.lanes.filter(kind=kind).exists():
            journey.lanes.create(name=f"{kind} lane", kind=kind, position=journey.lanes.count())
    return journey


def _served_form(client, url, hx, **query):
    response = client.get(url, query, **_headers(hx))
    assert response.status_code == 200
    html = response.content.decode()
    assert ("<html" in html) is not hx  # a page of its own, or the drawer alone
    assert ('role="dialog"' in html) is hx and 'aria-labelledby="card-editor-title"' in html
    forms = [f for f in parse(html, url)[0] if f.action.endswith(url.split("?")[0])]
    assert len(forms) == 1, "the editor holds one form that saves the card"
    return html, forms[0]


def _assert_saved(before, chosen):
    rows = written(before, snapshot(CARD_TABLES))
    for name, value in chosen.items():
        assert any(spelling in rows for spelling in as_saved(value)), f"{name}={value!r} was not saved: {rows[:300]}"


def _assert_answers_as_the_others_see_it(response, journey):
    """One's own save answers with the regions the live event brings the other editors: the card's whole
    cell (its neighbours too, in order), and the curve for a user state."""
    revision = Journey.objects.get(pk=journey.pk).revision
    live = regions_for_revision(journey_id=journey.pk, revision=revision).html["editor"]
    between_tags = re.compile(r">\s+<")
    assert between_tags.sub("><", live).strip() == between_tags.sub("><", response.content.decode()).strip()


@KINDS
@BOTH
def test_a_card_of_every_kind_added_with_every_field_filled(owner_client, journey, kind, hx):
    stage, lane = journey.stages.get(position=1), factories.lane_of(journey, kind)
    url = reverse("maps:card_create", args=[journey.pk])
    html, form = _served_form(owner_client, url, hx, stage=stage.pk, lane=lane.pk)
    data, chosen = fill(form)
    before = snapshot(CARD_TABLES)
    response = owner_client.post(url, data, **_headers(hx))
    assert response.status_code == (200 if hx else 302), response.content.decode()[:500]
    card = Card.objects.get(journey=journey, lane=lane, title=data["title"])
    assert (card.stage_id, card.kind) == (stage.pk, kind)
    _assert_saved(before, chosen)
    if hx:
        _assert_answers_as_the_others_see_it(response, journey)


@KINDS
@BOTH
def test_a_card_of_every_kind_edited_with_every_field_filled(owner_client, owner, journey, kind, hx):
    card = make_card(journey, owner, kind=kind, title="Before")
    url = reverse("maps:card_edit", args=[journey.pk, card.pk])
    html, form = _served_form(owner_client, url, hx)
    assert 'value="Before"' in html and 'autofocus id="id_title"' in html.replace('autofocus="" ', "autofocus ")
    data, chosen = fill(form)
    before = snapshot(CARD_TABLES)
    response = owner_client.post(url, data, **_headers(hx))
    assert response.status_code == (200 if hx else 302), response.content.decode()[:500]
    _assert_saved(before, chosen)
    assert Card.objects.get(pk=card.pk).version == 2
    if hx:
        _assert_answers_as_the_others_see_it(response, journey)


@pytest.mark.parametrize("kind, owned", [(LaneKind.ACTIONS, False), (LaneKind.USER_STATE, False),
                                         (LaneKind.NOTES, False), (LaneKind.TOUCHPOINTS, True),
                                         (LaneKind.FRICTION, True), (LaneKind.HANDOFFS, True)])
def test_owner_team_only_where_a_team_owns_the_card(owner_client, owner, journey, kind, owned):
    card = make_card(journey, owner, kind=kind)
    html = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk]), **HTMX).content.decode()
    assert ('name="owner_team"' in html) is owned


def test_confidence_is_a_slider_with_its_value_and_what_its_ends_mean(owner_client, owner, journey):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=-2)
    html = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk]), **HTMX).content.decode()
    slider = re.search(r'<input type="range"[^>]*>', html).group(0)
    assert 'name="confidence"' in slider and 'min="-5"' in slider and 'max="5"' in slider and 'value="-2"' in slider
    assert re.search(r'<output class="slider-value" for="id_confidence"[^>]*>-2</output>', html)
    assert "<b>−5</b> Lost" in html and "<b>+5</b> Confident" in html


def test_channel_and_data_class_are_chips_in_a_named_group(owner_client, owner, journey):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, channel="sms", data_classification="phi")
    html = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk]), **HTMX).content.decode()
    for name, label, checked in (("channel", "Channel", "sms"), ("data_classification", "Data classification", "phi")):
        group = re.search(rf'<fieldset class="field chips-field"[^>]*>\s*<legend>{label}</legend>(.*?)</fieldset>',
                          html, re.S)
        assert group, name
        assert re.search(rf'<input type="radio" name="{name}" value="{checked}"[^>]*checked', group.group(1))


@BOTH
def test_errors_are_next_to_their_fields_and_summed_up_with_links(owner_client, owner, journey, hx):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, confidence=1)
    before = map_state(journey)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="", confidence=9), **_headers(hx))
    assert response.status_code == 422
    html = response.content.decode()
    assert map_state(journey) == before
    for name in ("title", "confidence"):
        field = re.search(rf'<input [^>]*id="id_{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field
        assert f"id_{name}_error" in re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
        assert re.search(rf'<p class="field-error" id="id_{name}_error">[^<]+</p>', html)
        assert f'<a href="#id_{name}">' in html  # the summary links to it
    summary = html.index('class="error-summary"')
    assert summary < html.index('id="id_title"')  # the summary comes first, at the top of the form
    assert "2 things to fix" in html
    # The first invalid field (in the editor's order) takes focus, and only it.
    assert html.count("autofocus") == 1 and re.search(r'<input [^>]*autofocus[^>]*id="id_title"', html)


@BOTH
def test_a_chip_group_in_error_points_at_its_message(owner_client, owner, journey, hx):
    stage, lane = journey.stages.first(), factories.lane_of(journey, LaneKind.TOUCHPOINTS)
    response = owner_client.post(reverse("maps:card_create", args=[journey.pk]),
                                 {"stage": stage.pk, "lane": lane.pk, "title": "Fax", "channel": "fax",
                                  "data_classification": "none", "communication_sensitivity": "low"},
                                 **_headers(hx))
    assert response.status_code == 422
    html = response.content.decode()
    assert '<fieldset class="field chips-field invalid" aria-describedby="id_channel_error">' in html
    assert 'id="id_channel_error"' in html and '<a href="#id_channel_0">Channel:' in html
    assert not Card.objects.filter(title="Fax").exists()


def test_a_user_states_doing_is_shown_on_the_board(owner_client, owner, journey):
    make_card(journey, owner, kind=LaneKind.USER_STATE, doing="Compares two clinics", thinking="Is it safe?")
    html = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert "<dt>Does</dt><dd>Compares two clinics</dd>" in html


@BOTH
def test_a_lost_save_names_who_saved_and_shows_only_what_differs(owner_client, owner, editor, journey, hx):
    editor.first_name, editor.last_name = "Dana", "Reyes"
    editor.save()
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, title="Wary", thinking="Is it real?", confidence=1)
    mine = card_post_data(journey, card, title="Mine", confidence=3)  # every field posted; two of them changed
    services.card_update(actor=editor, card=card, version=1, data={"title": "Theirs", "confidence": -1})
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine, **_headers(hx))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Dana Reyes changed this card while you were editing it." in html and "Someone" not in html
    assert "Theirs (saved now by Dana Reyes)" in html
    rows = re.findall(r'<tr class="differs"><th scope="row">([^<]+)</th><td>([^<]+)</td><td>([^<]+)</td></tr>', html)
    assert rows == [("Title", "Theirs", "Mine"), ("Confidence / trust", "-1", "3")]  # "Thinking" agrees: not shown
    assert "Save mine over theirs" in html and "Take theirs" in html
    assert 'name="version" value="2"' in html
    assert UserState.objects.get(pk=card.pk).title == "Theirs"


@BOTH
def test_a_save_behind_anothers_keeps_theirs_when_they_changed_other_fields(owner_client, owner, editor, journey, hx):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, title="Wary", thinking="Is it real?", confidence=1)
    url = reverse("maps:card_edit", args=[journey.pk, card.pk])
    _html, served = _served_form(owner_client, url, hx)
    assert served.fields["read_revision"].value == str(Journey.objects.get(pk=journey.pk).revision)
    # The form as served (its revision too), one field changed.
    mine = card_post_data(journey, card, thinking="Is it safe to share?")
    assert mine["read_revision"] == int(served.fields["read_revision"].value)
    services.card_update(actor=editor, card=card, version=1, data={"title": "Theirs", "confidence": -1})
    response = owner_client.post(url, mine, **_headers(hx))
    assert response.status_code == (200 if hx else 302), response.content.decode()[:500]
    saved = UserState.objects.get(pk=card.pk)
    assert (saved.title, saved.confidence, saved.thinking, saved.version) == ("Theirs", -1, "Is it safe to share?", 3)
    change = journey.changes.filter(entity="card", entity_id=card.pk).order_by("-revision").first()
    assert (change.actor, change.before, change.after) == (owner, {"thinking": "Is it real?"},
                                                           {"thinking": "Is it safe to share?"})


@BOTH
def test_a_save_behind_anothers_is_a_conflict_where_both_changed_a_field(owner_client, owner, editor, journey, hx):
    card = make_card(journey, owner, kind=LaneKind.USER_STATE, title="Wary", thinking="Is it real?", confidence=1)
    mine = card_post_data(journey, card, title="Mine", thinking="Is it safe to share?")
    services.card_update(actor=editor, card=card, version=1, data={"title": "Theirs", "confidence": -1})
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine, **_headers(hx))
    assert response.status_code == 409
    html = response.content.decode()
    rows = re.findall(r'<tr class="differs"><th scope="row">([^<]+)</th>', html)
    assert rows == ["Title", "Thinking"]  # what saving mine over theirs changes: their confidence stays
    saved = UserState.objects.get(pk=card.pk)
    assert (saved.title, saved.thinking, saved.version) == ("Theirs", "Is it real?", 2)  # nothing of mine yet
    forms = [f for f in parse(html, "/")[0] if f.action.endswith(f"/cards/{card.pk}/edit/")]
    again = {name: field.value for name, field in forms[0].fields.items() if field.kind not in ("submit", "button")}
    assert again["title"] == "Mine" and again["confidence"] == "-1" and again["version"] == "2"
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), again, **_headers(hx))
    assert response.status_code == (200 if hx else 302)  # "Save mine over theirs"
    saved = UserState.objects.get(pk=card.pk)
    assert (saved.title, saved.thinking, saved.confidence) == ("Mine", "Is it safe to share?", -1)


def test_a_save_behind_a_delete_and_restore_is_a_conflict(owner_client, owner, editor, journey):
    card = make_card(journey, owner, title="Video visit")
    mine = card_post_data(journey, card, body="Camera check first")
    services.card_update(actor=editor, card=card, version=1, data={"title": "Video visit, with a check"})
    deleted = services.card_delete(actor=editor, card=Card.objects.get(pk=card.pk), version=2)
    services.card_restore(actor=editor, card=deleted)
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]), mine, **HTMX)
    assert response.status_code == 409  # what the card was in between is not on the record field by field
    assert Card.objects.get(pk=card.pk).body == ""


def test_taking_theirs_closes_the_editor_and_shows_their_card(owner_client, owner, editor, journey):
    card = make_card(journey, owner, title="Original")
    services.card_update(actor=editor, card=card, version=1, data={"title": "Theirs"})
    response = owner_client.get(reverse("maps:card_detail", args=[journey.pk, card.pk]), HTTP_HX_TARGET="dialog",
                                **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div class="cards"')
    assert 'hx-swap-oob="true"' in html and "Theirs" in html and 'id="card-editor"' not in html
    assert f'"card": {card.pk}' in response["HX-Trigger-After-Settle"]


def test_a_viewer_asking_for_a_card_as_the_editor_would_gets_no_edit_links(viewer_client, journey, owner):
    """The editor's "Take theirs" answer reads the person's role (it changes nothing, so no service did)."""
    card = make_card(journey, owner, title="Original")
    response = viewer_client.get(reverse("maps:card_detail", args=[journey.pk, card.pk]), HTTP_HX_TARGET="dialog", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and f'id="card-{card.pk}"' in html
    assert 'class="card-edit"' not in html


def test_a_save_of_ones_own_other_window_is_named_as_such(owner_client, owner, journey):
    card = make_card(journey, owner, title="Original")
    services.card_update(actor=owner, card=card, version=1, data={"title": "From the other tab"})
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Mine", version=1), **HTMX)
    assert response.status_code == 409
    assert "You, in another window, changed this card" in response.content.decode()


def test_the_editor_as_a_page_posts_plainly(owner_client, owner, journey):
    """A page has no #dialog slot: its forms must not post through htmx, which would have nowhere to swap."""
    card = make_card(journey, owner, title="Consent")
    html = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk])).content.decode()
    assert "hx-post" not in html and 'hx-target="#dialog"' not in html
    drawer = owner_client.get(reverse("maps:card_edit", args=[journey.pk, card.pk]), **HTMX).content.decode()
    assert 'hx-post' in drawer and 'hx-target="#dialog"' in drawer
