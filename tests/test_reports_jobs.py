"""Export jobs through their services: request, render, retry, fail, recover, clean up.

The renders here are called the way a worker calls them (`export_job_run`); the
background runners have tests of their own (test_reports_runners.py).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from core.errors import ApplicationError, NotFound
from reports import services
from reports.errors import TransientExportError
from reports.models import ExportJob, ExportStatus
from tests import export_formats, factories


@pytest.fixture(autouse=True)
def test_formats(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("EXPORT_TEST_DIR", str(tmp_path))
    export_formats.register()
    export_formats.SEEN_WHILE_RENDERING.clear()
    yield
    export_formats.unregister()


def request(actor, journey, format="test-title") -> ExportJob:
    return services.export_job_request(actor=actor, journey_id=journey.pk, format=format)


def test_a_request_queues_a_job_for_the_current_revision_and_enqueues_it_on_commit(
    owner, journey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = request(owner, journey)
    assert (job.status, job.progress, job.format) == (ExportStatus.QUEUED, 0, "test-title")
    assert job.journey_revision == journey.revision
    assert job.workspace_id == journey.workspace_id and job.requested_by == owner
    assert len(callbacks) == 1


def test_the_same_revision_and_format_are_rendered_once(owner, editor, journey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = request(owner, journey)
        again = request(editor, journey)
    assert again.pk == first.pk
    assert len(callbacks) == 1
    services.export_job_run(job_id=first.pk)
    assert request(owner, journey).pk == first.pk  # done: the same file
    assert ExportJob.objects.count() == 1


def test_a_new_revision_or_another_format_is_a_new_job(owner, journey):
    first = request(owner, journey)
    factories.make_card(journey, owner, title="A new touchpoint")
    after_change = request(owner, journey)
    other_format = request(owner, journey, "test-flaky")
    assert len({first.pk, after_change.pk, other_format.pk}) == 3
    assert after_change.journey_revision == first.journey_revision + 1


def test_a_failed_job_can_be_asked_for_again(owner, journey):
    failed = request(owner, journey, "test-broken")
    services.export_job_run(job_id=failed.pk)
    again = request(owner, journey, "test-broken")
    assert again.pk != failed.pk and again.status == ExportStatus.QUEUED


def test_a_viewer_may_export_but_another_workspace_may_not(viewer, journey, other_journey):
    assert request(viewer, journey).status == ExportStatus.QUEUED
    with pytest.raises(NotFound):
        request(viewer, other_journey)


def test_an_unknown_format_is_refused_with_the_known_ones(owner, journey):
    with pytest.raises(ApplicationError) as error:
        request(owner, journey, "docx")
    assert "Unknown export format 'docx'" in error.value.message
    assert "test-title" in error.value.message
    assert not ExportJob.objects.exists()


def test_a_render_runs_queued_to_done_and_stores_the_file_per_workspace(owner, journey, settings):
    job = request(owner, journey)
    done = services.export_job_run(job_id=job.pk)
    assert export_formats.SEEN_WHILE_RENDERING == [(ExportStatus.RUNNING, services.PROGRESS_CLAIMED)]
    assert (done.status, done.progress, done.attempts, done.error) == (ExportStatus.DONE, 100, 1, "")
    assert done.started_at <= done.finished_at
    assert done.artifact.name == f"exports/workspace-{journey.workspace_id}/telehealth-journey-r{job.journey_revision}.txt"
    stored = Path(settings.MEDIA_ROOT) / done.artifact.name
    assert stored.read_text() == f"Telehealth journey r{job.journey_revision}\n"


def test_a_message_delivered_twice_renders_once(owner, journey):
    job = request(owner, journey)
    services.export_job_run(job_id=job.pk)
    again = services.export_job_run(job_id=job.pk)
    assert (again.status, again.attempts) == (ExportStatus.DONE, 1)
    assert len(export_formats.SEEN_WHILE_RENDERING) == 1


def test_a_job_another_worker_is_rendering_is_left_to_it(owner, journey):
    job = request(owner, journey)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, started_at=timezone.now(), attempts=1)
    assert services.export_job_run(job_id=job.pk).status == ExportStatus.RUNNING
    assert export_formats.SEEN_WHILE_RENDERING == []


def test_a_transient_failure_is_queued_again_with_its_reason_then_succeeds(owner, journey):
    job = request(owner, journey, "test-flaky")
    with pytest.raises(TransientExportError):
        services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress) == (ExportStatus.QUEUED, 1, 0)
    assert job.error == "Attempt 1 failed (the rendering service did not answer); trying again."
    done = services.export_job_run(job_id=job.pk)
    assert (done.status, done.attempts, done.error) == (ExportStatus.DONE, 2, "")


def test_transient_failures_give_up_after_the_last_attempt_and_say_why(owner, journey, settings):
    settings.EXPORT_MAX_ATTEMPTS = 3
    job = request(owner, journey, "test-always-transient")
    for _ in range(2):
        with pytest.raises(TransientExportError):
            services.export_job_run(job_id=job.pk)
    failed = services.export_job_run(job_id=job.pk)
    assert (failed.status, failed.attempts) == (ExportStatus.FAILED, 3)
    assert failed.error == "The export failed 3 times; the last time: the rendering service timed out."
    assert services.export_job_run(job_id=job.pk).attempts == 3  # a late retry changes nothing


def test_a_broken_render_fails_at_once_and_says_why(owner, journey):
    job = request(owner, journey, "test-broken")
    failed = services.export_job_run(job_id=job.pk)
    assert (failed.status, failed.attempts, failed.artifact.name) == (ExportStatus.FAILED, 1, "")
    assert failed.error == "The test-broken renderer failed: this renderer cannot draw a map without a persona."


def test_a_format_removed_after_the_request_fails_in_words(owner, journey):
    job = request(owner, journey)
    export_formats.unregister()
    failed = services.export_job_run(job_id=job.pk)
    assert failed.status == ExportStatus.FAILED
    assert failed.error.startswith("Unknown export format 'test-title'.")


def _age(job: ExportJob, **fields) -> None:
    ExportJob.objects.filter(pk=job.pk).update(**fields)


def test_a_job_whose_worker_died_is_queued_again_and_finishes_once(
    owner, journey, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STUCK_AFTER = 60
    job = request(owner, journey)
    long_ago = timezone.now() - timedelta(seconds=61)
    _age(job, status=ExportStatus.RUNNING, started_at=long_ago, attempts=1, progress=10)
    fresh = request(owner, journey, "test-flaky")
    _age(fresh, status=ExportStatus.RUNNING, started_at=timezone.now(), attempts=1)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.export_jobs_requeue_stuck() == 1
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.progress) == (ExportStatus.QUEUED, 0)
    assert job.error == "The worker stopped before finishing; trying again."
    done = services.export_job_run(job_id=job.pk)
    assert (done.status, done.attempts) == (ExportStatus.DONE, 2)
    assert ExportJob.objects.get(pk=fresh.pk).status == ExportStatus.RUNNING


def test_a_queued_job_whose_message_was_lost_is_queued_again(owner, journey, settings):
    settings.EXPORT_STUCK_AFTER = 60
    job = request(owner, journey)
    _age(job, queued_at=timezone.now() - timedelta(seconds=61))
    assert services.export_jobs_requeue_stuck() == 1
    job.refresh_from_db()
    assert job.queued_at > timezone.now() - timedelta(seconds=60)


def test_asking_again_for_a_stuck_job_hands_it_to_a_worker_again(
    owner, journey, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STUCK_AFTER = 60
    job = request(owner, journey)
    _age(job, status=ExportStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=61), attempts=1)
    with django_capture_on_commit_callbacks() as callbacks:
        again = request(owner, journey)
    assert again.pk == job.pk and again.status == ExportStatus.QUEUED
    assert len(callbacks) == 1


def test_a_job_that_keeps_losing_its_worker_gives_up(owner, journey, settings):
    settings.EXPORT_STUCK_AFTER = 60
    settings.EXPORT_MAX_ATTEMPTS = 2
    job = request(owner, journey)
    _age(job, status=ExportStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=61), attempts=2)
    failed = services.export_job_run(job_id=job.pk)
    assert failed.status == ExportStatus.FAILED
    assert failed.error.startswith("Gave up after 2 attempts.")
    assert export_formats.SEEN_WHILE_RENDERING == []


def test_clean_up_deletes_old_finished_jobs_and_their_files(owner, journey, settings, django_capture_on_commit_callbacks):
    old = request(owner, journey)
    services.export_job_run(job_id=old.pk)
    old.refresh_from_db()
    old_file = Path(settings.MEDIA_ROOT) / old.artifact.name
    _age(old, finished_at=timezone.now() - timedelta(days=8))
    factories.make_card(journey, owner, title="Next revision")
    recent = request(owner, journey)
    services.export_job_run(job_id=recent.pk)
    queued = request(owner, journey, "test-flaky")
    _age(queued, created_at=timezone.now() - timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.export_jobs_clean(older_than=timedelta(days=7)) == 1
    assert not old_file.exists()
    assert set(ExportJob.objects.values_list("pk", flat=True)) == {recent.pk, queued.pk}
    recent.refresh_from_db()
    assert (Path(settings.MEDIA_ROOT) / recent.artifact.name).exists()
