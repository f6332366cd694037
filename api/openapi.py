"""The OpenAPI 3.1 document of /api/, built from the schemas the views validate with
(`api.schema`) and the representations they send (`api.representations`)."""

from typing import Any

from interchange.formats import EXPORT_FORMATS
from maps.models import Journey

from .representations import (
    CARD_SCHEMAS,
    EXPORT_SCHEMA,
    JOURNEY_SUMMARY_PROPERTIES,
    JOURNEY_SUMMARY_SCHEMA,
    LANE_SCHEMA,
    STAGE_SCHEMA,
    field_schemas,
    object_schema,
)
from .schema import (
    CARD_KINDS,
    CARD_PATCH_MODELS,
    LANE_CREATE,
    LANE_PATCH,
    MAX_BODY_BYTES,
    STAGE_CREATE,
    STAGE_PATCH,
    body_schema,
    card_create_fields,
    card_patch_fields,
    export_create_fields,
)

ERROR_EXAMPLE = {"error": "Check the fields.", "fields": {"title": ["This field cannot be blank."]}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": _json(_ref("Error"))}


ERROR_RESPONSES = {
    "400": _error_response("The body is not valid JSON, or a field is wrong (see `fields`)."),
    "401": _error_response("No API token, or an unknown or revoked one.")
    | {"headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    "403": _error_response("Your role in the map's workspace (viewer) cannot change it."),
    "404": _error_response("Nothing with this id in your workspaces."),
    "413": _error_response(f"The body is larger than {MAX_BODY_BYTES} bytes."),
    "415": _error_response("The body is not application/json."),
}


def _responses(ok: str, ok_description: str, ok_schema: dict, *errors: str, conflict: str | None = None) -> dict:
    responses = {ok: {"description": ok_description, "content": _json(ok_schema)}}
    responses |= {code: {"$ref": f"#/components/responses/{code}"} for code in errors}
    if conflict:
        responses["409"] = {
            "description": "The version you sent is stale: `current` is the row as it is now (null if deleted).",
            "content": _json(_ref(f"{conflict}Conflict")),
        }
    return dict(sorted(responses.items()))


def _id_parameter(name: str, noun: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": f"The {noun}'s id.",
            "schema": {"type": "integer", "minimum": 0}}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": _json(schema)}


WRITE_ERRORS = ("400", "401", "403", "404", "413", "415")


def _create(noun: str, schema_name: str, request_schema: dict) -> dict[str, Any]:
    return {"post": {
        "operationId": f"{noun}_create",
        "summary": f"Add a {noun} to a map",
        "tags": [f"{noun}s"],
        "parameters": [_id_parameter("map_id", "map")],
        "requestBody": _body(request_schema),
        "responses": _responses("201", f"The new {noun}.", _ref(schema_name), *WRITE_ERRORS),
    }}


def _patch(noun: str, schema_name: str, request_schema: dict, summary: str) -> dict[str, Any]:
    return {"patch": {
        "operationId": f"{noun}_edit",
        "summary": summary,
        "tags": [f"{noun}s"],
        "parameters": [_id_parameter(f"{noun}_id", noun)],
        "requestBody": _body(request_schema),
        "responses": _responses("200", f"The {noun} as saved.", _ref(schema_name), *WRITE_ERRORS,
                                conflict=schema_name),
    }}


def _components() -> dict[str, Any]:
    fields = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
              "description": "Messages per field name; empty when the error is not about one field."}
    card_kind_names = {kind: f"Card_{kind}" for kind in CARD_KINDS}
    schemas: dict[str, Any] = {
        "Error": object_schema({"error": {"type": "string"}, "fields": fields}),
        "MapSummary": JOURNEY_SUMMARY_SCHEMA,
        "MapList": object_schema({"maps": {"type": "array", "items": _ref("MapSummary")}}),
        "Map": object_schema(JOURNEY_SUMMARY_PROPERTIES | field_schemas(Journey, ["description", "observes",
                                                                              "last_reviewed_at"]) | {
            "stages": {"type": "array", "items": _ref("Stage")},
            "lanes": {"type": "array", "items": _ref("Lane")},
            "cards": {"type": "array", "items": _ref("Card")},
        }),
        "Stage": STAGE_SCHEMA,
        "Lane": LANE_SCHEMA,
        "Card": {"oneOf": [_ref(name) for name in card_kind_names.values()],
                 "discriminator": {"propertyName": "kind",
                                   "mapping": {k: _ref(n)["$ref"] for k, n in card_kind_names.items()}}},
        "StageCreate": body_schema(STAGE_CREATE),
        "StagePatch": body_schema(STAGE_PATCH),
        "LaneCreate": body_schema(LANE_CREATE),
        "LanePatch": body_schema(LANE_PATCH),
        "CardCreate": {"oneOf": [_ref(f"CardCreate_{kind}") for kind in CARD_KINDS],
                       "discriminator": {"propertyName": "kind",
                                         "mapping": {k: _ref(f"CardCreate_{k}")["$ref"] for k in CARD_KINDS}}},
        "Export": EXPORT_SCHEMA,
        "ExportCreate": body_schema(export_create_fields()),
        "CardPatch": {"anyOf": [_ref(f"CardPatch_{name}") for name in CARD_PATCH_MODELS],
                      "description": "The fields of the card's own kind; `version` is always required."},
    }
    schemas |= {name: CARD_SCHEMAS[kind] for kind, name in card_kind_names.items()}
    schemas |= {f"CardCreate_{kind}": body_schema(card_create_fields(kind)) for kind in CARD_KINDS}
    schemas |= {f"CardPatch_{name}": body_schema(card_patch_fields(model)) for name, model in CARD_PATCH_MODELS.items()}
    schemas |= {f"{name}Conflict": object_schema({"error": {"type": "string"}, "fields": fields,
                                            "current": {"oneOf": [_ref(name), {"type": "null"}]}})
                for name in ("Stage", "Lane", "Card")}
    return {
        "schemas": dict(sorted(schemas.items())),
        "responses": ERROR_RESPONSES,
        "securitySchemes": {"bearerAuth": {
            "type": "http", "scheme": "bearer",
            "description": "A personal API token, created on the “API tokens” page; it acts as you.",
        }},
    }


def _download_content() -> dict[str, Any]:
    types = sorted({f.content_type for f in EXPORT_FORMATS.values()} | {"application/octet-stream"})
    return {content_type: {} for content_type in types}  # a file of that type, whatever it holds


def openapi_document() -> dict[str, Any]:
    """Built when asked (a few milliseconds): the export formats are those registered by then."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Journeymap API",
            "version": "1",
            "description": (
                "Read maps and change their stages, lanes and cards with the same rules as the board. "
                "Every editable row has a `version`: send the one you read; a stale one answers 409 with "
                "the current row. Every error is JSON: {\"error\": ..., \"fields\": {...}}."
            ),
        },
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/openapi.json": {"get": {
                "operationId": "openapi_document", "summary": "This document", "tags": ["meta"], "security": [],
                "responses": {"200": {"description": "The OpenAPI document.", "content": _json({"type": "object"})}},
            }},
            "/api/maps/": {"get": {
                "operationId": "map_list", "summary": "The maps of your workspaces", "tags": ["maps"],
                "responses": _responses("200", "Your maps.", _ref("MapList"), "401"),
            }},
            "/api/maps/{map_id}/": {"get": {
                "operationId": "map_detail", "summary": "A map with its stages, lanes and cards", "tags": ["maps"],
                "parameters": [_id_parameter("map_id", "map")],
                "responses": _responses("200", "The map.", _ref("Map"), "401", "404"),
            }},
            "/api/maps/{map_id}/stages/": _create("stage", "Stage", _ref("StageCreate")),
            "/api/maps/{map_id}/lanes/": _create("lane", "Lane", _ref("LaneCreate")),
            "/api/maps/{map_id}/cards/": _create("card", "Card", _ref("CardCreate")),
            "/api/stages/{stage_id}/": _patch("stage", "Stage", _ref("StagePatch"),
                                              "Edit a stage and/or move it (position)"),
            "/api/lanes/{lane_id}/": _patch("lane", "Lane", _ref("LanePatch"),
                                            "Edit a lane and/or move it (position)"),
            "/api/cards/{card_id}/": _patch("card", "Card", _ref("CardPatch"),
                                            "Edit a card and/or move it (stage, lane, position)"),
            "/api/maps/{map_id}/exports/": {"post": {
                "operationId": "export_create", "summary": "Export a map's current revision", "tags": ["exports"],
                "description": "Rendered in the background: poll the export until its status is done or failed. "
                               "Asking again for the same revision and format gives the same export.",
                "parameters": [_id_parameter("map_id", "map")],
                "requestBody": _body(_ref("ExportCreate")),
                "responses": _responses("202", "The export, queued or already made.", _ref("Export"),
                                        "400", "401", "404", "413", "415"),
            }},
            "/api/exports/{export_id}/": {"get": {
                "operationId": "export_detail", "summary": "An export's status and progress", "tags": ["exports"],
                "parameters": [_id_parameter("export_id", "export")],
                "responses": _responses("200", "The export.", _ref("Export"), "401", "404"),
            }},
            "/api/exports/{export_id}/download/": {"get": {
                "operationId": "export_download", "summary": "A finished export's file", "tags": ["exports"],
                "parameters": [_id_parameter("export_id", "export")],
                "responses": {
                    "200": {"description": "The file, as an attachment.", "content": _download_content()},
                    "401": {"$ref": "#/components/responses/401"},
                    "404": _error_response("No such export in your workspaces, or it has no file yet."),
                },
            }},
        },
        "components": _components(),
    }

