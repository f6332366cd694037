"""Deciding what to fix: pure scoring of fixes and of transitions."""

from dataclasses import dataclass, field
from collections.abc import Callable, Hashable
from typing import Any

from maps.rules import fix_score, friction_is_open

SEVERITY_WEIGHT = {"low": 0.5, "medium": 1.0, "high": 2.0, "critical": 3.0}
RISK_WEIGHT = {"low": 0.0, "medium": 0.5, "high": 1.0}


def rank_fixes(opportunities: list[Any]) -> list[Any]:
    """Opportunities not done, best first; ties go to the higher impact, then the lower effort, then the title."""
    todo = [o for o in opportunities if getattr(o, "status", "idea") != "done"]
    return sorted(todo, key=lambda o: (-fix_score(impact=o.impact, confidence=o.confidence, effort=o.effort),
                                       -o.impact, o.effort, o.title.casefold(), o.pk or 0))


@dataclass(frozen=True)
class RankedFix:
    rank: int  # across the whole map
    opportunity: Any
    score: float


def rank_and_group(opportunities: list[Any], *, group_of: Callable[[Any], Hashable]
                   ) -> list[tuple[Hashable, list[RankedFix]]]:
    """Ranks the fixes across the map, then groups them by `group_of` (say, the transition each repairs).
    Ranks stay map-wide; the group holding the best-ranked fix comes first."""
    groups: dict[Hashable, list[RankedFix]] = {}
    for fix in ranked_fixes(opportunities):
        groups.setdefault(group_of(fix.opportunity), []).append(fix)
    return list(groups.items())  # dicts keep insertion order: the first fix seen is the best


def ranked_fixes(opportunities: list[Any]) -> list[RankedFix]:
    return [RankedFix(rank, o, round(fix_score(impact=o.impact, confidence=o.confidence, effort=o.effort), 2))
            for rank, o in enumerate(rank_fixes(opportunities), start=1)]


@dataclass
class TransitionSignals:
    """What is known about one handoff, gathered by the selector."""

    label: str
    dropoff: float | None = None  # 0..1
    dropoff_source: str = ""  # "stage metrics" or "estimate on the card"
    frictions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, severity, status)
    owner: str = ""
    from_team: str = ""
    to_team: str = ""
    min_confidence: float | None = None
    risk: str = "medium"


@dataclass(frozen=True)
class Weakness:
    score: float
    reasons: tuple[str, ...]

    @property
    def level(self) -> str:
        """The score in words, for people who should not have to read it: a drop-off of half
        (5) or a high-severity friction with no owner (3 + 2) is already serious."""
        if self.score >= 8:
            return "Critical"
        if self.score >= 5:
            return "Serious"
        if self.score >= 2:
            return "Moderate"
        return "Minor" if self.score > 0 else "No known problem"


def transition_weakness(signals: TransitionSignals) -> Weakness:
    """How broken a transition looks: drop-off, open friction, missing owners, low confidence and risk add up."""
    score = 0.0
    reasons = []
    if signals.dropoff is not None:
        score += signals.dropoff * 10
        reasons.append(f"{signals.dropoff * 100:.0f}% drop off here ({signals.dropoff_source})")
    open_frictions = [f for f in signals.frictions if friction_is_open(f[2])]
    if open_frictions:
        score += sum(SEVERITY_WEIGHT.get(f[1], 1.0) for f in open_frictions)
        structural = sum(1 for f in open_frictions if f[0] == "structural")
        reasons.append(f"{len(open_frictions)} open friction point{'s' if len(open_frictions) != 1 else ''} "
                       f"({structural} structural, {len(open_frictions) - structural} communication)")
    if not signals.owner:
        score += 2
        reasons.append("nobody owns this handoff")
    if not signals.from_team or not signals.to_team:
        score += 1
        reasons.append("the teams on either side are not named")
    if signals.min_confidence is not None and signals.min_confidence < 0:
        score += -signals.min_confidence * 0.5
        reasons.append(f"user confidence falls to {signals.min_confidence:+g}")
    if RISK_WEIGHT.get(signals.risk, 0):
        score += RISK_WEIGHT[signals.risk]
        reasons.append(f"{signals.risk} risk")
    return Weakness(round(score, 2), tuple(reasons))
