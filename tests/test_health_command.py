"""The health check as a command, as a board panel and on the demo's RPM journey."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from compliance.health import health_check
from maps.models import Journey, LaneKind
from stakeholders.demo import RPM_TITLE

from . import factories
from .healthcare import healthy_journey


def _check_map(*args) -> str:
    out = io.StringIO()
    call_command("check_map", *args, stdout=out)
    return out.getvalue()


def test_check_map_json_prints_score_and_findings(journey):
    data = json.loads(_check_map(str(journey.pk), "--json"))
    assert 0 <= data["score"] <= 100
    assert data["findings"]
    for finding in data["findings"]:
        assert set(finding) >= {"rule", "severity", "message", "object"}
        assert finding["severity"] in {"high", "medium", "low"}
        assert {"type", "id", "label"} <= set(finding["object"])
    assert data["score"] == health_check(journey=journey).score


def test_check_map_json_on_a_healthy_map(journey, owner):
    healthy_journey(journey, owner)
    data = json.loads(_check_map(str(journey.pk), "--json"))
    assert data == data | {"score": 100, "findings": []}


def test_check_map_text_and_unknown_map(journey):
    assert "health score" in _check_map(str(journey.pk))
    with pytest.raises(CommandError, match="no map with id"):
        _check_map("999999", "--json")


def test_health_panel_fragment_and_page(owner_client, owner, journey, htmx):
    factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Booking page")  # something to check
    url = reverse("compliance:health_panel", args=[journey.pk])
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    body = fragment.content.decode()
    assert 'id="health-panel"' in body and 'hx-trigger="every 30s"' in body
    stage = journey.stages.first()
    assert f'href="/maps/{journey.pk}/#stage-{stage.pk}"' in body  # a finding links to its stage's column
    page = owner_client.get(url)
    assert page.status_code == 200 and b"<html" in page.content and b"check_map" in page.content


def test_health_panel_is_readable_by_viewers_and_read_only(viewer_client, journey):
    url = reverse("compliance:health_panel", args=[journey.pk])
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url).status_code == 405


def test_seed_demo_builds_an_rpm_journey_whose_health_check_finds_real_work(db):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # idempotent
    rpm = Journey.objects.get(title=RPM_TITLE)
    assert rpm.tracks.count() == 7 and rpm.intersections.count() == 3
    assert {t.stakeholder.group for t in rpm.tracks.all()} >= {
        "patient_caregiver", "clinical", "administrative", "it", "compliance"}
    assert rpm.tracks.filter(kind="training").exists()
    report = health_check(journey=rpm)
    failing = {r.rule.code for r in report.results if not r.passed}
    assert failing == {"phi_checkpoints", "transition_owner", "stage_user_state", "failure_safeguard",
                       "overdue_checkpoints"}
    assert 50 < report.score < 100
