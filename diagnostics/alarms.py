"""Quiet-decline alarms: a transition whose monthly conversion slowly and lastingly weakens. Pure.

For each transition (a stage to the next), over the months whose counts may be shown:
- the baseline is the pooled conversion of the first `BASELINE_MONTHS` usable months;
- a one-sided binomial CUSUM looks for a fall to baseline - `SHIFT` (at least two points, or a
  tenth of the baseline if that is more). Each month adds the log-likelihood ratio of its counts
  (progressed of entered) under the fallen rate against the baseline; the sum never goes below 0,
  and crossing `LIMIT` raises the alarm. Large months weigh more than small ones, so a small
  month cannot raise an alarm alone, and suppressed months are left out altogether. The alarm
  stands while the sum is above `LIMIT` at the latest month and the fall has lasted at least
  `MIN_MONTHS` months: one bad month that recovers is not a decline;
- "since" is the month the sum last left zero (the estimated start);
- "by how much" compares the pooled conversion since then with the baseline;
- "how sure" is one minus the one-sided p-value of a two-proportion z-test of the two.
The latest `RUN_LENGTH` months (or more) in a row all below the baseline also raise an alarm (the
run-chart rule), for declines too gentle for the CUSUM. When several alarms start within a month of one
another, the most upstream of them is named as the place to look first.

A stage's return rate (cases that came back to it after a long gap, of those who entered it: from event
logs) is watched the same way, upside down: its months are given as the cases that did *not* return, so a
quiet rise of the return rate is a decline of that share, and the fall looked for is a tenth of the return
rate itself (at least two points), not of its complement.
"""

import math
from dataclasses import dataclass, field
from datetime import date

BASELINE_MONTHS = 4
MIN_SHIFT, RELATIVE_SHIFT = 0.02, 0.10
LIMIT = 4.6  # about ln(100): the evidence for a fall is 100 times that against, summed since it began
RUN_LENGTH = 6
MIN_MONTHS = 3
CONVERSION, RETURN_RATE = "conversion", "return rate"


@dataclass(frozen=True)
class Month:
    period: date
    entered: int
    progressed: int


@dataclass
class Alarm:
    label: str  # "Consultation → Prescription"
    position: int  # the from-stage's position in the journey: smaller is upstream
    since: date
    baseline: float
    current: float
    certainty: float  # 0..1
    rule: str  # "cusum" or "run"
    upstream_of: list[str] = field(default_factory=list)  # alarms that began with this one, downstream
    metric: str = CONVERSION  # RETURN_RATE: a stage's; baseline and current are then the share not returning

    @property
    def drop_points(self) -> float:
        """How many points worse: conversion down, or return rate up."""
        return round((self.baseline - self.current) * 100, 1)

    @property
    def subject(self) -> str:
        return "transition" if self.metric == CONVERSION else "stage"

    @property
    def change(self) -> str:
        """“conversion down 4.2 points” or “return rate up 3 points”."""
        return f"{self.metric} {'down' if self.metric == CONVERSION else 'up'} {self.drop_points:g} points"

    def _rate(self, share: float) -> str:
        return f"{(share if self.metric == CONVERSION else 1 - share) * 100:.1f}%"

    @property
    def sure(self) -> str:
        return "more than 99% sure" if self.certainty >= 0.99 else f"{self.certainty * 100:.0f}% sure"

    @property
    def text(self) -> str:
        return (f"{self.label}: {self.change} since {self.since:%B %Y} "
                f"({self._rate(self.baseline)} → {self._rate(self.current)}), {self.sure}")


def _llr(month: Month, p0: float, p1: float) -> float:
    failed = month.entered - month.progressed
    return month.progressed * math.log(p1 / p0) + failed * math.log((1 - p1) / (1 - p0))


def _certainty(base: list[Month], recent: list[Month]) -> float:
    n0, x0 = sum(m.entered for m in base), sum(m.progressed for m in base)
    n1, x1 = sum(m.entered for m in recent), sum(m.progressed for m in recent)
    pooled = (x0 + x1) / (n0 + n1)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
    if spread == 0:
        return 0.0
    z = (x0 / n0 - x1 / n1) / spread
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))  # one-sided: P(the fall is not chance)


def decline(label: str, position: int, months: list[Month], *, metric: str = CONVERSION) -> Alarm | None:
    """The alarm for one transition's usable months (in order), or None.

    With `metric=RETURN_RATE`, one stage's months, `progressed` counting the cases that did not return.
    """
    months = [m for m in months if m.entered > 0]
    if len(months) < BASELINE_MONTHS + 2:
        return None
    base = months[:BASELINE_MONTHS]
    p0 = sum(m.progressed for m in base) / sum(m.entered for m in base)
    if not 0 < p0 < 1:
        return None
    p1 = p0 - max(MIN_SHIFT, RELATIVE_SHIFT * (p0 if metric == CONVERSION else 1 - p0))
    if p1 <= 0:
        return None
    total, start = 0.0, None
    for index in range(BASELINE_MONTHS, len(months)):
        total = max(0.0, total + _llr(months[index], p0, p1))
        if total == 0:
            start = None
        elif start is None:
            start = index
    if total > LIMIT and len(months) - start >= MIN_MONTHS:  # still falling now, and for months: sustained
        return _alarm(label, position, base, months[start:], p0, "cusum", metric)
    run = 0
    for month in reversed(months[BASELINE_MONTHS:]):
        if month.progressed / month.entered >= p0:
            break
        run += 1
    if run >= RUN_LENGTH:
        return _alarm(label, position, base, months[-run:], p0, "run", metric)
    return None


def _alarm(label, position, base, recent, p0, rule, metric) -> Alarm | None:
    current = sum(m.progressed for m in recent) / sum(m.entered for m in recent)
    if current >= p0:
        return None
    return Alarm(label=label, position=position, since=recent[0].period, baseline=p0, current=current,
                 certainty=_certainty(base, recent), rule=rule, metric=metric)


def common_upstream(alarms: list[Alarm]) -> list[Alarm]:
    """Alarms in journey order; one whose downstream alarms began within a month of it names them."""
    # A stage's return rate comes before the transition out of it: it is where that transition starts.
    ordered = sorted(alarms, key=lambda a: (a.position, a.metric == CONVERSION))
    def month(alarm: Alarm) -> int:
        return alarm.since.year * 12 + alarm.since.month

    for index, alarm in enumerate(ordered):
        together = [later.label for later in ordered[index + 1:] if abs(month(later) - month(alarm)) <= 1]
        if together and not any(alarm.label in earlier.upstream_of for earlier in ordered[:index]):
            alarm.upstream_of = together
    return ordered
