"""Comments in a real browser: open a card's comments from its badge, post one, and the
card's badge counts it without a reload, under the page's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from comments.models import Comment
from maps.models import LaneKind
from tests import factories
from tests.browser import mark_loaded, still_same_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_commenting_on_a_card_updates_its_badge(page_for, owner, viewer, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Intake to clinician")
    page = page_for(viewer)  # viewers may comment
    page.goto(f"/maps/{journey.pk}/")
    mark_loaded(page)
    badge = page.locator(f"#comments-badge-card-{card.pk}")
    expect(badge).to_have_attribute("aria-label", "Comment on this card")
    badge.click()
    page.fill("#comments-panel textarea[name=body]", "Who answers between intake and the consult? @owner")
    page.click("#comments-panel .new-thread button.primary")
    expect(page.locator("#comments-panel .comment-body")).to_contain_text("Who answers between intake")
    expect(page.locator("#comments-panel .mention")).to_have_text("@owner")
    expect(badge).to_have_text("1")
    expect(badge).to_have_attribute("aria-label", "1 open comment thread")
    assert still_same_page(page)
    assert Comment.objects.get().card_id == card.pk
    page.keyboard.press("Escape")
    expect(page.locator("#comments-panel")).to_have_count(0)
    assert page.errors == []
