"""What a map's report says, gathered through the selectors of the apps below.

The export job has already decided that the person may export this map, so the
report is a pure function of the journey id: everything is read from that
journey and its own workspace, never from another.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from compliance.health import Finding, HealthReport, health_check
from compliance.models import Checkpoint
from compliance.selectors import checkpoints_of_journey, open_statuses
from core.errors import NotFound
from diagnostics.alarms import Alarm
from diagnostics.charts import Chart
from diagnostics.ranking import SEVERITY_WEIGHT, ranked_fixes
from diagnostics.selectors import (RankedFix, TransitionReport, alarms_get, backed_claims, friction_heatmap_get,
                                   funnel_get, transitions_ranked)
from maps.models import FrictionPoint, Journey, LaneKind, Stage
from maps.rules import friction_is_open
from maps.selectors import Board, board_get
from stakeholders.selectors import Swimlanes, swimlanes_get

SUMMARY_ITEMS = 5  # how many transitions, frictions, checkpoints and fixes the one-page summary lists


def journey_for_report(*, journey_id: int) -> Journey:
    try:
        return Journey.objects.select_related("workspace", "observes").get(pk=journey_id)
    except Journey.DoesNotExist:
        raise NotFound("No such map.") from None


@dataclass
class ReportContent:
    journey: Journey
    generated_at: datetime.datetime
    board: Board
    health: HealthReport
    transitions: list[TransitionReport]  # weakest first
    frictions: list[FrictionPoint]  # open ones, most severe first
    fixes: list[RankedFix]
    checkpoints: list[Checkpoint]
    open_checkpoints: list[Checkpoint]  # soonest due first
    swimlanes: Swimlanes
    funnel: Chart
    heatmap: Chart
    alarms: list[Alarm] = field(default_factory=list)  # quiet declines, upstream first
    backed_ids: set[int] = field(default_factory=set)  # claims (cards) with evidence; the others are assumed

    @property
    def stages(self) -> list[Stage]:
        return self.board.stages

    @property
    def summary_transitions(self) -> list[TransitionReport]:
        return self.transitions[:SUMMARY_ITEMS]

    @property
    def summary_frictions(self) -> list[FrictionPoint]:
        return self.frictions[:SUMMARY_ITEMS]

    @property
    def summary_fixes(self) -> list[RankedFix]:
        return self.fixes[:SUMMARY_ITEMS]

    @property
    def summary_checkpoints(self) -> list[Checkpoint]:
        return self.open_checkpoints[:SUMMARY_ITEMS]

    # A section with nothing in it is left out of the report rather than given a page of its own.

    @property
    def has_curve(self) -> bool:
        return bool(self.board.curve.points)

    @property
    def has_charts(self) -> bool:
        return self.has_curve or self.funnel.figure is not None or self.heatmap.figure is not None

    @property
    def has_submaps(self) -> bool:
        return bool(self.swimlanes.lanes or self.swimlanes.intersections)

    @property
    def has_compliance(self) -> bool:
        return bool(self.checkpoints or (self.health.started and self.health.findings))

    @property
    def findings_with_rule_titles(self) -> list[tuple[Finding, str]]:
        """Each finding with its rule's title: a manager reads "Stakeholder sub-maps", not a rule code."""
        titles = {result.rule.code: result.rule.title for result in self.health.results}
        return [(finding, titles.get(finding.rule, finding.rule)) for finding in self.health.findings]


def report_content(*, journey_id: int) -> ReportContent:
    journey = journey_for_report(journey_id=journey_id)
    board = board_get(journey=journey)
    cards = [card for row in board.rows for cell in row.cells for card in cell.cards]
    frictions = sorted((c for c in cards if c.kind == LaneKind.FRICTION and friction_is_open(c.status)),
                       key=lambda f: (-SEVERITY_WEIGHT.get(f.severity, 1.0), f.stage.position, f.title.casefold()))
    handoffs = {c.pk: c for c in cards if c.kind == LaneKind.HANDOFFS}
    opportunities = [c for c in cards if c.kind == LaneKind.OPPORTUNITIES]
    for fix in opportunities:  # the board already holds the handoff each fix repairs: no query per fix
        if fix.handoff_id in handoffs:
            fix.handoff = handoffs[fix.handoff_id]
    checkpoints = list(checkpoints_of_journey(journey=journey).order_by("due_date", "id"))
    still_open = set(open_statuses())
    return ReportContent(
        journey=journey,
        generated_at=timezone.localtime(),
        board=board,
        health=health_check(journey=journey),
        transitions=transitions_ranked(journey=journey),
        frictions=frictions,
        fixes=ranked_fixes(opportunities),
        checkpoints=checkpoints,
        open_checkpoints=[c for c in checkpoints if c.status in still_open],
        swimlanes=swimlanes_get(journey=journey),
        funnel=funnel_get(journey=journey),
        heatmap=friction_heatmap_get(journey=journey),
        alarms=alarms_get(journey=journey),
        backed_ids=backed_claims(journey=journey),
    )
