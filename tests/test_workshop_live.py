"""The projector follows the room: the guest's event stream behind a share link, and the
presentation updating in a real browser, served by uvicorn (ASGI) as in production."""

import uuid

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from maps.models import LaneKind
from maps.services import card_update
from tests import factories
from tests.browser import mark_loaded, open_signed_in, still_same_page
from tests.test_live_views import read_events
from workshop import selectors, services


@pytest.fixture(autouse=True)
def in_process_bus(settings):
    settings.REDIS_URL = ""
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"


def _events_url(link) -> str:
    return reverse("workshop:share_events", args=[selectors.share_link_token(link=link)])


@pytest.mark.django_db
def test_a_share_link_streams_the_maps_changes_to_a_guest(owner, journey):
    from django.test import AsyncClient

    link = services.share_link_create(actor=owner, journey=journey)
    status, events = read_events(AsyncClient(), _events_url(link) + "?since=0", 1)
    journey.refresh_from_db()
    assert status == 200
    assert events[0]["event"] == "changed" and int(events[0]["id"]) == journey.revision


@pytest.mark.django_db
def test_a_revoked_or_forged_share_link_streams_nothing(owner, journey):
    from django.test import AsyncClient

    link = services.share_link_create(actor=owner, journey=journey)
    url = _events_url(link)
    services.share_link_revoke(actor=owner, link=link)
    assert read_events(AsyncClient(), url, 1)[0] == 404
    assert read_events(AsyncClient(), url[:-3] + "xyz/", 1)[0] == 404




@pytest.mark.django_db(transaction=True)
def test_the_projector_and_a_guest_follow_an_edit_made_in_the_room(browser, asgi_server, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    link = services.share_link_create(actor=owner, journey=journey)
    projector = browser.new_context(viewport={"width": 1600, "height": 900}, base_url=asgi_server)
    guest = browser.new_context(viewport={"width": 1600, "height": 900}, base_url=asgi_server)
    try:
        page = open_signed_in(projector, owner)
        page.goto(reverse("workshop:present", args=[journey.pk]))
        guest_page = guest.new_page()
        guest_page.goto(reverse("workshop:share_present", args=[selectors.share_link_token(link=link)]))
        for screen in (page, guest_page):
            expect(screen.locator("#presentation")).to_contain_text("Hidden price")
            mark_loaded(screen)
        # Both streams are open once the presentation carries its live connection.
        for screen in (page, guest_page):
            expect(screen.locator("[sse-connect]")).to_have_count(1)
            screen.wait_for_function("() => document.querySelector('[sse-connect]')['htmx-internal-data']"
                                     "?.sseEventSource?.readyState === 1")

        card_update(actor=owner, card=card, version=card.version, data={"title": "Price shown after the consult"})

        for screen in (page, guest_page):
            expect(screen.locator("#presentation")).to_contain_text("Price shown after the consult")
            assert still_same_page(screen)
    finally:
        projector.close()
        guest.close()


@pytest.mark.django_db(transaction=True)
def test_a_stage_slide_applies_a_card_edit_from_the_event_without_a_request(browser, asgi_server, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    link = services.share_link_create(actor=owner, journey=journey)
    query = f"?stage={card.stage_id}"
    screens, contexts = [], []
    try:
        for url, member in ((reverse("workshop:present", args=[journey.pk]), True),
                            (reverse("workshop:share_present", args=[selectors.share_link_token(link=link)]), False)):
            context = browser.new_context(viewport={"width": 1600, "height": 900}, base_url=asgi_server)
            contexts.append(context)
            page = open_signed_in(context, owner) if member else context.new_page()
            page.goto(url + query)
            expect(page.locator(f"#p-card-{card.pk}")).to_contain_text("Hidden price")
            mark_loaded(page)
            page.wait_for_function("() => document.querySelector('[sse-connect]')['htmx-internal-data']"
                                   "?.sseEventSource?.readyState === 1")
            fetched = []
            page.on("request", lambda request, fetched=fetched: "/events/" not in request.url and fetched.append(request.url))
            screens.append((page, fetched))

        card_update(actor=owner, card=card, version=card.version, data={"title": "Price shown after the consult"})
        for page, fetched in screens:
            expect(page.locator(f"#p-card-{card.pk}")).to_contain_text("Price shown after the consult")
            assert still_same_page(page)
            assert fetched == []  # applied from the event: no request at all

        # A new card at this stage is not one the page shows yet: the presentation is read again, once.
        factories.make_card(journey, owner, kind=LaneKind.FRICTION, stage=card.stage, title="Long wait on hold")
        for page, fetched in screens:
            expect(page.locator("#presentation")).to_contain_text("Long wait on hold")
            assert len(fetched) == 1 and query in fetched[0]
    finally:
        for context in contexts:
            context.close()


@pytest.mark.django_db(transaction=True)
def test_the_vote_panel_is_read_again_only_for_a_change_that_can_touch_it(browser, asgi_server, owner, journey):
    from workshop.models import VoteTarget

    voted = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    other = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=2)
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=asgi_server)
    try:
        page = open_signed_in(context, owner)
        page.goto(reverse("workshop:facilitate", args=[journey.pk]))
        expect(page.locator(f"#vote-card-{voted.pk}")).to_contain_text("Hidden price")
        mark_loaded(page)
        page.wait_for_function("() => document.querySelector('[sse-connect]')['htmx-internal-data']"
                               "?.sseEventSource?.readyState === 1")
        fetched = []
        page.on("request", lambda request: "/events/" not in request.url and fetched.append(request.url))

        card_update(actor=owner, card=other, version=other.version, data={"title": "Books a video visit"})
        journey.refresh_from_db()
        expect(page.locator("#vote")).to_have_attribute("data-revision", str(journey.revision))
        assert fetched == []  # an action card is not in the vote: nothing to read

        card_update(actor=owner, card=voted, version=voted.version, data={"title": "Price shown late"})
        expect(page.locator(f"#vote-card-{voted.pk}")).to_contain_text("Price shown late")
        assert len(fetched) == 1 and still_same_page(page)
    finally:
        context.close()
