"""Rows as the API returns them, and the JSON Schema of each representation
(built from the same field lists, so `api.openapi` describes exactly what is sent)."""

import datetime
import decimal
from typing import Any

from django.db import models
from django.urls import reverse

from maps.models import Card, Journey, JourneyKind, JourneyStatus, Lane, Stage, card_model_for
from maps.services import LANE_FIELDS, STAGE_FIELDS, card_fields
from reports.models import ExportJob, ExportStatus

from .schema import CARD_KINDS, model_field_schema
from .selectors import MapContent

CARD_PLACEMENT = ["stage", "lane", "position", "version"]


def _value(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname)
    value = getattr(obj, name)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _values(obj: models.Model, names: list[str]) -> dict[str, Any]:
    return {name: _value(obj, name) for name in names}


def stage_json(stage: Stage) -> dict[str, Any]:
    return {"id": stage.pk} | _values(stage, [*STAGE_FIELDS, "position", "version"])


def lane_json(lane: Lane) -> dict[str, Any]:
    return {"id": lane.pk} | _values(lane, [*LANE_FIELDS, "position", "version"])


def card_json(card: Card) -> dict[str, Any]:
    """A card as its own kind (pass the Touchpoint, not its bare Card row)."""
    return {"id": card.pk, "kind": card.kind} | _values(card, CARD_PLACEMENT + card_fields(type(card)))


def journey_summary_json(journey: Journey) -> dict[str, Any]:
    return {
        "id": journey.pk,
        "workspace": {"slug": journey.workspace.slug, "name": journey.workspace.name},
        **_values(journey, ["title", "persona", "kind", "status", "version", "revision"]),
    }


def journey_json(content: MapContent) -> dict[str, Any]:
    journey = content.journey
    return journey_summary_json(journey) | _values(journey, ["description", "observes", "last_reviewed_at"]) | {
        "stages": [stage_json(s) for s in content.stages],
        "lanes": [lane_json(lane) for lane in content.lanes],
        "cards": [card_json(card) for card in content.cards],
    }


def export_json(job: ExportJob) -> dict[str, Any]:
    done = job.status == ExportStatus.DONE and bool(job.artifact)
    return {
        "id": job.pk,
        "map": job.journey_id,
        **_values(job, ["format", "status", "progress", "error", "journey_revision"]),
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "download_url": reverse("api:export_download", args=[job.pk]) if done else None,
    }


# --- their schemas ---------------------------------------------------------------------

INTEGER = {"type": "integer"}


def object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def field_schemas(model: type[models.Model], names: list[str]) -> dict[str, Any]:
    return {name: model_field_schema(model._meta.get_field(name), request=False) for name in names}


STAGE_SCHEMA = object_schema({"id": INTEGER} | field_schemas(Stage, [*STAGE_FIELDS, "position", "version"]))
LANE_SCHEMA = object_schema({"id": INTEGER} | field_schemas(Lane, [*LANE_FIELDS, "position", "version"]))


def card_schema(kind: str) -> dict[str, Any]:
    model = card_model_for(kind)
    return object_schema({"id": INTEGER, "kind": {"type": "string", "const": kind}}
                   | field_schemas(model, CARD_PLACEMENT + card_fields(model)))


CARD_SCHEMAS = {kind: card_schema(kind) for kind in CARD_KINDS}

JOURNEY_SUMMARY_PROPERTIES = {
    "id": INTEGER,
    "workspace": object_schema({"slug": {"type": "string"}, "name": {"type": "string"}}),
    "title": {"type": "string"},
    "persona": {"type": "string"},
    "kind": {"type": "string", "enum": list(JourneyKind.values)},
    "status": {"type": "string", "enum": list(JourneyStatus.values)},
    "version": INTEGER,
    "revision": INTEGER | {"description": "Counts every change made anywhere on the map."},
}
JOURNEY_SUMMARY_SCHEMA = object_schema(JOURNEY_SUMMARY_PROPERTIES)

EXPORT_SCHEMA = object_schema({
    "id": INTEGER,
    "map": INTEGER,
    "format": {"type": "string"},
    "status": {"type": "string", "enum": list(ExportStatus.values)},
    "progress": INTEGER | {"minimum": 0, "maximum": 100},
    "error": {"type": "string", "description": "Why a failed export failed."},
    "journey_revision": INTEGER | {"description": "The map revision this export renders."},
    "created_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "download_url": {"type": ["string", "null"],
                     "description": "Where to fetch the file (with your token) once the export is done."},
})
