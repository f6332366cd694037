"""Reads of stakeholders and sub-maps, always scoped to the workspaces of the person asking."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from core.errors import NotFound
from maps.models import Journey, Stage
from workspaces.models import Workspace

from .models import Intersection, Stakeholder, Step, Track


def stakeholders_list(*, workspace: Workspace) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(workspace=workspace).annotate(track_count=Count("tracks", filter=Q(tracks__deletion=None)))


def stakeholder_get(*, workspace: Workspace, pk: int) -> Stakeholder:
    try:
        return Stakeholder.objects.get(workspace=workspace, pk=pk)
    except Stakeholder.DoesNotExist:
        raise NotFound("No such stakeholder in this workspace.") from None


def track_get(*, journey: Journey, pk: int) -> Track:
    try:
        return Track.objects.select_related("stakeholder", "journey").get(journey=journey, pk=pk)
    except Track.DoesNotExist:
        raise NotFound("No such sub-map on this map.") from None


def step_get(*, journey: Journey, pk: int) -> Step:
    try:
        return Step.objects.select_related("track__stakeholder", "stage").get(track__journey=journey, pk=pk)
    except Step.DoesNotExist:
        raise NotFound("No such step on this map.") from None


def intersection_get(*, journey: Journey, pk: int) -> Intersection:
    try:
        return Intersection.objects.select_related("stage", "owner_team").get(journey=journey, pk=pk)
    except Intersection.DoesNotExist:
        raise NotFound("No such intersection on this map.") from None


def steps_of_journey(*, journey: Journey) -> QuerySet[Step]:
    return Step.objects.filter(track__journey=journey).select_related("track__stakeholder", "stage")


@dataclass
class LaneCell:
    stage: Stage
    steps: list[Step] = field(default_factory=list)
    crossings: list[dict] = field(default_factory=list)


@dataclass
class Swimlane:
    track: Track
    cells: list[LaneCell]
    step_count: int = 0


@dataclass
class Swimlanes:
    journey: Journey
    stages: list[Stage]
    lanes: list[Swimlane]
    intersections: list[Intersection]
    # For each stage, the intersections at it with the lanes they join (indexes into `lanes`).
    crossings: dict[int, list[dict]]


def swimlanes_get(*, journey: Journey) -> Swimlanes:
    """Every track of a journey as a row, its steps in the journey's stage columns."""
    stages = list(journey.stages.all())
    tracks = list(Track.objects.filter(journey=journey).select_related("stakeholder"))
    by_cell: dict[tuple[int, int], list[Step]] = defaultdict(list)
    for step in Step.objects.filter(track__journey=journey).select_related("stage").order_by("position", "id"):
        by_cell[(step.track_id, step.stage_id)].append(step)
    lanes = []
    for track in tracks:
        cells = [LaneCell(stage=s, steps=by_cell.get((track.pk, s.pk), [])) for s in stages]
        lanes.append(Swimlane(track=track, cells=cells, step_count=sum(len(c.steps) for c in cells)))
    lane_index = {t.pk: i for i, t in enumerate(tracks)}
    intersections = list(
        Intersection.objects.filter(journey=journey).select_related("stage", "owner_team")
        .prefetch_related("steps__track__stakeholder")
    )
    crossings: dict[int, list[dict]] = defaultdict(list)
    for intersection in intersections:
        rows = sorted({lane_index[s.track_id] for s in intersection.steps.all() if s.track_id in lane_index})
        crossings[intersection.stage_id].append({
            "intersection": intersection, "rows": rows,
            "first": rows[0] if rows else 0, "last": rows[-1] if rows else 0,
        })
    # Mark the cells an intersection crosses, so the template can draw the connector through them.
    for stage_id, items in crossings.items():
        for item in items:
            for lane_no in range(item["first"], item["last"] + 1):
                for cell in lanes[lane_no].cells:
                    if cell.stage.pk == stage_id:
                        cell.crossings.append({
                            "intersection": item["intersection"],
                            "joins": lane_no in item["rows"],
                            "top": lane_no == item["first"],
                            "bottom": lane_no == item["last"],
                        })
    return Swimlanes(journey=journey, stages=stages, lanes=lanes, intersections=intersections, crossings=crossings)
