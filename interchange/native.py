"""Journeymap's own map format: the whole map as one schema-versioned JSON document.

References between parts of the map use ids local to the document ("s1", "c12"...),
given in a fixed order, so exporting the same map twice gives the same document, and
export -> import -> export gives it back. Teams and stakeholders are named, not
numbered: an import finds them by name in the target workspace. People are not
carried: a checkpoint only says whether it was reviewed.
"""

import datetime
import decimal
import json
from typing import Any

from django.db import models

from compliance.models import Checkpoint, FailureMode, SafetyLoop, TouchpointAccess
from compliance.services import FAILURE_MODE_FIELDS, SAFETY_LOOP_FIELDS
from diagnostics.metrics import MetricRow, safe_row
from diagnostics.models import StageMetric
from diagnostics.selectors import threshold_get
from maps.models import Card, Journey, Lane, Stage, Touchpoint, Transition
from maps.selectors import cards_on_board
from maps.services import LANE_FIELDS, STAGE_FIELDS, card_fields
from stakeholders.models import Intersection, Stakeholder, Step, Track
from stakeholders.services import INTERSECTION_FIELDS, STAKEHOLDER_FIELDS, STEP_FIELDS, TRACK_FIELDS
from workspaces.models import Team

SCHEMA = "journeymap.map"
SCHEMA_VERSION = 1

JOURNEY_FIELDS = ["title", "persona", "description", "kind", "status", "last_reviewed_at"]
CHECKPOINT_FIELDS = ["stage", "touchpoint", "step", "type", "subject", "title", "description", "owner_team", "status",
                     "due_date", "evidence", "notes"]
TOUCHPOINT_ACCESS_FIELDS = ["touchpoint", "access_roles", "access_verification", "audit_logged",
                            "credential_sharing_risk"]
STAGE_METRIC_FIELDS = ["stage", "period", "entered", "progressed"]

# The prefix of each kind of document-local id.
ID_PREFIX = {Stage: "s", Lane: "l", Card: "c", Touchpoint: "c", Stakeholder: "p", Step: "st"}


def value_out(obj: models.Model, name: str, refs: dict[type, dict[int, str]], teams: dict[int, str]) -> Any:
    """One field as the document holds it: related rows by local id (teams by name), dates as ISO text."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    if field.is_relation:
        if value is None:
            return None
        return teams[value] if field.related_model is Team else refs[field.related_model][value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def journey_document(journey_id: int, *, local_ids: dict[str, dict[int, str]] | None = None,
                     raw_counts: bool = False) -> dict[str, Any]:
    """The whole map (cards on the board, not deleted ones) with its healthcare layer and diagnostics.

    `local_ids`, if given, receives each stage's, lane's and card's document id by primary key.
    `raw_counts` keeps small counts: only the owners' full backup (`render_backup`) asks for it."""
    journey = Journey.objects.get(pk=journey_id)
    teams = dict(Team.objects.filter(workspace_id=journey.workspace_id).values_list("pk", "name"))
    refs: dict[type, dict[int, str]] = {model: {} for model in ID_PREFIX}

    def local(model: type, items: list) -> None:
        for n, item in enumerate(items, start=1):
            refs[model][item.pk] = f"{ID_PREFIX[model]}{n}"

    def out(obj: models.Model, fields: list[str], **extra: Any) -> dict[str, Any]:
        ids = refs.get(Card if isinstance(obj, Card) else type(obj), {})
        own = {"id": ids[obj.pk]} if obj.pk in ids else {}
        return own | {name: value_out(obj, name, refs, teams) for name in fields} | extra

    stages = list(journey.stages.all())
    lanes = list(journey.lanes.all())
    local(Stage, stages)
    local(Lane, lanes)
    stage_order = {s.pk: i for i, s in enumerate(stages)}
    lane_order = {lane.pk: i for i, lane in enumerate(lanes)}
    cards = sorted(cards_on_board(journey=journey),
                   key=lambda c: (stage_order[c.stage_id], lane_order[c.lane_id], c.position, c.pk))
    local(Card, cards)
    refs[Touchpoint] = refs[Transition] = refs[Card]  # a fix names the handoff it repairs
    tracks = list(Track.objects.filter(journey=journey).select_related("stakeholder"))
    stakeholders = sorted({t.stakeholder for t in tracks}, key=lambda s: (s.position, s.pk))
    local(Stakeholder, stakeholders)
    steps = {t.pk: list(t.steps.order_by("stage__position", "position", "pk")) for t in tracks}
    local(Step, [step for t in tracks for step in steps[t.pk]])
    checkpoints = Checkpoint.objects.filter(journey=journey).order_by("pk")
    threshold = threshold_get(workspace_id=journey.workspace_id)

    def metric_out(metric: StageMetric) -> dict[str, Any]:
        if raw_counts:
            return out(metric, STAGE_METRIC_FIELDS)
        return out(metric, ["stage", "period"]) | metric_counts(metric, threshold)

    safety_loop = SafetyLoop.objects.filter(journey=journey).first()
    if local_ids is not None:
        local_ids.update({"stages": refs[Stage], "lanes": refs[Lane], "cards": refs[Card]})
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "journey": out(journey, JOURNEY_FIELDS),
        "stages": [out(s, STAGE_FIELDS) for s in stages],
        "lanes": [out(lane, LANE_FIELDS) for lane in lanes],
        "cards": [out(c, ["stage", "lane", "kind"] + card_fields(type(c))) for c in cards],
        "stakeholders": [out(s, STAKEHOLDER_FIELDS) for s in stakeholders],
        "tracks": [out(t, TRACK_FIELDS, steps=[out(step, STEP_FIELDS) for step in steps[t.pk]]) for t in tracks],
        "intersections": [
            out(i, INTERSECTION_FIELDS, steps=sorted(refs[Step][pk] for pk in i.steps.values_list("pk", flat=True)))
            for i in Intersection.objects.filter(journey=journey).order_by("stage__position", "pk")
        ],
        "checkpoints": [out(c, CHECKPOINT_FIELDS, reviewed=c.reviewer_id is not None) for c in checkpoints],
        "failure_modes": [out(f, FAILURE_MODE_FIELDS) for f in FailureMode.objects.filter(journey=journey)],
        "touchpoint_access": [
            out(a, TOUCHPOINT_ACCESS_FIELDS)
            for a in TouchpointAccess.objects.filter(journey=journey, touchpoint__deleted_at=None).order_by("pk")
        ],
        "safety_loop": out(safety_loop, SAFETY_LOOP_FIELDS) if safety_loop else None,
        "stage_metrics": [metric_out(m) for m in
                          StageMetric.objects.filter(journey=journey).order_by("period", "stage__position")],
    }


def metric_counts(metric: StageMetric, threshold: int) -> dict[str, int | None]:
    """A stage metric's counts as an export may carry them: one below the small-count threshold (or one that
    would reveal fewer than the threshold did not progress) is null, as it is everywhere else."""
    row = safe_row(MetricRow(metric.stage_id, metric.period, metric.entered, metric.progressed), threshold)
    return {"entered": row.entered.value, "progressed": row.progressed.value}


def render_json(journey_id: int) -> bytes:
    return json.dumps(journey_document(journey_id), indent=2, ensure_ascii=False).encode()


# What makes a backup unmistakable, inside the file as well as in its name.
BACKUP_NOTICE = {
    "kind": "full backup",
    "raw_counts": True,
    "notice": "FULL BACKUP, OWNERS ONLY: stage counts are kept as entered, small counts included. "
              "Every other export leaves counts below the small-count threshold out. Do not share this file.",
}


def render_backup(journey_id: int) -> bytes:
    """The owners' full backup: the JSON document with raw counts, labelled as such (importable as a map)."""
    document = {"backup": BACKUP_NOTICE} | journey_document(journey_id, raw_counts=True)
    return json.dumps(document, indent=2, ensure_ascii=False).encode()
