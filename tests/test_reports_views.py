"""The exports page, the polled job row and the download: fragments, full pages and scoping."""

import pytest
from django.test import Client
from django.urls import reverse

from reports import services
from reports.models import ExportJob, ExportStatus
from tests import export_formats, factories


@pytest.fixture(autouse=True)
def test_formats(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("EXPORT_TEST_DIR", str(tmp_path))
    export_formats.register()
    yield
    export_formats.unregister()


def exports_url(journey) -> str:
    return reverse("reports:exports", args=[journey.pk])


def done_job(actor, journey) -> ExportJob:
    job = services.export_job_request(actor=actor, journey_id=journey.pk, format="test-title")
    return services.export_job_run(job_id=job.pk)


def test_the_board_header_links_to_the_exports_page(owner_client, journey):
    page = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    # In the Export menu: loaded into it by htmx, and a plain link without JavaScript.
    url = exports_url(journey)
    assert f'hx-get="{url}" hx-trigger="intersect once" hx-swap="innerHTML"><a href="{url}">Export</a>' in page


def test_the_exports_page_offers_every_registered_format_and_lists_recent_exports(owner_client, owner, journey):
    job = done_job(owner, journey)
    response = owner_client.get(exports_url(journey))
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert '<option value="test-title">Title and revision (.txt)</option>' in page
    assert f'href="{reverse("reports:download", args=[job.pk])}"' in page
    assert "Renders the map as it is now" in page and "the map as it is now" in page
    assert f"revision {journey.revision}" not in page  # managers read words, not revision numbers


def test_the_exports_region_alone_for_htmx(owner_client, journey, htmx):
    response = owner_client.get(exports_url(journey), **htmx)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert page.lstrip().startswith('<section id="exports"')


def test_starting_an_export_without_javascript_redirects_to_its_row(owner_client, journey):
    response = owner_client.post(exports_url(journey), {"format": "test-title"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{exports_url(journey)}#export-{job.pk}"
    assert (job.format, job.status, job.journey_revision) == ("test-title", ExportStatus.QUEUED, journey.revision)


def test_starting_an_export_with_htmx_answers_the_region_with_a_polling_progress_bar(owner_client, journey, htmx):
    response = owner_client.post(exports_url(journey), {"format": "test-title"}, **htmx)
    job = ExportJob.objects.get()
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert f'hx-get="{reverse("reports:job", args=[job.pk])}" hx-trigger="every 1s"' in page
    assert '<progress max="100" value="0"' in page


def test_an_unknown_format_is_answered_in_words(owner_client, journey, htmx):
    response = owner_client.post(exports_url(journey), {"format": "docx"}, **htmx)
    assert response.status_code == 422
    assert "Unknown export format &#x27;docx&#x27;. Known formats:" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_viewer_can_export(viewer_client, journey):
    assert viewer_client.post(exports_url(journey), {"format": "test-title"}).status_code == 302
    assert ExportJob.objects.count() == 1


def test_the_job_row_polls_while_running_and_stops_when_done(owner_client, owner, journey, htmx):
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-title")
    url = reverse("reports:job", args=[job.pk])
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=80)
    running = owner_client.get(url, **htmx).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="80"' in running and "Rendering · 80%" in running
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)
    services.export_job_run(job_id=job.pk)
    done = owner_client.get(url, **htmx).content.decode()
    assert "hx-trigger" not in done and "<progress" not in done
    assert f'href="{reverse("reports:download", args=[job.pk])}"' in done


def test_a_failed_job_says_why(owner_client, owner, journey, htmx):
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-broken")
    services.export_job_run(job_id=job.pk)
    row = owner_client.get(reverse("reports:job", args=[job.pk]), **htmx).content.decode()
    assert "Failed" in row and "this renderer cannot draw a map without a persona" in row
    assert "hx-trigger" not in row


def test_the_job_row_without_htmx_is_the_exports_page_at_that_row(owner_client, owner, journey):
    job = done_job(owner, journey)
    response = owner_client.get(reverse("reports:job", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == f"{exports_url(journey)}#export-{job.pk}"


def test_a_member_downloads_the_file(viewer_client, owner, journey):
    job = done_job(owner, journey)
    response = viewer_client.get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == f'attachment; filename="telehealth-journey-r{journey.revision}.txt"'
    assert b"".join(response.streaming_content) == f"Telehealth journey r{journey.revision}\n".encode()


def test_an_unfinished_export_has_nothing_to_download(owner_client, owner, journey):
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-title")
    assert owner_client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_another_workspace_sees_none_of_it(owner, journey):
    job = done_job(owner, journey)
    stranger = Client()
    stranger.force_login(factories.make_workspace(name="Elsewhere").memberships.get().user)
    for url in (exports_url(journey), reverse("reports:job", args=[job.pk]), reverse("reports:download", args=[job.pk])):
        assert stranger.get(url).status_code == 404, url
    assert stranger.post(exports_url(journey), {"format": "test-title"}).status_code == 404
    assert ExportJob.objects.count() == 1


def test_signed_out_people_are_sent_to_sign_in(client, owner, journey):
    job = done_job(owner, journey)
    for url in (exports_url(journey), reverse("reports:job", args=[job.pk]), reverse("reports:download", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
