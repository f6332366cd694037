"""An event-log import handed to a real Celery worker (Redis, PostgreSQL), and to the in-process pool."""

import os
import signal
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from diagnostics import tasks
from diagnostics.models import EventImport, ImportStatus, StageMetric
from tests.test_diagnostics_event_imports import log_text
from tests.workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _upload_through_the_page(client, journey):
    upload = SimpleUploadedFile("events.csv", log_text(journey).encode(), content_type="text/csv")
    response = client.post(reverse("diagnostics:events", args=[journey.pk]), {"file": upload, "return_gap_days": 7})
    assert response.status_code == 302
    return EventImport.objects.get()


def _status(job_id):
    return EventImport.objects.values_list("status", flat=True).get(pk=job_id)


def test_a_celery_worker_imports_the_uploaded_log_and_deletes_it(owner, journey, owner_client, celery_worker):
    celery_worker()
    job = _upload_through_the_page(owner_client, journey)
    stored = job.upload.path
    wait_for(lambda: _status(job.pk) == ImportStatus.DONE, "the worker to import")
    job.refresh_from_db()
    assert job.result["cases"] == 26 and job.progress == 100 and job.attempts == 1
    assert not os.path.exists(stored)
    assert StageMetric.objects.filter(journey=job.observed).count() == 3


def test_without_a_broker_the_import_runs_in_the_background_of_this_process(owner, journey, owner_client, broker):
    broker("memory://")
    job = _upload_through_the_page(owner_client, journey)
    wait_for(lambda: _status(job.pk) in (ImportStatus.DONE, ImportStatus.FAILED), "the in-process import")
    assert _status(job.pk) == ImportStatus.DONE


def test_in_a_browser_an_upload_shows_progress_then_what_people_did(page_for, owner, journey, broker, tmp_path):
    from playwright.sync_api import expect

    broker("memory://")
    log = tmp_path / "events.csv"
    log.write_text(log_text(journey))
    page = page_for(owner)
    page.goto(f"/maps/{journey.pk}/diagnosis/events/")
    page.set_input_files("input[type=file]", str(log))
    page.click("button:has-text('Import')")
    expect(page.locator("#dx-observed")).to_contain_text("26 cases, 78 events", timeout=60_000)
    expect(page.locator("#dx-events .dx-plot svg").first).to_be_visible()  # the Sankey, drawn by Plotly
    page.screenshot(path=str(Path(os.environ.get("SCREENSHOT_DIR", tmp_path)) / "events.png"), full_page=True)
    # Plotly tries to add its own <style> rules, which the strict CSP refuses (its CSS is vendored instead).
    assert [e for e in page.errors if "inline style" not in e] == []


STUCK_AFTER = 3  # seconds without a sign of life, for these tests


@pytest.fixture
def dying_worker(request, monkeypatch, settings, tmp_path):
    """Celery workers (as `celery_worker`) whose first event import hangs, with a short stuck time and
    `max_attempts` attempts; `first()` starts one and returns it once it is running the import."""

    def start(*, max_attempts: int):
        for name, value in (("EVENT_IMPORT_STUCK_AFTER", STUCK_AFTER), ("EVENT_IMPORT_MAX_ATTEMPTS", max_attempts)):
            monkeypatch.setenv(name, str(value))  # the workers' settings, read from their environment
            setattr(settings, name, value)
        (tmp_path / "event-import-hang-once").touch()  # tests/export_worker.py hangs the first import
        return request.getfixturevalue("celery_worker")

    return start


def _killed_mid_import(start_worker, client, journey, tmp_path):
    first = start_worker()
    job = _upload_through_the_page(client, journey)
    wait_for(lambda: _status(job.pk) == ImportStatus.RUNNING, "the first worker to claim the import")
    # Killed only once inside the import (it took the marker), never between its claim and the import.
    wait_for(lambda: not (tmp_path / "event-import-hang-once").exists(), "the first worker to hang mid-import")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert _status(job.pk) == ImportStatus.RUNNING  # stuck until someone notices
    return job


def test_an_import_whose_worker_was_killed_is_queued_again_and_imported_once(owner, journey, owner_client,
                                                                           dying_worker, tmp_path):
    start_worker = dying_worker(max_attempts=3)
    job = _killed_mid_import(start_worker, owner_client, journey, tmp_path)
    stored = job.upload.path
    start_worker()

    def finished() -> bool:  # what beat sends every minute (Redis may also deliver the first message again)
        tasks.requeue_stuck_imports.delay()
        time.sleep(1)
        return _status(job.pk) == ImportStatus.DONE

    wait_for(finished, "another worker to import the log")
    tasks.requeue_stuck_imports.delay()
    time.sleep(2 * STUCK_AFTER)  # let any second delivery arrive: it must change nothing
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result["cases"], job.progress) == (ImportStatus.DONE, 2, 26, 100)
    assert not os.path.exists(stored)
    assert StageMetric.objects.filter(journey=job.observed).count() == 3


def test_an_import_that_keeps_dying_is_failed_in_words_and_its_file_deleted(owner, journey, owner_client,
                                                                          dying_worker, tmp_path):
    start_worker = dying_worker(max_attempts=1)
    job = _killed_mid_import(start_worker, owner_client, journey, tmp_path)
    stored = job.upload.path
    start_worker()

    def given_up() -> bool:
        tasks.requeue_stuck_imports.delay()
        time.sleep(1)
        return _status(job.pk) == ImportStatus.FAILED

    wait_for(given_up, "the import to be given up")
    job.refresh_from_db()
    assert job.attempts == 1 and job.result is None and not job.upload
    assert job.error.startswith("The import stopped once before finishing")
    assert not os.path.exists(stored)
    page = owner_client.get(reverse("diagnostics:events", args=[journey.pk])).content.decode()
    assert "so it was given up and the uploaded file deleted" in page
