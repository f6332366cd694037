"""What one revision re-renders (maps.regions): the regions it touched, once per variant, or a reload."""

import pytest
from django.core.cache import cache

from maps import services
from maps.models import Journey, LaneKind
from maps.regions import cards_html_attach, regions_for_revision
from maps.selectors import card_get
from tests import factories

pytestmark = pytest.mark.django_db


def _revision(journey) -> int:
    return Journey.objects.get(pk=journey.pk).revision


def test_a_card_edit_renders_its_cell_for_editors_and_viewers(owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    neighbour = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Consent")
    services.card_update(actor=owner, card=card, version=card.version, data={"title": "Intake form, shorter"})
    regions = regions_for_revision(journey_id=journey.pk, revision=_revision(journey))
    assert not regions.reload and regions.note == "edited card “Intake form, shorter”"
    for variant in ("editor", "viewer"):
        html = regions.html[variant]
        assert html.startswith(f'<div class="cards" id="cell-{card.stage_id}-{card.lane_id}"')
        assert 'hx-swap-oob="true"' in html
        assert html.index(f'id="card-{card.pk}"') < html.index(f'id="card-{neighbour.pk}"')  # in the cell's order
        assert "Intake form, shorter" in html
        assert 'id="curve"' not in html  # a touchpoint does not move the confidence curve
    assert 'class="card-edit"' in regions.html["editor"] and 'class="card-edit"' not in regions.html["viewer"]


def test_a_user_state_change_brings_the_curve(owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.USER_STATE, title="Worried", confidence=-2)
    services.card_update(actor=owner, card=card_get(journey=journey, pk=card.pk), version=card.version,
                         data={"title": "Worried", "confidence": 3})
    html = regions_for_revision(journey_id=journey.pk, revision=_revision(journey)).html["viewer"]
    assert 'id="curve"' in html and 'id="cell-' in html


def test_a_move_renders_the_target_cell_and_a_delete_the_cell_without_the_card(owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Call back")
    target = journey.stages.order_by("position")[2]
    services.card_move(actor=owner, card=card, version=card.version, stage_id=target.pk, lane_id=card.lane_id,
                       position=0)
    html = regions_for_revision(journey_id=journey.pk, revision=_revision(journey)).html["editor"]
    assert f'id="cell-{target.pk}-{card.lane_id}"' in html and f'id="card-{card.pk}"' in html

    services.card_delete(actor=owner, card=card, version=card.version + 1)
    html = regions_for_revision(journey_id=journey.pk, revision=_revision(journey)).html["editor"]
    assert f'id="cell-{target.pk}-{card.lane_id}"' in html and f'id="card-{card.pk}"' not in html


def test_a_stage_rename_renders_its_header_and_a_new_stage_asks_for_a_reload(owner, journey):
    stage = journey.stages.first()
    services.stage_update(actor=owner, stage=stage, version=stage.version, data={"name": "Finding care"})
    regions = regions_for_revision(journey_id=journey.pk, revision=_revision(journey))
    assert not regions.reload
    assert f'<th scope="col" class="stage" id="stage-{stage.pk}" hx-swap-oob="true">' in regions.html["editor"]
    assert "Finding care" in regions.html["viewer"] and "Stage Finding care actions" not in regions.html["viewer"]

    services.stage_create(actor=owner, journey=journey, data={"name": "Aftercare"})
    assert regions_for_revision(journey_id=journey.pk, revision=_revision(journey)).reload


def test_a_change_the_board_does_not_show_moves_the_revision_only(owner, journey):
    services.journey_mark_reviewed(actor=owner, journey=journey)
    regions_for_revision(journey_id=journey.pk, revision=_revision(journey))  # the badges as they are now
    services.journey_mark_reviewed(actor=owner, journey=journey)
    regions = regions_for_revision(journey_id=journey.pk, revision=_revision(journey))
    assert not regions.reload and regions.html == {}


def test_a_comment_brings_its_cards_badge_only(owner, journey):
    from comments import services as comment_services

    card = factories.make_card(journey, owner, title="Intake form")
    other = factories.make_card(journey, owner, title="Consent")
    services.journey_mark_reviewed(actor=owner, journey=journey)
    regions_for_revision(journey_id=journey.pk, revision=_revision(journey))
    comment_services.comment_create(actor=owner, journey=journey, target=card, body="Too long?")
    html = regions_for_revision(journey_id=journey.pk, revision=_revision(journey)).html["viewer"]
    assert f'id="comments-badge-card-{card.pk}"' in html and 'hx-swap-oob="true"' in html
    assert f"card-{other.pk}" not in html


def test_a_cards_html_is_cached_by_version_and_variant(owner, journey, django_assert_num_queries):
    cache.clear()
    card = card_get(journey=journey, pk=factories.make_card(journey, owner, title="Intake form").pk)
    card.badges = []
    cards_html_attach(journey=journey, cards=[card], can_edit=True)
    first = card.html
    card.title = "Changed without a new version"  # only a new version (or badge, team...) renders again
    cards_html_attach(journey=journey, cards=[card], can_edit=True)
    assert card.html == first
    cards_html_attach(journey=journey, cards=[card], can_edit=False)
    assert "card-edit" in first and "card-edit" not in card.html
    card.version += 1
    cards_html_attach(journey=journey, cards=[card], can_edit=True)
    assert "Changed without a new version" in card.html


def test_a_stage_rename_brings_the_handoffs_to_it_the_curve_and_the_add_links(owner, journey):
    stages = list(journey.stages.order_by("position"))
    handoff = factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, stage=stages[0], title="Refer on",
                                  to_stage=stages[1])
    other = factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, stage=stages[0], title="Stays")
    services.stage_update(actor=owner, stage=stages[1], version=stages[1].version, data={"name": "Assessment"})
    regions = regions_for_revision(journey_id=journey.pk, revision=_revision(journey))
    for variant in ("editor", "viewer"):
        html = regions.html[variant]
        assert f'id="card-{handoff.pk}"' in html and "to Assessment" in html  # its cell, with the new name
        assert 'id="curve"' in html and f'id="stage-{stages[1].pk}"' in html
    assert f'id="card-{other.pk}"' in regions.html["editor"]  # same cell: the cell comes whole
    lanes = journey.lanes.count()
    assert regions.html["editor"].count(f'id="add-{stages[1].pk}-') == lanes
    assert "Add a card to" in regions.html["editor"] and 'id="add-' not in regions.html["viewer"]


def test_the_board_panels_come_when_their_content_changes_only(owner, journey):
    from maps.regions import panels_changed

    cache.clear()
    first = panels_changed(journey=journey)
    for key in ("health", "diagnosis", "stakeholders"):
        assert f'<div id="panel-{key}">' in first
    assert 'id="panel-downloads"' not in first  # not a live panel: nothing in it changes with the map
    assert panels_changed(journey=journey) == ""  # the same digests: nothing to send
    factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Hand over without an owner")
    again = panels_changed(journey=journey)
    assert again and 'id="panel-stakeholders"' not in again  # its counts did not move
    assert 'id="panel-health"' in again or 'id="panel-diagnosis"' in again


def test_a_cells_html_is_cached_by_what_it_shows(owner, journey, client):
    from django.urls import reverse

    from workspaces.models import Team

    team = Team.objects.create(workspace=journey.workspace, name="Front desk")
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form", owner_team=team)
    client.force_login(owner)
    url = reverse("maps:board", args=[journey.pk])
    assert "Front desk" in client.get(url).content.decode()
    Team.objects.filter(pk=team.pk).update(name="Reception")  # no new card version: the cell key still changes
    html = client.get(url).content.decode()
    assert "Reception" in html and "Front desk" not in html and f'id="card-{card.pk}"' in html
