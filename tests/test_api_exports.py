"""Exports through the API: start one, poll it, download its file with the token."""

import pytest

from api.openapi import openapi_document
from reports import services as report_services
from reports.models import ExportJob, ExportStatus
from tests import export_formats
from tests.api import ApiClient, assert_matches, client_for


@pytest.fixture(autouse=True)
def test_formats(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("EXPORT_TEST_DIR", str(tmp_path))
    export_formats.register()
    yield
    export_formats.unregister()


@pytest.fixture
def api(owner):
    return client_for(owner)


def test_start_an_export_and_asking_again_gives_the_same_one(api, journey):
    response = api.post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"})
    assert response.status_code == 202
    export = response.json()
    assert_matches(export, "Export")
    assert (export["status"], export["progress"], export["download_url"]) == ("queued", 0, None)
    assert export["map"] == journey.pk and export["journey_revision"] == journey.revision
    again = api.post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"})
    assert again.status_code == 202 and again.json()["id"] == export["id"]
    assert ExportJob.objects.count() == 1


def test_poll_until_done_then_download_with_the_token(api, journey):
    export = api.post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"}).json()
    report_services.export_job_run(job_id=export["id"])  # what a worker does
    done = api.get(f"/api/exports/{export['id']}/")
    assert done.status_code == 200
    assert_matches(done.json(), "Export")
    assert done.json()["status"] == ExportStatus.DONE and done.json()["progress"] == 100
    download = api.get(done.json()["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "text/plain"
    assert b"".join(download.streaming_content) == f"Telehealth journey r{journey.revision}\n".encode()


def test_a_failed_export_says_why(api, journey):
    export = api.post(f"/api/maps/{journey.pk}/exports/", {"format": "test-broken"}).json()
    report_services.export_job_run(job_id=export["id"])
    failed = api.get(f"/api/exports/{export['id']}/").json()
    assert failed["status"] == "failed" and failed["error"] and failed["download_url"] is None
    assert api.get(f"/api/exports/{export['id']}/download/").status_code == 404


def test_a_viewer_may_export(viewer, journey):
    assert client_for(viewer).post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"}).status_code == 202


@pytest.mark.parametrize("body", [{"format": "docx"}, {}, {"format": "test-title", "pages": 2}, {"format": 1}])
def test_a_bad_request_starts_nothing(api, journey, body):
    response = api.post(f"/api/maps/{journey.pk}/exports/", body)
    assert response.status_code == 400 and response.json()["fields"]
    assert not ExportJob.objects.exists()


def test_the_document_lists_the_registered_formats():
    schema = openapi_document()["components"]["schemas"]["ExportCreate"]
    assert set(schema["properties"]["format"]["enum"]) >= {"test-title", "test-broken"}


def test_another_workspace_sees_none_of_it(owner, journey, other_journey):
    job = report_services.export_job_run(job_id=report_services.export_job_request(
        actor=owner, journey_id=journey.pk, format="test-title").pk)
    stranger = client_for(other_journey.workspace.memberships.get().user)
    assert stranger.post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"}).status_code == 404
    assert stranger.get(f"/api/exports/{job.pk}/").status_code == 404
    assert stranger.get(f"/api/exports/{job.pk}/download/").status_code == 404
    assert ExportJob.objects.count() == 1


def test_without_a_token_nothing_is_exported_or_downloaded(owner, owner_client, journey):
    job = report_services.export_job_run(job_id=report_services.export_job_request(
        actor=owner, journey_id=journey.pk, format="test-title").pk)
    assert ApiClient(None).post(f"/api/maps/{journey.pk}/exports/", {"format": "test-title"}).status_code == 401
    assert owner_client.get(f"/api/exports/{job.pk}/download/").status_code == 401  # a session is not a token
    assert ExportJob.objects.count() == 1


def test_a_real_format_from_request_to_file(api, journey):
    export = api.post(f"/api/maps/{journey.pk}/exports/", {"format": "json"}).json()
    report_services.export_job_run(job_id=export["id"])
    done = api.get(f"/api/exports/{export['id']}/").json()
    download = api.get(done["download_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/json"
    assert journey.title.encode() in b"".join(download.streaming_content)
