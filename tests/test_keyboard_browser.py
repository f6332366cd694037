"""Keyboard only, in a real browser: comment, vote and present without a mouse. Focus goes where the
person is working, comes back where they were, and is drawn at 3:1 or better against what is behind it."""

import re

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from maps.models import LaneKind
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
