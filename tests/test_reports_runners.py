"""The two background runners of export jobs, for real.

Without a broker (the embedded default) jobs run in a thread pool of the web process;
with Redis they run in Celery workers: here a real `celery worker` subprocess against
Redis and the PostgreSQL test database, one of them killed with SIGKILL mid-render.
"""

import signal
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from reports import services, tasks
from reports.models import ExportJob, ExportStatus
from tests import export_formats
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def job_status(job_id: int) -> str:
    return ExportJob.objects.values_list("status", flat=True).get(pk=job_id)


@pytest.fixture(autouse=True)
def test_formats(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("EXPORT_TEST_DIR", str(tmp_path))
    export_formats.register()
    yield
    export_formats.unregister()


# --- the embedded default ------------------------------------------------------------------


def test_without_a_broker_a_job_runs_in_the_background_of_this_process(owner, journey, broker):
    broker("memory://")
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-title")
    assert job.status == ExportStatus.QUEUED  # the request did not render
    wait_for(lambda: job_status(job.pk) == ExportStatus.DONE, "the in-process export")
    job.refresh_from_db()
    assert (job.progress, job.attempts) == (100, 1)
    assert job.artifact.read() == f"Telehealth journey r{job.journey_revision}\n".encode()


def test_the_in_process_runner_retries_with_exponential_backoff(owner, journey, broker, settings, monkeypatch):
    broker("memory://")
    settings.EXPORT_RETRY_BACKOFF = 1
    settings.EXPORT_MAX_ATTEMPTS = 4
    pauses = []
    monkeypatch.setattr(tasks, "time", SimpleNamespace(sleep=pauses.append))
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-always-transient")
    wait_for(lambda: job_status(job.pk) == ExportStatus.FAILED, "the in-process export to give up")
    assert pauses == [1, 2, 4]
    assert export_formats.calls("always-transient", journey.pk) == 4
    job.refresh_from_db()
    assert job.error == "The export failed 4 times; the last time: the rendering service timed out."


def test_in_a_browser_the_progress_bar_turns_into_a_download_link(page_for, owner, journey, broker, tmp_path):
    broker("memory://")
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/")
    page.click("#export-menu > summary")  # the board's Export menu: every format, exported in place
    page.evaluate("window.__noReload = true")
    page.select_option("#export-format", "test-gated")
    page.click("text=Start export")
    row = page.locator(".export-job").first
    expect(row.locator("progress")).to_be_visible()
    expect(row).to_contain_text("Rendering")
    page.screenshot(path=tmp_path / "exports-running.png", full_page=True)
    (tmp_path / "gate").touch()
    link = row.locator("a.button")
    expect(link).to_have_text(f"Download telehealth-journey-r{journey.revision}.txt")
    expect(row.locator("progress")).to_have_count(0)
    page.screenshot(path=tmp_path / "exports-done.png", full_page=True)
    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_text() == f"Telehealth journey r{journey.revision}\n"
    assert page.evaluate("window.__noReload === true")  # the row was swapped, the page never reloaded
    assert page.errors == []


# --- a real Celery worker ---------------------------------------------------------------------


def test_a_celery_worker_renders_a_job_and_retries_a_transient_failure(owner, journey, celery_worker, tmp_path):
    celery_worker()
    done = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-title")
    flaky = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-flaky")
    wait_for(lambda: job_status(done.pk) == ExportStatus.DONE, "the worker to render")
    wait_for(lambda: job_status(flaky.pk) == ExportStatus.DONE, "the worker to retry the flaky render")
    done.refresh_from_db()
    flaky.refresh_from_db()
    assert done.artifact.read() == f"Telehealth journey r{journey.revision}\n".encode()
    assert (flaky.attempts, flaky.error) == (2, "")
    assert export_formats.calls("flaky", journey.pk) == 2


def test_a_worker_killed_mid_render_leaves_a_job_that_another_worker_finishes_once(
    owner, journey, celery_worker, tmp_path, settings
):
    first = celery_worker()
    job = services.export_job_request(actor=owner, journey_id=journey.pk, format="test-slow-once")
    wait_for(lambda: export_formats.calls("slow-once", journey.pk) == 1, "the first render to start")
    assert job_status(job.pk) == ExportStatus.RUNNING
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert job_status(job.pk) == ExportStatus.RUNNING  # stuck until someone notices

    celery_worker()
    # What the beat schedule sends every minute; Redis may also hand the unacknowledged
    # message to the new worker. Either way the job renders once more, not twice.
    def finished() -> bool:
        tasks.requeue_stuck_exports.delay()
        time.sleep(1)
        return job_status(job.pk) == ExportStatus.DONE

    wait_for(finished, "another worker to finish the job")
    time.sleep(2 * settings.EXPORT_STUCK_AFTER)  # let any second delivery arrive; it must change nothing
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ExportStatus.DONE, 2)
    assert export_formats.calls("slow-once", journey.pk) == 2
    files = list((Path(settings.MEDIA_ROOT) / f"exports/workspace-{journey.workspace_id}").iterdir())
    assert [f.name for f in files] == [Path(job.artifact.name).name]
