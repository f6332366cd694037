"""Importing a map: one atomic service that builds a new map from a native document.

Every format (the native JSON, OpenJourney) is turned into a native document first,
so there is one place that checks a file and writes a map. A bad file raises an
ApplicationError that says what is wrong and where, and nothing is written.
"""

import datetime
import decimal
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from compliance.models import Checkpoint, CheckpointTransition, FailureMode, SafetyLoop, TouchpointAccess
from compliance.services import FAILURE_MODE_FIELDS, SAFETY_LOOP_FIELDS
from core.errors import ApplicationError
from diagnostics.models import StageMetric
from maps.models import (
    Card,
    Change,
    ChangeAction,
    Journey,
    Lane,
    LaneKind,
    Opportunity,
    Stage,
    Touchpoint,
    Transition,
    card_model_for,
)
from maps.services import LANE_FIELDS, STAGE_FIELDS, card_fields
from stakeholders.models import Intersection, Stakeholder, Step, Track
from stakeholders.services import INTERSECTION_FIELDS, STAKEHOLDER_FIELDS, STEP_FIELDS, TRACK_FIELDS
from workspaces.models import Role, Team, Workspace
from workspaces.selectors import role_require
from workspaces.services import workspace_history_record

from .native import (
    CHECKPOINT_FIELDS,
    JOURNEY_FIELDS,
    SCHEMA,
    SCHEMA_VERSION,
    STAGE_METRIC_FIELDS,
    TOUCHPOINT_ACCESS_FIELDS,
    render_backup,
)
from .ojf import ojf_origin_record, ojf_to_document
from .parsing import json_load


@dataclass
class ImportResult:
    journey: Journey
    counts: dict[str, int]
    report: list[str] = field(default_factory=list)  # what the source format had that the map has no place for
    # The document's local ids of stages, lanes and cards, each with the new row's primary key.
    ids: dict[str, dict[str, int]] = field(default_factory=dict)


class _Reader:
    """Reads the document's parts into model instances, naming the part in every error."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.refs: dict[type, dict[str, models.Model]] = {Stage: {}, Lane: {}, Card: {}, Touchpoint: {},
                                                           Transition: {}, Stakeholder: {}, Step: {}}
        self.teams = {t.name.casefold(): t for t in Team.objects.filter(workspace=workspace)}
        self.new_teams: list[str] = []

    def team(self, name: str, where: str) -> Team:
        team = self.teams.get(name.casefold())
        if team is None:
            team = Team(workspace=self.workspace, name=name, position=len(self.teams))
            self.save(team, where, exclude=["workspace"])
            self.teams[name.casefold()] = team
            self.new_teams.append(name)
        return team

    def value(self, model: type[models.Model], name: str, raw: Any, where: str) -> Any:
        model_field = model._meta.get_field(name)
        if raw is None:
            if model_field.null:
                return None
            raise ApplicationError(f"{where}: “{name}” cannot be empty.")
        if model_field.is_relation:
            if not isinstance(raw, str):
                raise ApplicationError(f"{where}: “{name}” must be a name or an id in quotes, not {raw!r}.")
            if model_field.related_model is Team:
                return self.team(raw, where)
            return self.ref(model_field.related_model, raw, name, where)
        if isinstance(model_field, models.BooleanField):
            expected, ok = "true or false", isinstance(raw, bool)
        elif isinstance(model_field, models.IntegerField):
            expected, ok = "a whole number", isinstance(raw, int) and not isinstance(raw, bool)
        elif isinstance(model_field, models.DecimalField):
            expected, ok = "a number", False
            if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
                try:
                    return decimal.Decimal(str(raw))
                except decimal.InvalidOperation:
                    pass
        elif isinstance(model_field, models.DateField):
            expected, ok = "a date like 2026-03-31", False
            if isinstance(raw, str):
                try:
                    return datetime.date.fromisoformat(raw)
                except ValueError:
                    pass
        else:
            expected, ok = "text", isinstance(raw, str)
        if not ok:
            raise ApplicationError(f"{where}: “{name}” must be {expected}, not {raw!r}.")
        return raw

    def ref(self, model: type, local_id: Any, name: str, where: str) -> models.Model:
        found = self.refs[model].get(local_id) if isinstance(local_id, str) else None
        if found is None:
            raise ApplicationError(f"{where}: “{name}” refers to “{local_id}”, which is not in the file.")
        return found

    def fill(self, obj: models.Model, item: dict, fields: list[str], where: str) -> None:
        for name in fields:
            if name in item:
                setattr(obj, name, self.value(type(obj), name, item[name], where))

    def remember(self, model: type, item: dict, obj: models.Model, where: str) -> None:
        local_id = item.get("id")
        if not isinstance(local_id, str) or not local_id:
            raise ApplicationError(f"{where}: needs an “id” (text) that other parts of the file can refer to.")
        if local_id in self.refs[model]:
            raise ApplicationError(f"{where}: the id “{local_id}” is used twice.")
        self.refs[model][local_id] = obj

    @staticmethod
    def check(obj: models.Model, where: str, exclude: list[str] | None = None) -> None:
        # Related rows were just created or found in this workspace, so checking that they exist would
        # only cost a query each; each model's clean() still checks that they belong to this map.
        try:
            obj.full_clean(exclude=exclude)
        except ValidationError as error:
            messages = "; ".join(f"{name}: {' '.join(texts)}" if name != "__all__" else " ".join(texts)
                                 for name, texts in error.message_dict.items())
            raise ApplicationError(f"{where}: {messages}") from None

    def save(self, obj: models.Model, where: str, exclude: list[str] | None = None) -> None:
        self.check(obj, where, exclude)
        try:
            obj.save()
        except IntegrityError:
            raise ApplicationError(f"{where}: it clashes with another part of the file (is it there twice?).") from None


def _cards_insert(cards: list[Card]) -> None:
    """Writes checked cards of every kind in a few queries: all Card rows in one, then each kind's own rows in
    one. (Django's bulk_create refuses multi-table models; the kind tables get the insert it would use.)"""
    base_fields = [f.attname for f in Card._meta.concrete_fields if not f.primary_key]
    rows = Card.objects.bulk_create([Card(**{name: getattr(card, name) for name in base_fields}) for card in cards])
    by_model: dict[type[Card], list[Card]] = defaultdict(list)
    for card, row in zip(cards, rows, strict=True):
        card.id, card.created_at, card.updated_at = row.id, row.created_at, row.updated_at
        card._state.adding = False
        if type(card) is not Card:
            card.card_ptr_id = row.id
            by_model[type(card)].append(card)
    for model, kind_cards in by_model.items():
        model._base_manager._insert(kind_cards, fields=model._meta.local_concrete_fields)


def _items(document: dict, key: str, *, required: bool = False) -> list[dict]:
    items = document.get(key)
    if items is None and not required:
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApplicationError(f"“{key}” must be a list of objects.")
    if required and not items:
        raise ApplicationError(f"A map needs at least one entry in “{key}”.")
    return items


def _label(noun: str, item: dict) -> str:
    name = item.get("title") or item.get("name") or item.get("role") or ""
    return f"{noun} “{item.get('id', '?')}”" + (f" ({name})" if isinstance(name, str) and name else "")


def document_check(document: Any) -> dict:
    """The document itself, if it is a map of a schema version this code reads."""
    if not isinstance(document, dict):
        raise ApplicationError("The file is JSON but not a map: expected an object at the top.")
    if "schema_version" not in document:
        raise ApplicationError("The file has no “schema_version”: it is not a Journeymap map export.")
    version = document["schema_version"]
    if document.get("schema") != SCHEMA or version != SCHEMA_VERSION:
        raise ApplicationError(f"The file's schema version is {version!r}; this Journeymap reads version "
                               f"{SCHEMA_VERSION} of “{SCHEMA}”.")
    if not isinstance(document.get("journey"), dict):
        raise ApplicationError("“journey” must be an object with the map's title.")
    return document


@transaction.atomic
def journey_import(*, actor: AbstractBaseUser, workspace: Workspace, document: Any,
                   report: list[str] | None = None) -> ImportResult:
    """A new map in `workspace` from a native document, with fresh ids; the importer is its author.

    `report` carries what a converted format had that the map has no place for (see `ojf`)."""
    role_require(user=actor, workspace_id=workspace.pk)
    document = document_check(document)
    reader = _Reader(workspace)
    fk = ["journey", "stage", "lane", "owner_team", "to_stage", "from_team", "to_team", "track", "touchpoint", "step",
          "stakeholder", "workspace", "reviewer", "updated_by"]

    journey = Journey(workspace=workspace, created_by=actor, revision=1)
    reader.fill(journey, document["journey"], JOURNEY_FIELDS, "journey")
    reader.save(journey, "journey", exclude=["workspace", "created_by"])

    for position, item in enumerate(_items(document, "stages", required=True)):
        stage = Stage(journey=journey, position=position)
        reader.fill(stage, item, STAGE_FIELDS, _label("stage", item))
        reader.save(stage, _label("stage", item), exclude=fk)
        reader.remember(Stage, item, stage, _label("stage", item))
    for position, item in enumerate(_items(document, "lanes", required=True)):
        lane = Lane(journey=journey, position=position)
        reader.fill(lane, item, LANE_FIELDS, _label("lane", item))
        reader.save(lane, _label("lane", item), exclude=fk)
        reader.remember(Lane, item, lane, _label("lane", item))

    cell_sizes: dict[tuple[int, int], int] = {}
    cards: list[Card] = []
    handoffs: list[tuple[Opportunity, Any, str]] = []
    for item in _items(document, "cards"):
        where = _label("card", item)
        stage = reader.value(Card, "stage", item.get("stage"), where)
        lane = reader.value(Card, "lane", item.get("lane"), where)
        if item.get("kind", lane.kind) != lane.kind:
            raise ApplicationError(f"{where}: a {item['kind']!r} card cannot sit in the {lane.kind!r} lane "
                                   f"“{lane.name}”.")
        model = card_model_for(lane.kind)
        position = cell_sizes.get((stage.pk, lane.pk), 0)
        cell_sizes[(stage.pk, lane.pk)] = position + 1
        card = model(journey=journey, stage=stage, lane=lane, kind=lane.kind, position=position)
        # A fix may name a handoff further down the file, so handoffs are linked once every card exists.
        reader.fill(card, item, [name for name in card_fields(model) if name != "handoff"], where)
        reader.check(card, where, exclude=fk + ["handoff"])
        reader.remember(Card, item, card, where)
        if lane.kind == LaneKind.TOUCHPOINTS:
            reader.refs[Touchpoint][item["id"]] = card
        if lane.kind == LaneKind.HANDOFFS:
            reader.refs[Transition][item["id"]] = card
        if model is Opportunity and item.get("handoff") is not None:
            handoffs.append((card, item["handoff"], where))
        cards.append(card)
    _cards_insert(cards)
    for fix, handoff, where in handoffs:
        fix.handoff = reader.value(Opportunity, "handoff", handoff, where)
        Opportunity.objects.filter(pk=fix.pk).update(handoff=fix.handoff)

    for item in _items(document, "stakeholders"):
        where = _label("stakeholder", item)
        role = item.get("role")
        if not isinstance(role, str) or not role.strip():
            raise ApplicationError(f"{where}: “role” must be text.")
        stakeholder = Stakeholder.objects.filter(workspace=workspace, role__iexact=role.strip()).first()
        if stakeholder is None:
            stakeholder = Stakeholder(workspace=workspace,
                                      position=Stakeholder.objects.filter(workspace=workspace).count())
            reader.fill(stakeholder, item, STAKEHOLDER_FIELDS, where)
            reader.save(stakeholder, where, exclude=fk)
        reader.remember(Stakeholder, item, stakeholder, where)

    for position, item in enumerate(_items(document, "tracks")):
        where = _label("track", item)
        track = Track(journey=journey, position=position)
        reader.fill(track, item, TRACK_FIELDS, where)
        if track.stakeholder_id is None:
            raise ApplicationError(f"{where}: a sub-map needs a “stakeholder”.")
        reader.save(track, where, exclude=["journey"])  # the stakeholder is checked: one sub-map of a kind each
        positions: dict[int, int] = {}
        for step_item in _items(item, "steps"):
            step_where = f"{where}, {_label('step', step_item)}"
            step = Step(track=track)
            reader.fill(step, step_item, STEP_FIELDS, step_where)
            if step.stage_id is None:
                raise ApplicationError(f"{step_where}: a step needs a “stage”.")
            step.position = positions.get(step.stage_id, 0)
            positions[step.stage_id] = step.position + 1
            reader.save(step, step_where, exclude=fk)
            reader.remember(Step, step_item, step, step_where)

    for item in _items(document, "intersections"):
        where = _label("intersection", item)
        intersection = Intersection(journey=journey)
        reader.fill(intersection, item, INTERSECTION_FIELDS, where)
        raw_steps = item.get("steps", [])
        if not isinstance(raw_steps, list):
            raise ApplicationError(f"{where}: “steps” must be a list of step ids.")
        steps = [reader.ref(Step, raw, "steps", where) for raw in raw_steps]
        reader.save(intersection, where, exclude=fk)
        intersection.steps.set(steps)

    for item in _items(document, "checkpoints"):
        where = _label("checkpoint", item)
        checkpoint = Checkpoint(journey=journey, workspace=workspace)
        reader.fill(checkpoint, item, CHECKPOINT_FIELDS, where)
        if item.get("reviewed") is True:
            checkpoint.reviewer = actor  # people are not carried: the importer stands in for the reviewer
        if [checkpoint.stage_id, checkpoint.touchpoint_id, checkpoint.step_id].count(None) != 2:
            raise ApplicationError(f"{where}: attach it to exactly one “stage”, “touchpoint” or “step”.")
        reader.save(checkpoint, where, exclude=fk)
        CheckpointTransition.objects.create(checkpoint=checkpoint, from_status="", to_status=checkpoint.status,
                                            actor=actor, note="Imported")

    for item in _items(document, "failure_modes"):
        failure_mode = FailureMode(journey=journey)
        reader.fill(failure_mode, item, FAILURE_MODE_FIELDS, _label("failure mode", item))
        reader.save(failure_mode, _label("failure mode", item), exclude=fk)

    for item in _items(document, "touchpoint_access"):
        where = _label("touchpoint access", item)
        access = TouchpointAccess(journey=journey)
        reader.fill(access, item, TOUCHPOINT_ACCESS_FIELDS, where)
        if access.touchpoint_id is None:
            raise ApplicationError(f"{where}: needs the “touchpoint” it describes.")
        reader.save(access, where, exclude=fk)

    safety_loop = document.get("safety_loop")
    if safety_loop is not None:
        if not isinstance(safety_loop, dict):
            raise ApplicationError("“safety_loop” must be an object or null.")
        loop = SafetyLoop(journey=journey)
        reader.fill(loop, safety_loop, SAFETY_LOOP_FIELDS, "safety loop")
        reader.save(loop, "safety loop", exclude=fk)

    suppressed_metrics = 0
    for item in _items(document, "stage_metrics"):
        if isinstance(item, dict) and (item.get("entered") is None or item.get("progressed") is None):
            suppressed_metrics += 1  # exported below the small-count threshold: there is no count to import
            continue
        where = f"stage metric of “{item.get('stage')}” for {item.get('period')}"
        metric = StageMetric(journey=journey, updated_by=actor)
        reader.fill(metric, item, STAGE_METRIC_FIELDS, where)
        reader.save(metric, where, exclude=fk)

    Change.objects.create(journey=journey, revision=journey.revision, actor=actor, action=ChangeAction.CREATE,
                          entity="journey", entity_id=journey.pk, label=journey.title[:200],
                          after={"imported": True, "title": journey.title})
    counts = {"stages": len(reader.refs[Stage]), "lanes": len(reader.refs[Lane]), "cards": len(reader.refs[Card]),
              "steps": len(reader.refs[Step]), "checkpoints": len(_items(document, "checkpoints"))}
    report = list(report or [])
    if suppressed_metrics:
        report.append(f"{suppressed_metrics} stage metric row(s) had counts below the small-count threshold, "
                      "which exports leave out; they were not imported.")
    if reader.new_teams:
        report.append(f"New teams created in this workspace: {', '.join(reader.new_teams)}.")
    ids = {"stages": {local: row.pk for local, row in reader.refs[Stage].items()},
           "lanes": {local: row.pk for local, row in reader.refs[Lane].items()},
           "cards": {local: row.pk for local, row in reader.refs[Card].items()}}
    return ImportResult(journey=journey, counts=counts, report=report, ids=ids)


@transaction.atomic
def map_file_import(*, actor: AbstractBaseUser, workspace: Workspace, data: bytes, filename: str = "") -> ImportResult:
    """A new map from a file: Journeymap JSON or OpenJourney (.ojf), told apart by extension, else by content."""
    role_require(user=actor, workspace_id=workspace.pk)  # a viewer learns nothing about their file
    value = json_load(data)
    is_ojf = filename.lower().endswith(".ojf") or (
        isinstance(value, dict) and "schema_version" not in value and "nodes" in value)
    if not is_ojf:
        return journey_import(actor=actor, workspace=workspace, document=value)
    if not isinstance(value, dict):
        raise ApplicationError("The file is JSON but not an OpenJourney map: expected an object at the top.")
    document, report, origin = ojf_to_document(value)
    result = journey_import(actor=actor, workspace=workspace, document=document, report=report)
    ojf_origin_record(journey=result.journey, origin=origin, ids=result.ids)
    return result


@transaction.atomic
def journey_backup(*, actor: AbstractBaseUser, journey: Journey) -> bytes:
    """The owners' full backup of a map (raw counts kept), written to the workspace record as it is taken."""
    role_require(user=actor, workspace_id=journey.workspace_id, roles={Role.OWNER})
    data = render_backup(journey.pk)
    workspace_history_record(workspace_id=journey.workspace_id, actor=actor, action="exported", entity="backup",
                             entity_id=journey.pk, label=journey.title,
                             after={"Map": journey.title, "Small counts": "kept as entered"})
    return data
