"""Two people on one map in two real browsers, against uvicorn (ASGI): live updates and presence.

Playwright drives Debian's Chromium; each person has a browser context of their own.
"""

import uuid

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser import mark_loaded, open_signed_in, still_same_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_process_bus(settings):
    """The server runs in this process: the embedded default's in-process bus and presence."""
    settings.REDIS_URL = ""
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"




@pytest.fixture
def board_for(browser, asgi_server, journey):
    """Opens the journey's board signed in as `user`, once its live connection is up."""
    contexts = []

    def open_as(user):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=asgi_server)
        contexts.append(context)
        page = open_signed_in(context, user)
        page.goto(f"/maps/{journey.pk}/")
        expect(page.locator("#presence ul.avatars")).to_be_attached()  # the stream is open: presence came
        mark_loaded(page)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _edit_title(page, card, title: str) -> None:
    page.click(f"#card-{card.pk} .card-edit")
    page.fill("#card-editor input[name=title]", title)
    page.click("#card-editor button.primary")
    expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text(title)


def test_an_edit_appears_on_the_other_screen_without_a_reload(board_for, owner, editor, journey):
    card = factories.make_card(journey, owner, title="Intake form")
    watching = board_for(owner)
    editing = board_for(editor)
    expect(watching.locator("#presence .avatar")).to_have_attribute("title", "editor")
    _edit_title(editing, card, "Intake form, shorter")
    expect(watching.locator(f"#card-{card.pk} .card-title")).to_have_text("Intake form, shorter")
    expect(watching.locator("#live-note")).to_have_text("editor edited card “Intake form, shorter”")
    assert still_same_page(watching)
    assert watching.errors == [] and editing.errors == []


def test_a_half_typed_card_form_survives_a_remote_change(board_for, owner, editor, journey):
    mine = factories.make_card(journey, owner, title="Consent step")
    theirs = factories.make_card(journey, owner, title="Reminder SMS")
    page = board_for(owner)
    other = board_for(editor)
    page.click(f"#card-{mine.pk} .card-edit")
    # Typing starts once the drawer has settled (its first field focused), as a person sees it open first.
    expect(page.locator("#card-editor input[name=title]")).to_be_focused()
    body = page.locator("#card-editor textarea[name=body]")
    body.fill("Patients stop here because")
    for _ in range(len(" because")):
        body.press("ArrowLeft")  # the caret sits in the middle of the unsaved text

    _edit_title(other, theirs, "Reminder SMS, day before")
    expect(page.locator(f"#card-{theirs.pk} .card-title")).to_have_text("Reminder SMS, day before")

    expect(body).to_have_value("Patients stop here because")
    expect(body).to_be_focused()
    assert body.evaluate("el => [el.selectionStart, el.selectionEnd]") == [len("Patients stop here")] * 2
    page.keyboard.type(" mostly")  # typing carries on where it was
    expect(body).to_have_value("Patients stop here mostly because")
    page.click("#card-editor button.primary")
    expect(page.locator(f"#card-{mine.pk} .card-body")).to_have_text("Patients stop here mostly because")
    assert still_same_page(page)
    assert page.errors == [] and other.errors == []


def test_a_conflicting_edit_of_the_same_card_shows_the_conflict_view(board_for, owner, editor, journey):
    card = factories.make_card(journey, owner, title="Video visit")
    elsewhere = factories.make_card(journey, owner, title="Pharmacy choice")
    page = board_for(owner)
    other = board_for(editor)
    page.click(f"#card-{card.pk} .card-edit")
    page.fill("#card-editor input[name=title]", "Mine")
    _edit_title(other, card, "Theirs")
    expect(page.locator("#live-note")).to_have_text("editor edited card “Theirs”")  # the change came in around the form
    expect(page.locator("#card-editor input[name=title]")).to_have_value("Mine")
    page.click("#card-editor button.primary")
    conflict = page.locator("#card-editor .conflict")
    expect(conflict).to_contain_text("editor changed this card")  # named: the avatar on the board is that person
    expect(conflict.locator("tr.differs")).to_contain_text("Theirs")
    expect(conflict.locator("tr.differs")).to_contain_text("Mine")
    _edit_title(other, elsewhere, "Pharmacy choice, with prices")  # a remote change leaves the conflict view be
    expect(page.locator(f"#card-{elsewhere.pk} .card-title")).to_have_text("Pharmacy choice, with prices")
    expect(conflict.locator("tr.differs")).to_contain_text("Mine")


def test_two_people_editing_different_fields_of_a_card_both_keep_their_change(board_for, owner, editor, journey):
    card = factories.make_card(journey, owner, title="Video visit")
    page = board_for(owner)
    other = board_for(editor)
    page.click(f"#card-{card.pk} .card-edit")
    expect(page.locator("#card-editor input[name=title]")).to_be_focused()
    page.fill("#card-editor textarea[name=body]", "Camera check first")
    _edit_title(other, card, "Video visit, 20 minutes")  # saved while the first editor is still open
    page.click("#card-editor button.primary")
    expect(page.locator("#card-editor")).to_have_count(0)  # no conflict to settle: the editor closes
    for board in (page, other):
        expect(board.locator(f"#card-{card.pk} .card-title")).to_have_text("Video visit, 20 minutes")
        expect(board.locator(f"#card-{card.pk} .card-body")).to_have_text("Camera check first")
    assert page.errors == [] and other.errors == []


def _box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_others_see_who_is_editing_which_card_until_they_close_it(board_for, owner, editor, journey):
    card = factories.make_card(journey, owner, title="Eligibility check")
    below = factories.make_card(journey, owner, title="Insurance card photo")
    page = board_for(owner)
    where = _box(page, f"#card-{below.pk} .card-edit")
    other = board_for(editor)
    other.click(f"#card-{card.pk} .card-edit")
    expect(page.locator(f"#card-{card.pk}")).to_have_attribute("data-editing-by", "editor is editing")
    expect(page.locator("#presence .avatar.is-editing")).to_have_count(1)
    # Someone arriving and opening a card moves nothing on this board: what one was about to click stays put.
    assert _box(page, f"#card-{below.pk} .card-edit") == where
    other.click("#card-editor a:text('Cancel')")
    expect(page.locator(f"#card-{card.pk}")).not_to_have_attribute("data-editing-by", "editor is editing")
    other.context.close()  # leaving the map: the avatar goes
    expect(page.locator("#presence .avatar")).to_have_count(0)


def test_a_stage_rename_and_the_panels_reach_an_open_board_from_the_event_alone(board_for, owner, journey):
    from maps.models import LaneKind
    from maps.services import stage_update

    stages = list(journey.stages.order_by("position"))
    handoff = factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, stage=stages[0], title="Refer on",
                                  to_stage=stages[1])
    page = board_for(owner)
    expect(page.locator("#panel-health")).to_contain_text("Health check")  # loaded once, by its own request
    expect(page.locator("#panel-diagnosis")).to_contain_text("Fix one broken transition first")
    panels_before = page.locator("#panel-health, #panel-diagnosis").all_inner_texts()
    fetched = []
    page.on("request", lambda request: request.method == "GET" and "/events/" not in request.url
            and fetched.append(request.url))

    stage_update(actor=owner, stage=stages[1], version=stages[1].version, data={"name": "Assessment"})
    expect(page.locator(f"#stage-{stages[1].pk} .axis-name")).to_have_text("Assessment")
    expect(page.locator(f"#card-{handoff.pk} .handoff")).to_contain_text("to Assessment")
    expect(page.locator(f"#add-{stages[1].pk}-{handoff.lane_id}")).to_have_attribute(
        "aria-label", f"Add a card to {handoff.lane.name} in Assessment")

    # A handoff nobody owns changes what the checks say: the panels come in the events too.
    factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, stage=stages[2], title="Hand over blind")
    page.wait_for_function("before => JSON.stringify([...document.querySelectorAll('#panel-health, #panel-diagnosis')]"
                           ".map(p => p.innerText)) !== before", arg=__import__("json").dumps(panels_before))
    assert fetched == []  # not one request: regions and panels came from the events
    assert still_same_page(page) and page.errors == []
