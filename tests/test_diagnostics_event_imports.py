"""Event-log imports end to end: the command, the job, the page (full and HTMX), what is kept."""

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

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


def test_case_ids_are_nowhere_in_the_database_after_an_import(journey, owner_client, django_capture_on_commit_callbacks):
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
    import os
    assert not os.path.exists(stored)  # the uploaded file is deleted after the job
