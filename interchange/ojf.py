"""OpenJourney Format (.ojf), the JSON format of the open-source journey mapper Ptolemy.

An .ojf file has `stages` (columns), `swimlanes` (rows) and `nodes` placed by
`stageId` and `swimlaneId`. Title, persona and point of view sit either at the root
or under `metadata` (both shapes are found in the wild). Nodes may carry an emotion
`score` (-5..+5) with a `sentiment`, a `purpose`, a `severity`, and the layers of a
service blueprint (`blueprint.evidence`, `onstage`, `backstage`, `support`).

Reading turns the file into a native document (see `native`) plus a report of what
the map has no place for; writing gives the fixtures' shape back.
"""

import json
from collections import Counter
from typing import Any

from core.errors import ApplicationError
from maps.models import Card, Channel, Journey, LaneKind, Severity
from maps.selectors import cards_on_board

from .native import SCHEMA, SCHEMA_VERSION

OJF_VERSION = "1.1.0"

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
    "opportunity": LaneKind.OPPORTUNITIES,
    "gain": LaneKind.OPPORTUNITIES,
    "note": LaneKind.NOTES,
    "action": LaneKind.ACTIONS,
}
KIND_PURPOSES = {LaneKind.TOUCHPOINTS: "touchpoint", LaneKind.FRICTION: "bottleneck",
                 LaneKind.OPPORTUNITIES: "opportunity"}
# The service-blueprint layers, as lanes of the map: (layer, lane name, lane kind, title key, details key).
BLUEPRINT_LAYERS = [
    ("evidence", "Evidence", LaneKind.NOTES, "item", "type"),
    ("onstage", "Onstage (frontstage)", LaneKind.NOTES, "action", "actor"),
    ("backstage", "Backstage", LaneKind.BACKSTAGE, "action", "actor"),
    ("support", "Support processes", LaneKind.BACKSTAGE, "system", "description"),
]
EMOTION_LANE = "Emotion"
NODE_KEYS = {"id", "stageId", "swimlaneId", "title", "description", "severity", "score", "sentiment", "purpose",
             "blueprint", "owner"}
# Ptolemy's display-only fields: named in the report, since the map has no place for them.
DISPLAY_KEYS = {"tags": "tags", "isMomentOfTruth": "moments of truth", "iconColor": "icon colours"}


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


def _local_ids(items: list[dict], noun: str, prefix: str) -> dict[str, str]:
    """The file's ids of stages or swimlanes, each with its id in the native document."""
    ids: dict[str, str] = {}
    for n, item in enumerate(items, start=1):
        file_id = _text(item.get("id"), f"{noun} {n}", "id", required=True)
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


def ojf_to_document(data: dict) -> tuple[dict, list[str]]:
    """The native document of an .ojf file, and what of it the map has no place for."""
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
        lanes.append({"id": f"l{n}", "name": name, "kind": _lane_kind(name, purposes[f"l{n}"])})
    lane_kinds = {lane["id"]: lane["kind"] for lane in lanes}
    cards: list[dict] = []
    extra: dict[str, list[dict]] = {name: [] for _layer, name, *_rest in BLUEPRINT_LAYERS}
    extra[EMOTION_LANE] = []
    ignored: Counter = Counter()
    displayed: dict[str, set] = {key: set() for key in DISPLAY_KEYS}
    mismatched, loose_severity, unplaced_purposes = [], [], Counter()

    for n, node in enumerate(nodes, start=1):
        where = f"node “{node.get('id', n)}”"
        stage = stage_ids[_text(node["stageId"], where, "stageId")]
        lane = lane_ids[_text(node["swimlaneId"], where, "swimlaneId")]
        kind = lane_kinds[lane]
        node_title = _text(node.get("title"), where, "title")[:200] or "Untitled"
        card = {"id": f"c{len(cards) + 1}", "stage": stage, "lane": lane, "kind": kind, "title": node_title,
                "body": _text(node.get("description"), where, "description")}
        owner = _text(node.get("owner"), where, "owner")
        if owner:
            card["owner_team"] = owner
        score, sentiment = _score(node.get("score"), where), _text(node.get("sentiment"), where, "sentiment")
        if kind == LaneKind.USER_STATE:
            card |= {"confidence": score or 0, "feeling": sentiment[:300]}
        elif score is not None or sentiment:  # the emotion curve is drawn from user-state cards
            extra[EMOTION_LANE].append({"stage": stage, "kind": LaneKind.USER_STATE, "title": node_title,
                                        "confidence": score or 0, "feeling": sentiment[:300]})
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
        for layer, lane_name, lane_kind, title_key, details_key in BLUEPRINT_LAYERS:
            for entry in _list(blueprint.get(layer), f"{where}: “blueprint.{layer}”"):
                entry_title = _text(entry.get(title_key), f"{where}, {layer}", title_key) or "Untitled"
                details = _text(entry.get(details_key), f"{where}, {layer}", details_key)
                extra[lane_name].append({"stage": stage, "kind": lane_kind, "title": entry_title[:200],
                                         "body": details})
        if kind == LaneKind.TOUCHPOINTS:
            evidence_types = {_text(e.get("type"), where, "type").casefold()
                              for e in _list(blueprint.get("evidence"), where)}
            card["channel"] = (Channel.IN_PERSON if "physical" in evidence_types
                               else Channel.WEB if "digital" in evidence_types else Channel.OTHER)
        for key in ("tags", "iconColor"):
            value = node.get(key)
            displayed[key].update(str(v) for v in (value if isinstance(value, list) else [value]) if v)
        if node.get("isMomentOfTruth") is True:
            displayed["isMomentOfTruth"].add(node_title)
        ignored.update(key for key in node if key not in NODE_KEYS and key not in DISPLAY_KEYS)
        cards.append(card)

    for layer, lane_name, lane_kind, *_rest in BLUEPRINT_LAYERS + [(None, EMOTION_LANE, LaneKind.USER_STATE)]:
        if extra[lane_name]:
            lane_id = f"l{len(lanes) + 1}"
            lanes.append({"id": lane_id, "name": lane_name, "kind": lane_kind})
            for entry in extra[lane_name]:
                cards.append({"id": f"c{len(cards) + 1}", "lane": lane_id} | entry)
            count = len(extra[lane_name])
            report.append(f"{count} {layer or 'emotion'} entr{'y' if count == 1 else 'ies'} became cards of the new "
                          f"“{lane_name}” lane.")
    if not lanes:
        lanes.append({"id": "l1", "name": "Notes", "kind": LaneKind.NOTES})
    if mismatched:
        report.append(f"Purpose kept only as the lane's kind for {len(mismatched)} node(s) placed in a lane of "
                      f"another kind: {', '.join(mismatched)}.")
    for purpose, count in sorted(unplaced_purposes.items()):
        report.append(f"The purpose “{purpose}” has no place in the map ({count} node(s) kept as their lane's kind).")
    if loose_severity:
        report.append(f"Severity ignored on {len(loose_severity)} node(s) outside a friction lane (only friction "
                      f"points have a severity).")
    for key, label in DISPLAY_KEYS.items():
        if displayed[key]:
            shown = ", ".join(sorted(displayed[key]))
            report.append(f"Ignored {label} (the map has no place for them): {shown}.")
    for key, count in sorted(ignored.items()):
        report.append(f"Ignored the unknown node field “{key}” on {count} node(s).")
    document = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "journey": {"title": (title or point_of_view or persona or "Imported journey")[:200], "persona": persona[:200],
                    "description": point_of_view[:2000]},
        "stages": [{"id": f"s{n}", "name": _text(s.get("name"), f"stage {n}", "name")[:120] or f"Stage {n}"}
                   for n, s in enumerate(stages, start=1)],
        "lanes": lanes,
        "cards": cards,
    }
    return document, report


def journey_ojf(journey_id: int) -> dict[str, Any]:
    """The map in the OpenJourney shape Ptolemy writes (title, persona and point of view under `metadata`)."""
    journey = Journey.objects.get(pk=journey_id)
    stages = list(journey.stages.all())
    lanes = list(journey.lanes.all())
    stage_ids = {s.pk: f"s{n}" for n, s in enumerate(stages, start=1)}
    lane_ids = {lane.pk: f"l{n}" for n, lane in enumerate(lanes, start=1)}
    stage_order = {s.pk: i for i, s in enumerate(stages)}
    lane_order = {lane.pk: i for i, lane in enumerate(lanes)}
    cards = sorted(cards_on_board(journey=journey),
                   key=lambda c: (stage_order[c.stage_id], lane_order[c.lane_id], c.position, c.pk))
    return {
        "metadata": {"title": journey.title, "persona": journey.persona, "pov": journey.description,
                     "version": OJF_VERSION},
        "stages": [{"id": stage_ids[s.pk], "name": s.name} for s in stages],
        "swimlanes": [{"id": lane_ids[lane.pk], "name": lane.name} for lane in lanes],
        "nodes": [_node(f"n{n}", card, stage_ids, lane_ids) for n, card in enumerate(cards, start=1)],
    }


def _node(node_id: str, card: Card, stage_ids: dict[int, str], lane_ids: dict[int, str]) -> dict[str, Any]:
    node = {"id": node_id, "stageId": stage_ids[card.stage_id], "swimlaneId": lane_ids[card.lane_id],
            "title": card.title, "description": card.body,
            "purpose": KIND_PURPOSES.get(card.kind, "note"), "tags": [], "isMomentOfTruth": False}
    if card.kind == LaneKind.USER_STATE:
        node |= {"score": card.confidence, "sentiment": card.feeling or "neutral"}
    if card.kind == LaneKind.FRICTION:
        node["severity"] = "high" if card.severity == Severity.CRITICAL else card.severity
    if card.owner_team_id:
        node["owner"] = card.owner_team.name
    return node


def render_ojf(journey_id: int) -> bytes:
    return json.dumps(journey_ojf(journey_id), indent=2, ensure_ascii=False).encode()
