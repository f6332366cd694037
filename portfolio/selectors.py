"""Reads of the portfolio app, each scoped to a workspace the person belongs to."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from compliance.health import health_check_many
from compliance.models import CLOSED_STATUSES, Checkpoint
from core.errors import NotFound
from diagnostics.health import facts_given
from diagnostics.selectors import TransitionReport, readings_load, transitions_ranked_many
from maps.extensions import MAP_ALARM_SOURCES, MapAlarm
from maps.models import Journey, JourneyStatus, LaneKind
from workspaces.models import Workspace

from .gallery import GALLERY
from .models import MapPersona, MapTemplate, Persona, StageLink


def personas_list(*, workspace: Workspace) -> QuerySet[Persona]:
    return Persona.objects.filter(workspace=workspace).select_related("stakeholder").annotate(
        map_count=Count("map_personas"))


def persona_get(*, workspace: Workspace, pk: int) -> Persona:
    try:
        return Persona.objects.select_related("stakeholder").get(workspace=workspace, pk=pk)
    except Persona.DoesNotExist:
        raise NotFound("No such persona.") from None


def persona_maps(*, persona: Persona) -> list[MapPersona]:
    return list(MapPersona.objects.filter(persona=persona).select_related("journey").order_by(
        "-is_primary", "journey__title"))


def map_links(*, journey: Journey) -> dict:
    """The map's personas, each stage with the map detailing it, and the stages this map details."""
    links = {link.stage_id: link.detail for link in StageLink.objects.filter(stage__journey=journey)
             .select_related("detail")}
    return {
        "personas": list(journey.map_personas.select_related("persona")),
        "stages": [(stage, links.get(stage.pk)) for stage in journey.stages.all()],
        "details": list(StageLink.objects.filter(detail=journey).select_related("stage__journey")),
    }


def template_get(*, workspace: Workspace, key: str) -> dict:
    """A gallery or saved template: its label, summary and document, for a preview."""
    if key in GALLERY:
        template = GALLERY[key]
        return {"key": key, "label": template.label, "summary": template.summary, "document": template.document()}
    if key.startswith("saved-") and key.removeprefix("saved-").isdigit():
        saved = MapTemplate.objects.filter(workspace=workspace, pk=int(key.removeprefix("saved-"))).first()
        if saved is not None:
            return {"key": key, "label": saved.name, "summary": saved.description, "document": saved.document}
    raise NotFound("No such template.")


def template_preview(document: dict) -> dict:
    """The grid a preview draws: stages across, lanes down, card titles in the cells; and the healthcare layer."""
    cells: dict[tuple[str, str], list[str]] = {}
    for card in document.get("cards", []):
        cells.setdefault((card["stage"], card["lane"]), []).append(card["title"])
    stakeholders = {s["id"]: s["role"] for s in document.get("stakeholders", [])}
    return {
        "stages": document["stages"],
        "rows": [{"lane": lane, "kind": LaneKind(lane["kind"]).label,
                  "cells": [cells.get((stage["id"], lane["id"]), []) for stage in document["stages"]]}
                 for lane in document["lanes"]],
        "tracks": [{"title": t.get("title") or stakeholders.get(t["stakeholder"], ""), "kind": t["kind"],
                    "steps": len(t.get("steps", []))} for t in document.get("tracks", [])],
        "checkpoints": sorted({c["type"].replace("_", " ") for c in document.get("checkpoints", [])}),
        "card_count": len(document.get("cards", [])),
    }


def gallery_list(*, workspace: Workspace) -> dict:
    return {"builtin": list(GALLERY.values()), "saved": list(MapTemplate.objects.filter(workspace=workspace))}


# --- the portfolio --------------------------------------------------------------------------------


@dataclass
class MapSummary:
    journey: Journey
    health: int
    open_checkpoints: int
    weakest: TransitionReport | None
    alarms: list[MapAlarm]


@dataclass
class Portfolio:
    groups: list[tuple[str, list[MapSummary]]]
    weakest: list[tuple[Journey, TransitionReport]]  # the weakest transitions across every map, weakest first
    alarms_watched: bool  # whether any layer reports alarms (see maps.extensions.register_map_alarms)


GROUPINGS = {"persona": "Persona", "lifecycle": "Lifecycle"}
WEAKEST_ACROSS = 5


def portfolio(*, workspace: Workspace, group_by: str = "persona") -> Portfolio:
    """Every map of the workspace with its health, review, open compliance work, weakest transition and alarms;
    read in a fixed number of queries, however many maps (each step below reads every map at once)."""
    journeys = list(Journey.objects.filter(workspace=workspace).order_by("title"))
    ids = [j.pk for j in journeys]
    open_work = {row["journey_id"]: row["n"] for row in Checkpoint.objects.filter(journey_id__in=ids)
                 .exclude(status__in=CLOSED_STATUSES).values("journey_id").annotate(n=Count("id"))}
    alarms: dict[int, list[MapAlarm]] = {}
    for source in MAP_ALARM_SOURCES:
        for alarm in source(journey_ids=ids):
            alarms.setdefault(alarm.journey_id, []).append(alarm)
    primary = {m.journey_id: m.persona for m in MapPersona.objects.filter(journey_id__in=ids, is_primary=True)
               .select_related("persona")}
    readings = readings_load(journeys=journeys)  # read once for the health check's added rules and the ranking
    health = health_check_many(journeys=journeys, extra=facts_given(readings))
    ranking = transitions_ranked_many(journeys=journeys, readings=readings)
    summaries, transitions = [], []
    for journey in journeys:
        ranked = ranking[journey.pk]
        transitions += [(journey, report) for report in ranked]
        summaries.append(MapSummary(journey=journey, health=health[journey.pk].score,
                                    open_checkpoints=open_work.get(journey.pk, 0),
                                    weakest=ranked[0] if ranked else None, alarms=alarms.get(journey.pk, [])))
    if group_by == "lifecycle":
        order = {status: n for n, status in enumerate(JourneyStatus.values)}
        keyed = [(order[s.journey.status], s.journey.get_status_display(), s) for s in summaries]
    else:
        keyed = [(0 if s.journey.pk in primary else 1,
                  primary[s.journey.pk].name if s.journey.pk in primary else "No persona yet", s) for s in summaries]
    groups: dict[tuple, list[MapSummary]] = {}
    for rank, label, summary in sorted(keyed, key=lambda k: (k[0], k[1].casefold(), k[2].journey.title)):
        groups.setdefault((rank, label), []).append(summary)
    weakest = sorted(transitions, key=lambda t: -t[1].weakness.score)[:WEAKEST_ACROSS]
    return Portfolio(groups=[(label, items) for (_rank, label), items in groups.items()],
                     weakest=[t for t in weakest if t[1].weakness.score > 0], alarms_watched=bool(MAP_ALARM_SOURCES))
