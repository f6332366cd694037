"""The board page is map first, in a real browser at 1280x800: the board starts under a compact header and
fills the window; it is the page's one scroll container (the document itself never scrolls) with its stage
row and lane column sticky; the analysis drawer and the zoom remember themselves across reloads; the
header menus and the drawer work by keyboard and give focus back; and without JavaScript every link is
still there."""

import pytest
from playwright.sync_api import expect

from maps.models import LaneKind

from . import factories
from .browser import wait_for_server_requests_to_finish

pytestmark = pytest.mark.django_db(transaction=True)

BOARD_TOP_MAX = 140  # px under the window's top edge at 1280x800


def fill(journey, owner, per_stage: int = 2) -> None:
    """Enough cards that the board is taller and wider than the window."""
    for stage in journey.stages.all():
        for n in range(per_stage):
            factories.make_card(journey, owner, kind=LaneKind.ACTIONS, stage=stage, title=f"{stage.name} step {n}",
                                body="A sentence long enough to wrap onto a second and a third line of the card.")


def focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)


def test_the_board_fills_the_window_and_is_the_one_scroll_container(page_for, owner, journey):
    fill(journey, owner)
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.wait_for_load_state("networkidle")
    board = page.locator("#board")
    box = board.bounding_box()
    assert box["y"] < BOARD_TOP_MAX, box
    assert abs(box["y"] + box["height"] - 800) < 40, box  # down to the window's bottom edge
    sizes = page.evaluate("""() => ({doc: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
        win: [window.innerWidth, window.innerHeight], board: [board.scrollWidth, board.clientWidth,
        board.scrollHeight, board.clientHeight]})""".replace("board.", "document.getElementById('board')."))
    assert sizes["doc"][0] <= sizes["win"][0] and sizes["doc"][1] <= sizes["win"][1], sizes  # the page never scrolls
    assert sizes["board"][0] > sizes["board"][1] and sizes["board"][2] > sizes["board"][3], sizes  # the board does
    page.mouse.move(box["x"] + 400, box["y"] + 400)
    page.mouse.wheel(0, 2000)
    page.wait_for_function("() => document.getElementById('board').scrollTop > 0")
    assert page.evaluate("window.scrollY") == 0
    stage_row = page.locator(".board thead th.stage").first.bounding_box()
    assert abs(stage_row["y"] - box["y"]) < 3, (stage_row, box)  # the stage row stays at the top
    page.evaluate("document.getElementById('board').scrollLeft = 600")
    lane = page.locator(".board tbody th.lane-header").first.bounding_box()
    assert abs(lane["x"] - box["x"]) < 3, (lane, box)  # the lane column stays at the left
    assert page.errors == []


def test_the_drawer_takes_focus_gives_it_back_and_is_remembered(page_for, owner, journey):
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    drawer, toggle = page.locator("#map-drawer"), page.locator("#drawer-toggle")
    expect(drawer).to_be_hidden()  # closed the first time: the map comes first
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(drawer).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert focused(page, "#map-drawer [role=tab][aria-selected=true]")
    page.keyboard.press("ArrowRight")  # the second tab
    second = page.locator("#map-drawer [role=tab]").nth(1)
    expect(second).to_have_attribute("aria-selected", "true")
    expect(page.locator(f"#{second.get_attribute('aria-controls')}")).to_be_visible()
    expect(page.locator("#map-drawer [role=tabpanel]:visible")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    assert focused(page, "#drawer-toggle")
    page.keyboard.press("Enter")
    expect(drawer).to_be_visible()

    page.reload()  # open, on the second tab, as it was left
    expect(drawer).to_be_visible()
    expect(page.locator("#map-drawer [role=tab]").nth(1)).to_have_attribute("aria-selected", "true")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.click("#drawer-close")
    expect(drawer).to_be_hidden()
    assert focused(page, "#drawer-toggle")
    page.reload()
    expect(drawer).to_be_hidden()
    assert page.errors == []


def test_at_820_wide_the_drawer_overlays_the_board(page_for, owner, journey):
    page = page_for(owner)
    page.set_viewport_size({"width": 820, "height": 800})
    page.goto(f"/maps/{journey.pk}/")
    before = page.locator("#board").bounding_box()
    page.click("#drawer-toggle")
    expect(page.locator("#map-drawer")).to_be_visible()
    assert page.locator("#board").bounding_box() == before  # not squeezed
    drawer = page.locator("#map-drawer").bounding_box()
    assert drawer["x"] + drawer["width"] <= 820 and drawer["x"] > before["x"]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_zoom_and_fit_by_keyboard_announced_and_remembered_per_map(page_for, owner, journey, workspace):
    fill(journey, owner)
    other = factories.make_journey(workspace, owner, title="Another map")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    level, note = page.locator("#zoom-reset .zoom-value"), page.locator("#zoom-note")
    expect(level).to_have_text("100%")
    width = page.locator("#board > table").bounding_box()["width"]
    page.focus("#zoom-out")
    page.keyboard.press("Enter")
    expect(level).to_have_text("90%")
    expect(note).to_have_text("Zoom 90%")
    assert page.locator("#board > table").bounding_box()["width"] == pytest.approx(width * 0.9, rel=0.02)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page, "#zoom-in")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(level).to_have_text("110%")
    page.keyboard.press("Tab")
    assert focused(page, "#zoom-fit")
    page.keyboard.press("Enter")
    expect(note).to_contain_text("Zoom ")
    board = page.locator("#board").bounding_box()
    table = page.locator("#board > table").bounding_box()
    assert table["width"] <= board["width"] and table["height"] <= board["height"]  # the whole map shows
    fitted = level.inner_text()
    assert int(fitted.rstrip("%")) < 100
    page.reload()
    expect(level).to_have_text(fitted)  # remembered for this map
    page.goto(f"/maps/{other.pk}/")
    expect(level).to_have_text("100%")  # and only for this map
    page.goto(f"/maps/{journey.pk}/")
    page.click("#zoom-reset")
    expect(level).to_have_text("100%")
    expect(note).to_have_text("Zoom 100%")
    assert page.errors == []


def test_the_header_menus_work_by_keyboard(page_for, owner, journey):
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    more = page.locator("#more-menu > summary")
    expect(more).to_have_attribute("aria-expanded", "false")
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#more-menu .menu-body")).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page, "#more-menu .menu-body a")
    page.keyboard.press("Escape")
    expect(page.locator("#more-menu .menu-body")).to_be_hidden()
    assert focused(page, "#more-menu > summary")
    expect(more).to_have_attribute("aria-expanded", "false")
    for name in ("Activity", "Settings", "Vote", "Open comments", "Personas & links", "Duplicate"):
        link = page.locator("#more-menu .menu-body").get_by_role("link", name=name, exact=True, include_hidden=True)
        expect(link).to_have_count(1)

    export = page.locator("#export-menu > summary")
    export.focus()
    page.keyboard.press(" ")
    expect(export).to_have_attribute("aria-expanded", "true")
    body = page.locator("#export-menu .menu-body")
    expect(body.get_by_role("link", name="Journeymap JSON")).to_be_visible()  # the files, loaded on opening
    expect(body.locator("#export-format")).to_be_visible()  # and every report and diagram format
    assert body.locator("#export-format option").count() >= 3
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert focused(page, "#export-menu > summary")
    expect(body).to_be_hidden()
    # One export entry point: nothing else on the page offers downloads.
    expect(page.locator("nav.actions > a", has_text="Export")).to_have_count(0)
    expect(page.locator(".map-drawer", has_text="Journeymap JSON")).to_have_count(0)
    assert page.errors == []


def test_without_javascript_every_link_is_still_there(browser, live_server, owner, journey):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url,
                                  java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_login", owner.username)
        page.fill("#id_password", factories.PASSWORD)
        page.click("button.primary")
        page.goto(f"/maps/{journey.pk}/")
        expect(page.locator("#map-drawer")).to_be_visible()  # no toggle without JavaScript: the panels show
        expect(page.locator("#map-drawer .panel a")).to_have_count(3)
        page.click("#more-menu > summary")  # a details element opens by itself
        page.locator("#more-menu .menu-body").get_by_role("link", name="Activity").click()
        page.wait_for_url(f"**/maps/{journey.pk}/activity/")
        page.go_back()
        page.click("#export-menu > summary")
        page.locator("#export-menu .menu-body").get_by_role("link", name="Download").click()
        page.wait_for_url(f"**/maps/{journey.pk}/export/")
    finally:
        context.close()
        wait_for_server_requests_to_finish()


def test_a_new_map_guides_the_first_steps_and_diagnoses_nothing(page_for, owner, workspace):
    blank = factories.make_journey(workspace, owner, template="blank", title="Blank map")
    page = page_for(owner)
    page.goto(f"/maps/{blank.pk}/")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".first-steps")).to_be_visible()
    expect(page.locator("#map-drawer")).to_be_hidden()
    page.click("#drawer-toggle")
    expect(page.locator("#map-drawer")).to_contain_text("Nothing to diagnose yet")
    page.get_by_role("tab", name="Health").click()
    expect(page.locator("#map-drawer")).to_contain_text("Nothing to check yet")
    expect(page.locator("#map-drawer .health-score")).to_have_count(0)  # no score for an empty map
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    factories.make_card(blank, owner, kind=LaneKind.NOTES, title="First note")
    page.reload()
    expect(page.locator(".first-steps")).to_have_count(0)  # gone once the map has a card
