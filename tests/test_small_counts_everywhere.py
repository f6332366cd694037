"""The small-count rule holds in every export format and every answer about a map.

The proof is by difference: two maps' worth of answers, one with a suppressed count of 7
and one with 8 (and a "hidden" progressed count of 115 against 116: fewer than the
threshold did not progress), must be the same in every format, for the owner and for a
viewer. A count that leaked anywhere would make them differ. A count above the threshold
must still be there, so the comparison is not vacuous."""

import datetime
import io
import json
import re
import subprocess
import tempfile
import zipfile

import pytest
from django.urls import reverse

from diagnostics.models import StageMetric
from diagnostics.services import stage_metric_record
from interchange.formats import EXPORT_FORMATS

from .api import client_for

PERIOD = datetime.date(2026, 1, 1)


@pytest.fixture
def metrics(journey, owner):
    first, second, third = journey.stages.all()[:3]
    small = stage_metric_record(actor=owner, journey=journey, stage=first, period=PERIOD, entered=7, progressed=4)
    stage_metric_record(actor=owner, journey=journey, stage=second, period=PERIOD, entered=120, progressed=60)
    hidden = stage_metric_record(actor=owner, journey=journey, stage=third, period=PERIOD, entered=120,
                                 progressed=115)
    return small, hidden


def _bump_suppressed(small, hidden):
    StageMetric.objects.filter(pk=small.pk).update(entered=8, progressed=5)
    StageMetric.objects.filter(pk=hidden.pk).update(progressed=116)


def _pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        return subprocess.run(["pdftotext", "-layout", file.name, "-"], capture_output=True, check=True).stdout.decode()


def _comparable(export_format, data: bytes):
    if export_format.extension == "pdf":  # the file carries its creation time, the report the minute
        return re.sub(r"\d+ \w+ \d{4}, \d\d:\d\d", "(generated at)", _pdf_text(data))
    if export_format.extension == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    return data


def _exports(journey):
    return {name: _comparable(f, f.render(journey.pk)) for name, f in EXPORT_FORMATS.items()}


def test_json_export_leaves_out_counts_below_the_threshold(journey, metrics):
    document = json.loads(EXPORT_FORMATS["json"].render(journey.pk))
    rows = document["stage_metrics"]
    assert [(r["entered"], r["progressed"]) for r in rows] == [(None, None), (120, 60), (120, None)]


@pytest.mark.parametrize("name", sorted(EXPORT_FORMATS))
def test_no_export_format_carries_a_suppressed_count(journey, metrics, name):
    export_format = EXPORT_FORMATS[name]
    before = _comparable(export_format, export_format.render(journey.pk))
    _bump_suppressed(*metrics)
    after = _comparable(export_format, export_format.render(journey.pk))
    assert before == after, f"{name} changed when only suppressed counts changed"


def test_the_formats_with_counts_still_show_the_counts_above_the_threshold(journey, metrics):
    assert b'"entered": 120' in EXPORT_FORMATS["json"].render(journey.pk)
    with zipfile.ZipFile(io.BytesIO(EXPORT_FORMATS["csv"].render(journey.pk))) as archive:
        assert archive.namelist()  # the tables are there (cards, checkpoints, fixes: no counts in them)


def _normalised(html: bytes) -> bytes:
    html = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)
    html = re.sub(rb'"X-CSRFToken": "[^"]+"', b"", html)
    return re.sub(rb'nonce="[^"]+"', b"", html)


def _answers(journey, owner, viewer_client):
    api = client_for(owner)
    answers = {"api map": api.get(reverse("api:map_detail", args=[journey.pk])).content}
    for name in ("panel", "metrics", "metrics_export", "compare", "fixes", "first_fix", "charts"):
        url = reverse(f"diagnostics:{name}", args=[journey.pk])
        answers[f"viewer {name}"] = _normalised(viewer_client.get(url).content)
    return answers


def test_no_page_or_api_answer_carries_a_suppressed_count(journey, owner, viewer_client, metrics):
    before = _answers(journey, owner, viewer_client)
    _bump_suppressed(*metrics)
    after = _answers(journey, owner, viewer_client)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed
    assert b"120" in after["viewer metrics"]
