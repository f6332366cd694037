"""Every change to checkpoints, failure modes and safety loops goes through these functions.

Same mechanics as `maps.services`, whose helpers they use: edit rights, the journey lock, version checks, `full_clean()`, history.
A checkpoint's review status changes only through `checkpoint_review`, which
records each move as a `CheckpointTransition`.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.errors import ApplicationError
from maps.models import ChangeAction, Deletion, Journey, Touchpoint
from maps.services import (
    apply_fields,
    changed_only,
    check_version,
    claim_version,
    delete_recorded,
    history_record,
    journey_change_begin,
    snapshot,
)

from .models import Checkpoint, CheckpointTransition, FailureMode, ReviewStatus, SafetyLoop, TouchpointAccess

CHECKPOINT_FIELDS = ["stage", "touchpoint", "step", "type", "subject", "title", "description", "owner_team",
                     "reviewer", "due_date"]
REVIEW_FIELDS = ["status", "reviewer", "due_date", "evidence", "notes"]
FAILURE_MODE_FIELDS = ["step", "title", "description", "severity", "safeguard", "is_near_miss"]
SAFETY_LOOP_FIELDS = ["collection_point", "stage", "owner_team", "investigate_within_days",
                      "communicate_within_days", "communication_channel"]


@transaction.atomic
def checkpoint_create(*, actor: AbstractBaseUser, journey: Journey, data: dict[str, Any]) -> Checkpoint:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    checkpoint = Checkpoint(journey=locked, workspace_id=locked.workspace_id)
    apply_fields(checkpoint, data, CHECKPOINT_FIELDS)
    checkpoint.full_clean()
    checkpoint.save()
    CheckpointTransition.objects.create(checkpoint=checkpoint, from_status="", to_status=checkpoint.status,
                                        actor=actor, note="Created")
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="checkpoint", obj=checkpoint,
                   after=snapshot(checkpoint, CHECKPOINT_FIELDS + ["status"]))
    return checkpoint


@transaction.atomic
def checkpoint_review(*, actor: AbstractBaseUser, checkpoint: Checkpoint, version: int | None,
                      data: dict[str, Any], note: str = "") -> Checkpoint:
    """Saves a review: status, reviewer, due date, evidence and notes. A change of status is recorded."""
    locked = journey_change_begin(actor=actor, journey_id=checkpoint.journey_id)
    checkpoint = Checkpoint.objects.get(pk=checkpoint.pk)
    before = snapshot(checkpoint, REVIEW_FIELDS)
    claim_version(Checkpoint.objects.all(), pk=checkpoint.pk, version=version, noun="checkpoint")
    if "status" in data and data["status"] not in ReviewStatus.values:
        raise ApplicationError(f"“{data['status']}” is not a review status.")
    previous_status = checkpoint.status
    apply_fields(checkpoint, data, REVIEW_FIELDS)
    checkpoint.version = version + 1
    checkpoint.full_clean()
    checkpoint.save()
    if checkpoint.status != previous_status:
        CheckpointTransition.objects.create(checkpoint=checkpoint, from_status=previous_status,
                                            to_status=checkpoint.status, actor=actor, note=note)
    changed_before, changed_after = changed_only(before, snapshot(checkpoint, REVIEW_FIELDS))
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="checkpoint", obj=checkpoint,
                   before=changed_before, after=changed_after)
    return checkpoint


@transaction.atomic
def checkpoint_delete(*, actor: AbstractBaseUser, checkpoint: Checkpoint, version: int | None) -> Deletion:
    """Deletes softly, review history included: restorable as it was from the map's activity."""
    locked = journey_change_begin(actor=actor, journey_id=checkpoint.journey_id)
    check_version(Checkpoint.objects.all(), pk=checkpoint.pk, version=version, noun="checkpoint")
    return delete_recorded(actor=actor, journey=locked, root=Checkpoint.objects.get(pk=checkpoint.pk),
                           entity="checkpoint", fields=CHECKPOINT_FIELDS + ["status"])


@transaction.atomic
def failure_mode_create(*, actor: AbstractBaseUser, journey: Journey, data: dict[str, Any]) -> FailureMode:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    failure = FailureMode(journey=locked)
    apply_fields(failure, data, FAILURE_MODE_FIELDS)
    failure.full_clean()
    failure.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="failure_mode", obj=failure,
                   after=snapshot(failure, FAILURE_MODE_FIELDS))
    return failure


@transaction.atomic
def failure_mode_update(*, actor: AbstractBaseUser, failure_mode: FailureMode, version: int | None,
                        data: dict[str, Any]) -> FailureMode:
    locked = journey_change_begin(actor=actor, journey_id=failure_mode.journey_id)
    failure = FailureMode.objects.get(pk=failure_mode.pk)
    before = snapshot(failure, FAILURE_MODE_FIELDS)
    claim_version(FailureMode.objects.all(), pk=failure.pk, version=version, noun="failure mode")
    apply_fields(failure, data, FAILURE_MODE_FIELDS)
    failure.version = version + 1
    failure.full_clean()
    failure.save()
    changed_before, changed_after = changed_only(before, snapshot(failure, FAILURE_MODE_FIELDS))
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="failure_mode", obj=failure,
                   before=changed_before, after=changed_after)
    return failure


@transaction.atomic
def failure_mode_delete(*, actor: AbstractBaseUser, failure_mode: FailureMode, version: int | None) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=failure_mode.journey_id)
    check_version(FailureMode.objects.all(), pk=failure_mode.pk, version=version, noun="failure mode")
    return delete_recorded(actor=actor, journey=locked, root=FailureMode.objects.get(pk=failure_mode.pk),
                           entity="failure_mode", fields=FAILURE_MODE_FIELDS)


@transaction.atomic
def safety_loop_set(*, actor: AbstractBaseUser, journey: Journey, version: int | None,
                    data: dict[str, Any]) -> SafetyLoop:
    """Creates the journey's safety-reporting loop (version None) or edits it (the version read)."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    loop = SafetyLoop.objects.filter(journey=locked).first()
    if loop is None:
        loop, action, before = SafetyLoop(journey=locked), ChangeAction.CREATE, None
    else:
        claim_version(SafetyLoop.objects.all(), pk=loop.pk, version=version, noun="safety loop")
        loop.refresh_from_db()
        action, before = ChangeAction.UPDATE, snapshot(loop, SAFETY_LOOP_FIELDS)
    apply_fields(loop, data, SAFETY_LOOP_FIELDS)
    loop.full_clean()
    loop.save()
    history_record(journey=locked, actor=actor, action=action, entity="safety_loop", obj=loop,
                   before=before, after=snapshot(loop, SAFETY_LOOP_FIELDS))
    return loop


TOUCHPOINT_ACCESS_FIELDS = ["access_roles", "access_verification", "audit_logged", "credential_sharing_risk"]


@transaction.atomic
def touchpoint_access_set(*, actor: AbstractBaseUser, touchpoint: Touchpoint, version: int | None,
                          data: dict[str, Any]) -> TouchpointAccess:
    """Creates a touchpoint's access record (version None) or edits it (the version read)."""
    locked = journey_change_begin(actor=actor, journey_id=touchpoint.journey_id)
    access = TouchpointAccess.objects.filter(touchpoint=touchpoint).first()
    if access is None:
        access, action, before = TouchpointAccess(touchpoint=touchpoint, journey=locked), ChangeAction.CREATE, None
    else:
        claim_version(TouchpointAccess.objects.all(), pk=access.pk, version=version, noun="access record")
        access.refresh_from_db()
        action, before = ChangeAction.UPDATE, snapshot(access, TOUCHPOINT_ACCESS_FIELDS)
    apply_fields(access, data, TOUCHPOINT_ACCESS_FIELDS)
    access.full_clean()
    access.save()
    history_record(journey=locked, actor=actor, action=action, entity="touchpoint_access", obj=access,
                   before=before, after=snapshot(access, TOUCHPOINT_ACCESS_FIELDS))
    return access
