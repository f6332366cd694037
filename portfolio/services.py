"""Personas, the personas of a map, stage links, duplicating a map and maps from templates.

A duplicate and a map from a template are written by the importer (one place checks and
writes a whole map): the source map becomes a native document, the parts not wanted are
left out, and `journey_import` builds the new map from it.
"""

import copy
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F

from comments.models import Comment
from core.errors import ApplicationError
from interchange.native import journey_document
from interchange.services import journey_import
from maps.models import Journey, Stage
from maps.selectors import shown_value
from maps.services import changed_only, claim_version, journey_change_begin, journey_create
from stakeholders.services import apply_fields
from workspaces.models import Workspace
from workspaces.selectors import role_require
from workspaces.services import workspace_history_record

from . import gallery
from .models import MapPersona, MapTemplate, Persona, StageLink

PERSONA_FIELDS = ["name", "summary", "goals", "needs", "frustrations", "context", "avatar", "stakeholder"]
# The parts of a native document that make up the healthcare layer, and the diagnostics' metrics.
HEALTHCARE_PARTS = ["stakeholders", "tracks", "intersections", "checkpoints", "failure_modes", "touchpoint_access",
                    "safety_loop"]
METRIC_PARTS = ["stage_metrics"]


# --- personas -----------------------------------------------------------------------------------


def _persona_values(persona: Persona) -> dict[str, str]:
    """Its fields as a person reads them ("Name": ...), for the workspace's record (the avatar is a picture)."""
    values = {}
    for name in PERSONA_FIELDS:
        if name == "avatar":
            continue
        field = Persona._meta.get_field(name)
        label = str(field.verbose_name)
        values[label[:1].upper() + label[1:]] = shown_value(field, getattr(persona, name))
    return values


@transaction.atomic
def persona_create(*, actor: AbstractBaseUser, workspace: Workspace, data: dict[str, Any]) -> Persona:
    role_require(user=actor, workspace_id=workspace.pk)
    persona = Persona(workspace=workspace)
    apply_fields(persona, data, PERSONA_FIELDS)
    persona.full_clean()
    persona.save()
    workspace_history_record(workspace_id=workspace.pk, actor=actor, action="created", entity="persona",
                             entity_id=persona.pk, label=persona.name,
                             after={k: v for k, v in _persona_values(persona).items() if v})
    return persona


@transaction.atomic
def persona_update(*, actor: AbstractBaseUser, persona: Persona, version: int | None, data: dict[str, Any]) -> Persona:
    role_require(user=actor, workspace_id=persona.workspace_id)
    claim_version(Persona.objects.all(), pk=persona.pk, version=version, noun="persona")
    persona = Persona.objects.get(pk=persona.pk)
    before = _persona_values(persona)
    apply_fields(persona, data, PERSONA_FIELDS)
    persona.full_clean()
    persona.save()
    _label_maps(persona)
    before, after = changed_only(before, _persona_values(persona))
    if after:
        workspace_history_record(workspace_id=persona.workspace_id, actor=actor, action="edited", entity="persona",
                                 entity_id=persona.pk, label=persona.name, before=before, after=after)
    return persona


def _label_maps(persona: Persona) -> None:
    """The maps whose primary persona this is show its name wherever a map's persona is text (lists, files)."""
    Journey.objects.filter(map_personas__persona=persona, map_personas__is_primary=True).update(
        persona=persona.name[:200])


@transaction.atomic
def map_personas_set(*, actor: AbstractBaseUser, journey: Journey, version: int | None, primary: Persona | None,
                     others: list[Persona]) -> Journey:
    """The map is about `primary` first, and about `others` too; the map's version is claimed like any edit."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    claim_version(Journey.objects.all(), pk=locked.pk, version=version, noun="map")
    chosen = ([primary] if primary else []) + [p for p in others if p != primary]
    if any(p.workspace_id != locked.workspace_id for p in chosen):
        raise ApplicationError("That persona belongs to another workspace.")
    # Hard on purpose: the set is replaced as a whole, like a field's value; these links hold nothing of their
    # own (each persona stays in the registry), and the primary's slot must be free for the new set.
    MapPersona.objects.filter(journey=locked).delete()
    MapPersona.objects.bulk_create([MapPersona(journey=locked, persona=p, is_primary=p == primary) for p in chosen])
    Journey.objects.filter(pk=locked.pk).update(persona=primary.name[:200] if primary else "")
    return Journey.objects.get(pk=locked.pk)


# --- linked journeys ------------------------------------------------------------------------------


@transaction.atomic
def stage_link_set(*, actor: AbstractBaseUser, stage: Stage, detail: Journey | None) -> StageLink | None:
    """The map that details this stage (None: no map does any more)."""
    journey_change_begin(actor=actor, journey_id=stage.journey_id)
    # A link the stage lost with its detail map (soft-deleted) still holds the stage's one slot. Hard on purpose:
    # a link holds nothing but its two ends and the new choice replaces it (a restored detail map comes back unlinked).
    StageLink.all_objects.filter(stage=stage).delete()
    if detail is None:
        return None
    link = StageLink(stage=stage, detail=detail)
    link.full_clean(exclude=["stage"])
    link.save()
    return link


# --- duplicate and templates ----------------------------------------------------------------------


def _trimmed(document: dict, parts: list[str]) -> dict:
    for part in parts:
        document[part] = None if part == "safety_loop" else []
    return document


@transaction.atomic
def journey_duplicate(*, actor: AbstractBaseUser, journey: Journey, title: str, with_healthcare: bool,
                      with_metrics: bool, with_comments: bool) -> Journey:
    """A copy of the map in its workspace, with or without its healthcare layer, metrics and comments."""
    role_require(user=actor, workspace_id=journey.workspace_id)
    local_ids: dict[str, dict[int, str]] = {}
    document = journey_document(journey.pk, local_ids=local_ids)
    document["journey"]["title"] = title
    document["journey"]["last_reviewed_at"] = None  # the copy has not been reviewed
    _trimmed(document, (HEALTHCARE_PARTS if not with_healthcare else []) + (METRIC_PARTS if not with_metrics else []))
    result = journey_import(actor=actor, workspace=journey.workspace, document=document)
    copy_ = result.journey
    # The copy's persona text already named its primary persona (portfolio.signals); the others follow.
    named = set(copy_.map_personas.values_list("persona_id", flat=True))
    MapPersona.objects.bulk_create([MapPersona(journey=copy_, persona_id=m.persona_id, is_primary=False)
                                    for m in MapPersona.objects.filter(journey=journey, is_primary=False)
                                    if m.persona_id not in named])
    if with_comments:
        new_pk = {part: {pk: result.ids[part][local] for pk, local in local_ids[part].items()}
                  for part in ("stages", "cards")}
        _comments_copy(journey, copy_, new_pk)
    return copy_


def _comments_copy(source: Journey, target: Journey, new_pk: dict[str, dict[int, int]]) -> None:
    """Every thread on a card or stage that was copied, replies under their copied root, authors kept."""
    copied: dict[int, Comment] = {}
    skip = {"id", "journey", "card", "stage", "parent"}
    fields = [f.name for f in Comment._meta.concrete_fields if f.name not in skip]
    for comment in Comment.objects.filter(journey=source).order_by(F("parent_id").asc(nulls_first=True), "id"):
        card = new_pk["cards"].get(comment.card_id) if comment.card_id else None
        stage = new_pk["stages"].get(comment.stage_id) if comment.stage_id else None
        parent = copied.get(comment.parent_id) if comment.parent_id else None
        if (card or stage) is None or (comment.parent_id and parent is None):
            continue  # on a deleted card: not on the copied board
        clone = Comment(journey=target, card_id=card, stage_id=stage, parent=parent,
                        **{name: getattr(comment, name) for name in fields})
        clone.save()
        Comment.objects.filter(pk=clone.pk).update(created_at=comment.created_at)
        copied[comment.pk] = clone


@transaction.atomic
def map_template_save(*, actor: AbstractBaseUser, journey: Journey, name: str, description: str = "") -> MapTemplate:
    """The map's structure (stages, lanes, cards, healthcare layer) as a template of its workspace.

    Metrics are left out and checkpoints start unreviewed: a template is a starting point, not a record."""
    role_require(user=actor, workspace_id=journey.workspace_id)
    document = _trimmed(journey_document(journey.pk), METRIC_PARTS)
    document["journey"] |= {"title": name, "status": "draft", "last_reviewed_at": None}
    for checkpoint in document["checkpoints"]:
        checkpoint |= {"due_date": None, "reviewed": False}
    template = MapTemplate(workspace=journey.workspace, name=name.strip(), description=description.strip(),
                           document=document, created_by=actor)
    template.full_clean(exclude=["workspace", "created_by"])
    template.save()
    workspace_history_record(workspace_id=journey.workspace_id, actor=actor, action="created", entity="map_template",
                             entity_id=template.pk, label=template.name, after={"From map": journey.title})
    return template


@transaction.atomic
def journey_from_template(*, actor: AbstractBaseUser, workspace: Workspace, key: str, title: str) -> Journey:
    """A new map from a gallery template ("telehealth", "rpm"...) or a template saved in the workspace ("saved-12")."""
    role_require(user=actor, workspace_id=workspace.pk)
    if key in gallery.STRUCTURE_ONLY:
        return journey_create(actor=actor, workspace=workspace, title=title, template=key)
    if key in gallery.GALLERY:
        document = gallery.GALLERY[key].document()
    elif key.startswith("saved-") and key.removeprefix("saved-").isdigit():
        template = MapTemplate.objects.filter(workspace=workspace, pk=int(key.removeprefix("saved-"))).first()
        if template is None:
            raise ApplicationError("There is no such template in this workspace.")
        document = copy.deepcopy(template.document)
    else:
        raise ApplicationError(f"There is no map template called “{key}”.")
    document["journey"]["title"] = title
    return journey_import(actor=actor, workspace=workspace, document=document).journey
