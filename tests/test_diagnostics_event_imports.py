"""Event-log imports end to end: the command, the job, the page (full and HTMX), what is kept."""

import json
import os
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from diagnostics import tasks
from diagnostics.models import EventImport, ImportStatus, StageMetric, StepMapping
from maps.models import Journey, JourneyKind

pytestmark = pytest.mark.django_db


def stage_names(journey):
    return list(journey.stages.order_by("position").values_list("name", flat=True))


def log_text(journey, *, happy=14, stuck=12, extra_rows=()):
    """`happy` cases go through the first three stages, `stuck` stop at the second and come back after a pause."""
    first, second, third = stage_names(journey)[:3]
    rows = []
    for n in range(happy):
        rows += [(f"happy-{n}", first, "2026-01-03T09:00:00"), (f"happy-{n}", f"  {second.upper()} ",
                                                                  "2026-01-04T09:00:00"),
                 (f"happy-{n}", third, "2026-01-05T09:00:00")]
    for n in range(stuck):
        rows += [(f"stuck-{n}", first, "2026-01-03T10:00:00"), (f"stuck-{n}", second, "2026-01-04T10:00:00"),
                 (f"stuck-{n}", second, "2026-01-20T10:00:00")]
    rows += list(extra_rows)
    return "case_id,step,timestamp,channel\n" + "".join(",".join(r) + ",app\n" for r in rows)


def test_the_command_prints_the_aggregates_as_one_json_object(journey, tmp_path):
    first, second, third = stage_names(journey)[:3]
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey, extra_rows=[("odd-1", "Mystery step", "2026-01-03T09:00:00")]))
    out = StringIO()
    call_command("import_events", str(path), "--map", str(journey.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "cases": 26, "events": 78, "unknown_steps": ["Mystery step"],
        "transitions": [{"from": first, "to": second, "cases": 26, "occurrences": 26},
                        {"from": second, "to": third, "cases": 14, "occurrences": 14}],
        "exits": {second: 12, third: 14}, "revisits": {}, "returns": {second: 12},
    }
    assert path.exists()  # the command's own file is left where it is


def test_the_page_lists_unknown_steps_each_with_a_link_that_fills_the_mapping_form(journey, owner_client, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey, extra_rows=[("odd-1", "Mystery step", "2026-01-03T09:00:00")]))
    call_command("import_events", str(path), "--map", str(journey.pk), stdout=StringIO())
    url = reverse("diagnostics:events", args=[journey.pk])
    page = owner_client.get(url).content.decode()
    assert '<a href="?step=Mystery%20step#mapping">Mystery step</a>' in page
    page = owner_client.get(url, {"step": "Mystery step"}).content.decode()
    assert 'name="step" value="Mystery step"' in page


def test_the_command_refuses_a_bad_file_and_stores_nothing(journey, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey) + "x,Sign up,not a time,app\n")
    with pytest.raises(CommandError, match="Line 80"):
        call_command("import_events", str(path), "--map", str(journey.pk))
    assert not StageMetric.objects.exists()
    assert not Journey.objects.filter(kind=JourneyKind.OBSERVED).exists()
    assert EventImport.objects.get().result is None


def test_an_import_creates_the_observed_journey_with_the_months_that_may_be_shown(journey, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey))
    call_command("import_events", str(path), "--map", str(journey.pk), stdout=StringIO())
    job = EventImport.objects.get()
    assert job.status == ImportStatus.DONE and job.observed.observes_id == journey.pk
    first = job.observed.stages.order_by("position").first()
    metric = StageMetric.objects.get(journey=job.observed, stage=first)
    assert (metric.entered, metric.progressed) == (26, 26)
    second = job.observed.stages.order_by("position")[1]
    assert StageMetric.objects.get(journey=job.observed, stage=second).progressed == 14  # 12 stopped
    # Importing again updates the same observed journey rather than making another.
    call_command("import_events", str(path), "--map", str(journey.pk), stdout=StringIO())
    assert Journey.objects.filter(kind=JourneyKind.OBSERVED).count() == 1


def _database_text() -> str:
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            text.append(repr(cursor.fetchall()))
    return "\n".join(text)


def test_case_ids_are_nowhere_in_the_database_after_an_import(journey, owner_client,
                                                               django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("events.csv", log_text(journey).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=False):
        response = owner_client.post(reverse("diagnostics:events", args=[journey.pk]),
                                     {"file": upload, "return_gap_days": 7})
    assert response.status_code == 302
    job = EventImport.objects.get()
    stored = job.upload.path
    tasks.import_events(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    text = _database_text()
    assert "happy-" not in text and "stuck-" not in text
    assert not os.path.exists(stored)  # the uploaded file is deleted after the job


def _upload(journey, text=None, name="events.csv"):
    return SimpleUploadedFile(name, (text if text is not None else log_text(journey)).encode(), content_type="text/csv")


def test_the_page_shows_the_form_and_no_imports_yet(journey, owner_client):
    response = owner_client.get(reverse("diagnostics:events", args=[journey.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Import an event log" in body and "No event log imported yet." in body


def test_an_htmx_upload_queues_a_job_that_the_region_follows_until_done(journey, owner_client, htmx,
                                                                        django_capture_on_commit_callbacks):
    url = reverse("diagnostics:events", args=[journey.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = owner_client.post(url, {"file": _upload(journey), "return_gap_days": 10}, **htmx)
    assert response.status_code == 200 and len(callbacks) == 1  # enqueued once committed
    body = response.content.decode()
    assert 'id="dx-events"' in body and "<html" not in body
    assert "is being imported" in body and 'hx-trigger="every 1s"' in body
    job = EventImport.objects.get()
    assert (job.status, job.return_gap_days, job.file_kind) == (ImportStatus.QUEUED, 10, "csv")
    status = owner_client.get(reverse("diagnostics:events_status", args=[journey.pk]), **htmx)
    assert "Queued 0%" in status.content.decode() and "HX-Refresh" not in status
    tasks.import_events(job.pk)
    tasks.import_events(job.pk)  # a message delivered twice changes nothing
    status = owner_client.get(reverse("diagnostics:events_status", args=[journey.pk]), **htmx)
    assert status["HX-Refresh"] == "true"
    page = owner_client.get(url).content.decode()
    first, second = stage_names(journey)[:2]
    assert "What people did" in page and "26 cases, 78 events" in page
    assert f"<th scope=\"row\">{escape(first)}</th><td>{escape(second)}</td><td class=\"num\">26</td>" in page
    assert "observed journey" in page
    assert StageMetric.objects.filter(journey__kind=JourneyKind.OBSERVED).count() == 3


def test_small_counts_show_as_fewer_than_the_threshold_on_the_page(journey, owner_client,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        owner_client.post(reverse("diagnostics:events", args=[journey.pk]),
                          {"file": _upload(journey, log_text(journey, happy=14, stuck=4)), "return_gap_days": 7})
    tasks.import_events(EventImport.objects.get().pk)
    page = owner_client.get(reverse("diagnostics:events", args=[journey.pk])).content.decode()
    assert "fewer than 11" in page
    assert ">4<" not in page


def test_a_bad_file_fails_the_job_with_its_line_and_keeps_nothing(journey, owner_client,
                                                                  django_capture_on_commit_callbacks):
    bad = log_text(journey, happy=1, stuck=0) + "x,Sign up,31/01/2026,app\n"
    with django_capture_on_commit_callbacks(execute=False):
        owner_client.post(reverse("diagnostics:events", args=[journey.pk]),
                          {"file": _upload(journey, bad), "return_gap_days": 7})
    job = EventImport.objects.get()
    path = job.upload.path
    tasks.import_events(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error_line == 5 and "31/01/2026" in job.error
    assert job.result is None and not StageMetric.objects.exists()
    assert not os.path.exists(path)
    page = owner_client.get(reverse("diagnostics:events", args=[journey.pk])).content.decode()
    assert "Not imported: Line 5:" in page


@pytest.mark.parametrize(("data", "message"), [
    ({"return_gap_days": 7}, "This field is required."),
    ({"file": "x", "return_gap_days": 0}, "greater than or equal to 1"),
])
def test_an_invalid_upload_is_refused_with_a_message_and_queues_nothing(journey, owner_client, htmx, data, message):
    if "file" in data:
        data = data | {"file": SimpleUploadedFile("events.csv", b"case_id,step,timestamp\na,b,2026-01-01\n")}
    for headers in ({}, htmx):
        response = owner_client.post(reverse("diagnostics:events", args=[journey.pk]), data, **headers)
        assert response.status_code == 422 and message in response.content.decode()
    assert not EventImport.objects.exists()


def test_a_file_of_another_type_is_refused(journey, owner_client):
    upload = SimpleUploadedFile("events.xlsx", b"PK\x03\x04", content_type="application/octet-stream")
    response = owner_client.post(reverse("diagnostics:events", args=[journey.pk]),
                                 {"file": upload, "return_gap_days": 7})
    assert response.status_code == 422 and "Choose a .csv or .parquet file." in response.content.decode()


def test_a_viewer_cannot_import_and_another_workspace_cannot_see(journey, viewer, other_journey):
    from django.test import Client
    client = Client()
    client.force_login(viewer)
    response = client.post(reverse("diagnostics:events", args=[journey.pk]),
                           {"file": _upload(journey), "return_gap_days": 7})
    assert response.status_code == 403 and not EventImport.objects.exists()
    assert client.get(reverse("diagnostics:events", args=[other_journey.pk])).status_code == 404


def test_a_mapped_step_counts_towards_its_stage_from_the_next_import(journey, owner_client, htmx, tmp_path):
    first, second = journey.stages.order_by("position")[:2]
    url = reverse("diagnostics:step_mapping", args=[journey.pk])
    response = owner_client.post(url, {"step": "  Booked VIDEO call ", "target": second.pk}, **htmx)
    assert response.status_code == 200 and "Mapped “booked video call” to" in response.content.decode()
    response = owner_client.post(url, {"step": "heartbeat", "target": "ignore"})
    assert response.status_code == 302
    assert dict(StepMapping.objects.values_list("step", "stage")) == {"booked video call": second.pk,
                                                                      "heartbeat": None}
    rows = "".join(f"c{n},{first.name},2026-01-02\nc{n},booked video call,2026-01-03\nc{n},Heartbeat,2026-01-04\n"
                   for n in range(12))
    path = tmp_path / "events.csv"
    path.write_text("case_id,step,timestamp\n" + rows)
    out = StringIO()
    call_command("import_events", str(path), "--map", str(journey.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["unknown_steps"] == [] and data["events"] == 24
    assert data["transitions"] == [{"from": first.name, "to": second.name, "cases": 12, "occurrences": 12}]
    mapping = StepMapping.objects.get(step="heartbeat")
    response = owner_client.post(reverse("diagnostics:step_mapping_delete", args=[journey.pk, mapping.pk]), **htmx)
    assert response.status_code == 200 and not StepMapping.objects.filter(step="heartbeat").exists()


def test_a_mapping_without_a_step_name_is_refused(journey, owner_client):
    response = owner_client.post(reverse("diagnostics:step_mapping", args=[journey.pk]),
                                 {"step": "", "target": "ignore"})
    assert response.status_code == 422 and not StepMapping.objects.exists()


def test_only_a_designed_journey_takes_an_event_log(journey, owner, tmp_path):
    from diagnostics.services import journey_observe
    observed = journey_observe(actor=owner, designed=journey)
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey))
    with pytest.raises(CommandError, match="designed journey"):
        call_command("import_events", str(path), "--map", str(observed.pk))


def test_the_comparison_adds_what_the_event_log_shows(journey, owner_client, htmx, tmp_path):
    names = stage_names(journey)
    loops = [(f"loop-{n}", names[0], "2026-01-02T09:00:00") for n in range(11)] + \
            [(f"loop-{n}", names[2], "2026-01-02T10:00:00") for n in range(11)] + \
            [(f"loop-{n}", names[1], "2026-01-02T11:00:00") for n in range(11)]
    path = tmp_path / "events.csv"
    path.write_text(log_text(journey, extra_rows=loops))
    call_command("import_events", str(path), "--map", str(journey.pk), stdout=StringIO())
    for headers in ({}, htmx):
        page = owner_client.get(reverse("diagnostics:compare", args=[journey.pk]), **headers).content.decode()
        assert escape(f"12 cases come back to “{names[1]}” after a long pause.") in page
        assert escape(f"11 cases go from “{names[0]}” straight to “{names[2]}”, skipping “{names[1]}”.") in page
        assert escape(f"11 cases go back from “{names[2]}” to “{names[1]}” (11 times).") in page
        assert escape(f"Nobody in the event log reached “{names[3]}”.") in page
        assert "event log events.csv" in page


# --- imports whose worker died ----------------------------------------------------------------------


def _queued(journey, owner_client, django_capture_on_commit_callbacks, count):
    with django_capture_on_commit_callbacks(execute=False):
        for _ in range(count):
            owner_client.post(reverse("diagnostics:events", args=[journey.pk]),
                              {"file": _upload(journey), "return_gap_days": 7})
    return list(EventImport.objects.order_by("pk"))


def _silent_for(minutes, **fields):
    from datetime import timedelta

    from django.utils import timezone

    return {"alive_at": timezone.now() - timedelta(minutes=minutes), **fields}


def test_imports_silent_too_long_are_queued_again_once_and_live_ones_left_alone(
        journey, owner_client, django_capture_on_commit_callbacks, settings):
    settings.EVENT_IMPORT_STUCK_AFTER = 15 * 60
    queued, running, live = _queued(journey, owner_client, django_capture_on_commit_callbacks, 3)
    EventImport.objects.filter(pk=queued.pk).update(**_silent_for(16))
    EventImport.objects.filter(pk=running.pk).update(**_silent_for(16, status=ImportStatus.RUNNING, attempts=1))
    EventImport.objects.filter(pk=live.pk).update(**_silent_for(14, status=ImportStatus.RUNNING, attempts=1))
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        assert tasks.requeue_stuck_imports() == 2
    assert len(enqueued) == 2
    with django_capture_on_commit_callbacks(execute=False) as again:
        assert tasks.requeue_stuck_imports() == 0  # idempotent: a job queued again shows life now
    assert again == []
    for job in (queued, running, live):
        job.refresh_from_db()
    assert (queued.status, queued.error) == (ImportStatus.QUEUED, "")
    assert (running.status, running.error) == (ImportStatus.QUEUED, "The worker stopped before finishing; trying again.")
    assert (live.status, live.attempts) == (ImportStatus.RUNNING, 1)
    tasks.import_events(live.pk)  # its own worker still runs it: a second message changes nothing
    assert EventImport.objects.get(pk=live.pk).attempts == 1
    tasks.import_events(running.pk)
    running.refresh_from_db()
    assert (running.status, running.attempts, running.result["cases"], running.error) == (ImportStatus.DONE, 2, 26, "")


def test_an_import_out_of_attempts_is_failed_in_words_and_its_file_deleted(
        journey, owner_client, django_capture_on_commit_callbacks, settings):
    settings.EVENT_IMPORT_MAX_ATTEMPTS = 3
    (job,) = _queued(journey, owner_client, django_capture_on_commit_callbacks, 1)
    stored = job.upload.path
    EventImport.objects.filter(pk=job.pk).update(**_silent_for(20, status=ImportStatus.RUNNING, attempts=3))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.requeue_stuck_imports() == 1
    assert len(callbacks) == 1  # the file's deletion, once committed; nothing enqueued
    job.refresh_from_db()
    assert (job.status, job.result, job.upload.name, job.progress) == (ImportStatus.FAILED, None, "", 0)
    assert job.error.startswith("The import stopped 3 times before finishing (its worker was stopped")
    assert not os.path.exists(stored)
    tasks.import_events(job.pk)  # a message Redis delivers again afterwards changes nothing
    assert EventImport.objects.get(pk=job.pk).status == ImportStatus.FAILED


def test_a_message_delivered_again_after_the_last_attempt_fails_the_job(
        journey, owner_client, django_capture_on_commit_callbacks, settings):
    settings.EVENT_IMPORT_MAX_ATTEMPTS = 2
    (job,) = _queued(journey, owner_client, django_capture_on_commit_callbacks, 1)
    EventImport.objects.filter(pk=job.pk).update(**_silent_for(20, status=ImportStatus.RUNNING, attempts=2))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.import_events(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportStatus.FAILED, 2)
    assert job.error.startswith("The import stopped twice before finishing")


def test_without_redis_the_in_process_scheduler_queues_stuck_imports_again(
        journey, owner_client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from notifications import scheduler

    (job,) = _queued(journey, owner_client, django_capture_on_commit_callbacks, 1)
    EventImport.objects.filter(pk=job.pk).update(**_silent_for(16, status=ImportStatus.RUNNING, attempts=1))
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        scheduler.tick(timezone.now())
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED and len(enqueued) == 1


def test_celery_beat_queues_stuck_imports_again_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["requeue-stuck-event-imports"]
    assert (entry["task"], entry["schedule"]) == (tasks.requeue_stuck_imports.name, 60.0)
