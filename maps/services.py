"""Every change to a map goes through these functions.

Each one: checks the actor may edit the map's workspace, locks the journey row
(the one lock every writer of a map takes first, so writers never deadlock and
positions stay contiguous), compares the version the caller read with the row's
current version (a stale one raises `Conflict`), validates with `full_clean()`,
saves, bumps the map's revision and writes history.
"""

import datetime
import decimal
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from core.errors import ApplicationError, Conflict
from workspaces.models import EDITING_ROLES, Workspace
from workspaces.selectors import role_require

from . import deletions
from .extensions import DELETABLES
from .map_templates import MAP_TEMPLATES
from .signals import journey_changed
from .models import (
    Card,
    Change,
    ChangeAction,
    Deletion,
    Journey,
    JourneyKind,
    Lane,
    Stage,
    card_model_for,
)

JOURNEY_FIELDS = ["title", "persona", "description", "kind", "observes", "status", "last_reviewed_at"]
STAGE_FIELDS = ["name", "description"]
LANE_FIELDS = ["name", "kind"]
CARD_BASE_FIELDS = ["title", "body", "owner_team"]
_PLACEMENT = ["journey", "stage", "lane"]
_NOT_EDITABLE = {"id", "card_ptr", "journey", "stage", "lane", "kind", "position", "version", "deleted_at"}


def card_fields(model: type[Card]) -> list[str]:
    """The fields a person edits on a card of this model, base fields first."""
    own = [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and f.model is model and f.name not in _NOT_EDITABLE and model is not Card
    ]
    return CARD_BASE_FIELDS + own


# --- the shared mechanics -------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of `fields` as history stores them (related rows by name)."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


def journey_change_begin(*, actor: AbstractBaseUser, journey_id: int, roles=EDITING_ROLES) -> Journey:
    """Locks the map for this change and gives it its new revision.

    Once the transaction commits, `journey_changed` announces the new revision, so
    live views (and anything else listening) learn of every change, whichever layer
    made it. Comments and votes pass `roles` to let viewers through.
    """
    journey = Journey.objects.select_for_update().select_related("workspace").get(pk=journey_id)
    role_require(user=actor, workspace_id=journey.workspace_id, roles=roles)
    journey.revision += 1
    Journey.objects.filter(pk=journey_id).update(revision=F("revision") + 1)
    revision = journey.revision
    transaction.on_commit(
        lambda: journey_changed.send(sender=Journey, journey_id=journey_id, revision=revision, actor_id=actor.pk,
                                     actor=actor)
    )
    return journey


def claim_version(queryset: models.QuerySet, *, pk: int, version: int | None, noun: str) -> None:
    """Moves the row from `version` to the next one, or raises `Conflict` if someone got there first."""
    if version is None:
        raise ApplicationError(f"This save does not say which version of the {noun} it read. Reload and try again.")
    if queryset.filter(pk=pk, version=version).update(version=F("version") + 1) != 1:
        current = queryset.filter(pk=pk).first()
        if current is None:
            raise Conflict(f"Someone deleted this {noun} while you were editing it.", current=None)
        raise Conflict(f"Someone changed this {noun} while you were editing it.", current=current)


def check_version(queryset: models.QuerySet, *, pk: int, version: int | None, noun: str) -> None:
    """Like `claim_version`, without moving the version: for a delete, which keeps the row as it was.
    Safe without a row lock because every writer holds the map's lock."""
    if version is None:
        raise ApplicationError(f"This change does not say which version of the {noun} it read. Reload and try again.")
    if not queryset.filter(pk=pk, version=version).exists():
        current = queryset.filter(pk=pk).first()
        if current is None:
            raise Conflict(f"Someone deleted this {noun} while you were looking at it.", current=None)
        raise Conflict(f"Someone changed this {noun} while you were looking at it.", current=current)


def _record(
    *,
    journey: Journey,
    actor: AbstractBaseUser,
    action: str,
    entity: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
) -> Change:
    return Change(
        journey=journey,
        revision=journey.revision,
        actor=actor if actor.is_authenticated else None,
        action=action,
        entity=entity,
        entity_id=obj.pk,
        label=str(obj)[:200],
        before=before,
        after=after,
    )


def history_record(*, journey: Journey, actor: AbstractBaseUser, action: str, entity: str, obj: models.Model,
                   before: dict | None = None, after: dict | None = None, label: str = "",
                   deletion: Deletion | None = None) -> Change:
    """Writes one change of the map's current revision (every app's services record through this)."""
    change = _record(journey=journey, actor=actor, action=action, entity=entity, obj=obj, before=before, after=after)
    change.label, change.deletion = (label or change.label)[:200], deletion
    change.save()
    return change


def changed_only(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose value changed, as (before, after) for history."""
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def apply_fields(obj: models.Model, data: dict[str, Any], fields: Sequence[str]) -> None:
    for name in fields:
        if name in data:
            setattr(obj, name, data[name])


def _renumber(items: Sequence[models.Model]) -> None:
    """Gives `items` the positions 0..n-1 in their order, writing only those that moved."""
    moved = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            moved.append(item)
    if moved:
        type(moved[0]).objects.bulk_update(moved, ["position"])


def _place(items: list, item: models.Model, position: int) -> list:
    others = [i for i in items if i.pk != item.pk]
    position = max(0, min(position, len(others)))
    return others[:position] + [item] + others[position:]


# --- journeys ---------------------------------------------------------------


@transaction.atomic
def journey_create(
    *,
    actor: AbstractBaseUser,
    workspace: Workspace,
    title: str,
    template: str = "telehealth",
    persona: str = "",
    description: str = "",
    kind: str = JourneyKind.DESIGNED,
    observes: Journey | None = None,
) -> Journey:
    role_require(user=actor, workspace_id=workspace.pk)
    if template not in MAP_TEMPLATES:
        raise ApplicationError(f"There is no map template called “{template}”.")
    journey = Journey(
        workspace=workspace,
        title=title,
        persona=persona,
        description=description,
        kind=kind,
        observes=observes,
        created_by=actor,
        revision=1,
    )
    journey.full_clean()
    journey.save()
    spec = MAP_TEMPLATES[template]
    stages = Stage.objects.bulk_create(
        Stage(journey=journey, name=name, description=text, position=i) for i, (name, text) in enumerate(spec["stages"])
    )
    lanes = Lane.objects.bulk_create(
        Lane(journey=journey, name=name, kind=kind, position=i) for i, (name, kind) in enumerate(spec["lanes"])
    )
    Change.objects.bulk_create(
        [_record(journey=journey, actor=actor, action=ChangeAction.CREATE, entity="journey", obj=journey,
                 after=snapshot(journey, JOURNEY_FIELDS))]
        + [_record(journey=journey, actor=actor, action=ChangeAction.CREATE, entity="stage", obj=s,
                   after=snapshot(s, STAGE_FIELDS)) for s in stages]
        + [_record(journey=journey, actor=actor, action=ChangeAction.CREATE, entity="lane", obj=lane,
                   after=snapshot(lane, LANE_FIELDS)) for lane in lanes]
    )
    return journey


@transaction.atomic
def journey_update(*, actor: AbstractBaseUser, journey: Journey, version: int | None, data: dict[str, Any]) -> Journey:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    before = snapshot(locked, JOURNEY_FIELDS)
    claim_version(Journey.objects.all(), pk=locked.pk, version=version, noun="map")
    apply_fields(locked, data, JOURNEY_FIELDS)
    locked.version = version + 1
    locked.full_clean()
    locked.save()
    before, after = changed_only(before, snapshot(locked, JOURNEY_FIELDS))
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="journey",
                                        obj=locked, before=before, after=after)])
    return locked


@transaction.atomic
def journey_mark_reviewed(*, actor: AbstractBaseUser, journey: Journey) -> Journey:
    """Records that the team reviewed the map today (no version: it changes nothing anyone edits)."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    before = snapshot(locked, ["last_reviewed_at"])
    locked.last_reviewed_at = timezone.localdate()
    Journey.objects.filter(pk=locked.pk).update(last_reviewed_at=locked.last_reviewed_at)
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="journey",
                                        obj=locked, before=before, after=snapshot(locked, ["last_reviewed_at"]))])
    return locked


@transaction.atomic
def journey_delete(*, actor: AbstractBaseUser, journey: Journey, version: int | None) -> Deletion:
    """Deletes a whole map softly: it leaves every list and read, restorable from "Deleted maps"."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    check_version(Journey.objects.all(), pk=locked.pk, version=version, noun="map")
    return delete_recorded(actor=actor, journey=locked, root=locked, entity="journey", fields=JOURNEY_FIELDS)


@transaction.atomic
def journey_restore(*, actor: AbstractBaseUser, deletion: Deletion) -> Journey:
    role_require(user=actor, workspace_id=deletion.workspace_id)
    Journey.all_objects.select_for_update().filter(pk=deletion.entity_id).first()  # the map's lock, while deleted
    deletion = Deletion.objects.select_for_update().get(pk=deletion.pk)
    journey = deletions.restore(actor=actor, deletion=deletion)
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    history_record(journey=locked, actor=actor, action=ChangeAction.RESTORE, entity="journey", obj=locked,
                   after=snapshot(locked, JOURNEY_FIELDS) | ({"took": deletion.took_display} if deletion.took else {}))
    return locked


# --- stages and lanes -------------------------------------------------------


def _axis_create(*, actor, journey: Journey, model, entity: str, fields: list[str], data: dict) -> models.Model:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    item = model(journey=locked, position=model.objects.filter(journey=locked).count())
    apply_fields(item, data, fields)
    item.full_clean()
    item.save()
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity=entity,
                                        obj=item, after=snapshot(item, fields))])
    return item


def _axis_update(*, actor, item, version, entity: str, fields: list[str], data: dict) -> models.Model:
    locked = journey_change_begin(actor=actor, journey_id=item.journey_id)
    model = type(item)
    item = model.objects.get(pk=item.pk)
    before = snapshot(item, fields)
    claim_version(model.objects.all(), pk=item.pk, version=version, noun=entity)
    apply_fields(item, data, fields)
    item.version = version + 1
    item.full_clean()
    item.save()
    before, after = changed_only(before, snapshot(item, fields))
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity=entity,
                                        obj=item, before=before, after=after)])
    return item


def _axis_move(*, actor, item, version, position: int, entity: str) -> models.Model:
    locked = journey_change_begin(actor=actor, journey_id=item.journey_id)
    model = type(item)
    claim_version(model.objects.all(), pk=item.pk, version=version, noun=entity)
    siblings = list(model.objects.filter(journey=locked).order_by("position", "id"))
    moved = next(s for s in siblings if s.pk == item.pk)
    before = {"position": moved.position}
    _renumber(_place(siblings, moved, position))
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.MOVE, entity=entity,
                                        obj=moved, before=before, after={"position": moved.position})])
    moved.version = version + 1
    return moved


def _axis_delete(*, actor, item, version, entity: str, fields: list[str]) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=item.journey_id)
    model = type(item)
    check_version(model.objects.all(), pk=item.pk, version=version, noun=entity)
    item = model.objects.get(pk=item.pk)
    if model.objects.filter(journey=locked).count() == 1:
        raise ApplicationError(f"A map needs at least one {entity}.")
    return delete_recorded(actor=actor, journey=locked, root=item, entity=entity, fields=fields)


# --- deleting and restoring (what depends on a row goes and comes back with it) ---------------


def delete_recorded(*, actor: AbstractBaseUser, journey: Journey, root: models.Model, entity: str,
                    fields: Sequence[str] = (), before: dict | None = None, label: str = "") -> Deletion:
    """Soft-deletes `root` and everything depending on it as one change of the (locked) map's history.
    History keeps `before` when given (values as they may be shown), else the row's `fields`."""
    before = dict(before) if before is not None else snapshot(root, fields)
    deletion = deletions.soft_delete(actor=actor, root=root, entity=entity, workspace_id=journey.workspace_id,
                                     journey=journey)
    if deletion.took:
        before["took"] = deletion.took_display
    history_record(journey=journey, actor=actor, action=ChangeAction.DELETE, entity=entity, obj=root, before=before,
                   label=label, deletion=deletion)
    return deletion


@transaction.atomic
def deletion_restore(*, actor: AbstractBaseUser, deletion: Deletion, fields: Sequence[str] = ()) -> models.Model:
    """Brings back what one delete on a map took, as it was, recorded as one change."""
    if deletion.entity == "journey":
        return journey_restore(actor=actor, deletion=deletion)
    locked = journey_change_begin(actor=actor, journey_id=deletion.journey_id)
    deletion = Deletion.objects.select_for_update().get(pk=deletion.pk)
    root = deletions.restore(actor=actor, deletion=deletion)
    after = snapshot(root, fields) | ({"took": deletion.took_display} if deletion.took else {})
    history_record(journey=locked, actor=actor, action=ChangeAction.RESTORE, entity=deletion.entity, obj=root,
                   after=after)
    return root


# --- undo from the record ---------------------------------------------------------------------------


class RevertConflict(Conflict):
    """The row changed after the entry being undone: `rows` say how, field by field."""

    def __init__(self, message: str, *, current: Any, rows: list[dict]) -> None:
        super().__init__(message, current=current)
        self.rows = rows


def _from_history(item: models.Model, name: str, value: Any) -> Any:
    """A value as history stored it, back as the field takes it (a related row is stored by its name)."""
    field = type(item)._meta.get_field(name)
    if value is None or not field.is_relation:
        return field.to_python(value) if value is not None else None
    candidates = field.related_model.objects.all()
    journey_id = getattr(item, "journey_id", None) or item.track.journey_id
    names = {f.name for f in field.related_model._meta.get_fields()}
    if "journey" in names:
        candidates = candidates.filter(journey_id=journey_id)
    elif "workspace" in names:
        candidates = candidates.filter(workspace__journeys=journey_id)
    else:  # a person: one of the workspace's members
        candidates = candidates.filter(memberships__workspace__journeys=journey_id)
    matches = [c for c in candidates if str(c) == value]
    if len(matches) != 1:
        raise ApplicationError(f"“{value}” is no longer there to go back to, so this edit cannot be undone.")
    return matches[0]


@transaction.atomic
def change_revert(*, actor: AbstractBaseUser, change: Change, force: bool = False) -> models.Model | None:
    """Undoes one entry of a map's history: an edit goes back to its before-values (refused with the
    differences if the row changed since, unless `force`), a delete is restored, a create is deleted softly."""
    kind = DELETABLES.get(change.entity)
    if change.action == ChangeAction.DELETE:
        deletion = Deletion.objects.filter(pk=change.deletion_id).first()
        if deletion is None:
            raise ApplicationError("This delete was purged (or kept no record of what it took): it cannot be undone.")
        if deletion.restored_at is not None:
            raise ApplicationError(f"The {deletion.entity_display} “{deletion.label}” was already restored.")
        return deletion_restore(actor=actor, deletion=deletion)
    if kind is None:
        raise ApplicationError(f"Changes to a {change.entity_display} cannot be undone from the activity list.")
    try:
        item = kind.get(journey=change.journey, pk=change.entity_id)
    except ApplicationError:
        raise ApplicationError(f"The {kind.label} “{change.label}” is deleted: restore it first.") from None
    if change.action in (ChangeAction.CREATE, ChangeAction.RESTORE):
        kind.delete(actor=actor, item=item, version=item.version)
        return None
    before, after = change.before or {}, change.after or {}
    if change.action == ChangeAction.MOVE:
        return _move_back(actor=actor, item=item, kind=kind.kind, before=before)
    if kind.update is None:
        raise ApplicationError(f"Edits of a {kind.label} cannot be undone from the activity list.")
    now = snapshot(item, before)
    changed_since = [k for k in before if now.get(k) != after.get(k)]
    if changed_since and not force:
        rows = [{"name": k, "now": now.get(k), "undo_to": before[k]} for k in changed_since]
        raise RevertConflict(f"Someone changed this {kind.label} after that edit.", current=item, rows=rows)
    data = {name: _from_history(item, name, value) for name, value in before.items()}
    return kind.update(actor=actor, item=item, version=item.version, data=data)


def _move_back(*, actor: AbstractBaseUser, item: models.Model, kind: str, before: dict) -> models.Model:
    if kind == "stage":
        return stage_move(actor=actor, stage=item, version=item.version, position=before["position"])
    if kind == "lane":
        return lane_move(actor=actor, lane=item, version=item.version, position=before["position"])
    if kind == "card":
        stage = Stage.objects.filter(journey_id=item.journey_id, name=before.get("stage")).first()
        lane = Lane.objects.filter(journey_id=item.journey_id, name=before.get("lane")).first()
        if stage is None or lane is None:
            raise ApplicationError("The stage or lane it came from is gone: move it on the board instead.")
        return card_move(actor=actor, card=item, version=item.version, stage_id=stage.pk, lane_id=lane.pk,
                         position=before["position"])
    raise ApplicationError("Move it back where it was on its page.")


def deletion_preview(*, root: models.Model) -> deletions.DeletionPlan:
    """What deleting `root` would take with it, for the confirmation page."""
    return deletions.deletion_plan(root)


@transaction.atomic
def stage_create(*, actor: AbstractBaseUser, journey: Journey, data: dict[str, Any]) -> Stage:
    return _axis_create(actor=actor, journey=journey, model=Stage, entity="stage", fields=STAGE_FIELDS, data=data)


@transaction.atomic
def stage_update(*, actor: AbstractBaseUser, stage: Stage, version: int | None, data: dict[str, Any]) -> Stage:
    return _axis_update(actor=actor, item=stage, version=version, entity="stage", fields=STAGE_FIELDS, data=data)


@transaction.atomic
def stage_move(*, actor: AbstractBaseUser, stage: Stage, version: int | None, position: int) -> Stage:
    return _axis_move(actor=actor, item=stage, version=version, position=position, entity="stage")


@transaction.atomic
def stage_delete(*, actor: AbstractBaseUser, stage: Stage, version: int | None) -> Deletion:
    return _axis_delete(actor=actor, item=stage, version=version, entity="stage", fields=STAGE_FIELDS)


@transaction.atomic
def lane_create(*, actor: AbstractBaseUser, journey: Journey, data: dict[str, Any]) -> Lane:
    return _axis_create(actor=actor, journey=journey, model=Lane, entity="lane", fields=LANE_FIELDS, data=data)


@transaction.atomic
def lane_update(*, actor: AbstractBaseUser, lane: Lane, version: int | None, data: dict[str, Any]) -> Lane:
    if "kind" in data and data["kind"] != lane.kind and lane.cards.filter(deleted_at=None).exists():
        raise ApplicationError("A lane's kind can only change while it has no cards.")
    return _axis_update(actor=actor, item=lane, version=version, entity="lane", fields=LANE_FIELDS, data=data)


@transaction.atomic
def lane_move(*, actor: AbstractBaseUser, lane: Lane, version: int | None, position: int) -> Lane:
    return _axis_move(actor=actor, item=lane, version=version, position=position, entity="lane")


@transaction.atomic
def lane_delete(*, actor: AbstractBaseUser, lane: Lane, version: int | None) -> Deletion:
    return _axis_delete(actor=actor, item=lane, version=version, entity="lane", fields=LANE_FIELDS)


# --- cards --------------------------------------------------------------------


def _cell(journey: Journey, stage_id: int, lane_id: int) -> list[Card]:
    return list(
        Card.objects.filter(journey=journey, stage_id=stage_id, lane_id=lane_id, deleted_at=None).order_by("position", "id")
    )


def _card_locked(card: Card) -> Card:
    """The card as its own model (a touchpoint as a Touchpoint...), read inside the lock."""
    found = card_model_for(card.kind).objects.select_related("journey", "stage", "lane", "owner_team").filter(
        pk=card.pk).first()
    if found is None:
        raise Conflict("Someone deleted this card while you were editing it.", current=None)
    return found


def _cell_axes(*, journey: Journey, stage_id: int, lane_id: int) -> tuple[Stage, Lane]:
    """The stage and lane of a cell a card goes to: one deleted meanwhile is a 404 that says so; one that was
    never on this map is bad input."""
    stage = Stage.objects.filter(journey=journey, pk=stage_id).first()
    lane = Lane.objects.filter(journey=journey, pk=lane_id).first()
    for row, model, pk, noun in ((stage, Stage, stage_id, "stage"), (lane, Lane, lane_id, "lane")):
        if row is None and model.all_objects.filter(journey=journey, pk=pk).exclude(deletion=None).exists():
            raise deletions.not_found(model, journey_id=journey.pk, pk=pk, noun=noun)
    if stage is None or lane is None:
        raise ApplicationError("That stage or lane is not part of this map.")
    return stage, lane


@transaction.atomic
def card_create(
    *, actor: AbstractBaseUser, journey: Journey, stage_id: int, lane_id: int, data: dict[str, Any]
) -> Card:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    stage, lane = _cell_axes(journey=locked, stage_id=stage_id, lane_id=lane_id)
    model = card_model_for(lane.kind)
    card = model(journey=locked, stage=stage, lane=lane, kind=lane.kind, position=len(_cell(locked, stage.pk, lane.pk)))
    fields = card_fields(model)
    apply_fields(card, data, fields)
    card.full_clean()
    card.save()
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="card",
                                        obj=card, after=snapshot(card, fields))])
    return card


@transaction.atomic
def card_update(*, actor: AbstractBaseUser, card: Card, version: int | None, data: dict[str, Any],
                read_revision: int | None = None) -> Card:
    """Saves the card's fields. With `read_revision` (the map's revision when the person read the card), a
    save behind others' is merged when they changed different fields: theirs stay, mine go on top."""
    locked = journey_change_begin(actor=actor, journey_id=card.journey_id)
    card = _card_locked(card)
    fields = card_fields(type(card))
    if read_revision is not None and version is not None and version != card.version:
        data, version = _card_merged(journey=locked, card=card, fields=fields, data=data, version=version,
                                     read_revision=read_revision), card.version
    before = snapshot(card, fields)
    claim_version(Card.objects.filter(deleted_at=None), pk=card.pk, version=version, noun="card")
    apply_fields(card, data, fields)
    card.version = version + 1
    card.full_clean(exclude=_PLACEMENT)  # placement is unchanged here and was checked when it was set
    card.save()
    before, after = changed_only(before, snapshot(card, fields))
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="card",
                                        obj=card, before=before, after=after)])
    return card


def _card_merged(*, journey: Journey, card: Card, fields: Sequence[str], data: dict[str, Any], version: int,
                 read_revision: int) -> dict[str, Any]:
    """`data` without the fields others changed since `read_revision`, when none of those is one this
    save changes too (to another value than theirs); else the save is a conflict, as without merging.
    What a field was when the person read it is the `before` of the first recorded change to it since."""
    message = "Someone changed this card while you were editing it."
    theirs = list(journey.changes.filter(entity="card", entity_id=card.pk, revision__gt=read_revision)
                  .order_by("revision", "id"))
    # Each edit and move of a card is one version and one change on the record: the record since
    # `read_revision` must be exactly the versions this save missed (else the two do not describe one read),
    # and hold nothing else (a delete and restore in between).
    if (len(theirs) != card.version - version
            or any(c.action not in (ChangeAction.UPDATE, ChangeAction.MOVE) for c in theirs)):
        raise Conflict(message, current=card)
    read: dict[str, Any] = {}
    for change in theirs:
        for name, value in (change.before or {}).items():
            if name in fields:
                read.setdefault(name, value)
    now = snapshot(card, fields)
    mine = {name: _json_value(data[name]) for name in fields if name in data}
    if any(name in mine and mine[name] not in (read[name], now[name]) for name in read):
        # Both changed a field: the person decides. Where only they changed one, a save over theirs keeps it.
        raise Conflict(message, current=card,
                       theirs_only=[name for name in read if mine.get(name, read[name]) == read[name]])
    return {name: value for name, value in data.items() if name not in read}


@transaction.atomic
def card_move(
    *, actor: AbstractBaseUser, card: Card, version: int | None, stage_id: int, lane_id: int, position: int
) -> Card:
    """Moves a card to a position in a cell, of this map, whose lane holds cards of its kind."""
    locked = journey_change_begin(actor=actor, journey_id=card.journey_id)
    stage, lane = _cell_axes(journey=locked, stage_id=stage_id, lane_id=lane_id)
    claim_version(Card.objects.filter(deleted_at=None), pk=card.pk, version=version, noun="card")
    card = Card.objects.select_related("stage", "lane").get(pk=card.pk)
    if lane.kind != card.kind:
        raise ApplicationError(f"A {card.get_kind_display().lower()} card can only move to a lane of that kind.")
    before = {"stage": card.stage.name, "lane": card.lane.name, "position": card.position}
    source = (card.stage_id, card.lane_id)
    card.stage, card.lane = stage, lane
    Card.objects.filter(pk=card.pk).update(stage=stage, lane=lane)
    target = _cell(locked, stage.pk, lane.pk)
    _renumber(_place(target, card, position))
    if source != (stage.pk, lane.pk):
        _renumber(_cell(locked, *source))
    card.version = version + 1
    Change.objects.bulk_create([_record(journey=locked, actor=actor, action=ChangeAction.MOVE, entity="card", obj=card,
                                        before=before, after={"stage": stage.name, "lane": lane.name,
                                                              "position": card.position})])
    return card


@transaction.atomic
def card_delete(*, actor: AbstractBaseUser, card: Card, version: int | None) -> Card:
    """Deletes softly, with its comments, votes and checkpoints: restorable from the activity list."""
    locked = journey_change_begin(actor=actor, journey_id=card.journey_id)
    check_version(Card.objects.all(), pk=card.pk, version=version, noun="card")
    card = _card_locked(card)
    deletion = delete_recorded(actor=actor, journey=locked, root=card, entity="card", fields=card_fields(type(card)))
    card.deletion, card.deleted_at = deletion, deletion.at
    return card


@transaction.atomic
def card_restore(*, actor: AbstractBaseUser, card: Card) -> Card:
    deletion = Deletion.objects.filter(journey_id=card.journey_id, entity="card", entity_id=card.pk,
                                       restored_at=None).first()
    if deletion is None:
        raise ApplicationError("This card is already on the board.")
    restored = deletion_restore(actor=actor, deletion=deletion, fields=card_fields(card_model_for(card.kind)))
    return card_model_for(restored.kind).objects.get(pk=restored.pk)
