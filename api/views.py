"""The JSON API: views parse a request, call one service and answer JSON.

Authentication is by `Authorization: Bearer <token>` only. The session cookie is never
read here (`api_endpoint` passes the token's user to the view; nothing looks at
`request.user`), so a page on another site cannot ride a signed-in browser's cookie:
that is why these views can be exempt from CSRF.
"""

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.http import FileResponse, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from core.errors import ApplicationError, Conflict, NotAuthenticated, NotFound
from interchange.formats import EXPORT_FORMATS
from maps import selectors as map_selectors
from maps import services as map_services
from maps.models import Journey
from reports import selectors as report_selectors
from reports import services as report_services

from . import selectors, services
from .openapi import openapi_document
from .representations import card_json, export_json, journey_json, journey_summary_json, lane_json, stage_json
from .schema import (
    CARD_KINDS,
    LANE_CREATE,
    LANE_PATCH,
    MAX_BODY_BYTES,
    STAGE_CREATE,
    STAGE_PATCH,
    STAGE_REFERENCE_FIELDS,
    TEAM_FIELDS,
    card_create_fields,
    card_patch_fields,
    export_create_fields,
    payload_validate,
)

JSON_TYPES = {"application/json"}
PLACEMENT = ("stage", "lane", "position")


def error_response(status: int, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> JsonResponse:
    response = JsonResponse({"error": message, "fields": fields or {}} | extra, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="journeymap"'
    return response


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {("non_field_errors" if name == NON_FIELD_ERRORS else name): list(messages)
                for name, messages in error.message_dict.items()}
    return {}


def _authenticate(request: HttpRequest):
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated("Send an API token: Authorization: Bearer <token>.")
    return services.api_token_authenticate(secret=secret.strip())


def _json_body(request: HttpRequest) -> Any:
    if request.content_type not in JSON_TYPES:
        raise _HttpError(415, "Send the body as application/json.")
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        raise _HttpError(400, "The Content-Length header is not a number.") from None
    if declared > MAX_BODY_BYTES:
        raise _HttpError(413, f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        raw = request.body
    except RequestDataTooBig:
        raise _HttpError(413, f"The body is larger than {MAX_BODY_BYTES} bytes.") from None
    if len(raw) > MAX_BODY_BYTES:
        raise _HttpError(413, f"The body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        return json.loads(raw.decode(request.encoding or "utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, LookupError, ValueError, RecursionError):
        raise _HttpError(400, "The body is not valid JSON.") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


class _HttpError(Exception):
    """A request the API refuses before any service sees it (wrong media type, too big...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def api_endpoint(*methods: str, public: bool = False) -> Callable:
    """Answers JSON for every outcome: the view's own, or an error body {"error", "fields"}.

    The view gets the token's user and the parsed body (None for GET).
    """

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @wraps(view)
        def endpoint(request: HttpRequest, **kwargs: Any) -> JsonResponse:
            if request.method not in methods:
                response = error_response(405, f"Use {' or '.join(methods)} here.")
                response["Allow"] = ", ".join(methods)
                return response
            try:
                user = None if public else _authenticate(request)
                body = _json_body(request) if request.method in ("POST", "PATCH") else None
                return view(request, user=user, body=body, **kwargs)
            except _HttpError as error:
                return error_response(error.status, error.message)
            except ApplicationError as error:
                return error_response(error.status_code, error.message)
            except ValidationError as error:
                fields = _field_errors(error)
                message = "Check the fields." if fields else "; ".join(error.messages)
                return error_response(400, message, fields)

        endpoint.api_methods = methods
        return endpoint

    return decorate


def _conflict_response(error: Conflict, current: dict | None) -> JsonResponse:
    """409 with the row as it is now (None when it was deleted meanwhile), to merge with and retry."""
    return error_response(409, error.message, current=current)


def _resolve_references(data: dict[str, Any], journey: Journey) -> dict[str, Any]:
    """Ids of teams and stages as rows of this map's workspace and map; anything else is a field error."""
    errors = {}
    for name in TEAM_FIELDS:
        if data.get(name) is not None:
            data[name] = selectors.team_get(workspace_id=journey.workspace_id, pk=data[name])
            if data[name] is None:
                errors[name] = ["No such team in this workspace."]
    for name in STAGE_REFERENCE_FIELDS:
        if data.get(name) is not None:
            data[name] = selectors.stage_of_journey(journey=journey, pk=data[name])
            if data[name] is None:
                errors[name] = ["No such stage on this map."]
    if errors:
        raise ValidationError(errors)
    return data


# --- the document ----------------------------------------------------------------------


@api_endpoint("GET", public=True)
def openapi(request: HttpRequest, *, user, body) -> JsonResponse:
    return JsonResponse(openapi_document())


@csrf_exempt  # like every /api/ path: no session, so nothing to forge
def not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Any other path under /api/ answers JSON too."""
    return error_response(404, "No such API endpoint. See /api/openapi.json.")


# --- maps ---------------------------------------------------------------------------


@api_endpoint("GET")
def map_list(request: HttpRequest, *, user, body) -> JsonResponse:
    return JsonResponse({"maps": [journey_summary_json(j) for j in map_selectors.journey_list(user=user)]})


@api_endpoint("GET")
def map_detail(request: HttpRequest, *, user, body, map_id: int) -> JsonResponse:
    journey = map_selectors.journey_get(user=user, pk=map_id)
    return JsonResponse(journey_json(selectors.map_content_get(journey=journey)))


# --- stages and lanes -------------------------------------------------------------------


@api_endpoint("POST")
def stage_create(request: HttpRequest, *, user, body, map_id: int) -> JsonResponse:
    journey = map_selectors.journey_get(user=user, pk=map_id)
    data = payload_validate(body, STAGE_CREATE)
    return JsonResponse(stage_json(map_services.stage_create(actor=user, journey=journey, data=data)), status=201)


@api_endpoint("PATCH")
def stage_edit(request: HttpRequest, *, user, body, stage_id: int) -> JsonResponse:
    stage = selectors.stage_get(user=user, pk=stage_id)
    data = payload_validate(body, STAGE_PATCH)
    version, position = data.pop("version"), data.pop("position", None)
    try:
        stage = services.stage_edit(actor=user, stage=stage, version=version, data=data, position=position)
    except Conflict as error:
        return _conflict_response(error, stage_json(error.current) if error.current else None)
    return JsonResponse(stage_json(stage))


@api_endpoint("POST")
def lane_create(request: HttpRequest, *, user, body, map_id: int) -> JsonResponse:
    journey = map_selectors.journey_get(user=user, pk=map_id)
    data = payload_validate(body, LANE_CREATE)
    return JsonResponse(lane_json(map_services.lane_create(actor=user, journey=journey, data=data)), status=201)


@api_endpoint("PATCH")
def lane_edit(request: HttpRequest, *, user, body, lane_id: int) -> JsonResponse:
    lane = selectors.lane_get(user=user, pk=lane_id)
    data = payload_validate(body, LANE_PATCH)
    version, position = data.pop("version"), data.pop("position", None)
    try:
        lane = services.lane_edit(actor=user, lane=lane, version=version, data=data, position=position)
    except Conflict as error:
        return _conflict_response(error, lane_json(error.current) if error.current else None)
    return JsonResponse(lane_json(lane))


# --- cards ------------------------------------------------------------------------------


@api_endpoint("POST")
def card_create(request: HttpRequest, *, user, body, map_id: int) -> JsonResponse:
    journey = map_selectors.journey_get(user=user, pk=map_id)
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    kind = body.get("kind")
    if kind not in CARD_KINDS:
        raise ValidationError({"kind": ["Say which kind of card: one of " + ", ".join(CARD_KINDS) + "."]})
    data = _resolve_references(payload_validate(body, card_create_fields(kind)), journey)
    kind, stage_id, lane_id = data.pop("kind"), data.pop("stage"), data.pop("lane")
    card = services.card_create(actor=user, journey=journey, stage_id=stage_id, lane_id=lane_id, kind=kind, data=data)
    return JsonResponse(card_json(map_selectors.card_get(journey=journey, pk=card.pk)), status=201)


@api_endpoint("PATCH")
def card_edit(request: HttpRequest, *, user, body, card_id: int) -> JsonResponse:
    card = selectors.card_get(user=user, pk=card_id)
    journey = card.journey
    data = _resolve_references(payload_validate(body, card_patch_fields(type(card))), journey)
    version = data.pop("version")
    placement = {name: data.pop(name) for name in PLACEMENT if name in data}
    try:
        services.card_edit(actor=user, card=card, version=version, data=data, stage_id=placement.get("stage"),
                           lane_id=placement.get("lane"), position=placement.get("position"))
    except Conflict as error:
        return _conflict_response(error, _card_now(journey, card_id))
    return JsonResponse(card_json(map_selectors.card_get(journey=journey, pk=card_id)))


def _card_now(journey: Journey, card_id: int) -> dict | None:
    try:
        return card_json(map_selectors.card_get(journey=journey, pk=card_id))
    except NotFound:
        return None



# --- exports --------------------------------------------------------------------------------


@api_endpoint("POST")
def export_create(request: HttpRequest, *, user, body, map_id: int) -> JsonResponse:
    """Starts rendering the map's current revision (or finds the export already made of it)."""
    journey = map_selectors.journey_get(user=user, pk=map_id)
    data = payload_validate(body, export_create_fields())
    job = report_services.export_job_request(actor=user, journey_id=journey.pk, format=data["format"])
    return JsonResponse(export_json(job), status=202)


@api_endpoint("GET")
def export_detail(request: HttpRequest, *, user, body, export_id: int) -> JsonResponse:
    return JsonResponse(export_json(report_selectors.export_job_get(user=user, pk=export_id)))


@api_endpoint("GET")
def export_download(request: HttpRequest, *, user, body, export_id: int) -> FileResponse:
    job = report_selectors.export_artifact_get(user=user, pk=export_id)
    export_format = EXPORT_FORMATS.get(job.format)
    return FileResponse(
        job.artifact.open("rb"), as_attachment=True, filename=job.filename,
        content_type=export_format.content_type if export_format else "application/octet-stream",
    )
