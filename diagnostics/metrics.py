"""Privacy-aware metrics maths: pure functions over aggregated counts.

Small-count suppression: any count below the workspace's threshold is shown as
“fewer than N” and left out of every derived rate, total and chart. A derived
count is a count too: when fewer than N people did *not* progress, showing both
counts would single them out, so that row's progressed count is hidden as well
and the row feeds no rate.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Count:
    """A count as people may see it: its value, or only that it is below the threshold."""

    value: int | None  # None when suppressed
    threshold: int
    reason: str = ""

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self) -> str:
        if self.value is None:
            return self.reason or f"fewer than {self.threshold}"
        return f"{self.value:,}"


def shown(value: int, threshold: int) -> Count:
    """`value` if it may be shown, else a suppressed count. Zero is below any threshold: it is suppressed too."""
    return Count(value if value >= threshold else None, threshold)


@dataclass(frozen=True)
class MetricRow:
    """One stage in one period, as entered: raw counts that never leave the server unsuppressed."""

    stage_id: int
    period: date
    entered: int
    progressed: int


@dataclass(frozen=True)
class SafeRow:
    stage_id: int
    period: date
    entered: Count
    progressed: Count
    usable: bool  # may feed rates, totals and charts

    @property
    def conversion(self) -> float | None:
        if not self.usable:
            return None
        return self.progressed.value / self.entered.value


def safe_row(row: MetricRow, threshold: int) -> SafeRow:
    entered = shown(row.entered, threshold)
    dropped = row.entered - row.progressed
    if row.progressed < threshold:
        progressed = Count(None, threshold)
    elif dropped < threshold:
        progressed = Count(None, threshold, reason="hidden")  # fewer than `threshold` did not progress
    else:
        progressed = Count(row.progressed, threshold)
    return SafeRow(row.stage_id, row.period, entered, progressed,
                   usable=not entered.suppressed and not progressed.suppressed)


@dataclass
class StageSummary:
    stage_id: int
    name: str
    entered: int = 0  # totals over usable rows only
    progressed: int = 0
    periods_used: int = 0
    periods_suppressed: int = 0

    @property
    def conversion(self) -> float | None:
        return self.progressed / self.entered if self.entered else None

    @property
    def entered_text(self) -> str:
        return f"{self.entered:,}" if self.periods_used else "—"

    @property
    def progressed_text(self) -> str:
        return f"{self.progressed:,}" if self.periods_used else "—"

    @property
    def dropoff(self) -> float | None:
        conversion = self.conversion
        return None if conversion is None else 1 - conversion


@dataclass
class TransitionDropoff:
    from_stage: StageSummary
    to_name: str
    dropoff: float | None  # share of those entering `from_stage` who did not progress


@dataclass
class MetricsSummary:
    threshold: int
    periods: list[date]
    stages: list[StageSummary]
    table: list[tuple[str, list[SafeRow | None]]]  # per stage: one cell per period
    transitions: list[TransitionDropoff] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        return any(s.periods_used for s in self.stages)


def summarise(*, stages: list[tuple[int, str]], rows: list[MetricRow], threshold: int) -> MetricsSummary:
    """Per stage totals, conversion and drop-off, from usable rows only; and the per-period table."""
    periods = sorted({r.period for r in rows})
    safe = {(r.stage_id, r.period): safe_row(r, threshold) for r in rows}
    summaries = []
    table = []
    for stage_id, name in stages:
        summary = StageSummary(stage_id=stage_id, name=name)
        for period in periods:
            row = safe.get((stage_id, period))
            if row is None:
                continue
            if row.usable:
                summary.entered += row.entered.value
                summary.progressed += row.progressed.value
                summary.periods_used += 1
            else:
                summary.periods_suppressed += 1
        summaries.append(summary)
        table.append((name, [safe.get((stage_id, p)) for p in periods]))
    transitions = [
        TransitionDropoff(from_stage=summaries[i], to_name=summaries[i + 1].name, dropoff=summaries[i].dropoff)
        for i in range(len(summaries) - 1)
    ]
    return MetricsSummary(threshold=threshold, periods=periods, stages=summaries, table=table, transitions=transitions)


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"
