"""A room on one map: two and three real browsers under uvicorn (ASGI), each change applied in place.

"In place" is checked on the DOM itself: a property set on a node survives only if that very node is
kept, and every request each browser makes is counted, so a board that re-read itself would show.
"""

import uuid

import pytest
from playwright.sync_api import expect

from live.receivers import publish_journey_changed
from maps.models import Card, LaneKind
from maps.services import card_update
from maps.signals import journey_changed
from tests import factories
from tests.browser import mark_loaded, open_signed_in, still_same_page
from tests.servers import CuttableProxy

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_process_bus(settings):
    settings.REDIS_URL = ""
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"


@pytest.fixture
def board_for(browser, asgi_server, journey):
    """Opens the journey's board as `user`, once its stream is up; `page.board_reads` counts the
    times the page re-read the board."""
    contexts = []

    def open_as(user):
        context = browser.new_context(viewport={"width": 1600, "height": 1000}, base_url=asgi_server)
        contexts.append(context)
        page = open_signed_in(context, user)
        page.goto(f"/maps/{journey.pk}/")
        expect(page.locator("#presence ul.avatars")).to_be_attached()
        mark_loaded(page)
        page.board_reads = []
        page.on("request", lambda r: r.url.endswith(f"/maps/{journey.pk}/") and page.board_reads.append(r.url))
        return page

    yield open_as
    for context in contexts:
        context.close()


def _tag(page, element_id: str) -> None:
    page.evaluate("id => { document.getElementById(id).__kept = true; }", element_id)


def _kept(page, element_id: str) -> bool:
    return page.evaluate("id => document.getElementById(id).__kept === true", element_id)


def test_an_edit_appears_in_place_on_two_other_boards_keeping_focus_and_an_open_form(
        board_for, owner, editor, viewer, journey):
    edited = factories.make_card(journey, owner, title="Intake form")
    focused = factories.make_card(journey, owner, title="Consent step")
    drafted = factories.make_card(journey, owner, title="Reminder SMS")
    author = board_for(editor)
    reader = board_for(viewer)
    drafter = board_for(owner)
    for page in (reader, drafter):
        _tag(page, f"card-{edited.pk}")
        _tag(page, "curve")
    reader.focus(f"#card-{focused.pk}")
    drafter.click(f"#card-{drafted.pk} .card-edit")
    body = drafter.locator("#card-editor textarea[name=body]")
    body.fill("Patients stop here because")
    for _ in range(len(" because")):
        body.press("ArrowLeft")

    author.click(f"#card-{edited.pk} .card-edit")
    author.fill("#card-editor input[name=title]", "Intake form, shorter")
    author.click("#card-editor button.primary")
    expect(author.locator(f"#card-{edited.pk} .card-title")).to_have_text("Intake form, shorter")
    expect(author.locator(f"#card-{edited.pk}")).to_be_focused()  # one's own save: focus on the saved card

    for page in (reader, drafter):
        expect(page.locator(f"#card-{edited.pk} .card-title")).to_have_text("Intake form, shorter")
        assert _kept(page, f"card-{edited.pk}") and _kept(page, "curve")  # the same nodes, changed in place
        expect(page.locator("#live-note")).to_have_text("editor edited card “Intake form, shorter”")
        assert page.board_reads == [] and still_same_page(page)
    expect(reader.locator(f"#card-{focused.pk}")).to_be_focused()
    expect(reader.locator(f"#card-{edited.pk} .card-edit")).to_have_count(0)  # a viewer's regions have no controls
    expect(body).to_be_focused()
    expect(body).to_have_value("Patients stop here because")
    assert body.evaluate("el => [el.selectionStart, el.selectionEnd]") == [len("Patients stop here")] * 2
    assert author.board_reads == []
    assert author.errors == reader.errors == drafter.errors == []


def test_alt_right_twice_moves_a_card_two_stages_and_the_others_follow(board_for, owner, editor, journey):
    card = factories.make_card(journey, owner, title="Books a visit")
    stages = list(journey.stages.order_by("position"))
    mover = board_for(editor)
    watcher = board_for(owner)
    _tag(watcher, f"card-{card.pk}")

    mover.focus(f"#card-{card.pk}")
    mover.keyboard.press("Alt+ArrowRight")
    lane = card.lane_id
    expect(mover.locator(f"#cell-{stages[1].pk}-{lane} #card-{card.pk}")).to_be_attached()
    expect(mover.locator(f"#card-{card.pk}")).to_be_focused()
    mover.keyboard.press("Alt+ArrowRight")
    expect(mover.locator(f"#cell-{stages[2].pk}-{lane} #card-{card.pk}")).to_be_attached()
    expect(mover.locator(f"#card-{card.pk}")).to_be_focused()
    assert Card.objects.get(pk=card.pk).stage_id == stages[2].pk

    expect(watcher.locator(f"#cell-{stages[2].pk}-{lane} #card-{card.pk}")).to_be_attached()
    expect(watcher.locator(f"#cell-{stages[0].pk}-{lane} #card-{card.pk}")).to_have_count(0)
    assert _kept(watcher, f"card-{card.pk}")  # moved, not re-made
    assert watcher.board_reads == [] and mover.board_reads == []
    assert mover.errors == watcher.errors == []


def test_deleting_a_card_puts_the_focus_on_the_next_one(board_for, owner, journey):
    first = factories.make_card(journey, owner, title="First")
    second = factories.make_card(journey, owner, title="Second")
    page = board_for(owner)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click(f"#card-{first.pk} .card-edit")
    page.click("#card-editor .editor-delete button")
    expect(page.locator(f"#card-{first.pk}")).to_have_count(0)
    expect(page.locator(f"#card-{second.pk}")).to_be_focused()
    assert page.board_reads == [] and page.errors == []


def test_a_board_that_missed_events_catches_up_exactly_once(board_for, owner, editor, journey):
    missed = factories.make_card(journey, owner, title="Pharmacy choice")
    seen = factories.make_card(journey, owner, title="Video visit")
    page = board_for(editor)
    # The event of one change is lost (as when a stream is cut or a laptop sleeps): the next one shows a gap.
    journey_changed.disconnect(dispatch_uid="live.publish_journey_changed")
    try:
        card_update(actor=owner, card=missed, version=missed.version, data={"title": "Pharmacy choice, with prices"})
    finally:
        journey_changed.connect(publish_journey_changed, dispatch_uid="live.publish_journey_changed")
    card_update(actor=owner, card=seen, version=seen.version, data={"title": "Video visit, same day"})

    expect(page.locator(f"#card-{missed.pk} .card-title")).to_have_text("Pharmacy choice, with prices")
    expect(page.locator(f"#card-{seen.pk} .card-title")).to_have_text("Video visit, same day")
    page.wait_for_timeout(1000)  # time for any second read to show
    assert len(page.board_reads) == 1
    card_update(actor=owner, card=Card.objects.get(pk=seen.pk), version=seen.version + 1, data={"title": "Back on track"})
    expect(page.locator(f"#card-{seen.pk} .card-title")).to_have_text("Back on track")
    assert len(page.board_reads) == 1  # after catching up, events apply in place again
    assert page.errors == []


def test_a_cut_stream_reconnects_and_catches_up_exactly_once(browser, asgi_server, owner, editor, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    proxy = CuttableProxy(asgi_server)
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, base_url=proxy.url)
    try:
        page = open_signed_in(context, editor)
        page.goto(f"/maps/{journey.pk}/")
        expect(page.locator("#presence ul.avatars")).to_be_attached()
        mark_loaded(page)
        reads = []
        page.on("request", lambda r: r.url.endswith(f"/maps/{journey.pk}/") and reads.append(r.url))
        proxy.cut()  # the stream drops; two changes happen before it is back
        card_update(actor=owner, card=card, version=card.version, data={"title": "Changed while away"})
        card_update(actor=owner, card=Card.objects.get(pk=card.pk), version=card.version + 1, data={"title": "Twice"})
        expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Twice", timeout=15000)
        page.wait_for_timeout(1000)  # time for any second read to show
        assert len(reads) == 1 and still_same_page(page)
        card_update(actor=owner, card=Card.objects.get(pk=card.pk), version=card.version + 2, data={"title": "Live"})
        expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Live")
        assert len(reads) == 1  # the new stream carries on in place
    finally:
        context.close()
        proxy.close()
