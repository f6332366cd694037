"""Builders for the healthcare layer's tests, through the real services."""

import datetime

from django.utils import timezone

from compliance import services as compliance_services
from maps import services as map_services
from maps.models import LaneKind
from stakeholders import services as stakeholder_services
from stakeholders.models import MAJOR_GROUPS, Stakeholder, TrackKind

from .factories import make_card


def stakeholder_of(workspace, group: str) -> Stakeholder:
    return Stakeholder.objects.filter(workspace=workspace, group=group).order_by("position").first()


def make_track(journey, actor, *, group: str = "clinical", kind: str = TrackKind.STAKEHOLDER, title: str = ""):
    return stakeholder_services.track_create(actor=actor, journey=journey,
                                             stakeholder=stakeholder_of(journey.workspace, group), kind=kind,
                                             title=title)


def make_step(track, actor, *, stage=None, title: str = "A step", **fields):
    stage = stage or track.journey.stages.first()
    return stakeholder_services.step_create(actor=actor, track=track, data={"stage": stage, "title": title} | fields)


def make_checkpoint(journey, actor, *, type: str = "consent", title: str = "A checkpoint", **fields):
    if not any(fields.get(name) for name in ("stage", "touchpoint", "step")):
        fields["stage"] = journey.stages.first()
    return compliance_services.checkpoint_create(actor=actor, journey=journey,
                                                 data={"type": type, "title": title} | fields)


def healthy_journey(journey, actor):
    """Makes a telehealth-template journey satisfy every health rule; returns a dict of what it built."""
    built = {}
    for stage in journey.stages.all():
        make_card(journey, actor, kind=LaneKind.USER_STATE, stage=stage, title=f"State at {stage.name}")
    team = journey.workspace.teams.first()
    built["transition"] = make_card(journey, actor, kind=LaneKind.HANDOFFS, title="Intake to visit", owner_team=team)
    phi = make_card(journey, actor, kind=LaneKind.TOUCHPOINTS, title="Intake form", data_classification="phi")
    make_checkpoint(journey, actor, type="data_access", title="Who reads intake", touchpoint=phi)
    make_checkpoint(journey, actor, type="audit_logging", title="Intake reads logged", touchpoint=phi)
    built["phi_touchpoint"] = phi
    sensitive = make_card(journey, actor, kind=LaneKind.TOUCHPOINTS, title="Results SMS", needs_legal_review=True,
                          communication_sensitivity="high")
    make_checkpoint(journey, actor, type="legal_review", title="SMS wording", touchpoint=sensitive)
    built["tracks"] = {group: make_track(journey, actor, group=group) for group in MAJOR_GROUPS}
    training = make_track(journey, actor, group="clinical", kind=TrackKind.TRAINING)
    make_step(training, actor, title="Supervised first shift", is_competency_checkpoint=True)
    built["training"] = training
    step = make_step(built["tracks"]["clinical"], actor, title="Reviews intake")
    built["step"] = step
    compliance_services.failure_mode_create(actor=actor, journey=journey, data={
        "step": step, "title": "Wrong patient", "severity": "high", "safeguard": "Two identifiers"})
    compliance_services.safety_loop_set(actor=actor, journey=journey, version=None, data={
        "collection_point": "End of shift", "investigate_within_days": 3, "communicate_within_days": 10})
    make_checkpoint(journey, actor, type="consent", title="Consent later",
                    due_date=timezone.localdate() + datetime.timedelta(days=5))
    map_services.journey_mark_reviewed(actor=actor, journey=journey)
    journey.refresh_from_db()
    return built
