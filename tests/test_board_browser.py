"""The board in a real browser: Playwright driving Debian's Chromium against a live server.

What only a browser can show: HTMX swaps without a reload, keyboard moves, dragging,
the conflict view, and a page that runs under its Content-Security-Policy without errors.
"""

import pytest
from playwright.sync_api import expect

from maps.models import Card, LaneKind
from maps.services import card_update
from tests import factories
from tests.browser import mark_loaded, still_same_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_inline_edit_swaps_the_card_without_a_reload(page_for, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    mark_loaded(page)
    page.click(f"#card-{card.pk} .card-edit")
    page.fill("#card-editor input[name=title]", "Intake form, shorter")
    page.fill("#card-editor textarea[name=experience]", "Twenty-two questions")
    page.click("#card-editor button.primary")
    expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Intake form, shorter")
    expect(page.locator(f"#card-{card.pk} .gap")).to_contain_text("Twenty-two questions")
    assert still_same_page(page)
    assert Card.objects.get(pk=card.pk).title == "Intake form, shorter"
    assert page.errors == []


def test_the_card_editor_has_the_focus_the_moment_it_appears(page_for, owner, journey):
    """Keys typed as soon as the drawer shows go to the field seen focused: the focus is set in the same
    task that shows the drawer, not a moment later (it once moved there 20 ms later, mid-typing)."""
    card = factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    mark_loaded(page)
    page.evaluate("""() => {
      window.focusAtOpen = null;
      new MutationObserver((records, observer) => {
        if (!document.getElementById("card-editor")) return;
        window.focusAtOpen = document.activeElement.name || document.activeElement.id || document.activeElement.tagName;
        observer.disconnect();
      }).observe(document.getElementById("dialog"), {childList: true});
    }""")
    page.click(f"#card-{card.pk} .card-edit")
    expect(page.locator("#card-editor input[name=title]")).to_be_focused()
    assert page.evaluate("window.focusAtOpen") == "title"
    assert page.errors == []


def test_keyboard_moves_a_card_to_the_next_stage_and_keeps_focus(page_for, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price")
    first, second = list(journey.stages.all()[:2])
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    mark_loaded(page)
    page.focus(f"#card-{card.pk}")
    page.keyboard.press("Alt+ArrowRight")
    expect(page.locator(f'.cards[data-stage="{second.pk}"] #card-{card.pk}')).to_be_visible()
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()
    assert still_same_page(page)
    assert Card.objects.get(pk=card.pk).stage_id == second.pk
    assert first.pk != second.pk and page.errors == []


def test_dragging_reorders_cards_within_a_cell(page_for, owner, journey):
    top = factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="First fix")
    bottom = factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Second fix")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")  # the board's lazily loaded panels are in: the layout is final
    page.locator(f"#card-{bottom.pk}").scroll_into_view_if_needed()  # the lane may start below the fold
    source = page.locator(f"#card-{bottom.pk} .card-title").bounding_box()
    target = page.locator(f"#card-{top.pk}").bounding_box()
    with page.expect_response(lambda response: "/move/" in response.url) as moved:
        page.mouse.move(source["x"] + 10, source["y"] + 5)
        page.mouse.down()
        for step in range(1, 11):  # move in steps, as a hand does, so the list sees the pointer travel
            page.mouse.move(source["x"] + 10, source["y"] + 5 - (source["y"] - target["y"]) * step / 10)
        page.mouse.up()
    assert moved.value.status == 200
    expect(page.locator(f"#card-{bottom.pk} + #card-{top.pk}")).to_be_visible()
    assert [c.pk for c in Card.objects.filter(pk__in=[top.pk, bottom.pk]).order_by("position")] == [bottom.pk, top.pk]


def test_a_stale_edit_shows_the_conflict_view_and_can_keep_theirs(page_for, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.click(f"#card-{card.pk} .card-edit")
    page.fill("#card-editor input[name=title]", "Mine")
    # Someone else saves first.
    card_update(actor=owner, card=card, version=card.version, data={"title": "Theirs"})
    page.click("#card-editor button.primary")
    conflict = page.locator("#card-editor .conflict")
    expect(conflict).to_contain_text("You, in another window, changed this card")  # the same person saved first
    expect(conflict.locator("tr.differs")).to_have_count(1)  # only what differs: the title
    expect(conflict.locator("tr.differs")).to_contain_text("Theirs")
    expect(conflict.locator("tr.differs")).to_contain_text("Mine")
    # Words wrap between words, never inside one.
    assert conflict.locator("td").first.evaluate("el => getComputedStyle(el).overflowWrap") == "break-word"
    page.locator("#card-editor").get_by_text("Take theirs", exact=True).click()
    expect(page.locator("#card-editor")).to_have_count(0)
    expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Theirs")
    expect(page.locator(f"#card-{card.pk}")).to_be_focused()
    assert Card.objects.get(pk=card.pk).title == "Theirs"


def test_viewer_sees_no_editing_controls(page_for, viewer, journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Reads the map")
    page = page_for(viewer)
    page.goto(f"/maps/{journey.pk}/")
    expect(page.get_by_text("Reads the map")).to_be_visible()
    assert page.locator(".card-edit").count() == 0
    assert page.locator(".add-card").count() == 0
    assert page.errors == []
