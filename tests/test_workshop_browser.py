"""Workshop mode in a real browser: the projector's keyboard, the countdown, voting, and a share link revoked."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from maps.models import LaneKind
from workshop import selectors, services
from workshop.models import Vote, VoteTarget

from . import factories
from .browser import mark_loaded, still_same_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_arrow_keys_walk_the_stages_and_o_or_escape_returns_to_the_overview(page_for, owner, journey):
    first, second = list(journey.stages.all()[:2])
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/present/")
    expect(page.locator(".stage-tiles")).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide-title")).to_have_text(first.name)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide-title")).to_have_text(second.name)
    assert page.url.endswith(f"?stage={second.pk}")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".slide-title")).to_have_text(first.name)
    page.keyboard.press("o")
    expect(page.locator(".stage-tiles")).to_be_visible()
    page.goto(f"/maps/{journey.pk}/present/?stage={second.pk}")
    page.keyboard.press("Escape")
    expect(page.locator(".stage-tiles")).to_be_visible()
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null")
    assert page.errors == []


def test_the_countdown_runs_on_the_projector(page_for, owner, journey):
    services.timer_start(actor=owner, journey=journey, minutes=5)
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/present/")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^[45]:\d\d$"))
    assert page.errors == []


def test_a_viewer_spends_a_dot_without_a_reload(page_for, owner, viewer, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=2)
    page = page_for(viewer)
    page.goto(f"/maps/{journey.pk}/workshop/")
    mark_loaded(page)
    page.locator(f"#vote-card-{card.pk} .dot-add").click()
    expect(page.locator(".dots-left")).to_have_text("You have 1 dot left")
    page.locator(f"#vote-card-{card.pk} .dot-add").click()
    expect(page.locator(f"#vote-card-{card.pk} .dot-add")).to_be_disabled()
    assert still_same_page(page)
    assert Vote.objects.get(voter=viewer).dots == 2
    assert page.errors == []


def test_a_revoked_share_link_stops_working_for_the_guest(browser, page_for, live_server, owner, journey):
    link = services.share_link_create(actor=owner, journey=journey, label="Room 4 projector")
    share_url = live_server.url + reverse("workshop:share_present", args=[selectors.share_link_token(link=link)])
    guest = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        guest_page = guest.new_page()
        assert guest_page.goto(share_url).status == 200
        expect(guest_page.locator("h1")).to_have_text(journey.title)

        page = page_for(owner)
        page.goto(f"/maps/{journey.pk}/share/")
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(f"#share-link-{link.pk} button.danger").click()
        expect(page.get_by_text("No working share link")).to_be_visible()

        assert guest_page.goto(share_url).status == 404
        expect(guest_page.get_by_text(journey.title)).to_have_count(0)
    finally:
        guest.close()


def _announce_change(page):
    """What present.js does on a `changed` event it cannot apply in place (a new card, the timer): the live
    server here is WSGI, which does not stream (tests/test_workshop_live.py follows real events under uvicorn)."""
    page.evaluate("htmx.trigger('#presentation', 'journeymap:stale')")


def test_a_change_event_refreshes_the_presentation_in_place(page_for, owner, journey):
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/present/")
    mark_loaded(page)
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Made in the room")
    services.timer_start(actor=owner, journey=journey, minutes=3)
    _announce_change(page)
    expect(page.get_by_text("Made in the room")).to_be_visible()
    expect(page.locator("#timer")).to_have_text(re.compile(r"^[23]:\d\d$"))
    assert still_same_page(page)
    assert page.errors == []


def test_an_open_guest_page_goes_blank_once_its_link_is_revoked(browser, live_server, owner, journey):
    link = services.share_link_create(actor=owner, journey=journey)
    guest = browser.new_context(base_url=live_server.url)
    try:
        page = guest.new_page()
        page.goto(reverse("workshop:share_present", args=[selectors.share_link_token(link=link)]))
        expect(page.locator("h1")).to_have_text(journey.title)
        services.share_link_revoke(actor=owner, link=link)
        _announce_change(page)
        expect(page.locator(".present-gone")).to_have_text("This presentation is no longer available.")
        expect(page.get_by_text(journey.title)).to_have_count(0)
    finally:
        guest.close()
