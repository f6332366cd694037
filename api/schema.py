"""What the API accepts and returns, described once.

Each request body is a list of `Field`s whose JSON Schema is derived from the model
field it sets; `payload_validate` checks a body against exactly those schemas, and
`api.openapi` publishes the same schemas, so the document and the checks cannot drift
apart. Model rules beyond the schema (a team of another workspace, a stale version)
are the services' business.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from interchange.formats import EXPORT_FORMATS
from maps.models import CARD_MODELS, Card, Lane, LaneKind, Stage, card_model_for
from maps.services import LANE_FIELDS, STAGE_FIELDS, card_fields

MAX_BODY_BYTES = 64 * 1024  # far above any real edit: a card's text fields top out near 8 kB
ID_MAX = BaseDatabaseOperations.integer_field_ranges["BigAutoField"][1]
INT_MAX = BaseDatabaseOperations.integer_field_ranges["PositiveIntegerField"][1]
# PostgreSQL text cannot hold NUL, so it is refused at the door rather than failing in the database.
NO_NUL = "^[^\\u0000]*$"

ID = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
VERSION = {"type": "integer", "minimum": 1, "maximum": INT_MAX,
           "description": "The version you read. A stale one is refused with 409 and the current row."}
POSITION = {"type": "integer", "minimum": 0, "maximum": INT_MAX,
            "description": "0-based; a position past the end means the end."}


@dataclass(frozen=True)
class Field:
    name: str
    schema: dict[str, Any]
    required: bool = False


# --- schemas derived from model fields ------------------------------------------


def _bounds(field: models.Field) -> dict[str, Any]:
    low, high = BaseDatabaseOperations.integer_field_ranges.get(field.get_internal_type(), (None, None))
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return {key: value for key, value in (("minimum", low), ("maximum", high)) if value is not None}


def model_field_schema(field: models.Field, *, request: bool = True) -> dict[str, Any]:
    """The JSON Schema of a model field's value. Request schemas carry the limits a save
    checks; response schemas only the shape, since stored rows may predate a limit."""
    if field.is_relation:
        schema = dict(ID) if request else {"type": "integer"}
    elif field.choices:
        schema = {"type": "string", "enum": [value for value, _label in field.choices]}
    elif isinstance(field, models.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, models.DecimalField):
        schema = {"type": "number"} | (_bounds(field) if request else {})
    elif isinstance(field, models.IntegerField):
        schema = {"type": "integer"} | (_bounds(field) if request else {})
    elif isinstance(field, models.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(field, (models.CharField, models.TextField)):
        schema = {"type": "string"}
        if request:
            schema |= {"maxLength": field.max_length, "pattern": NO_NUL}
            if not field.blank:
                schema["minLength"] = 1
    else:
        raise TypeError(f"No JSON schema for {field!r}")  # a new kind of field needs a line here
    if field.null:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    description = str(field.help_text or "")
    return schema | ({"description": description} if description and request else {})


def model_fields(model: type[models.Model], names: list[str], *, required: frozenset[str] = frozenset()) -> list[Field]:
    return [Field(name, model_field_schema(model._meta.get_field(name)), name in required) for name in names]


# --- request bodies ------------------------------------------------------------------


STAGE_CREATE = model_fields(Stage, STAGE_FIELDS, required=frozenset({"name"}))
STAGE_PATCH = [Field("version", VERSION, True), Field("position", POSITION), *model_fields(Stage, STAGE_FIELDS)]
LANE_CREATE = model_fields(Lane, LANE_FIELDS, required=frozenset({"name"}))
LANE_PATCH = [Field("version", VERSION, True), Field("position", POSITION), *model_fields(Lane, LANE_FIELDS)]


def card_create_fields(kind: str) -> list[Field]:
    model = card_model_for(kind)
    return [
        Field("kind", {"type": "string", "const": kind}, True),
        Field("stage", ID | {"description": "The stage (column) of the cell."}, True),
        Field("lane", ID | {"description": f"The lane (row) of the cell: a lane of kind {kind}."}, True),
        *model_fields(model, card_fields(model), required=frozenset({"title"})),
    ]


def card_patch_fields(model: type[Card]) -> list[Field]:
    return [
        Field("version", VERSION, True),
        Field("stage", ID | {"description": "Move to this stage."}),
        Field("lane", ID | {"description": "Move to this lane (of the card's kind)."}),
        Field("position", POSITION),
        *model_fields(model, card_fields(model)),
    ]


def export_create_fields() -> list[Field]:
    """Read when asked: apps register their formats as they load."""
    names = sorted(EXPORT_FORMATS)
    format_schema = {"type": "string", "enum": names} if names else {"type": "string", "minLength": 1}
    return [Field("format", format_schema | {"description": "What to render the map's current revision to."}, True)]


CARD_KINDS = list(LaneKind.values)
# The card models a PATCH may address, by the name their schemas take; plain kinds share `Card`.
CARD_PATCH_MODELS = {"Card": Card} | {model.__name__: model for model in CARD_MODELS.values()}
# Fields that name another row by id; the view resolves them inside the map's workspace.
TEAM_FIELDS = ("owner_team", "from_team", "to_team")
STAGE_REFERENCE_FIELDS = ("to_stage",)


def body_schema(fields: list[Field]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: f.schema for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


# --- checking a body against its fields ------------------------------------------------


def _type_matches(value: Any, type_name: str) -> bool:
    if type_name == "null":
        return value is None
    if type_name == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if type_name == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if type_name == "number":
        return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    return isinstance(value, str)  # "string"


def _value_problem(value: Any, schema: dict[str, Any]) -> str | None:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not any(_type_matches(value, t) for t in types):
        return f"Expected {' or '.join(types)}."
    if value is None:
        return None
    if "const" in schema and value != schema["const"]:
        return f"Must be “{schema['const']}”."
    if "enum" in schema and value not in schema["enum"]:
        return "Must be one of: " + ", ".join(str(v) for v in schema["enum"] if v is not None) + "."
    if isinstance(value, str):
        if "\x00" in value:
            return "Text cannot contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text must be valid Unicode."
        if len(value) < schema.get("minLength", 0):
            return "This field cannot be blank."
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return f"At most {schema['maxLength']} characters."
    elif isinstance(value, (int, float)):
        if "minimum" in schema and value < schema["minimum"]:
            return f"At least {schema['minimum']}."
        if "maximum" in schema and value > schema["maximum"]:
            return f"At most {schema['maximum']}."
    return None


def _python_value(value: Any, schema: dict[str, Any]) -> Any:
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if value is None or isinstance(value, bool):
        return value
    if "integer" in types:
        return int(value)
    if "number" in types:
        return Decimal(str(value))  # decimal fields: str() keeps 12.5 as 12.5, not its binary neighbour
    return value


def payload_validate(body: Any, fields: list[Field]) -> dict[str, Any]:
    """The body's values as Python values, or a ValidationError naming each bad field."""
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    known = {f.name: f for f in fields}
    errors: dict[str, list[str]] = {name: ["Unknown field."] for name in body if name not in known}
    for f in fields:
        if f.name not in body:
            if f.required:
                errors[f.name] = ["This field is required."]
            continue
        problem = _value_problem(body[f.name], f.schema)
        if problem:
            errors[f.name] = [problem]
    if errors:
        raise ValidationError(errors)
    return {name: _python_value(value, known[name].schema) for name, value in body.items()}
