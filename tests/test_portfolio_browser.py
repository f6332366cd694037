"""The portfolio in a real browser (Playwright with Debian's Chromium): search from the top bar, a template
previewed then used, and a map's personas chosen with htmx."""

import pytest

from maps.models import Journey
from portfolio import services
from portfolio.models import MapPersona

from .factories import make_card

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_from_the_top_bar_opens_the_card_on_its_board(page_for, owner, journey):
    card = make_card(journey, owner, title="Insurance card photo upload", body="Blurry photos are rejected.")
    page = page_for(owner)
    page.fill("#topbar-search", "blurry")
    page.press("#topbar-search", "Enter")
    page.wait_for_selector(f"#results-map-{journey.pk}")
    assert "Insurance card photo upload" in page.inner_text("#search-results")
    page.click("#search-results a:has-text('Insurance card photo upload')")
    page.wait_for_selector("#board")
    assert page.url.endswith(f"/maps/{journey.pk}/#card-{card.pk}")
    assert page.errors == []


def test_a_template_is_previewed_then_used(page_for, owner, workspace):
    page = page_for(owner)
    page.goto(f"/w/{workspace.slug}/templates/")
    page.click("text=Clinician onboarding")
    page.wait_for_selector("text=Credentialing portal")  # the preview shows the cards before anything is made
    assert not Journey.objects.filter(workspace=workspace).exists()
    page.fill("#id_title", "Onboarding for the new clinic")
    page.click("button:has-text('Create the map')")  # htmx: the answer sends the browser to the new board
    page.wait_for_selector("#board")
    journey = Journey.objects.get(title="Onboarding for the new clinic")
    assert page.url.endswith(f"/maps/{journey.pk}/")
    assert page.errors == []


def test_choosing_a_maps_personas_with_htmx(page_for, owner, workspace, journey):
    services.persona_create(actor=owner, workspace=workspace, data={"name": "Rosa", "avatar": "leaf"})
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/links/")
    page.select_option("#id_primary", label="Rosa")
    page.click("button:has-text('Save personas')")
    page.wait_for_selector(".persona-list >> text=Rosa")
    assert MapPersona.objects.get(journey=journey, is_primary=True).persona.name == "Rosa"
    assert page.url.endswith(f"/maps/{journey.pk}/links/")  # swapped in place, no reload
    assert page.errors == []
