"""OpenJourney Format (.ojf), the JSON format of the open-source journey mapper Ptolemy.

An .ojf file has `stages` (columns), `swimlanes` (rows) and `nodes` placed by
`stageId` and `swimlaneId`. Title, persona and point of view sit either at the root
or under `metadata` (both shapes are found in the wild). Nodes may carry an emotion
`score` (-5..+5) with a `sentiment`, a `purpose`, a `severity`, and the layers of a
service blueprint (`blueprint.evidence`, `onstage`, `backstage`, `support`).

Reading turns the file into a native document (see `native`), a report of what the
map has no place for, and the file's own objects. Those are kept beside the map
(`ImportedOjf`), so writing it out again starts from each object as it came in and
changes only what a person changed since: blueprint layers stay on their node, and a
file imported and exported compares equal to itself but for the extension fields.

Extension fields: what Journeymap has and OpenJourney has not (a lane's kind, a
touchpoint's channel and data classification, a handoff's teams, a journey's status...)
travels in an ``"x-journeymap"`` object on the root, each stage, swimlane and node.
Ptolemy reads only the fields of its specification and keeps objects whole, so it
ignores them and saves them back; reading them here restores the map.
"""

import copy
import json
from collections import Counter
from typing import Any

from core.errors import ApplicationError
from maps.models import Card, Channel, Journey, LaneKind, Severity, Stage, Transition, card_model_for
from maps.selectors import cards_on_board
from maps.services import card_fields
from workspaces.models import Team

from .models import ImportedOjf
from .native import JOURNEY_FIELDS, SCHEMA, SCHEMA_VERSION, value_out

OJF_VERSION = "1.1.0"
EXTENSION = "x-journeymap"

# A swimlane's kind, from words in its name (first match wins).
LANE_WORDS = [
    (("touchpoint", "channel"), LaneKind.TOUCHPOINTS),
    (("friction", "pain", "bottleneck", "problem"), LaneKind.FRICTION),
    (("opportunit", "idea", "improvement"), LaneKind.OPPORTUNITIES),
    (("thought", "feel", "emotion", "state", "mindset"), LaneKind.USER_STATE),
    (("handoff", "hand-off", "owner"), LaneKind.HANDOFFS),
    (("backstage", "support", "system"), LaneKind.BACKSTAGE),
    (("action", "doing", "step"), LaneKind.ACTIONS),
    (("note",), LaneKind.NOTES),
]
# A node's purpose names the kind of card it is; a swimlane without telling words takes its nodes' main kind.
PURPOSE_KINDS = {
    "touchpoint": LaneKind.TOUCHPOINTS,
    "bottleneck": LaneKind.FRICTION,
    "pain": LaneKind.FRICTION,
    "painpoint": LaneKind.FRICTION,
    "pain-point": LaneKind.FRICTION,
    "opportunity": LaneKind.OPPORTUNITIES,
    "gain": LaneKind.OPPORTUNITIES,
    "note": LaneKind.NOTES,
    "action": LaneKind.ACTIONS,
}
KIND_PURPOSES = {LaneKind.TOUCHPOINTS: "touchpoint", LaneKind.FRICTION: "bottleneck",
                 LaneKind.OPPORTUNITIES: "opportunity"}
BLUEPRINT_LAYERS = ["evidence", "onstage", "backstage", "support"]
NODE_KEYS = {"id", "stageId", "swimlaneId", "title", "description", "severity", "score", "sentiment", "purpose",
             "blueprint", "owner", EXTENSION}
# Ptolemy's display-only fields: kept for the way back out, named in the report since the board does not show them.
DISPLAY_KEYS = {"tags": "tags", "isMomentOfTruth": "moments of truth", "icon": "icons", "iconColor": "icon colours"}
ROOT_KEYS = {"version", "persona", "pointOfView", "title", "metadata", "stages", "swimlanes", "nodes", EXTENSION}
METADATA_KEYS = {"title", "persona", "pov", "pointOfView", "version"}
# The journey's fields that only the extension carries (title, persona and point of view are OpenJourney's own).
JOURNEY_EXTENSION_FIELDS = [name for name in JOURNEY_FIELDS if name not in ("title", "persona", "description")]
# Card fields OpenJourney already carries (a node's title, description and owner): kept out of the extension.
CARD_OWN_FIELDS = {"title", "body", "owner_team"}


def _text(value: Any, where: str, name: str, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApplicationError(f"{where}: “{name}” must be text.")
    return value.strip()


def _list(value: Any, where: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
        raise ApplicationError(f"{where} must be a list of objects.")
    return value


def _extension(item: dict, where: str) -> dict:
    value = item.get(EXTENSION)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApplicationError(f"{where}: “{EXTENSION}” must be an object.")
    return value


def _local_ids(items: list[dict], noun: str, prefix: str) -> dict[str, str]:
    """The file's ids of stages, swimlanes or nodes, each with its id in the native document."""
    ids: dict[str, str] = {}
    for n, item in enumerate(items, start=1):
        file_id = _text(item.get("id"), f"{noun} {n}", "id", required=noun != "node") or f"#{n}"
        if file_id in ids:
            raise ApplicationError(f"{noun} {n}: the id “{file_id}” is used twice.")
        ids[file_id] = f"{prefix}{n}"
    return ids


def _lane_kind(name: str, purposes: Counter) -> str:
    lowered = name.casefold()
    for words, kind in LANE_WORDS:
        if any(word in lowered for word in words):
            return kind
    known = [(count, kind) for purpose, count in purposes.most_common() if (kind := PURPOSE_KINDS.get(purpose))]
    return known[0][1] if known else LaneKind.NOTES


def _score(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ApplicationError(f"{where}: “score” must be a number from -5 to 5.")
    return max(-5, min(5, round(value)))


def _ojf_severity(severity: str) -> str:
    return "high" if severity == Severity.CRITICAL else severity


# A card field that OpenJourney also carries, as the node shows it: the extension's value is used on the way
# back in only while it still shows as the node's value (a node edited in Ptolemy wins over a stale extension).
NODE_COUNTERPARTS = {
    "severity": ("severity", _ojf_severity),
    "feeling": ("sentiment", lambda feeling: feeling or "neutral"),
    "confidence": ("score", lambda confidence: confidence),
}


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def ojf_to_document(data: dict) -> tuple[dict, list[str], dict]:
    """The native document of an .ojf file, what of it the map has no place for, and the file's objects
    by their ids in the document (for `ImportedOjf`)."""
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else data
    title = _text(meta.get("title") or data.get("title"), "metadata", "title")
    persona = _text(meta.get("persona"), "metadata", "persona")
    point_of_view = _text(meta.get("pov") or meta.get("pointOfView") or data.get("pointOfView"), "metadata", "pov")
    stages = _list(data.get("stages"), "“stages”")
    swimlanes = _list(data.get("swimlanes"), "“swimlanes”")
    nodes = _list(data.get("nodes"), "“nodes”")
    if not stages:
        raise ApplicationError("The .ojf file has no stages: a map needs at least one.")
    report: list[str] = []

    stage_ids = _local_ids(stages, "stage", "s")
    lane_ids = _local_ids(swimlanes, "swimlane", "l")
    node_ids = _local_ids(nodes, "node", "c")
    purposes: dict[str, Counter] = {lane_id: Counter() for lane_id in lane_ids.values()}
    for n, node in enumerate(nodes, start=1):
        where = f"node “{node.get('id', n)}”"
        stage_id = _text(node.get("stageId"), where, "stageId", required=True)
        if stage_id not in stage_ids:
            raise ApplicationError(f"{where}: “stageId” refers to “{stage_id}”, which is not in the file.")
        lane_id = _text(node.get("swimlaneId"), where, "swimlaneId", required=True)
        if lane_id not in lane_ids:
            raise ApplicationError(f"{where}: “swimlaneId” refers to “{lane_id}”, which is not in the file.")
        purposes[lane_ids[lane_id]][_text(node.get("purpose"), where, "purpose").casefold()] += 1

    lanes = []
    for n, lane in enumerate(swimlanes, start=1):
        name = _text(lane.get("name"), f"swimlane {n}", "name")[:120] or f"Lane {n}"
        kind = _extension(lane, f"swimlane {n}").get("kind")
        if kind not in LaneKind.values:
            kind = _lane_kind(name, purposes[f"l{n}"])
        lanes.append({"id": f"l{n}", "name": name, "kind": kind})
    if not lanes:
        lanes.append({"id": "l1", "name": "Notes", "kind": LaneKind.NOTES})
    lane_kinds = {lane["id"]: lane["kind"] for lane in lanes}
    cards: list[dict] = []
    layered: Counter = Counter()  # blueprint layer -> entries kept on their node
    layered_nodes = 0
    displayed: dict[str, set] = {key: set() for key in DISPLAY_KEYS}
    unknown: Counter = Counter()
    scored_elsewhere, loose_severity, mismatched, unplaced_purposes = [], [], [], Counter()

    for n, node in enumerate(nodes, start=1):
        where = f"node “{node.get('id', n)}”"
        stage = stage_ids[_text(node["stageId"], where, "stageId")]
        lane = lane_ids[_text(node["swimlaneId"], where, "swimlaneId")]
        kind = lane_kinds[lane]
        node_title = _text(node.get("title"), where, "title")[:200] or "Untitled"
        card = {"id": f"c{n}", "stage": stage, "lane": lane, "kind": kind, "title": node_title,
                "body": _text(node.get("description"), where, "description")}
        owner = _text(node.get("owner"), where, "owner")
        if owner:
            card["owner_team"] = owner
        score, sentiment = _score(node.get("score"), where), _text(node.get("sentiment"), where, "sentiment")
        if kind == LaneKind.USER_STATE:
            card |= {"confidence": score or 0, "feeling": sentiment[:300]}
        elif score is not None or sentiment:
            scored_elsewhere.append(node_title)
        severity = _text(node.get("severity"), where, "severity").casefold()
        if kind == LaneKind.FRICTION and severity in Severity.values:
            card["severity"] = severity
        elif severity and kind != LaneKind.FRICTION:
            loose_severity.append(node_title)
        purpose = _text(node.get("purpose"), where, "purpose").casefold()
        if PURPOSE_KINDS.get(purpose, kind) not in (kind, LaneKind.NOTES):
            mismatched.append(f"“{node_title}” ({purpose})")
        elif purpose and purpose not in PURPOSE_KINDS:
            unplaced_purposes[purpose] += 1
        blueprint = node.get("blueprint") or {}
        if not isinstance(blueprint, dict):
            raise ApplicationError(f"{where}: “blueprint” must be an object.")
        for layer in BLUEPRINT_LAYERS:
            layered[layer] += len(_list(blueprint.get(layer), f"{where}: “blueprint.{layer}”"))
        layered_nodes += any(blueprint.get(layer) for layer in BLUEPRINT_LAYERS)
        if kind == LaneKind.TOUCHPOINTS:
            evidence_types = {_text(e.get("type"), where, "type").casefold()
                              for e in _list(blueprint.get("evidence"), where)}
            card["channel"] = (Channel.IN_PERSON if "physical" in evidence_types
                               else Channel.WEB if "digital" in evidence_types else Channel.OTHER)
        card |= _card_extension(node, card, kind, where, stage_ids=stage_ids, node_ids=node_ids)
        for key in ("tags", "icon", "iconColor"):
            value = node.get(key)
            displayed[key].update(str(v) for v in (value if isinstance(value, list) else [value]) if v)
        if node.get("isMomentOfTruth") is True:
            displayed["isMomentOfTruth"].add(node_title)
        unknown.update(key for key in node if key not in NODE_KEYS and key not in DISPLAY_KEYS)
        cards.append(card)

    kept = "kept with the map for the way back out (an .ojf export gives it back)"
    if layered_nodes:
        layers = ", ".join(f"{layered[layer]} {layer}" for layer in BLUEPRINT_LAYERS if layered[layer])
        report.append(f"Service-blueprint layers of {_plural(layered_nodes, 'node')} ({layers} entries) stay on "
                      f"their node: {kept}, but the board does not show them.")
    if scored_elsewhere:
        report.append(f"Emotion scores of {_plural(len(scored_elsewhere), 'node')} outside a thoughts-and-feelings "
                      f"lane are {kept}, but not drawn on the emotion curve (only user-state cards draw it): "
                      f"{', '.join(scored_elsewhere)}.")
    if mismatched:
        report.append(f"Purpose kept only as the lane's kind for {len(mismatched)} node(s) placed in a lane of "
                      f"another kind: {', '.join(mismatched)}.")
    for purpose, count in sorted(unplaced_purposes.items()):
        report.append(f"The purpose “{purpose}” has no place in the map ({count} node(s) kept as their lane's kind).")
    if loose_severity:
        report.append(f"Severity of {_plural(len(loose_severity), 'node')} outside a friction lane is {kept}, but "
                      f"only friction points have a severity on the board.")
    for key, label in DISPLAY_KEYS.items():
        if displayed[key]:
            report.append(f"The board has no place for {label}, {kept}: {', '.join(sorted(displayed[key]))}.")
    for key, count in sorted(unknown.items()):
        report.append(f"The unknown node field “{key}” on {_plural(count, 'node')} is {kept}.")
    for key in sorted(set(data) - ROOT_KEYS) + sorted(set(meta) - METADATA_KEYS if meta is not data else set()):
        report.append(f"The unknown file field “{key}” is {kept}.")
    for noun, items in (("stage", stages), ("swimlane", swimlanes)):
        extra = sorted({key for item in items for key in item} - {"id", "name", EXTENSION})
        if extra:
            report.append(f"The {noun} field(s) {', '.join(f'“{k}”' for k in extra)} are {kept}.")

    journey = {"title": (title or point_of_view or persona or "Imported journey")[:200], "persona": persona[:200],
               "description": point_of_view[:2000]}
    extension = _extension(data, "the file")
    journey |= {name: extension[name] for name in JOURNEY_EXTENSION_FIELDS if name in extension}
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "journey": journey,
        "stages": [{"id": f"s{n}", "name": _text(s.get("name"), f"stage {n}", "name")[:120] or f"Stage {n}"}
                   | _stage_extension(s, f"stage {n}") for n, s in enumerate(stages, start=1)],
        "lanes": lanes,
        "cards": cards,
    }
    origin = {
        "root": {key: value for key, value in data.items() if key not in ("stages", "swimlanes", "nodes")},
        "stages": {stage_ids[_text(s.get("id"), "stage", "id")]: s for s in stages},
        "lanes": {lane_ids[_text(s.get("id"), "swimlane", "id")]: s for s in swimlanes},
        "nodes": {f"c{n}": node for n, node in enumerate(nodes, start=1)},
    }
    return document, report, origin


def _stage_extension(stage: dict, where: str) -> dict:
    description = _extension(stage, where).get("description")
    return {"description": description} if isinstance(description, str) else {}


def _card_extension(node: dict, card: dict, kind: str, where: str, *, stage_ids: dict[str, str],
                    node_ids: dict[str, str]) -> dict:
    """The card fields a node's extension carries, in the native document's terms."""
    extension = _extension(node, where)
    if extension.get("kind", kind) != kind:
        return {}  # the node was moved to a lane of another kind in another tool: its own fields no longer fit
    fields = {}
    for name in card_fields(card_model_for(kind)):
        if name in CARD_OWN_FIELDS or name not in extension:
            continue
        value = extension[name]
        counterpart = NODE_COUNTERPARTS.get(name)
        if counterpart and name in card:
            node_key, shown = counterpart
            if shown(value) != node.get(node_key):
                continue
        if name == "to_stage" and value is not None:
            value = stage_ids.get(value) if isinstance(value, str) else None
        if name == "handoff" and value is not None:
            value = node_ids.get(value) if isinstance(value, str) else None
        fields[name] = value
    return fields


# --- writing ----------------------------------------------------------------


def _merged(original: dict, imported: dict, current: dict) -> dict:
    """The file's object, with each field a person changed since import written anew."""
    merged = copy.deepcopy(original)
    for key, value in current.items():
        if key == EXTENSION or imported.get(key, _MISSING) != value:
            merged[key] = value
    for key in imported.keys() - current.keys():
        if merged.get(key) == imported[key]:
            merged.pop(key, None)  # the map no longer has it (a score on a card that left its user-state lane)
    return merged


_MISSING = object()


class _Writer:
    """The map's rows as OpenJourney objects, with ids that stay those of the imported file."""

    def __init__(self, journey: Journey, origin: Any) -> None:
        self.journey = journey
        self.origin = origin
        self.stages = list(journey.stages.all())
        self.lanes = list(journey.lanes.all())
        stage_order = {s.pk: i for i, s in enumerate(self.stages)}
        lane_order = {lane.pk: i for i, lane in enumerate(self.lanes)}
        self.cards = sorted(cards_on_board(journey=journey),
                            key=lambda c: (stage_order[c.stage_id], lane_order[c.lane_id], c.position, c.pk))
        self.teams = dict(Team.objects.filter(workspace_id=journey.workspace_id).values_list("pk", "name"))
        self.stage_ids = self._ids(self.stages, "stages", "s")
        self.lane_ids = self._ids(self.lanes, "lanes", "l")
        self.node_ids = self._ids(self.cards, "nodes", "n")

    def _ids(self, rows: list, part: str, prefix: str) -> dict[int, str]:
        kept = getattr(self.origin, part, {}) if self.origin else {}
        ids = {row.pk: kept[str(row.pk)]["file"]["id"] for row in rows
               if str(row.pk) in kept and isinstance(kept[str(row.pk)]["file"].get("id"), str)}
        taken, n = set(ids.values()), 0
        for row in rows:
            if row.pk not in ids:
                n += 1
                while f"{prefix}{n}" in taken:
                    n += 1
                ids[row.pk] = f"{prefix}{n}"
        return ids

    def journey_view(self) -> dict[str, str]:
        return {"title": self.journey.title, "persona": self.journey.persona, "pov": self.journey.description}

    def stage_view(self, stage: Stage) -> dict[str, Any]:
        return {"id": self.stage_ids[stage.pk], "name": stage.name}

    def lane_view(self, lane: Any) -> dict[str, Any]:
        return {"id": self.lane_ids[lane.pk], "name": lane.name}

    def node_view(self, card: Card) -> dict[str, Any]:
        """The node OpenJourney would show for the card (without extension)."""
        node = {"id": self.node_ids[card.pk], "stageId": self.stage_ids[card.stage_id],
                "swimlaneId": self.lane_ids[card.lane_id], "title": card.title, "description": card.body,
                "purpose": KIND_PURPOSES.get(card.kind, "note"), "tags": [], "isMomentOfTruth": False}
        if card.kind == LaneKind.USER_STATE:
            node |= {"score": card.confidence, "sentiment": card.feeling or "neutral"}
        if card.kind == LaneKind.FRICTION:
            node["severity"] = _ojf_severity(card.severity)
        if card.owner_team_id:
            node["owner"] = self.teams[card.owner_team_id]
        return node

    def card_extension(self, card: Card) -> dict[str, Any]:
        refs = {Stage: self.stage_ids, Transition: self.node_ids}
        extension: dict[str, Any] = {"kind": card.kind}
        for name in card_fields(type(card)):
            if name in CARD_OWN_FIELDS:
                continue
            field = card._meta.get_field(name)
            if field.is_relation and field.related_model is not Team:
                extension[name] = refs[field.related_model].get(getattr(card, field.attname))
            else:
                extension[name] = value_out(card, name, {}, self.teams)
        return extension

    def root(self) -> dict[str, Any]:
        extension = {name: value_out(self.journey, name, {}, {}) for name in JOURNEY_EXTENSION_FIELDS}
        view = self.journey_view()
        if self.origin is None:
            return {"metadata": view | {"version": OJF_VERSION}, EXTENSION: extension}
        root = copy.deepcopy(self.origin.root)
        imported = self.origin.imported
        # Where the file kept each: under `metadata`, or at the root as Ptolemy's own export does.
        home = root["metadata"] if isinstance(root.get("metadata"), dict) else root
        keys = {"title": "title", "persona": "persona",
                "pov": "pov" if home is not root and "pointOfView" not in home else "pointOfView"}
        for name, value in view.items():
            if imported.get(name) != value:
                home[keys[name]] = value
        root[EXTENSION] = extension
        return root

    def document(self) -> dict[str, Any]:
        origin = self.origin
        return self.root() | {
            "stages": [self._object(origin and origin.stages, s.pk, self.stage_view(s),
                                    {EXTENSION: {"description": s.description}}) for s in self.stages],
            "swimlanes": [self._object(origin and origin.lanes, lane.pk, self.lane_view(lane),
                                       {EXTENSION: {"kind": lane.kind}}) for lane in self.lanes],
            "nodes": [self._object(origin and origin.nodes, c.pk, self.node_view(c),
                                   {EXTENSION: self.card_extension(c)}) for c in self.cards],
        }

    @staticmethod
    def _object(kept: dict | None, pk: int, view: dict, extension: dict) -> dict:
        entry = (kept or {}).get(str(pk))
        if entry is None:
            return view | extension
        return _merged(entry["file"], entry["imported"], view | extension)


def ojf_origin_record(*, journey: Journey, origin: dict, ids: dict[str, dict[str, int]]) -> None:
    """Keeps an imported file's objects beside the new map, each with the map's view of it right now."""
    writer = _Writer(journey, None)
    stages = {s.pk: s for s in writer.stages}
    lanes = {lane.pk: lane for lane in writer.lanes}
    cards = {c.pk: c for c in writer.cards}
    # The writer numbered the rows afresh; the views must carry the file's ids.
    writer.stage_ids |= {ids["stages"][local]: file["id"] for local, file in origin["stages"].items()}
    writer.lane_ids |= {ids["lanes"][local]: file["id"] for local, file in origin["lanes"].items()}
    writer.node_ids |= {ids["cards"][local]: file.get("id") for local, file in origin["nodes"].items()}

    def entries(part: str, rows: dict, view: Any) -> dict[str, dict]:
        return {str(ids[part][local]): {"file": file, "imported": view(rows[ids[part][local]])}
                for local, file in origin[part if part != "cards" else "nodes"].items()}

    ImportedOjf.objects.create(
        journey=journey, root=origin["root"], imported=writer.journey_view(),
        stages=entries("stages", stages, writer.stage_view), lanes=entries("lanes", lanes, writer.lane_view),
        nodes=entries("cards", cards, writer.node_view))


def journey_ojf(journey_id: int) -> dict[str, Any]:
    """The map as OpenJourney: an imported file's objects as they came in, with what changed since written anew."""
    journey = Journey.objects.get(pk=journey_id)
    return _Writer(journey, ImportedOjf.objects.filter(journey=journey).first()).document()


def without_extensions(value: Any) -> Any:
    """The document as Ptolemy reads it: every ``x-journeymap`` object left out."""
    if isinstance(value, dict):
        return {key: without_extensions(item) for key, item in value.items() if key != EXTENSION}
    if isinstance(value, list):
        return [without_extensions(item) for item in value]
    return value


def render_ojf(journey_id: int) -> bytes:
    return json.dumps(journey_ojf(journey_id), indent=2, ensure_ascii=False).encode()
