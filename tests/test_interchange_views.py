"""The Import a map page, the Download panel and the downloads, with their scoping."""

import json

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interchange.native import journey_document
from maps.models import Journey

OJF = settings.BASE_DIR.parent / "shared" / "interop" / "ojf" / "clinic-visit-blueprint.ojf"


def _upload(name: str, data: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


def test_the_maps_list_offers_import_to_editors_only(editor_client, viewer_client, workspace):
    url = reverse("interchange:import", args=[workspace.slug])
    assert url in editor_client.get(reverse("maps:list")).content.decode()
    assert url not in viewer_client.get(reverse("maps:list")).content.decode()


def test_importing_an_ojf_file_shows_the_new_map_and_the_report(editor_client, workspace):
    url = reverse("interchange:import", args=[workspace.slug])
    assert editor_client.get(url).status_code == 200

    response = editor_client.post(url, _upload(OJF.name, OJF.read_bytes()))

    assert response.status_code == 200
    journey = Journey.objects.get(workspace=workspace, title="Patient Clinic Visit")
    page = response.content.decode()
    assert reverse("maps:board", args=[journey.pk]) in page
    assert "Import report" in page and "Service-blueprint layers of 3 nodes" in page


def test_importing_our_own_json_export(editor_client, workspace, journey):
    data = json.dumps(journey_document(journey.pk)).encode()
    response = editor_client.post(reverse("interchange:import", args=[workspace.slug]), _upload("m.json", data))
    assert response.status_code == 200
    assert Journey.objects.filter(workspace=workspace, title=journey.title).count() == 2


def test_a_bad_file_shows_why_and_imports_nothing(editor_client, workspace):
    before = Journey.objects.count()
    response = editor_client.post(reverse("interchange:import", args=[workspace.slug]),
                                  _upload("m.json", b'{"schema": "journeymap.map", "schema_version": 7}'))
    assert response.status_code == 422
    assert "Nothing was imported" in response.content.decode()
    assert "schema version is 7" in response.content.decode()
    assert Journey.objects.count() == before


def test_a_missing_file_is_a_form_error(editor_client, workspace):
    response = editor_client.post(reverse("interchange:import", args=[workspace.slug]), {})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()


def test_import_scoping(viewer_client, client, workspace, other_workspace, editor_client):
    url = reverse("interchange:import", args=[workspace.slug])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, _upload(OJF.name, OJF.read_bytes())).status_code == 403
    assert editor_client.get(reverse("interchange:import", args=[other_workspace.slug])).status_code == 404
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_download_panel_as_fragment_and_as_page(viewer_client, journey, htmx):
    url = reverse("interchange:exports", args=[journey.pk])
    fragment = viewer_client.get(url, **htmx).content.decode()
    page = viewer_client.get(url).content.decode()
    download = reverse("interchange:download", args=[journey.pk, "ojf"])
    assert download in fragment and "<html" not in fragment
    assert download in page and "<html" in page
    assert reverse("interchange:table", args=[journey.pk, "fixes"]) in page
    assert url in viewer_client.get(reverse("maps:board", args=[journey.pk])).content.decode()


def test_downloads_for_a_viewer(viewer_client, journey):
    json_file = viewer_client.get(reverse("interchange:download", args=[journey.pk, "json"]))
    assert json_file.status_code == 200
    assert json_file["Content-Disposition"] == 'attachment; filename="telehealth-journey.json"'
    assert json.loads(json_file.content)["journey"]["title"] == journey.title
    ojf = viewer_client.get(reverse("interchange:download", args=[journey.pk, "ojf"]))
    assert json.loads(ojf.content)["metadata"]["title"] == journey.title
    zipped = viewer_client.get(reverse("interchange:download", args=[journey.pk, "csv"]))
    assert zipped["Content-Type"] == "application/zip" and zipped.content[:2] == b"PK"
    cards = viewer_client.get(reverse("interchange:table", args=[journey.pk, "cards"]))
    assert cards["Content-Type"].startswith("text/csv") and b"stage,lane,kind" in cards.content
    assert viewer_client.get(reverse("interchange:download", args=[journey.pk, "pdf"])).status_code == 404
    assert viewer_client.get(reverse("interchange:table", args=[journey.pk, "secrets"])).status_code == 404


def test_downloads_are_scoped_to_the_workspace(owner_client, client, other_journey, journey):
    for url in (reverse("interchange:download", args=[other_journey.pk, "json"]),
                reverse("interchange:table", args=[other_journey.pk, "cards"]),
                reverse("interchange:exports", args=[other_journey.pk])):
        assert owner_client.get(url).status_code == 404
    response = client.get(reverse("interchange:download", args=[journey.pk, "json"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
