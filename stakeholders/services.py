"""Every change to stakeholders, sub-maps, steps and intersections goes through these functions.

Same mechanics as `maps.services`, whose helpers they use: the actor must be able
to edit the workspace, the journey row is locked first (one lock order for every
writer of a map), a stale version raises `Conflict`, `full_clean()` runs before each
save, every change bumps the map's revision and is written to its history
(`maps.Change`), and a delete takes what depends on it softly (`maps.deletions`).
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.errors import ApplicationError
from maps.models import ChangeAction, Deletion, Journey
from maps.selectors import shown_value
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
from workspaces.models import Workspace
from workspaces.selectors import role_require
from workspaces.services import workspace_history_record

from .models import DEFAULT_STAKEHOLDERS, Intersection, Stakeholder, Step, Track, TrackKind

STAKEHOLDER_FIELDS = ["role", "group", "concerns"]
TRACK_FIELDS = ["stakeholder", "kind", "title"]
STEP_FIELDS = [
    "stage", "title", "body", "clinical_context", "time_pressure", "ehr_interop", "ehr_notes", "is_verification",
    "data_classification", "access_roles", "access_verification", "audit_logged", "credential_sharing_risk",
    "is_competency_checkpoint",
]
INTERSECTION_FIELDS = ["stage", "title", "description", "owner_team", "status"]


# --- the stakeholder registry ----------------------------------------------------


def stakeholders_seed_defaults(*, workspace: Workspace) -> int:
    """Adds the roles the seed names to a workspace's registry; returns how many were added. Idempotent."""
    existing = set(Stakeholder.objects.filter(workspace=workspace).values_list("role", flat=True))
    start = Stakeholder.objects.filter(workspace=workspace).count()
    new = [
        Stakeholder(workspace=workspace, role=role, group=group, concerns=concerns, position=start + i)
        for i, (role, group, concerns) in enumerate(r for r in DEFAULT_STAKEHOLDERS if r[0] not in existing)
    ]
    Stakeholder.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def stakeholder_create(*, actor: AbstractBaseUser, workspace: Workspace, data: dict[str, Any]) -> Stakeholder:
    role_require(user=actor, workspace_id=workspace.pk)
    stakeholder = Stakeholder(workspace=workspace, position=Stakeholder.objects.filter(workspace=workspace).count())
    apply_fields(stakeholder, data, STAKEHOLDER_FIELDS)
    stakeholder.full_clean()
    stakeholder.save()
    workspace_history_record(workspace_id=workspace.pk, actor=actor, action="created", entity="stakeholder",
                             entity_id=stakeholder.pk, label=stakeholder.role,
                             after=_registry_values(stakeholder, STAKEHOLDER_FIELDS))
    return stakeholder


def _registry_values(stakeholder: Stakeholder, fields: list[str]) -> dict[str, str]:
    """Fields as a person reads them ("Primary concerns": ...), for the workspace's record."""
    values = {}
    for name in fields:
        field = Stakeholder._meta.get_field(name)
        label = str(field.verbose_name)
        values[label[:1].upper() + label[1:]] = shown_value(field, getattr(stakeholder, name))
    return values


@transaction.atomic
def stakeholder_update(*, actor: AbstractBaseUser, stakeholder: Stakeholder, version: int | None,
                       data: dict[str, Any]) -> Stakeholder:
    role_require(user=actor, workspace_id=stakeholder.workspace_id)
    claim_version(Stakeholder.objects.all(), pk=stakeholder.pk, version=version, noun="stakeholder")
    stakeholder = Stakeholder.objects.get(pk=stakeholder.pk)
    before = _registry_values(stakeholder, STAKEHOLDER_FIELDS)
    apply_fields(stakeholder, data, STAKEHOLDER_FIELDS)
    stakeholder.full_clean()
    stakeholder.save()
    changed_before, changed_after = changed_only(before, _registry_values(stakeholder, STAKEHOLDER_FIELDS))
    if changed_after:
        workspace_history_record(workspace_id=stakeholder.workspace_id, actor=actor, action="edited",
                                 entity="stakeholder", entity_id=stakeholder.pk, label=stakeholder.role,
                                 before=changed_before, after=changed_after)
    return stakeholder


# --- tracks (sub-maps) ---------------------------------------------------------------


@transaction.atomic
def track_create(*, actor: AbstractBaseUser, journey: Journey, stakeholder: Stakeholder,
                 kind: str = TrackKind.STAKEHOLDER, title: str = "") -> Track:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    if Track.objects.filter(journey=locked, stakeholder=stakeholder, kind=kind).exists():
        raise ApplicationError(f"{stakeholder} already has a {TrackKind(kind).label.lower()} on this map.")
    track = Track(journey=locked, stakeholder=stakeholder, kind=kind, title=title,
                  position=Track.objects.filter(journey=locked).count())
    track.full_clean()
    track.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="track", obj=track,
                   after=snapshot(track, TRACK_FIELDS))
    return track


@transaction.atomic
def track_delete(*, actor: AbstractBaseUser, track: Track, version: int | None) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=track.journey_id)
    check_version(Track.objects.all(), pk=track.pk, version=version, noun="sub-map")
    return delete_recorded(actor=actor, journey=locked, root=Track.objects.get(pk=track.pk), entity="track",
                           fields=TRACK_FIELDS)


# --- steps -------------------------------------------------------------------------------


@transaction.atomic
def step_create(*, actor: AbstractBaseUser, track: Track, data: dict[str, Any]) -> Step:
    locked = journey_change_begin(actor=actor, journey_id=track.journey_id)
    step = Step(track=track)
    apply_fields(step, data, STEP_FIELDS)
    step.position = Step.objects.filter(track=track, stage_id=step.stage_id).count()
    step.full_clean()
    step.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="step", obj=step,
                   after=snapshot(step, STEP_FIELDS))
    return step


@transaction.atomic
def step_update(*, actor: AbstractBaseUser, step: Step, version: int | None, data: dict[str, Any]) -> Step:
    locked = journey_change_begin(actor=actor, journey_id=step.track.journey_id)
    step = Step.objects.select_related("track", "stage").get(pk=step.pk)
    before = snapshot(step, STEP_FIELDS)
    claim_version(Step.objects.all(), pk=step.pk, version=version, noun="step")
    apply_fields(step, data, STEP_FIELDS)
    step.version = version + 1
    step.full_clean()
    step.save()
    changed_before, changed_after = changed_only(before, snapshot(step, STEP_FIELDS))
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="step", obj=step,
                   before=changed_before, after=changed_after)
    return step


@transaction.atomic
def step_delete(*, actor: AbstractBaseUser, step: Step, version: int | None) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=step.track.journey_id)
    check_version(Step.objects.all(), pk=step.pk, version=version, noun="step")
    return delete_recorded(actor=actor, journey=locked, root=Step.objects.get(pk=step.pk), entity="step",
                           fields=STEP_FIELDS)


# --- intersections ------------------------------------------------------------------------


def _check_intersection_steps(journey: Journey, steps: list[Step]) -> None:
    from django.core.exceptions import ValidationError

    if any(s.track.journey_id != journey.pk for s in steps):
        raise ValidationError({"steps": "Choose steps of this map's sub-maps."})
    if len({s.track.stakeholder_id for s in steps}) < 2:
        raise ValidationError({"steps": "An intersection joins the steps of at least two stakeholders."})


@transaction.atomic
def intersection_create(*, actor: AbstractBaseUser, journey: Journey, steps: list[Step],
                        data: dict[str, Any]) -> Intersection:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    intersection = Intersection(journey=locked)
    apply_fields(intersection, data, INTERSECTION_FIELDS)
    intersection.full_clean()
    _check_intersection_steps(locked, steps)
    intersection.save()
    intersection.steps.set(steps)
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="intersection", obj=intersection,
                   after=snapshot(intersection, INTERSECTION_FIELDS) | {"steps": [str(s) for s in steps]})
    return intersection


@transaction.atomic
def intersection_update(*, actor: AbstractBaseUser, intersection: Intersection, version: int | None,
                        data: dict[str, Any], steps: list[Step] | None = None) -> Intersection:
    locked = journey_change_begin(actor=actor, journey_id=intersection.journey_id)
    intersection = Intersection.objects.get(pk=intersection.pk)
    before = snapshot(intersection, INTERSECTION_FIELDS)
    claim_version(Intersection.objects.all(), pk=intersection.pk, version=version, noun="intersection")
    apply_fields(intersection, data, INTERSECTION_FIELDS)
    intersection.version = version + 1
    intersection.full_clean()
    if steps is not None:
        _check_intersection_steps(locked, steps)
    intersection.save()
    if steps is not None:
        intersection.steps.set(steps)
    changed_before, changed_after = changed_only(before, snapshot(intersection, INTERSECTION_FIELDS))
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="intersection",
                   obj=intersection, before=changed_before, after=changed_after)
    return intersection


@transaction.atomic
def intersection_delete(*, actor: AbstractBaseUser, intersection: Intersection, version: int | None) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=intersection.journey_id)
    check_version(Intersection.objects.all(), pk=intersection.pk, version=version, noun="intersection")
    return delete_recorded(actor=actor, journey=locked, root=Intersection.objects.get(pk=intersection.pk),
                           entity="intersection", fields=INTERSECTION_FIELDS)
