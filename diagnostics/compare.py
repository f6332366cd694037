"""Designed vs observed: where reality diverges from intention.

`journey_diff` is pure: it compares two `MapShape`s (plain data read by
`selectors.map_shape`) and returns the list of differences, in stage order, plus a
one-line summary of where the journey diverges most.

Stages are matched by name (case and spacing ignored). A stage that appears more than
once in the observed journey, or whose name carries a repeat marker such as
“(again)”, “(return)”, “(loop)” or “↺”, is a stage users repeat. Steps (user actions
and touchpoints) are matched by title within a matched stage.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

REPEAT_MARKER = re.compile(r"\s*(\((again|repeat|repeated|return|returns|loop|revisit)\)|↺|\s#\d+)\s*$", re.IGNORECASE)


class DiffKind(StrEnum):
    STAGE_SKIPPED = "stage_skipped"  # designed stage users never reach or skip
    STAGE_ADDED = "stage_added"  # a stage only in the observed journey (a pause, a detour)
    STAGE_REPEATED = "stage_repeated"  # users loop back to it
    STEP_MISSING = "step_missing"  # a designed step users do not take
    STEP_ADDED = "step_added"  # a step only users take
    EXPECTATION_GAP = "expectation_gap"  # a touchpoint whose experience differs from its expectation
    CONFIDENCE_LOWER = "confidence_lower"
    OWNER_CHANGED = "owner_changed"
    STAGE_RETURNED = "stage_returned"  # users pause and come back (event logs only)


KIND_LABELS = {
    DiffKind.STAGE_SKIPPED: "Stage skipped",
    DiffKind.STAGE_ADDED: "Stage only in reality",
    DiffKind.STAGE_REPEATED: "Stage repeated",
    DiffKind.STEP_MISSING: "Step not taken",
    DiffKind.STEP_ADDED: "Unplanned step",
    DiffKind.EXPECTATION_GAP: "Expectation gap",
    DiffKind.CONFIDENCE_LOWER: "Confidence lower",
    DiffKind.OWNER_CHANGED: "Owner changed",
    DiffKind.STAGE_RETURNED: "Pause and return",
}
# How much each kind weighs when deciding where the journey diverges most.
WEIGHTS = {
    DiffKind.STAGE_SKIPPED: 3.0,
    DiffKind.STAGE_ADDED: 2.0,
    DiffKind.STAGE_REPEATED: 2.0,
    DiffKind.STEP_MISSING: 1.0,
    DiffKind.STEP_ADDED: 1.0,
    DiffKind.EXPECTATION_GAP: 1.5,
    DiffKind.CONFIDENCE_LOWER: 1.0,  # per point of confidence lost
    DiffKind.OWNER_CHANGED: 1.0,
    DiffKind.STAGE_RETURNED: 1.5,
}


@dataclass(frozen=True)
class CardShape:
    kind: str  # the lane kind: actions, touchpoints, user_state, handoffs...
    title: str
    owner: str = ""
    confidence: int | None = None  # user states
    expectation: str = ""  # touchpoints
    experience: str = ""
    from_team: str = ""  # transitions
    to_team: str = ""


@dataclass(frozen=True)
class StageShape:
    name: str
    cards: tuple[CardShape, ...] = ()

    @property
    def key(self) -> str:
        return stage_key(self.name)

    @property
    def marked_repeat(self) -> bool:
        return bool(REPEAT_MARKER.search(self.name))

    def of_kind(self, *kinds: str) -> list[CardShape]:
        return [c for c in self.cards if c.kind in kinds]

    @property
    def confidence(self) -> float | None:
        scores = [c.confidence for c in self.cards if c.kind == "user_state" and c.confidence is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


@dataclass(frozen=True)
class MapShape:
    title: str
    stages: tuple[StageShape, ...]


@dataclass(frozen=True)
class Difference:
    kind: DiffKind
    stage: str  # the designed stage's name when there is one, else the observed one
    text: str
    weight: float = 1.0
    designed: str = ""
    observed: str = ""
    evidence: str = ""  # where an observed difference comes from, e.g. the event log it was measured in

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass
class Comparison:
    differences: list[Difference]
    summary: str
    by_stage: dict[str, list[Difference]] = field(default_factory=dict)

    def count(self, kind: DiffKind) -> int:
        return sum(1 for d in self.differences if d.kind == kind)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def stage_key(name: str) -> str:
    return _norm(REPEAT_MARKER.sub("", name))


def _by_title(cards: list[CardShape]) -> dict[str, CardShape]:
    result: dict[str, CardShape] = {}
    for card in cards:
        result.setdefault(_norm(card.title), card)
    return result


def _steps(designed: StageShape, observed: StageShape) -> list[Difference]:
    out = []
    mine = _by_title(designed.of_kind("actions", "touchpoints"))
    theirs = _by_title(observed.of_kind("actions", "touchpoints"))
    for key, card in mine.items():
        if key not in theirs:
            out.append(Difference(DiffKind.STEP_MISSING, designed.name,
                                  f"Users do not take the designed step “{card.title}”.",
                                  WEIGHTS[DiffKind.STEP_MISSING], designed=card.title))
    for key, card in theirs.items():
        if key not in mine:
            out.append(Difference(DiffKind.STEP_ADDED, designed.name,
                                  f"Users take a step the design does not have: “{card.title}”.",
                                  WEIGHTS[DiffKind.STEP_ADDED], observed=card.title))
    return out


def _gaps(designed: StageShape | None, observed: StageShape) -> list[Difference]:
    out = []
    designed_tps = _by_title(designed.of_kind("touchpoints")) if designed else {}
    for card in observed.of_kind("touchpoints"):
        if not card.expectation.strip() or not card.experience.strip():
            continue
        if _norm(card.expectation) == _norm(card.experience):
            continue
        planned = designed_tps.get(_norm(card.title))
        known = planned is not None and _norm(planned.experience) == _norm(card.experience)
        out.append(Difference(
            DiffKind.EXPECTATION_GAP, designed.name if designed else observed.name,
            f"“{card.title}”: users expect “{card.expectation}” but meet “{card.experience}”"
            + (" (a gap the design already knows)." if known else "."),
            WEIGHTS[DiffKind.EXPECTATION_GAP] / (3 if known else 1),
            designed=card.expectation, observed=card.experience,
        ))
    return out


def _confidence(designed: StageShape, observed: StageShape) -> list[Difference]:
    planned, real = designed.confidence, observed.confidence
    if planned is None or real is None or real >= planned:
        return []
    delta = round(planned - real, 1)
    return [Difference(DiffKind.CONFIDENCE_LOWER, designed.name,
                       f"Confidence is {real:+g}, {delta:g} lower than the designed {planned:+g}.",
                       WEIGHTS[DiffKind.CONFIDENCE_LOWER] * delta, designed=f"{planned:+g}", observed=f"{real:+g}")]


def _owners(designed: StageShape, observed: StageShape) -> list[Difference]:
    out = []
    for kind, noun in (("handoffs", "Handoff"), ("touchpoints", "Touchpoint")):
        mine, theirs = designed.of_kind(kind), observed.of_kind(kind)
        pairs = []
        theirs_by_title = _by_title(theirs)
        for card in mine:
            match = theirs_by_title.get(_norm(card.title))
            if match is None and kind == "handoffs" and len(mine) == 1 and len(theirs) == 1:
                match = theirs[0]  # a stage's one handoff, renamed
            if match is not None:
                pairs.append((card, match))
        for planned, real in pairs:
            for attr, what in (("owner", "owner"), ("from_team", "from team"), ("to_team", "to team")):
                before, after = getattr(planned, attr), getattr(real, attr)
                if _norm(before) != _norm(after):
                    out.append(Difference(
                        DiffKind.OWNER_CHANGED, designed.name,
                        f"{noun} “{planned.title}”: {what} is {after or 'nobody'} in reality, "
                        f"{before or 'nobody'} by design.",
                        WEIGHTS[DiffKind.OWNER_CHANGED], designed=before or "—", observed=after or "—",
                    ))
    return out


def journey_diff(designed: MapShape, observed: MapShape) -> Comparison:
    """Every difference between the designed and the observed journey, in stage order."""
    differences: list[Difference] = []
    observed_by_key: dict[str, list[StageShape]] = defaultdict(list)
    for stage in observed.stages:
        observed_by_key[stage.key].append(stage)
    designed_keys = {s.key for s in designed.stages}

    for stage in designed.stages:
        matches = observed_by_key.get(stage.key, [])
        if not matches:
            differences.append(Difference(DiffKind.STAGE_SKIPPED, stage.name,
                                          f"Users skip “{stage.name}”: the observed journey does not have it.",
                                          WEIGHTS[DiffKind.STAGE_SKIPPED], designed=stage.name))
            continue
        times = len(matches)
        if times > 1 or any(m.marked_repeat for m in matches):
            shown = max(times, 2)
            differences.append(Difference(DiffKind.STAGE_REPEATED, stage.name,
                                          f"Users go through “{stage.name}” {shown} times (they loop back or return).",
                                          WEIGHTS[DiffKind.STAGE_REPEATED], designed="once", observed=f"{shown} times"))
        first = matches[0]
        differences += _steps(stage, first)
        differences += _gaps(stage, first)
        differences += _confidence(stage, first)
        differences += _owners(stage, first)

    for stage in observed.stages:
        if stage.key not in designed_keys:
            differences.append(Difference(DiffKind.STAGE_ADDED, stage.name,
                                          f"Users go through “{stage.name}”, which the design does not have.",
                                          WEIGHTS[DiffKind.STAGE_ADDED], observed=stage.name))
            differences += _gaps(None, stage)

    by_stage: dict[str, list[Difference]] = defaultdict(list)
    for difference in differences:
        by_stage[difference.stage].append(difference)
    return Comparison(differences=differences, summary=_summary(differences, by_stage), by_stage=dict(by_stage))


def _summary(differences: list[Difference], by_stage: dict[str, list[Difference]]) -> str:
    if not differences:
        return "The observed journey matches the design: no differences found."
    stage, items = max(by_stage.items(), key=lambda kv: (sum(d.weight for d in kv[1]), len(kv[1])))
    counts: dict[DiffKind, int] = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    parts = []
    for kind in DiffKind:
        n = counts.get(kind)
        if not n:
            continue
        if kind == DiffKind.CONFIDENCE_LOWER:
            drop = next(d for d in items if d.kind == kind).weight / WEIGHTS[kind]
            parts.append(f"confidence {drop:g} point{'s' if drop != 1 else ''} lower than designed")
        else:
            parts.append(f"{n} × {KIND_LABELS[kind].lower()}")
    return (f"Diverges most at {stage}: {', '.join(parts)} "
            f"({len(differences)} difference{'s' if len(differences) != 1 else ''} in all).")


# --- differences measured in an event log ---------------------------------------------------


def _cases_text(value: int | None, threshold: int) -> str:
    return f"fewer than {threshold} cases" if value is None else f"{value:,} case{'s' if value != 1 else ''}"


def log_differences(*, stage_names: list[str], result: dict, threshold: int, source: str) -> list[Difference]:
    """What an imported event log says about the designed path: stages nobody reached, stages skipped,
    loops back, and pauses followed by a return. `result` is an import's stored (suppressed) aggregates."""
    position = {name: i for i, name in enumerate(stage_names)}
    out: list[Difference] = []
    reached = set(result["exits"]) | {name for t in result["transitions"] for name in (t["from"], t["to"])}
    for name in stage_names:
        if name not in reached:
            out.append(Difference(DiffKind.STAGE_SKIPPED, name, f"Nobody in the event log reached “{name}”.",
                                  WEIGHTS[DiffKind.STAGE_SKIPPED], designed=name, observed="not reached",
                                  evidence=source))
    for item in result["transitions"]:
        a, b = position.get(item["from"]), position.get(item["to"])
        if a is None or b is None:
            continue
        cases = _cases_text(item["cases"], threshold)
        if b > a + 1:
            skipped = ", ".join(f"“{n}”" for n in stage_names[a + 1:b])
            out.append(Difference(DiffKind.STAGE_SKIPPED, stage_names[a + 1],
                                  f"{cases} go from “{item['from']}” straight to “{item['to']}”, skipping {skipped}.",
                                  WEIGHTS[DiffKind.STAGE_SKIPPED] / 2, designed=f"{item['from']} → {stage_names[a + 1]}",
                                  observed=f"{item['from']} → {item['to']}", evidence=source))
        elif b <= a:
            times = f"fewer than {threshold}" if item["occurrences"] is None else item["occurrences"]
            out.append(Difference(DiffKind.STAGE_REPEATED, item["to"],
                                  f"{cases} go back from “{item['from']}” to “{item['to']}” ({times} times).",
                                  WEIGHTS[DiffKind.STAGE_REPEATED], designed="once", observed="loops back",
                                  evidence=source))
    for name, value in result["returns"].items():
        if name in position:
            out.append(Difference(DiffKind.STAGE_RETURNED, name,
                                  f"{_cases_text(value, threshold)} come back to “{name}” after a long pause.",
                                  WEIGHTS[DiffKind.STAGE_RETURNED], observed="pause, then return", evidence=source))
    return out


def with_differences(comparison: Comparison, extra: list[Difference]) -> Comparison:
    """The comparison with more differences (e.g. measured in an event log), in the designed stage order."""
    if not extra:
        return comparison
    differences = comparison.differences + extra
    by_stage: dict[str, list[Difference]] = defaultdict(list)
    for difference in differences:
        by_stage[difference.stage].append(difference)
    return Comparison(differences=differences, summary=_summary(differences, by_stage), by_stage=dict(by_stage))
