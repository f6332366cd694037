"""Reads of compliance work, always scoped to the workspaces of the person asking."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from core.errors import NotFound
from maps.models import DataClassification, Journey, Touchpoint
from workspaces.models import Workspace

from .models import CLOSED_STATUSES, Checkpoint, CheckpointTransition, FailureMode, SafetyLoop


def _with_targets(queryset: QuerySet[Checkpoint]) -> QuerySet[Checkpoint]:
    return queryset.select_related("journey", "stage", "touchpoint", "step__track__stakeholder", "step__stage",
                                   "owner_team", "reviewer")


def checkpoint_get(*, user: AbstractBaseUser, pk: int) -> Checkpoint:
    """A checkpoint of one of the user's workspaces; any other is not found."""
    if not user.is_authenticated:
        raise NotFound("No such checkpoint.")
    try:
        return _with_targets(Checkpoint.objects.filter(workspace__memberships__user=user)).get(pk=pk)
    except Checkpoint.DoesNotExist:
        raise NotFound("No such checkpoint.") from None


def checkpoint_transitions(*, checkpoint: Checkpoint) -> QuerySet[CheckpointTransition]:
    return checkpoint.transitions.select_related("actor").order_by("at", "id")


def checkpoints_of_journey(*, journey: Journey) -> QuerySet[Checkpoint]:
    return _with_targets(Checkpoint.objects.filter(journey=journey))


def checkpoint_of_journey_get(*, journey: Journey, pk: int) -> Checkpoint:
    checkpoint = checkpoints_of_journey(journey=journey).filter(pk=pk).first()
    if checkpoint is None:
        raise NotFound("No such checkpoint on this map.")
    return checkpoint


def failure_mode_get(*, journey: Journey, pk: int) -> FailureMode:
    failure = failure_modes_of_journey(journey=journey).filter(pk=pk).first()
    if failure is None:
        raise NotFound("No such failure mode on this map.")
    return failure


def open_statuses() -> list[str]:
    from .models import ReviewStatus

    return [s for s in ReviewStatus.values if s not in CLOSED_STATUSES]


@dataclass(frozen=True)
class RegisterFilters:
    type: str = ""
    status: str = ""
    owner: int | None = None  # a team's id
    overdue: bool = False
    journey: int | None = None


def register_list(*, workspace: Workspace, filters: RegisterFilters,
                  today: datetime.date | None = None) -> QuerySet[Checkpoint]:
    """Every checkpoint of a workspace across its maps, filtered."""
    today = today or timezone.localdate()
    queryset = _with_targets(Checkpoint.objects.filter(workspace=workspace))
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.owner:
        queryset = queryset.filter(owner_team_id=filters.owner)
    if filters.journey:
        queryset = queryset.filter(journey_id=filters.journey)
    if filters.overdue:
        queryset = queryset.filter(due_date__lt=today, status__in=open_statuses())
    return queryset.order_by("due_date", "journey__title", "id")


def failure_modes_of_journey(*, journey: Journey) -> QuerySet[FailureMode]:
    return FailureMode.objects.filter(journey=journey).select_related("step__track__stakeholder", "step__stage")


def safety_loop_of_journey(*, journey: Journey) -> SafetyLoop | None:
    return SafetyLoop.objects.filter(journey=journey).select_related("stage", "owner_team").first()


def touchpoints_with_data(*, journey: Journey) -> QuerySet[Touchpoint]:
    """The touchpoints that handle PII or PHI, with their access record when there is one."""
    return (Touchpoint.objects.filter(journey=journey, deleted_at=None)
            .exclude(data_classification=DataClassification.NONE)
            .select_related("stage", "access").order_by("stage__position", "position"))


def touchpoint_get(*, journey: Journey, pk: int) -> Touchpoint:
    try:
        return Touchpoint.objects.select_related("stage").get(journey=journey, pk=pk, deleted_at=None)
    except Touchpoint.DoesNotExist:
        raise NotFound("No such touchpoint on this map.") from None
