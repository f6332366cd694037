"""Reads of the portfolio app, each scoped to a workspace the person belongs to."""

from django.db.models import Count, QuerySet

from core.errors import NotFound
from maps.models import Journey, LaneKind
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
