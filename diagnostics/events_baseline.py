"""The same definitions as `events.aggregate_events`, in plain Python over the csv module.

Not used by the app: it is the independent reference the tests check DuckDB's answers
against on generated logs, and the single-pass baseline `make bench` measures it against.
Returns raw counts (no suppression), stage indexes as keys.
"""

import csv
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def aggregate_plain(path: str, *, stage_of: Callable[[str], int | None], return_gap: timedelta) -> dict:
    by_case: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    unknown: set[str] = set()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            stage = stage_of(row["step"])
            if stage is None:
                unknown.add(row["step"].strip())
            elif stage >= 0:
                by_case[row["case_id"]].append((_when(row["timestamp"]), stage))
    transitions: Counter = Counter()
    transition_cases: Counter = Counter()
    exits: Counter = Counter()
    revisits: Counter = Counter()
    returns: Counter = Counter()
    events = 0
    for path_events in by_case.values():
        path_events.sort()
        events += len(path_events)
        visits = [stage for i, (_, stage) in enumerate(path_events) if i == 0 or path_events[i - 1][1] != stage]
        pairs = list(zip(visits, visits[1:], strict=False))
        transitions.update(pairs)
        transition_cases.update(set(pairs))
        exits[visits[-1]] += 1
        revisits.update(stage for stage, times in Counter(visits).items() if times > 1)
        returns.update({later for (before, _), (after, later) in zip(path_events, path_events[1:], strict=False)
                        if after - before > return_gap})
    return {"cases": len(by_case), "events": events, "unknown_steps": sorted(unknown, key=str.casefold),
            "transitions": {pair: (transition_cases[pair], n) for pair, n in transitions.items()},
            "exits": dict(exits), "revisits": dict(revisits), "returns": dict(returns)}
