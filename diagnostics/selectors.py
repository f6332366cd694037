"""Reads for diagnostics. Every journey reaching here was fetched through
`maps.selectors.journey_get`, so it is already scoped to the person asking."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from compliance.models import CLOSED_STATUSES, Checkpoint, ReviewStatus
from core.spreadsheet import spreadsheet_safe
from maps.extensions import BoardBadge, MapAlarm
from maps.models import Card, FrictionPoint, Journey, JourneyKind, LaneKind, Severity, Stage, Transition
from maps.selectors import card_detail, journeys_for_user
from maps.rules import OPEN_FRICTION_STATUSES
from workspaces.models import Team, Workspace

from .alarms import BASELINE_MONTHS, RETURN_RATE, Alarm, Month, common_upstream, decline
from .charts import Chart, compliance_coverage_chart, confidence_chart, flow_chart, friction_heatmap, funnel_chart
from .compare import (CardShape, Comparison, MapShape, StageShape, journey_diff, log_differences, stage_key,
                      with_differences)
from .metrics import MetricRow, MetricsSummary, SafeRow, safe_row, summarise
from .models import (CLAIM_KINDS, DEFAULT_SMALL_COUNT_THRESHOLD, EventImport, Evidence, ImportStatus, StageMetric,
                     WorkspaceSettings)
from .ranking import (SEVERITY_WEIGHT, RankedFix, TransitionSignals, Weakness, rank_and_group, ranked_fixes,
                      transition_weakness)

_DETAILS = ["userstate", "touchpoint", "frictionpoint", "opportunity", "transition", "owner_team",
            "transition__from_team", "transition__to_team", "transition__to_stage"]


def threshold_get(*, workspace_id: int) -> int:
    value = WorkspaceSettings.objects.filter(workspace_id=workspace_id).values_list("small_count_threshold", flat=True)
    return value.first() or DEFAULT_SMALL_COUNT_THRESHOLD


def settings_get(*, workspace: Workspace) -> WorkspaceSettings:
    return WorkspaceSettings.objects.filter(workspace=workspace).first() or WorkspaceSettings(workspace=workspace)


def _cards(journey: Journey) -> list[Card]:
    return [card_detail(c) for c in journey.cards.filter(deleted_at=None).select_related(*_DETAILS)
            .order_by("stage__position", "lane__position", "position", "id")]


# --- what diagnostics reads of a map, for one map or many at once -------------------------------


@dataclass
class Counts:
    """A map's stages and monthly counts, with the small-count threshold of the workspace judging them."""

    journey: Journey
    stages: list[Stage]
    rows: list[MetricRow]  # by period
    threshold: int

    def summary(self) -> MetricsSummary:
        return summarise(stages=[(s.pk, s.name) for s in self.stages], rows=self.rows, threshold=self.threshold)


@dataclass
class Readings:
    """Everything the transition ranking, the quiet-decline watch and the claims read of one map."""

    counts: Counts
    cards: list[Card]  # live, in board order, each as its own kind
    evidence: dict[int, list[Evidence]]  # card id -> its evidence, newest first
    observation: Counts | None  # the newest observed journey of this designed one, in its workspace
    decline_source: Counts  # whose counts the decline watch reads (see `decline_watch`)
    measured: EventImport | None = None  # the newest event-log import behind this map (its designed journey's)

    @property
    def journey(self) -> Journey:
        return self.counts.journey


def readings_load(*, journeys: list[Journey], cards: bool = True) -> dict[int, Readings]:
    """The readings of many maps in a fixed number of queries, whatever the number of maps. Without `cards`,
    only stages and counts (all the decline watch reads): the cards and their evidence are most of the cost."""
    ids = [j.pk for j in journeys]
    # Observed journeys of these maps; `with_metrics` as the decline watch asks, rows deleted or not.
    observed = list(Journey.objects.filter(observes_id__in=ids, kind=JourneyKind.OBSERVED).annotate(
        with_metrics=Exists(StageMetric.all_objects.filter(journey=OuterRef("pk")))))
    every = {j.pk: j for j in [*journeys, *observed]}
    stages: dict[int, list[Stage]] = defaultdict(list)
    for stage in Stage.objects.filter(journey_id__in=list(every)):
        stages[stage.journey_id].append(stage)
    rows: dict[int, list[MetricRow]] = defaultdict(list)
    for journey_id, *row in StageMetric.objects.filter(journey_id__in=list(every)).order_by("period").values_list(
            "journey_id", "stage_id", "period", "entered", "progressed"):
        rows[journey_id].append(MetricRow(*row))
    thresholds = dict(WorkspaceSettings.objects.filter(workspace_id__in={j.workspace_id for j in every.values()})
                      .values_list("workspace_id", "small_count_threshold"))
    on_board: dict[int, list[Card]] = defaultdict(list)
    evidence: dict[int, dict[int, list[Evidence]]] = defaultdict(lambda: defaultdict(list))
    if cards:
        board = Card.objects.filter(journey_id__in=ids, deleted_at=None).select_related("stage", *_DETAILS)
        for card in board.order_by("stage__position", "lane__position", "position", "id"):
            on_board[card.journey_id].append(card_detail(card))
        for item in Evidence.objects.filter(journey_id__in=ids).order_by("-observed_on", "-id"):
            evidence[item.journey_id][item.card_id].append(item)

    designed_of = {j.pk: j.pk if j.kind == JourneyKind.DESIGNED else j.observes_id for j in journeys}
    newest_import: dict[int, EventImport] = {}
    for item in EventImport.objects.filter(journey_id__in={d for d in designed_of.values() if d},
                                           status=ImportStatus.DONE, result__isnull=False).order_by(
            "-finished_at", "-pk"):
        newest_import.setdefault(item.journey_id, item)  # the newest, as `latest_import` picks it

    def counts(journey: Journey, threshold_of: Journey) -> Counts:
        return Counts(journey=journey, stages=stages[journey.pk], rows=rows[journey.pk],
                      threshold=thresholds.get(threshold_of.workspace_id) or DEFAULT_SMALL_COUNT_THRESHOLD)

    readings = {}
    for journey in journeys:
        own = counts(journey, journey)
        mine = [o for o in observed if o.observes_id == journey.pk]
        newest = max((o for o in mine if o.workspace_id == journey.workspace_id),
                     key=lambda o: (o.created_at, o.pk), default=None)
        source = own
        if journey.kind == JourneyKind.DESIGNED and not own.rows:
            measured = max((o for o in mine if o.with_metrics), key=lambda o: o.pk, default=None)
            if measured is not None:
                source = counts(measured, journey)  # judged by this workspace's threshold
        readings[journey.pk] = Readings(
            counts=own, cards=on_board[journey.pk], evidence=evidence[journey.pk],
            observation=counts(newest, newest) if newest is not None else None, decline_source=source,
            measured=newest_import.get(designed_of[journey.pk]))
    return readings


def _readings(journey: Journey) -> Readings:
    return readings_load(journeys=[journey])[journey.pk]


# --- metrics ----------------------------------------------------------------------


def metrics_list(*, journey: Journey) -> QuerySet[StageMetric]:
    return journey.stage_metrics.select_related("stage").order_by("-period", "stage__position")


def metric_shown(*, metric: StageMetric) -> SafeRow:
    """One month's counts as people may see them."""
    row = MetricRow(metric.stage_id, metric.period, metric.entered, metric.progressed)
    return safe_row(row, threshold_get(workspace_id=metric.journey.workspace_id))


def metrics_summary(*, journey: Journey) -> MetricsSummary:
    stages = list(journey.stages.values_list("pk", "name"))
    rows = [MetricRow(*r) for r in journey.stage_metrics.values_list("stage_id", "period", "entered", "progressed")]
    return summarise(stages=stages, rows=rows, threshold=threshold_get(workspace_id=journey.workspace_id))


# --- designed vs observed -----------------------------------------------------------


def map_shape(*, journey: Journey) -> MapShape:
    by_stage: dict[int, list[CardShape]] = defaultdict(list)
    for card in _cards(journey):
        shape = CardShape(kind=card.kind, title=card.title, owner=str(card.owner_team or ""))
        if card.kind == LaneKind.USER_STATE:
            shape = CardShape(kind=card.kind, title=card.title, owner=shape.owner, confidence=card.confidence)
        elif card.kind == LaneKind.TOUCHPOINTS:
            shape = CardShape(kind=card.kind, title=card.title, owner=shape.owner, expectation=card.expectation,
                              experience=card.experience)
        elif card.kind == LaneKind.HANDOFFS:
            shape = CardShape(kind=card.kind, title=card.title, owner=shape.owner,
                              from_team=str(card.from_team or ""), to_team=str(card.to_team or ""))
        by_stage[card.stage_id].append(shape)
    return MapShape(title=journey.title, stages=tuple(
        StageShape(name=s.name, cards=tuple(by_stage.get(s.pk, []))) for s in journey.stages.all()))


@dataclass
class Pair:
    designed: Journey | None
    observed: Journey | None
    observations: list[Journey] = field(default_factory=list)  # every observed journey of the designed one


def pair_get(*, user, journey: Journey, observed_pk: int | None = None) -> Pair:
    """The designed/observed pair this journey belongs to, as far as the person may see it."""
    return _pair(journey=journey, visible=journeys_for_user(user=user), observed_pk=observed_pk)


def pair_in_workspace(*, journey: Journey) -> Pair:
    """The pair as every member of the journey's workspace sees it (the live board panel: no one person)."""
    return _pair(journey=journey, visible=Journey.objects.filter(workspace_id=journey.workspace_id), observed_pk=None)


def _pair(*, journey: Journey, visible, observed_pk: int | None) -> Pair:
    if journey.kind == JourneyKind.OBSERVED:
        designed = visible.filter(pk=journey.observes_id).first() if journey.observes_id else None
        observations = list(visible.filter(observes=designed)) if designed else [journey]
        return Pair(designed=designed, observed=journey, observations=observations)
    observations = list(visible.filter(observes=journey, kind=JourneyKind.OBSERVED).order_by("-created_at"))
    chosen = next((o for o in observations if o.pk == observed_pk), observations[0] if observations else None)
    return Pair(designed=journey, observed=chosen, observations=observations)


@dataclass
class SideBySide:
    comparison: Comparison
    rows: list[dict]  # per designed or observed stage: designed shape, observed shapes, differences


def latest_import(*, journey: Journey) -> EventImport | None:
    """The designed journey's newest event-log import that produced aggregates."""
    return EventImport.objects.filter(journey=journey, status=ImportStatus.DONE, result__isnull=False).order_by(
        "-finished_at", "-pk").first()


def side_by_side(*, designed: Journey, observed: Journey) -> SideBySide:
    mine, theirs = map_shape(journey=designed), map_shape(journey=observed)
    comparison = journey_diff(mine, theirs)
    measured = latest_import(journey=designed)
    if measured is not None:
        comparison = with_differences(comparison, log_differences(
            stage_names=[s.name for s in mine.stages], result=measured.result,
            threshold=threshold_get(workspace_id=designed.workspace_id),
            source=f"event log {measured.filename}, {measured.finished_at:%d %b %Y}"))
    observed_by_key = defaultdict(list)
    for stage in theirs.stages:
        observed_by_key[stage.key].append(stage)
    rows = []
    for stage in mine.stages:
        rows.append({"name": stage.name, "designed": stage, "observed": observed_by_key.get(stage.key, []),
                     "differences": comparison.by_stage.get(stage.name, [])})
    designed_keys = {s.key for s in mine.stages}
    previous = -1
    for stage in theirs.stages:  # a stage only users take goes where they take it
        if stage.key in designed_keys:
            previous = next(i for i, row in enumerate(rows) if row["designed"] and row["designed"].key == stage.key)
            continue
        previous += 1
        rows.insert(previous, {"name": stage.name, "designed": None, "observed": [stage],
                               "differences": comparison.by_stage.get(stage.name, [])})
    return SideBySide(comparison=comparison, rows=rows)


# --- what to fix --------------------------------------------------------------------


@dataclass
class FixGroup:
    transition: Transition | None  # None: the fixes not attached to any transition
    fixes: list[RankedFix]


@dataclass
class FixList:
    groups: list[FixGroup]
    unfixed: list[Transition]  # handoffs no open fix is attached to


def fix_list(*, journey: Journey) -> FixList:
    """Open fixes ranked across the map by impact x confidence / effort, grouped by the transition each repairs."""
    cards = _cards(journey)
    transitions = {c.pk: c for c in cards if c.kind == LaneKind.HANDOFFS}
    grouped = rank_and_group([c for c in cards if c.kind == LaneKind.OPPORTUNITIES],
                             group_of=lambda o: o.handoff_id if o.handoff_id in transitions else None)
    groups = [FixGroup(transition=transitions.get(key), fixes=fixes) for key, fixes in grouped]
    fixed = {group.transition.pk for group in groups if group.transition}
    return FixList(groups=groups, unfixed=[t for pk, t in transitions.items() if pk not in fixed])


@dataclass
class TransitionReport:
    label: str
    stage: Stage
    to_stage: Stage | None
    card: Transition | None  # None for a stage boundary without a handoff card
    signals: TransitionSignals
    weakness: Weakness
    frictions: list[FrictionPoint]
    fixes: list[RankedFix]  # attached to this transition (ranks are map-wide)
    loose_fixes: list[RankedFix]  # at the transition's first stage, attached to no transition
    touchpoints: list[Card]


def transitions_ranked(*, journey: Journey) -> list[TransitionReport]:
    """Every handoff of the map (a stage boundary without a handoff card counts as an unowned one), weakest first."""
    return _transitions_ranked(_readings(journey))


def transitions_ranked_many(*, journeys: list[Journey], readings: dict[int, Readings] | None = None
                            ) -> dict[int, list[TransitionReport]]:
    """`transitions_ranked` of many maps, read together in a fixed number of queries (or from `readings`)."""
    readings = readings if readings is not None else readings_load(journeys=journeys)
    return {j.pk: _transitions_ranked(readings[j.pk]) for j in journeys}


def _transitions_ranked(readings: Readings) -> list[TransitionReport]:
    cards, stages = readings.cards, readings.counts.stages
    by_stage: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for card in cards:
        by_stage[card.stage_id][card.kind].append(card)
    stage_dropoff, metrics_source = _stage_dropoffs(readings)
    if not cards and not stage_dropoff:
        return []  # a map with nothing on it yet (a fresh template) has nothing to diagnose
    handoff_ids = {c.pk for c in cards if c.kind == LaneKind.HANDOFFS}
    fixes = ranked_fixes([c for c in cards if c.kind == LaneKind.OPPORTUNITIES])

    def confidence(stage: Stage | None) -> float | None:
        if stage is None:
            return None
        scores = [c.confidence for c in by_stage[stage.pk][LaneKind.USER_STATE]]
        return sum(scores) / len(scores) if scores else None

    reports = []
    for index, stage in enumerate(stages):
        handoffs = by_stage[stage.pk][LaneKind.HANDOFFS]
        following = stages[index + 1] if index + 1 < len(stages) else None
        if not handoffs and following is None:
            continue
        for handoff in handoffs or [None]:
            to_stage = (handoff.to_stage if handoff and handoff.to_stage_id else following)
            label = f"{stage.name} → {to_stage.name if to_stage else 'the end'}"
            if stage.pk in stage_dropoff:
                dropoff, source = stage_dropoff[stage.pk], metrics_source
            elif handoff is not None and handoff.observed_dropoff is not None:
                dropoff, source = float(handoff.observed_dropoff) / 100, "estimate on the handoff"
            else:
                dropoff, source = None, ""
            lows = [c for c in (confidence(stage), confidence(to_stage)) if c is not None]
            frictions = by_stage[stage.pk][LaneKind.FRICTION]
            signals = TransitionSignals(
                label=label, dropoff=dropoff, dropoff_source=source,
                frictions=[(f.friction_kind, f.severity, f.status) for f in frictions],
                owner=str(handoff.owner_team or "") if handoff else "",
                from_team=str(handoff.from_team or "") if handoff else "",
                to_team=str(handoff.to_team or "") if handoff else "",
                min_confidence=round(min(lows), 1) if lows else None,
                risk=handoff.risk if handoff else "medium",
            )
            reports.append(TransitionReport(
                label=label, stage=stage, to_stage=to_stage, card=handoff, signals=signals,
                weakness=transition_weakness(signals),
                frictions=sorted(frictions, key=lambda f: -SEVERITY_WEIGHT.get(f.severity, 1.0)),
                fixes=[f for f in fixes if handoff is not None and f.opportunity.handoff_id == handoff.pk],
                loose_fixes=[f for f in fixes if f.opportunity.stage_id == stage.pk
                             and f.opportunity.handoff_id not in handoff_ids],
                touchpoints=by_stage[stage.pk][LaneKind.TOUCHPOINTS],
            ))
    return sorted(reports, key=lambda r: -r.weakness.score)


def _stage_dropoffs(readings: Readings) -> tuple[dict[int, float], str]:
    """Drop-off per stage from the map's own metrics; a designed map without any borrows those of its
    latest observation, stage by stage name (what users really do is what the metrics measure)."""
    own = {s.stage_id: s.dropoff for s in readings.counts.summary().stages if s.dropoff is not None}
    if own or readings.journey.kind != JourneyKind.DESIGNED:
        return own, "stage metrics"
    if readings.observation is None:
        return {}, ""
    observation, stages = readings.observation.journey, readings.counts.stages
    by_key: dict[str, float] = {}
    for summary in readings.observation.summary().stages:
        if summary.dropoff is not None:
            by_key.setdefault(stage_key(summary.name), summary.dropoff)
    borrowed = {s.pk: by_key[stage_key(s.name)] for s in stages if stage_key(s.name) in by_key}
    return borrowed, f"stage metrics of “{observation.title}”"


def latest_observation(*, journey: Journey) -> Journey | None:
    """The newest observed journey of this designed one, in its own workspace."""
    return Journey.objects.filter(observes=journey, kind=JourneyKind.OBSERVED, workspace_id=journey.workspace_id
                                  ).order_by("-created_at", "-pk").first()


def weakest_transition(*, journey: Journey) -> TransitionReport | None:
    reports = transitions_ranked(journey=journey)
    return reports[0] if reports else None


# --- charts -------------------------------------------------------------------------


def _stage_confidence(shape: MapShape) -> dict[str, float | None]:
    result: dict[str, float | None] = {}
    for stage in shape.stages:
        if stage.key not in result or result[stage.key] is None:
            result[stage.key] = stage.confidence
    return result


def coverage_state(*, status: str, due_date: date | None, today: date) -> str:
    """Where a checkpoint counts in the coverage chart: settled, else overdue, else in review or open."""
    if status in CLOSED_STATUSES:
        return "approved"
    if due_date is not None and due_date < today:
        return "overdue"
    return "in_review" if status == ReviewStatus.IN_REVIEW else "open"


def compliance_coverage(*, journey: Journey, today: date | None = None) -> dict[tuple[str, str], int]:
    """(stage name, coverage state) -> checkpoints of the map at that stage: on the stage itself, on one of
    its touchpoints still on the board, or on a stakeholder's step in it."""
    today = today or timezone.localdate()
    names = dict(journey.stages.values_list("pk", "name"))
    cells: dict[tuple[str, str], int] = defaultdict(int)
    rows = (Checkpoint.objects.filter(journey=journey).exclude(touchpoint__deleted_at__isnull=False)
            .values_list("status", "due_date", "stage_id", "touchpoint__stage_id", "step__stage_id"))
    for status, due_date, *stage_ids in rows:
        stage_id = next(pk for pk in stage_ids if pk is not None)
        cells[(names[stage_id], coverage_state(status=status, due_date=due_date, today=today))] += 1
    return dict(cells)


def charts_get(*, user, journey: Journey) -> list:
    pair = pair_get(user=user, journey=journey)
    metrics_journey = pair.observed or journey
    charts = [funnel_chart(metrics_summary(journey=metrics_journey),
                           measured_on=metrics_journey.title if metrics_journey.pk != journey.pk else "")]
    designed_shape = map_shape(journey=pair.designed) if pair.designed else None
    observed_shape = map_shape(journey=pair.observed) if pair.observed else None
    names, keys = [], []
    for stage in designed_shape.stages if designed_shape else ():
        if stage.key not in keys:
            keys.append(stage.key)
            names.append(stage.name)
    previous = -1
    for stage in observed_shape.stages if observed_shape else ():  # stages only users take, where they take them
        if stage.key in keys:
            previous = keys.index(stage.key)
            continue
        previous += 1
        keys.insert(previous, stage.key)
        names.insert(previous, stage.name)
    designed_conf = _stage_confidence(designed_shape) if designed_shape else {}
    observed_conf = _stage_confidence(observed_shape) if observed_shape else None
    charts.append(confidence_chart(
        names, [designed_conf.get(k) for k in keys],
        None if observed_conf is None else [observed_conf.get(k) for k in keys],
    ))
    charts.append(friction_heatmap_get(journey=journey))
    charts.append(compliance_coverage_get(journey=journey))
    return charts


def compliance_coverage_get(*, journey: Journey) -> Chart:
    """Checkpoints per stage by review state (the PDF report draws it too)."""
    stage_names = list(journey.stages.values_list("name", flat=True))
    return compliance_coverage_chart(stage_names, compliance_coverage(journey=journey))


def funnel_get(*, journey: Journey) -> Chart:
    """The funnel as the PDF report shows it: a designed map is measured on its latest observation."""
    measured = journey if journey.kind != JourneyKind.DESIGNED else (latest_observation(journey=journey) or journey)
    return funnel_chart(metrics_summary(journey=measured),
                        measured_on=measured.title if measured.pk != journey.pk else "")


def friction_heatmap_get(*, journey: Journey) -> Chart:
    """Open friction points per stage and owner team (the PDF report draws it too)."""
    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    stage_names = list(journey.stages.values_list("name", flat=True))
    for friction in FrictionPoint.objects.filter(journey=journey, deleted_at=None, status__in=OPEN_FRICTION_STATUSES
                                                 ).select_related("stage", "owner_team"):
        cells[(friction.friction_kind, friction.stage.name, str(friction.owner_team or "No owner"))] += 1
    teams = list(Team.objects.filter(workspace_id=journey.workspace_id).values_list("name", flat=True))
    return friction_heatmap(stage_names, teams, dict(cells))


def metrics_export_rows(*, journey: Journey) -> list[list[str]]:
    """The stage metrics as people may see them: suppressed counts stay suppressed in an export too."""
    summary = metrics_summary(journey=journey)
    rows = [["stage", "period", "entered", "progressed", "conversion"]]
    for name, cells in summary.table:
        for period, cell in zip(summary.periods, cells, strict=True):
            if cell is None:
                continue
            conversion = cell.conversion
            rows.append([spreadsheet_safe(name), f"{period:%Y-%m}", str(cell.entered), str(cell.progressed),
                         "" if conversion is None else f"{conversion:.4f}"])
    return rows


# --- event logs --------------------------------------------------------------------------------


@dataclass
class ShownCount:
    """A stored aggregate as people see it: suppressed counts were stored as null."""

    value: int | None
    threshold: int

    def __str__(self) -> str:
        return f"fewer than {self.threshold}" if self.value is None else f"{self.value:,}"


@dataclass
class EventsView:
    threshold: int
    imports: list
    latest: object | None  # the newest finished import with aggregates
    transitions: list[dict] = field(default_factory=list)
    stages: list[dict] = field(default_factory=list)
    mappings: list = field(default_factory=list)
    sankey: Chart | None = None

    @property
    def active(self) -> bool:
        return any(job.is_active for job in self.imports)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def events_view(*, journey: Journey) -> EventsView:
    threshold = threshold_get(workspace_id=journey.workspace_id)
    imports = list(EventImport.objects.filter(journey=journey).select_related("requested_by", "observed")[:10])
    latest = next((job for job in imports if job.status == ImportStatus.DONE and job.result), None)
    view = EventsView(threshold=threshold, imports=imports, latest=latest,
                      mappings=list(journey.step_mappings.select_related("stage")))
    if latest is None:
        return view
    result = latest.result
    dwell = {(d["from"], d["to"]): d for d in result.get("dwell", [])}
    for item in result["transitions"]:
        times = dwell.get((item["from"], item["to"]), {})
        view.transitions.append({"from": item["from"], "to": item["to"],
                                 "cases": ShownCount(item["cases"], threshold),
                                 "occurrences": ShownCount(item["occurrences"], threshold),
                                 "median": _duration(times.get("median_s")), "p90": _duration(times.get("p90_s"))})
    for name in journey.stages.values_list("name", flat=True):
        row = {"name": name}
        for key in ("exits", "revisits", "returns"):
            value = result[key].get(name, 0)
            row[key] = "0" if value == 0 else ShownCount(value, threshold)
        view.stages.append(row)
    view.sankey = flow_chart(stage_names=list(journey.stages.values_list("name", flat=True)), result=result,
                             threshold=threshold)
    return view


# --- quiet-decline alarms ------------------------------------------------------------------------


def alarms_get(*, journey: Journey) -> list[Alarm]:
    """Quiet declines in the journey's monthly conversions, upstream first. A designed journey with no
    counts of its own is judged by its newest observed journey's (the one event logs fill)."""
    return decline_watch(journey=journey)[0]


def map_alarms(*, journey_ids: list[int]) -> list[MapAlarm]:
    """The quiet declines of these maps, for the portfolio (registered through maps.extensions); a fixed
    number of queries, whatever the number of maps."""
    found = []
    journeys = list(Journey.objects.filter(pk__in=journey_ids))
    for journey_id, readings in readings_load(journeys=journeys, cards=False).items():
        for alarm in decline_watch_of(readings)[0]:
            found.append(MapAlarm(
                journey_id=journey_id, url=reverse("diagnostics:first_fix", args=[journey_id]),
                label=f"{alarm.label}: {alarm.change.removeprefix('conversion ')} since {alarm.since:%B %Y}",
                severity="high" if alarm.certainty >= 0.95 else "medium"))
    return found


def decline_watch(*, journey: Journey) -> tuple[list[Alarm], int]:
    """The alarms, and how many transitions and stage return rates have enough months to be watched at all. A
    designed journey with no counts of its own is judged by its newest observed journey that has some."""
    return decline_watch_of(_readings(journey))


def decline_watch_of(readings: Readings) -> tuple[list[Alarm], int]:
    source = readings.decline_source
    stages = source.stages
    series: dict[int, list[Month]] = defaultdict(list)
    for metric in source.rows:
        row = safe_row(metric, readings.counts.threshold)
        if row.usable:  # a suppressed month feeds no alarm
            series[metric.stage_id].append(Month(metric.period, row.entered.value, row.progressed.value))
    found = [decline(f"{stage.name} → {following.name}", index, series[stage.pk])
             for index, (stage, following) in enumerate(zip(stages, stages[1:], strict=False))]
    watched = sum(1 for stage in stages[:-1] if len(series[stage.pk]) >= BASELINE_MONTHS + 2)
    returning = _return_months(journey=readings.journey, measured=readings.measured, threshold=readings.counts.threshold)
    for index, stage in enumerate(stages):
        months = returning.get(stage_key(stage.name), [])
        found.append(decline(stage.name, index, months, metric=RETURN_RATE))
        watched += len(months) >= BASELINE_MONTHS + 2
    return common_upstream([alarm for alarm in found if alarm is not None]), watched


def _return_months(*, journey: Journey, measured: EventImport | None, threshold: int) -> dict[str, list[Month]]:
    """Each stage's months (by stage key) from the newest event-log import behind this journey (`measured`):
    entered, and of them the cases that did not return (see `alarms`). A month with a suppressed count is left
    out."""
    if measured is None or (journey.kind != JourneyKind.DESIGNED and measured.observed_id != journey.pk):
        return {}
    result = measured.result
    returned = {(item["stage"], item["month"]): item["cases"] for item in result.get("monthly_returns", [])}
    months: dict[str, list[Month]] = defaultdict(list)
    for item in sorted(result.get("monthly", []), key=lambda item: item["month"]):
        entered, back = item["entered"], returned.get((item["stage"], item["month"]), 0)  # absent: none came back
        if entered is None or entered < threshold or back is None:
            continue
        months[stage_key(item["stage"])].append(
            Month(date.fromisoformat(item["month"]), entered, entered - min(back, entered)))
    return months


# --- evidence behind claims ------------------------------------------------------------------------

EVIDENCE_MAX_AGE_DAYS = 90  # the review period: older evidence is flagged by the health check


@dataclass
class Claim:
    card: Card  # the detail row: FrictionPoint, UserState or Touchpoint
    what: str  # "Friction point", "User state", "Expectation gap"
    items: list[Evidence]
    stale_items: list[Evidence] = field(default_factory=list)  # older than the review period

    @property
    def backed(self) -> bool:
        return bool(self.items)

    @property
    def high(self) -> bool:
        return getattr(self.card, "severity", "") in (Severity.HIGH, Severity.CRITICAL)


def _differs(expectation: str, experience: str) -> bool:
    expectation, experience = expectation.strip(), experience.strip()
    return bool(expectation and experience) and expectation.casefold() != experience.casefold()


def _is_claim(card: Card) -> str:
    if card.kind == LaneKind.FRICTION:
        return "Friction point"
    if card.kind == LaneKind.USER_STATE:
        return "User state"
    if card.kind == LaneKind.TOUCHPOINTS and _differs(card.expectation, card.experience):
        return "Expectation gap"
    return ""


def claims_get(*, journey: Journey, today: date | None = None) -> list[Claim]:
    """Every claim the map makes about its users, in board order, with the evidence behind each."""
    return claims_of(_readings(journey), today=today)


def claims_of(readings: Readings, *, today: date | None = None) -> list[Claim]:
    today = today or timezone.localdate()
    claims = []
    for card in readings.cards:
        what = _is_claim(card)
        if what:
            found = readings.evidence.get(card.pk, [])
            claims.append(Claim(card=card, what=what, items=found, stale_items=[
                e for e in found if (today - e.observed_on).days > EVIDENCE_MAX_AGE_DAYS]))
    return claims


def backed_claims(*, journey: Journey) -> set[int]:
    """The ids of the cards with evidence behind them (one query)."""
    return set(Evidence.objects.filter(journey=journey).values_list("card_id", flat=True))


def evidence_badges(*, journey: Journey, card_ids: list[int], stage_ids: list[int]
                    ) -> dict[tuple[str, int], BoardBadge]:
    """The board badge source (see maps.extensions): each claim on the board says whether it is backed
    (and by how many pieces of evidence) or assumed, linking to its evidence; one query."""
    shown = set(card_ids)
    rows = (Card.objects.filter(journey=journey, kind__in=CLAIM_KINDS, deleted_at=None)  # one query, whatever the ids
            .annotate(items=Count("evidence_items"))
            .values_list("pk", "kind", "touchpoint__expectation", "touchpoint__experience", "items"))
    url = reverse("diagnostics:evidence", args=[journey.pk])
    badges = {}
    for pk, kind, expectation, experience, items in rows:
        if pk not in shown:
            continue
        if kind == LaneKind.TOUCHPOINTS and not _differs(expectation or "", experience or ""):
            continue  # a touchpoint is a claim only when it states a gap
        label = (f"Backed by {items} piece{'s' if items != 1 else ''} of evidence" if items
                 else "Assumed: no evidence yet")
        badges[("card", pk)] = BoardBadge(dom_id=f"evidence-card-{pk}", url=f"{url}?card={pk}#claim-{pk}",
                                          count=items, label=label, css_class="evidence")
    return badges
