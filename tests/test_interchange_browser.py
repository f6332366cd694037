"""Importing a map and downloading it, in a real browser (Playwright with Debian's Chromium)."""

import json

import pytest
from django.conf import settings

from maps.models import Journey


pytestmark = pytest.mark.django_db(transaction=True)

OJF = settings.BASE_DIR.parent / "shared" / "interop" / "ojf" / "clinic-visit-blueprint.ojf"


def test_import_an_ojf_file_open_it_and_download_it_as_json(page_for, owner, workspace):
    page = page_for(owner)
    page.click("text=Import a map")
    page.set_input_files("#id_file", str(OJF))
    page.click("button:has-text('Import')")
    page.wait_for_selector("text=Import report")
    assert "Service-blueprint layers of 3 nodes" in page.inner_text("main")

    page.click("text=Open the map")
    page.wait_for_selector("#board")
    journey = Journey.objects.get(workspace=workspace, title="Patient Clinic Visit")
    assert page.url.endswith(f"/maps/{journey.pk}/")
    page.click("#export-menu > summary")  # the board's one Export menu loads the Download panel by htmx
    with page.expect_download() as download:
        page.click("#export-menu a:has-text('Journeymap JSON')")
    exported = json.loads(open(download.value.path()).read())
    assert exported["journey"]["title"] == "Patient Clinic Visit"
    assert len(exported["cards"]) == 3
    assert page.errors == []


def test_a_bad_file_is_explained_on_the_page(page_for, owner, workspace):
    page = page_for(owner)
    page.goto(f"/w/{workspace.slug}/maps/import/")
    page.set_input_files("#id_file", {"name": "notes.json", "mimeType": "application/json", "buffer": b"not json"})
    page.click("button:has-text('Import')")
    alert = page.wait_for_selector("[role=alert]")
    assert "Nothing was imported" in alert.inner_text() and "not JSON" in alert.inner_text()
    assert Journey.objects.filter(workspace=workspace).count() == 0
