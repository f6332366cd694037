"""Keyboard only, in a real browser: comment, vote and present without a mouse. Focus goes where the
person is working, comes back where they were, and is drawn at 3:1 or better against what is behind it."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from maps.models import Card, LaneKind, UserState
from workshop import services
from workshop.models import Vote, VoteTarget

from . import factories

pytestmark = pytest.mark.django_db(transaction=True)

# The focus ring's colour and the colour just outside it (the nearest opaque background), as sRGB.
FOCUS_RING_CONTRAST = """() => {
  const parse = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const el = document.activeElement;
  const style = getComputedStyle(el);
  if (style.outlineStyle === 'none' || parseFloat(style.outlineWidth) < 2) return 0;
  let bg = null, node = el.parentElement;
  while (node) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { bg = c.slice(0, 3); break; }
    node = node.parentElement;
  }
  bg = bg || [255, 255, 255];
  const [a, b] = [luminance(parse(style.outlineColor).slice(0, 3)), luminance(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Presses Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def test_comment_with_the_keyboard_focus_goes_into_the_panel_and_comes_back(page_for, owner, viewer, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Intake to clinician")
    page = page_for(viewer)
    page.goto(f"/maps/{journey.pk}/")
    badge = f"#comments-badge-card-{card.pk}"
    page.focus(badge)  # the badge is in the tab order; where it sits among the cards is the board's business
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator("#comments-panel")).to_be_visible()
    expect(page.locator("#new-comment")).to_be_focused()  # the panel takes focus: no 171 Shift+Tabs
    page.keyboard.type("Who answers between intake and the consult?")
    page.keyboard.press("Tab")
    expect(page.locator("#comments-panel .new-thread button.primary")).to_be_focused()
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator("#comments-panel .comment-body")).to_contain_text("Who answers between intake")
    # The panel was swapped under the focused button: focus stays in the panel, ready for the next one.
    expect(page.locator("#new-comment")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#comments-panel")).to_have_count(0)
    expect(page.locator(badge)).to_be_focused()  # back where the person was
    assert Comment.objects.get().card_id == card.pk
    assert page.errors == []


def test_vote_with_the_keyboard_focus_stays_on_the_dot_and_the_dots_left_are_announced(page_for, owner, viewer,
                                                                                      journey):
    first = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="No progress indicator")
    services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=2)
    page = page_for(viewer)
    page.goto(f"/maps/{journey.pk}/workshop/")
    expect(page).to_have_title(re.compile(r"^Dot vote and timer · "))
    tab_to(page, f"#dot-add-{first.pk}")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator("#vote-announce")).to_have_text("You have 1 dot left")
    assert focused_id(page) == f"dot-add-{first.pk}"  # the same button, after the swap
    page.keyboard.press("Enter")
    expect(page.locator("#vote-announce")).to_have_text("You have 0 dots left")
    # No dot left: the add button is disabled, so focus moves to the card's take-back button.
    expect(page.locator(f"#dot-remove-{first.pk}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#vote-announce")).to_have_text("You have 1 dot left")
    assert focused_id(page) == f"dot-remove-{first.pk}"
    assert Vote.objects.get(voter=viewer).dots == 1
    assert page.errors == []


def test_present_with_the_keyboard(page_for, owner, journey):
    stage = journey.stages.first()
    factories.make_card(journey, owner, kind=LaneKind.ACTIONS, stage=stage, title="Books a visit")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/present/")
    tab_to(page, ".stage-tile-link")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator(".slide-title")).to_have_text(stage.name)
    expect(page.locator(".group-actions h3")).to_have_text("User actions")  # the lane the board shows
    expect(page.locator(".group-actions")).to_contain_text("Books a visit")
    tab_to(page, "a[rel=next]")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3  # on the dark bar too
    page.keyboard.press("ArrowRight")
    expect(page.locator(".slide-title")).to_have_text(journey.stages.all()[1].name)
    page.keyboard.press("o")
    expect(page.locator(".stage-tiles")).to_be_visible()
    assert page.errors == []


# --- the board: open, edit, save, add and move cards, add a stage, without a mouse -----------------------


def _open_board(page_for, user, journey):
    page = page_for(user)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")  # the lazily loaded panels are in: the tab order is final
    return page


def test_open_edit_and_save_a_card_with_the_keyboard_focus_comes_back_to_it(page_for, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.USER_STATE, title="Curious but wary", confidence=1)
    page = _open_board(page_for, owner, journey)
    tab_to(page, f"#card-{card.pk}", limit=150)
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    editor = page.locator("#card-editor[role=dialog]")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("aria-labelledby", "card-editor-title")
    expect(page.locator("#card-editor #id_title")).to_be_focused()  # the first field, at once
    page.keyboard.press("Control+A")
    page.keyboard.type("Wary, then reassured")
    tab_to(page, "#id_doing")
    page.keyboard.type("Reads the reviews")
    tab_to(page, "#id_confidence")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#card-editor .slider-value")).to_have_text("+3")  # the slider says its value
    tab_to(page, "#card-editor button.primary")
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Enter")
    expect(page.locator("#card-editor")).to_have_count(0)
    expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Wary, then reassured")
    expect(page.locator(f"#card-{card.pk}")).to_contain_text("Reads the reviews")  # Doing, on the card
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()  # back on the saved card
    saved = UserState.objects.get(pk=card.pk)
    assert (saved.title, saved.doing, saved.confidence) == ("Wary, then reassured", "Reads the reviews", 3)
    # Then moved with Alt+Right, still from the keyboard: focus stays on it.
    page.keyboard.press("Alt+ArrowRight")
    second = journey.stages.order_by("position")[1]
    expect(page.locator(f'.cards[data-stage="{second.pk}"] #card-{card.pk}')).to_be_attached()
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()
    assert page.errors == []


def test_escape_closes_the_editor_and_focus_stays_in_it_while_open(page_for, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    page = _open_board(page_for, owner, journey)
    page.focus(f"#card-{card.pk}")
    page.keyboard.press("Enter")
    expect(page.locator("#card-editor #id_title")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # round the drawer, not out to the board behind it
    assert page.evaluate("document.getElementById('card-editor').contains(document.activeElement)")
    for _ in range(40):
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('card-editor').contains(document.activeElement)")
    tab_to(page, "#id_channel_0")  # the chips: one stop for the group (the chosen one), arrows choose
    page.keyboard.press("ArrowRight")
    expect(page.locator("#id_channel_1")).to_be_checked()
    assert page.evaluate(FOCUS_RING_CONTRAST) >= 3
    page.keyboard.press("Escape")
    expect(page.locator("#card-editor")).to_have_count(0)
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()
    assert Card.objects.get(pk=card.pk).version == 1  # nothing saved
    assert page.errors == []


def test_add_a_card_with_the_keyboard_errors_first_then_saved(page_for, owner, journey):
    stage, lane = journey.stages.order_by("position")[0], journey.lanes.get(kind=LaneKind.FRICTION)
    page = _open_board(page_for, owner, journey)
    add = f'#cell-{stage.pk}-{lane.pk} + .add-card'
    tab_to(page, add, limit=200)
    page.keyboard.press("Enter")
    expect(page.locator("#card-editor #id_title")).to_be_focused()
    page.keyboard.press("Enter")  # sent empty: the error is next to the field, and focus is on it
    expect(page.locator("#card-editor .error-summary")).to_contain_text("Title")
    expect(page.locator("#card-editor #id_title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#card-editor #id_title")).to_be_focused()
    page.keyboard.type("No slots left this week")
    page.keyboard.press("Enter")
    expect(page.locator("#card-editor")).to_have_count(0)
    card = Card.objects.get(title="No slots left this week")
    assert (card.stage_id, card.lane_id) == (stage.pk, lane.pk)
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()  # on the new card
    # Escape on a new card's editor gives focus back to the "+ Add" link that opened it.
    page.focus(add)
    page.keyboard.press("Enter")
    expect(page.locator("#card-editor #id_title")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(add)).to_be_focused()
    assert [e for e in page.errors if "status of 422" not in e] == []  # the empty save answered 422, as it should


def test_add_a_stage_through_its_dialog_with_the_keyboard(page_for, owner, journey):
    page = _open_board(page_for, owner, journey)
    add = f'a.button[href="/maps/{journey.pk}/stages/new/"]'
    tab_to(page, add)
    page.keyboard.press("Enter")
    expect(page.locator("#axis-form[role=dialog]")).to_be_visible()
    expect(page.locator("#axis-form input[name=name]")).to_be_focused()
    page.keyboard.type("Follow-up")
    page.keyboard.press("Enter")
    expect(page.locator("#board .stage .axis-name").last).to_have_text("Follow-up")
    expect(page.locator("#axis-form")).to_have_count(0)
    expect(page.locator(add)).to_be_focused()  # back where the person was
    assert journey.stages.filter(name="Follow-up").exists()
    assert page.errors == []
