"""The map health check: a journey reviewed against the seed's quick-start checklist.

Each rule is a small unit in the `RULES` table: a code, a severity, a weight and
a check that reads the map's facts (loaded once, in a fixed number of queries)
and returns how many things it looked at and what it found wrong. The score is
the weighted share of what passed, 0 to 100; a rule that looked at ten
transitions and found two without an owner earns 80% of its weight.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from maps import rules as map_rules
from maps.models import Card, DataClassification, Journey, LaneKind, Level, Severity, Stage, Touchpoint, Transition
from stakeholders.models import MAJOR_GROUPS, Stakeholder, StakeholderGroup, Step, Track, TrackKind

from .models import Checkpoint, CheckpointType, FailureMode, SafetyLoop

SEVERITY_WEIGHT = {"high": 3, "medium": 2, "low": 1}


@dataclass
class Facts:
    """Everything the rules read about one map."""

    journey: Journey
    today: datetime.date
    stages: list[Stage]
    user_state_stage_ids: set[int]
    touchpoints: list[Touchpoint]
    transitions: list[Transition]
    tracks: list[Track]
    steps: list[Step]
    checkpoints: list[Checkpoint]
    failure_modes: list[FailureMode]
    safety_loop: SafetyLoop | None
    stakeholder_groups: set[str]  # the groups present in the workspace's registry
    # What the rules of apps above compliance read, put here by their loaders (see `register_facts_loader`).
    extra: dict[str, Any] = field(default_factory=dict)

    def checkpoint_types_on(self, *, touchpoint_id: int | None = None, step_id: int | None = None) -> set[str]:
        return {c.type for c in self.checkpoints
                if (touchpoint_id and c.touchpoint_id == touchpoint_id) or (step_id and c.step_id == step_id)}


def facts_load(*, journey: Journey, today: datetime.date | None = None) -> Facts:
    return facts_load_many(journeys=[journey], today=today)[journey.pk]


def _by_journey(rows, key: str = "journey_id") -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:  # each map's rows keep the order of the query
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def facts_load_many(*, journeys: list[Journey], today: datetime.date | None = None,
                    extra: dict[int, dict[str, Any]] | None = None) -> dict[int, Facts]:
    """The facts of many maps in a fixed number of queries, however many maps (the portfolio's health column).
    `extra` gives facts already read for the added rules (see `register_facts_loader`), by map."""
    ids = [j.pk for j in journeys]
    user_states: dict[int, set[int]] = {}
    for journey_id, stage_id in Card.objects.filter(journey_id__in=ids, deleted_at=None,
                                                    kind=LaneKind.USER_STATE).values_list("journey_id", "stage_id"):
        user_states.setdefault(journey_id, set()).add(stage_id)
    stages = _by_journey(Stage.objects.filter(journey_id__in=ids))
    touchpoints = _by_journey(Touchpoint.objects.filter(journey_id__in=ids, deleted_at=None).select_related("stage"))
    transitions = _by_journey(Transition.objects.filter(journey_id__in=ids, deleted_at=None).select_related("stage"))
    tracks = _by_journey(Track.objects.filter(journey_id__in=ids).select_related("stakeholder"))
    steps: dict[int, list[Step]] = {}
    for step in Step.objects.filter(track__journey_id__in=ids).select_related("track__stakeholder", "stage"):
        steps.setdefault(step.track.journey_id, []).append(step)
    checkpoints = _by_journey(Checkpoint.objects.filter(journey_id__in=ids))
    failure_modes = _by_journey(FailureMode.objects.filter(journey_id__in=ids).select_related("step"))
    loops: dict[int, SafetyLoop] = {}
    for loop in SafetyLoop.objects.filter(journey_id__in=ids).order_by("pk"):
        loops.setdefault(loop.journey_id, loop)
    groups: dict[int, set[str]] = {}
    for workspace_id, group in Stakeholder.objects.filter(
            workspace_id__in={j.workspace_id for j in journeys}).values_list("workspace_id", "group"):
        groups.setdefault(workspace_id, set()).add(group)
    today = today or timezone.localdate()
    facts = {j.pk: Facts(
        journey=j, today=today, stages=stages.get(j.pk, []), user_state_stage_ids=user_states.get(j.pk, set()),
        touchpoints=touchpoints.get(j.pk, []), transitions=transitions.get(j.pk, []), tracks=tracks.get(j.pk, []),
        steps=steps.get(j.pk, []), checkpoints=checkpoints.get(j.pk, []), failure_modes=failure_modes.get(j.pk, []),
        safety_loop=loops.get(j.pk), stakeholder_groups=groups.get(j.workspace_id, set()),
        extra=dict((extra or {}).get(j.pk, {})),
    ) for j in journeys}
    for load in FACTS_LOADERS:
        load(list(facts.values()))
    return facts


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    object: dict[str, Any]
    url: str

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "object": self.object,
                "url": self.url}


@dataclass
class Outcome:
    checked: int
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    check: Callable[["Rule", Facts], Outcome]

    @property
    def weight(self) -> int:
        return SEVERITY_WEIGHT[self.severity]

    def finding(self, message: str, obj: dict[str, Any], url: str) -> Finding:
        return Finding(rule=self.code, severity=self.severity, message=message, object=obj, url=url)


# --- where a finding points --------------------------------------------------------------


def _board(journey: Journey, anchor: str = "") -> str:
    return reverse("maps:board", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


def _swimlanes(journey: Journey, anchor: str = "") -> str:
    return reverse("stakeholders:swimlanes", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


def _safety(journey: Journey, anchor: str = "") -> str:
    return reverse("compliance:safety", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


def _journey_obj(journey: Journey) -> dict[str, Any]:
    return {"type": "journey", "id": journey.pk, "label": journey.title}


def _card_obj(card: Card, type_: str) -> dict[str, Any]:
    return {"type": type_, "id": card.pk, "label": card.title, "stage": card.stage.name}


def _step_obj(step: Step) -> dict[str, Any]:
    return {"type": "step", "id": step.pk, "label": step.title, "stage": step.stage.name,
            "track": str(step.track)}


# --- the rules -----------------------------------------------------------------------------


def check_stakeholder_submaps(rule: Rule, facts: Facts) -> Outcome:
    covered = {t.stakeholder.group for t in facts.tracks if t.kind == TrackKind.STAKEHOLDER}
    findings = [
        rule.finding(f"No sub-map for the {StakeholderGroup(group).label.lower()} stakeholders: add one so their "
                     f"steps and concerns are on this map.",
                     {"type": "stakeholder_group", "id": group, "label": StakeholderGroup(group).label},
                     _swimlanes(facts.journey))
        for group in MAJOR_GROUPS if group not in covered
    ]
    return Outcome(checked=len(MAJOR_GROUPS), findings=findings)


_PHI_NEEDS = [(CheckpointType.DATA_ACCESS, "patient-data access"), (CheckpointType.AUDIT_LOGGING, "audit logging")]


def check_phi_checkpoints(rule: Rule, facts: Facts) -> Outcome:
    places = [(f"Touchpoint “{t.title}”", facts.checkpoint_types_on(touchpoint_id=t.pk), _card_obj(t, "touchpoint"),
               _board(facts.journey, f"card-{t.pk}"))
              for t in facts.touchpoints if t.data_classification == DataClassification.PHI]
    places += [(f"Step “{s.title}” ({s.track})", facts.checkpoint_types_on(step_id=s.pk), _step_obj(s),
                _swimlanes(facts.journey, f"step-{s.pk}"))
               for s in facts.steps if s.data_classification == DataClassification.PHI]
    findings = []
    for what, have, obj, url in places:
        missing = [label for code, label in _PHI_NEEDS if code not in have]
        if missing:
            findings.append(rule.finding(f"{what} handles PHI but has no {' and no '.join(missing)} checkpoint.",
                                         obj, url))
    return Outcome(checked=len(places), findings=findings)


def check_transition_owners(rule: Rule, facts: Facts) -> Outcome:
    findings = [
        rule.finding(f"Nobody owns the handoff “{t.title}”: give it an owner team.",
                     _card_obj(t, "transition"), _board(facts.journey, f"card-{t.pk}"))
        for t in facts.transitions if t.owner_team_id is None
    ]
    return Outcome(checked=len(facts.transitions), findings=findings)


def check_stage_user_state(rule: Rule, facts: Facts) -> Outcome:
    findings = [
        rule.finding(f"Stage “{s.name}” has no user state: what is the user doing, feeling and asking here?",
                     {"type": "stage", "id": s.pk, "label": s.name}, _board(facts.journey, f"stage-{s.pk}"))
        for s in facts.stages if s.pk not in facts.user_state_stage_ids
    ]
    return Outcome(checked=len(facts.stages), findings=findings)


def check_sensitive_legal_review(rule: Rule, facts: Facts) -> Outcome:
    findings, checked = [], 0
    for touchpoint in facts.touchpoints:
        if not (touchpoint.needs_legal_review or touchpoint.communication_sensitivity == Level.HIGH):
            continue
        checked += 1
        if CheckpointType.LEGAL_REVIEW not in facts.checkpoint_types_on(touchpoint_id=touchpoint.pk):
            findings.append(rule.finding(
                f"Touchpoint “{touchpoint.title}” carries a sensitive communication but has no legal review "
                f"checkpoint.", _card_obj(touchpoint, "touchpoint"), _board(facts.journey, f"card-{touchpoint.pk}")))
    return Outcome(checked=checked, findings=findings)


def check_failure_safeguards(rule: Rule, facts: Facts) -> Outcome:
    serious = [f for f in facts.failure_modes if f.severity in (Severity.HIGH, Severity.CRITICAL)]
    findings = [
        rule.finding(f"The {f.get_severity_display().lower()}-severity failure mode “{f.title}” has no safeguard.",
                     {"type": "failure_mode", "id": f.pk, "label": f.title, "step": f.step.title},
                     _safety(facts.journey, f"failure-{f.pk}"))
        for f in serious if not f.safeguard.strip()
    ]
    return Outcome(checked=len(serious), findings=findings)


def check_training_track(rule: Rule, facts: Facts) -> Outcome:
    training = [t for t in facts.tracks if t.kind == TrackKind.TRAINING]
    if not training:
        return Outcome(checked=1, findings=[rule.finding(
            "There is no training & adoption track: plan training as a parallel path, not an afterthought.",
            _journey_obj(facts.journey), _swimlanes(facts.journey))])
    ids = {t.pk for t in training}
    if not any(s.track_id in ids and s.is_competency_checkpoint for s in facts.steps):
        track = training[0]
        return Outcome(checked=1, findings=[rule.finding(
            "The training track has no competency checkpoint before independent use of a critical feature.",
            {"type": "track", "id": track.pk, "label": str(track)}, _swimlanes(facts.journey, f"track-{track.pk}"))])
    return Outcome(checked=1)


def check_safety_loop(rule: Rule, facts: Facts) -> Outcome:
    loop = facts.safety_loop
    if loop is None:
        message = "There is no feedback and safety-reporting loop: say where reports are collected and when."
    elif not (loop.investigate_within_days and loop.communicate_within_days):
        message = "The safety-reporting loop has no target time to investigate and to tell users the outcome."
    else:
        return Outcome(checked=1)
    return Outcome(checked=1, findings=[rule.finding(message, _journey_obj(facts.journey),
                                                     _safety(facts.journey, "safety-loop"))])


def check_recently_reviewed(rule: Rule, facts: Facts) -> Outcome:
    reviewed = facts.journey.last_reviewed_at
    if not map_rules.review_overdue(facts.journey, today=facts.today):
        return Outcome(checked=1)
    when = "has never been reviewed" if reviewed is None else f"was last reviewed on {reviewed:%d %b %Y}"
    return Outcome(checked=1, findings=[rule.finding(
        f"The map {when}: review it at least every {map_rules.REVIEW_EVERY_DAYS} days.",
        _journey_obj(facts.journey), _board(facts.journey))])


def check_overdue_checkpoints(rule: Rule, facts: Facts) -> Outcome:
    dated = [c for c in facts.checkpoints if c.due_date is not None and c.is_open]
    findings = [
        rule.finding(f"Checkpoint “{c.title}” ({c.get_status_display().lower()}) was due on {c.due_date:%d %b %Y}.",
                     {"type": "checkpoint", "id": c.pk, "label": c.title, "status": c.status,
                      "due_date": c.due_date.isoformat()},
                     reverse("compliance:checkpoint_review", args=[c.pk]))
        for c in dated if c.due_date < facts.today
    ]
    return Outcome(checked=len(dated), findings=findings)


RULES: list[Rule] = [
    Rule("stakeholder_submaps", "Every major stakeholder group has a sub-map", "high", check_stakeholder_submaps),
    Rule("phi_checkpoints", "PHI has data-access and audit-logging checkpoints", "high", check_phi_checkpoints),
    Rule("transition_owner", "Every transition has an owner team", "high", check_transition_owners),
    Rule("stage_user_state", "Every stage has a user state", "medium", check_stage_user_state),
    Rule("sensitive_legal_review", "Sensitive communications have a legal review", "high",
         check_sensitive_legal_review),
    Rule("failure_safeguard", "High-severity failure modes have a safeguard", "high", check_failure_safeguards),
    Rule("training_track", "A training track with competency checkpoints exists", "medium", check_training_track),
    Rule("safety_loop", "A safety-reporting loop with timelines exists", "medium", check_safety_loop),
    Rule("recently_reviewed", f"Reviewed in the last {map_rules.REVIEW_EVERY_DAYS} days", "low", check_recently_reviewed),
    Rule("overdue_checkpoints", "No open checkpoint is past its due date", "medium", check_overdue_checkpoints),
]
RULES_BY_CODE = {r.code: r for r in RULES}
# Rules that apps above compliance add (diagnostics' quiet decline and evidence), through `register_rule`.
EXTENSION_RULES: list[Rule] = []


# Each loader fills `Facts.extra` for many maps at once, in a fixed number of queries: loader(list_of_facts),
# leaving alone the facts whose part was given already.
FactsLoader = Callable[[list[Facts]], None]
FACTS_LOADERS: list[FactsLoader] = []


def register_facts_loader(loader: FactsLoader) -> None:
    if loader not in FACTS_LOADERS:
        FACTS_LOADERS.append(loader)


def register_rule(rule: Rule) -> None:
    if rule.code not in RULES_BY_CODE:
        EXTENSION_RULES.append(rule)
        RULES_BY_CODE[rule.code] = rule


def all_rules() -> list[Rule]:
    return RULES + EXTENSION_RULES

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class RuleResult:
    rule: Rule
    checked: int
    findings: list[Finding]
    credit: float  # 0..1

    @property
    def passed(self) -> bool:
        return not self.findings


@dataclass
class HealthReport:
    journey: Journey
    score: int
    results: list[RuleResult]
    # False for a map with nothing on it yet (a template's empty stages and lanes): the rules still
    # run (the command and the report list them), but pages show no score or findings until then.
    started: bool = True

    @property
    def findings(self) -> list[Finding]:
        items = [f for r in self.results for f in r.findings]
        return sorted(items, key=lambda f: SEVERITY_ORDER[f.severity])

    def as_dict(self) -> dict[str, Any]:
        return {
            "journey": {"id": self.journey.pk, "title": self.journey.title},
            "score": self.score,
            "started": self.started,
            "rules": [{"rule": r.rule.code, "title": r.rule.title, "severity": r.rule.severity,
                       "checked": r.checked, "passed": r.passed} for r in self.results],
            "findings": [f.as_dict() for f in self.findings],
        }


def run_rule(rule: Rule, facts: Facts) -> RuleResult:
    outcome = rule.check(rule, facts)
    failing = len(outcome.findings)
    credit = 1.0 if failing == 0 else max(0.0, 1 - failing / max(outcome.checked, failing))
    return RuleResult(rule=rule, checked=outcome.checked, findings=outcome.findings, credit=credit)


def health_check(*, journey: Journey, today: datetime.date | None = None,
                 rules: list[Rule] | None = None) -> HealthReport:
    return health_report(facts_load(journey=journey, today=today), rules=rules)


def health_check_many(*, journeys: list[Journey], today: datetime.date | None = None,
                      extra: dict[int, dict[str, Any]] | None = None) -> dict[int, HealthReport]:
    """The health check of many maps, loaded together: the same reports as `health_check`, in fixed queries."""
    return {pk: health_report(facts) for pk, facts in facts_load_many(journeys=journeys, today=today,
                                                                      extra=extra).items()}


def health_report(facts: Facts, *, rules: list[Rule] | None = None) -> HealthReport:
    journey = facts.journey
    results = [run_rule(rule, facts) for rule in (rules or all_rules())]
    # An added rule that found nothing to look at (no monthly counts, no claims) is not applicable here.
    results = [r for r in results if r.checked or r.rule not in EXTENSION_RULES]
    total = sum(r.rule.weight for r in results)
    earned = sum(r.rule.weight * r.credit for r in results)
    started = bool(facts.user_state_stage_ids or facts.touchpoints or facts.transitions or facts.tracks
                   or facts.checkpoints or facts.failure_modes)
    return HealthReport(journey=journey, score=round(100 * earned / total) if total else 100, results=results,
                        started=started)
