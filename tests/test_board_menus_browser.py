"""The stage and lane "⋯" menus in a real browser: every item can be clicked, even on a short lane
whose menu hangs over the next row (it was drawn under that row, so Move down and Delete were out
of reach). Playwright clicks only what would really receive the click."""

import pytest
from playwright.sync_api import expect

from maps.models import Lane

pytestmark = pytest.mark.django_db(transaction=True)


def _open_lane_menu(page, lane):
    page.click(f'summary[aria-label="Lane {lane.name} actions"]')
    return page.locator(f'details:has(> summary[aria-label="Lane {lane.name} actions"]) .menu-body')


def test_move_down_in_a_short_lanes_menu_can_be_clicked(page_for, owner, journey):
    first, second = list(journey.lanes.order_by("position")[:2])  # an empty lane: the shortest row there is
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")
    menu = _open_lane_menu(page, first)
    with page.expect_response(lambda response: "/move/" in response.url):
        menu.get_by_role("button", name="Move down").click(timeout=5000)
    expect(page.locator(f'summary[aria-label="Lane {first.name} actions"]')).to_be_visible()
    assert list(journey.lanes.order_by("position").values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
    assert page.errors == []


def test_delete_in_a_short_lanes_menu_can_be_clicked(page_for, owner, journey):
    lane = journey.lanes.order_by("position")[2]
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")
    menu = _open_lane_menu(page, lane)
    menu.get_by_role("link", name="Delete…").click(timeout=5000)
    page.wait_for_url(f"**/lanes/{lane.pk}/delete/")
    page.get_by_role("button", name="Delete lane").click()
    page.wait_for_url(f"**/maps/{journey.pk}/**")
    assert not Lane.objects.filter(pk=lane.pk).exists()
    assert page.errors == []


def test_a_stage_menu_item_can_be_clicked(page_for, owner, journey):
    first, second = list(journey.stages.order_by("position")[:2])
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")
    page.click(f'summary[aria-label="Stage {first.name} actions"]')
    menu = page.locator(f'details:has(> summary[aria-label="Stage {first.name} actions"]) .menu-body')
    with page.expect_response(lambda response: "/move/" in response.url):
        menu.get_by_role("button", name="Move right").click(timeout=5000)
    page.wait_for_load_state("networkidle")
    assert list(journey.stages.order_by("position").values_list("pk", flat=True)[:2]) == [second.pk, first.pk]
