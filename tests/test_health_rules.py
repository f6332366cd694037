"""Every health rule: a map that satisfies it and one that breaks it."""

import datetime

import pytest
from django.utils import timezone

from compliance import services as compliance_services
from compliance.health import RULES, RULES_BY_CODE, facts_load, health_check, run_rule
from compliance.models import SafetyLoop
from maps import services as map_services
from maps.models import Journey, LaneKind
from stakeholders.models import Track, TrackKind

from .factories import make_card
from .healthcare import healthy_journey, make_checkpoint, make_step


def findings_of(journey, code: str, today=None):
    return run_rule(RULES_BY_CODE[code], facts_load(journey=journey, today=today)).findings


@pytest.fixture
def healthy(journey, owner):
    built = healthy_journey(journey, owner)
    journey.refresh_from_db()
    return built


def test_there_are_the_ten_rules_of_the_issue():
    assert [r.code for r in RULES] == [
        "stakeholder_submaps", "phi_checkpoints", "transition_owner", "stage_user_state", "sensitive_legal_review",
        "failure_safeguard", "training_track", "safety_loop", "recently_reviewed", "overdue_checkpoints"]


def test_a_healthy_map_passes_every_rule_and_scores_100(journey, healthy):
    report = health_check(journey=journey)
    assert report.findings == []
    assert report.score == 100


@pytest.mark.parametrize("code", [r.code for r in RULES])
def test_each_rule_passes_on_the_healthy_map(journey, healthy, code):
    assert findings_of(journey, code) == []


def test_an_empty_map_breaks_most_rules_and_scores_low(journey):
    Journey.objects.filter(pk=journey.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    report = health_check(journey=Journey.objects.get(pk=journey.pk))
    assert report.score <= 60  # rules about things the map does not have yet pass vacuously
    assert {f.rule for f in report.findings} >= {"stakeholder_submaps", "stage_user_state", "training_track",
                                                 "safety_loop", "recently_reviewed"}


def test_stakeholder_submaps_finds_a_missing_group(journey, owner, healthy):
    healthy["tracks"]["it"].delete()
    findings = findings_of(journey, "stakeholder_submaps")
    assert [f.object["id"] for f in findings] == ["it"]
    assert "IT" in findings[0].message or "it stakeholders" in findings[0].message
    assert findings[0].url.startswith(f"/maps/{journey.pk}/stakeholders/")


def test_a_training_track_does_not_count_as_a_stakeholder_submap(journey, owner, healthy):
    Track.objects.filter(journey=journey, kind=TrackKind.STAKEHOLDER, stakeholder__group="clinical").delete()
    assert [f.object["id"] for f in findings_of(journey, "stakeholder_submaps")] == ["clinical"]


def test_phi_touchpoint_without_checkpoints_is_found_with_a_link_to_its_card(journey, owner, healthy):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Video visit", data_classification="phi")
    findings = findings_of(journey, "phi_checkpoints")
    assert len(findings) == 1
    assert findings[0].url == f"/maps/{journey.pk}/#card-{card.pk}"
    assert "patient-data access and no audit logging" in findings[0].message


def test_phi_touchpoint_with_only_data_access_misses_audit_logging(journey, owner, healthy):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Video visit", data_classification="phi")
    make_checkpoint(journey, owner, type="data_access", touchpoint=card)
    [finding] = findings_of(journey, "phi_checkpoints")
    assert "no audit logging" in finding.message and "patient-data access" not in finding.message


def test_phi_step_without_checkpoints_is_found(journey, owner, healthy):
    step = make_step(healthy["tracks"]["patient_caregiver"], owner, title="Uploads photo", data_classification="phi")
    [finding] = findings_of(journey, "phi_checkpoints")
    assert finding.object == {"type": "step", "id": step.pk, "label": "Uploads photo", "stage": step.stage.name,
                              "track": str(step.track)}
    assert finding.url.endswith(f"#step-{step.pk}")
    make_checkpoint(journey, owner, type="data_access", step=step)
    make_checkpoint(journey, owner, type="audit_logging", step=step)
    assert findings_of(journey, "phi_checkpoints") == []


def test_a_deleted_phi_touchpoint_is_not_checked(journey, owner, healthy):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, data_classification="phi")
    map_services.card_delete(actor=owner, card=card, version=card.version)
    assert findings_of(journey, "phi_checkpoints") == []


def test_transition_without_owner_team_is_found(journey, owner, healthy):
    card = make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Visit to pharmacy")
    [finding] = findings_of(journey, "transition_owner")
    assert finding.object["id"] == card.pk and finding.url.endswith(f"#card-{card.pk}")


def test_stage_without_user_state_is_found_with_a_link_to_its_column(journey, owner, healthy):
    stage = map_services.stage_create(actor=owner, journey=journey, data={"name": "Aftercare"})
    [finding] = findings_of(journey, "stage_user_state")
    assert finding.url == f"/maps/{journey.pk}/#stage-{stage.pk}"


def test_sensitive_touchpoint_without_legal_review_is_found(journey, owner, healthy):
    flagged = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Ad claim", needs_legal_review=True)
    high = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Diagnosis email",
                     communication_sensitivity="high")
    make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Newsletter", communication_sensitivity="medium")
    assert {f.object["id"] for f in findings_of(journey, "sensitive_legal_review")} == {flagged.pk, high.pk}
    make_checkpoint(journey, owner, type="consent", touchpoint=flagged)  # the wrong type does not count
    assert len(findings_of(journey, "sensitive_legal_review")) == 2


def test_high_severity_failure_mode_without_safeguard_is_found(journey, owner, healthy):
    step = healthy["step"]
    critical = compliance_services.failure_mode_create(actor=owner, journey=journey, data={
        "step": step, "title": "Alert missed", "severity": "critical", "safeguard": "  "})
    compliance_services.failure_mode_create(actor=owner, journey=journey, data={
        "step": step, "title": "Slow page", "severity": "medium", "safeguard": ""})
    [finding] = findings_of(journey, "failure_safeguard")
    assert finding.object["id"] == critical.pk
    assert finding.url == f"/maps/{journey.pk}/safety/#failure-{critical.pk}"


def test_missing_training_track_is_found(journey, owner, healthy):
    healthy["training"].delete()
    [finding] = findings_of(journey, "training_track")
    assert "no training" in finding.message


def test_training_track_without_competency_checkpoint_is_found(journey, owner, healthy):
    healthy["training"].steps.update(is_competency_checkpoint=False)
    [finding] = findings_of(journey, "training_track")
    assert "competency" in finding.message


def test_missing_safety_loop_is_found(journey, owner, healthy):
    SafetyLoop.objects.filter(journey=journey).delete()
    [finding] = findings_of(journey, "safety_loop")
    assert finding.url == f"/maps/{journey.pk}/safety/#safety-loop"


def test_safety_loop_without_timelines_is_found(journey, owner, healthy):
    SafetyLoop.objects.filter(journey=journey).update(communicate_within_days=None)
    [finding] = findings_of(journey, "safety_loop")
    assert "target time" in finding.message


def test_map_not_reviewed_for_more_than_90_days_is_found(journey, healthy):
    today = timezone.localdate()
    assert findings_of(journey, "recently_reviewed", today=today + datetime.timedelta(days=90)) == []
    [finding] = findings_of(journey, "recently_reviewed", today=today + datetime.timedelta(days=91))
    assert "last reviewed" in finding.message


def test_map_never_reviewed_is_found_once_older_than_90_days(journey):
    assert findings_of(journey, "recently_reviewed") == []  # a new map is not overdue yet
    Journey.objects.filter(pk=journey.pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    [finding] = findings_of(Journey.objects.get(pk=journey.pk), "recently_reviewed")
    assert "never been reviewed" in finding.message


def test_open_checkpoint_past_its_due_date_is_found(journey, owner, healthy):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = make_checkpoint(journey, owner, type="breach_notification", title="Runbook", due_date=yesterday)
    done = make_checkpoint(journey, owner, type="baa", title="BAA", due_date=yesterday)
    compliance_services.checkpoint_review(actor=owner, checkpoint=done, version=done.version,
                                          data={"status": "not_applicable"})
    [finding] = findings_of(journey, "overdue_checkpoints")
    assert finding.object["id"] == late.pk
    assert finding.url == f"/compliance/checkpoints/{late.pk}/"


def test_score_falls_with_the_share_of_failing_items(journey, owner, healthy):
    make_card(journey, owner, kind=LaneKind.HANDOFFS, title="No owner 1")
    one = health_check(journey=journey).score
    make_card(journey, owner, kind=LaneKind.HANDOFFS, title="No owner 2")
    two = health_check(journey=journey).score
    assert 0 < two < one < 100


def test_findings_are_sorted_high_first(journey):
    severities = [f.severity for f in health_check(journey=journey).findings]
    order = {"high": 0, "medium": 1, "low": 2}
    assert severities == sorted(severities, key=order.get)
