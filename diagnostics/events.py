"""From an event log to a journey's aggregates, as a stream through DuckDB. Pure: no Django here.

Input: a CSV (UTF-8, header row) or Parquet file with columns `case_id`, `step`, `timestamp`
and optionally `channel`. Each step maps to a stage (by index in the map's order) or is
ignored; steps that map to nothing are reported as unknown. Case ids are hashed on read and
never leave DuckDB; only counts and times per stage, transition and month come out.

Definitions (the README repeats them):
- a case's path: its events with a known step, ordered by timestamp (ties by stage order),
  consecutive events in the same stage collapsed into one visit;
- transitions (a, b): b's visit directly follows a's in a path; `cases` = cases having the
  pair at least once, `occurrences` = every time it happens;
- exits[s]: cases whose path ends at s; revisits[s]: cases that enter s again after leaving it;
- returns[s]: cases with a gap longer than the return gap between two consecutive events,
  the later one at s;
- dwell of (a, b): from the first event of the visit to a to the first event of the next
  visit (to b), median and 90th percentile, in total and by the month b was entered;
- monthly stage counts: cases that entered s in the month, and of them those whose next
  visit was the stage after s in the map's order (what `StageMetric` holds).
Every count from 1 to threshold - 1 is suppressed (None), and so is any count that could be
worked out from the others (see `suppress`).
"""

import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

COLUMNS = ("case_id", "step", "timestamp")
OPTIONAL_COLUMNS = ("channel",)
DEFAULT_RETURN_GAP = timedelta(days=7)
MEMORY_LIMIT = os.environ.get("EVENTS_DUCKDB_MEMORY", "1GB")  # keeps the import's peak well under 2 GB
IGNORE = -1  # a mapping target: the step is known and deliberately left out


class EventLogRejected(Exception):
    """The file cannot be imported; nothing was derived from it. `line` is 0 for the file as a whole."""

    def __init__(self, reason: str, *, line: int = 0) -> None:
        super().__init__(f"Line {line}: {reason}" if line else reason)
        self.reason, self.line = reason, line


def step_key(name: str) -> str:
    """How step and stage names are compared: trimmed, inner spaces collapsed, case-insensitive."""
    return " ".join(name.split()).casefold()


@dataclass
class EventAggregates:
    """Everything an import keeps, already suppressed. Stages are indexes into the map's stage list."""

    threshold: int
    cases: int | None = 0
    events: int = 0
    unknown_steps: list[str] = field(default_factory=list)
    transitions: dict[tuple[int, int], dict[str, int | None]] = field(default_factory=dict)  # cases, occurrences
    exits: dict[int, int | None] = field(default_factory=dict)
    revisits: dict[int, int | None] = field(default_factory=dict)
    returns: dict[int, int | None] = field(default_factory=dict)
    dwell: dict[tuple[int, int], dict[str, float | None]] = field(default_factory=dict)  # median_s, p90_s
    dwell_monthly: dict[tuple[int, int, date], dict[str, float | None]] = field(default_factory=dict)
    monthly: dict[tuple[int, date], dict[str, int | None]] = field(default_factory=dict)  # entered, progressed
    monthly_returns: dict[tuple[int, date], int | None] = field(default_factory=dict)
    months: list[date] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------


def _connect(work_dir: str) -> duckdb.DuckDBPyConnection:
    # Row order is never relied on (every window orders itself), which lets DuckDB stream in parallel.
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "threads": os.cpu_count() or 1,
                                 "temp_directory": work_dir, "preserve_insertion_order": False})
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # a worker's stderr is no terminal
    return con


def _csv_header(path: str) -> list[str]:
    """The header row's names, read here so that DuckDB is given the columns and sniffs nothing."""
    with open(path, "rb") as handle:
        first = handle.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EventLogRejected("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
                               line=1) from None
    return next(csv.reader([text]), [])


def _source(con, path: str, kind: str) -> tuple[str, list]:
    """The relation reading the file, and its parameters; checks the columns."""
    if os.path.getsize(path) == 0:
        raise EventLogRejected("The file is empty: it needs a header row case_id,step,timestamp.")
    if kind == "parquet":
        relation, params = "read_parquet(?)", [path]
        try:
            names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}", params).fetchall()]
        except duckdb.Error as error:
            raise _rejection(error) from None
    else:
        names = _csv_header(path)
        # Every column typed VARCHAR and named from the header: no sampling pass over a large file.
        columns = "{" + ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for name in names) + "}"
        relation = (f"read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',', "
                    "quote = '\"', escape = '\"', encoding = 'utf-8', strict_mode = true, null_padding = false)")
        params = [path]
    by_key = {name.strip().casefold(): name for name in names}
    missing = [c for c in COLUMNS if c not in by_key]
    if missing:
        raise EventLogRejected(f"The file has no column {', '.join(missing)}: the header must name "
                               f"case_id, step and timestamp (found {', '.join(names)[:200]}).", line=1)
    quoted = {c: '"' + by_key[c].replace('"', '""') + '"' for c in COLUMNS}
    return (f"(SELECT {quoted['case_id']}::VARCHAR AS case_id, {quoted['step']}::VARCHAR AS step, "
            f"{quoted['timestamp']}::VARCHAR AS ts_text FROM {relation})"), params


def _rejection(error: duckdb.Error) -> EventLogRejected:
    text = str(error)
    line = re.search(r"Line: (\d+)", text)
    if "unicode" in text.lower() or "utf-8" in text.lower():
        return EventLogRejected("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
                                line=int(line[1]) if line else 0)
    first = next((part.strip() for part in text.splitlines() if part.strip() and not part.startswith("CSV Error")),
                 "it cannot be read")
    reason = re.sub(r"^(Invalid Input Error|Conversion Error|IO Error|Parser Error):\s*", "", first)
    return EventLogRejected(f"The file cannot be read as {'CSV' if line else 'an event log'}: {reason[:200]}",
                            line=int(line[1]) if line else 0)


def _first_bad_line(path: str, kind: str, bad: Callable[[dict], str | None]) -> tuple[int, str]:
    """Where the first bad row is, in words a person can act on. Only called once a bad row is known to exist."""
    if kind == "parquet":
        con = duckdb.connect()  # the row number in a Parquet file is its position
        con.execute("SET TimeZone = 'UTC'")
        cursor = con.execute("SELECT case_id::VARCHAR, step::VARCHAR, timestamp::VARCHAR FROM read_parquet(?)", [path])
        for number, (case_id, step, ts) in enumerate(iter(cursor.fetchone, None), start=1):
            reason = bad({"case_id": case_id, "step": step, "timestamp": ts})
            if reason:
                return number, f"row {number}: {reason}"
        return 0, "a row is not valid"
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        reader.fieldnames = [name.strip().casefold() for name in reader.fieldnames or []]
        for row in reader:
            reason = bad(row)
            if reason:
                return reader.line_num, reason
    return 0, "a row is not valid"


def _row_problem(row: dict) -> str | None:
    case_id, step, ts = row.get("case_id"), row.get("step"), row.get("timestamp")
    if not (case_id or "").strip():
        return "case_id is empty"
    if not (step or "").strip():
        return "step is empty"
    if not (ts or "").strip():
        return "timestamp is empty"
    return None


def _is_bad_timestamp(con) -> Callable[[dict], str | None]:
    def check(row: dict) -> str | None:
        problem = _row_problem(row)
        if problem:
            return problem
        value = row["timestamp"].strip()
        if con.execute("SELECT try_cast(? AS TIMESTAMPTZ) IS NULL", [value]).fetchone()[0]:
            return f"timestamp “{value[:40]}” is not an ISO 8601 date and time"
        return None

    return check


# --- the aggregation -------------------------------------------------------------------------


def aggregate_events(path: str, *, kind: str, stage_of: Callable[[str], int | None], stage_count: int,
                     threshold: int, return_gap: timedelta = DEFAULT_RETURN_GAP,
                     progress: Callable[[int], None] = lambda percent: None) -> EventAggregates:
    """Reads the file once into DuckDB (case ids hashed), derives the aggregates, suppresses small counts.

    `stage_of(step)` gives the stage index a raw step name maps to, `IGNORE`, or None (unknown).
    """
    if kind not in ("csv", "parquet"):
        raise EventLogRejected("The file must be a CSV (.csv) or Parquet (.parquet) file.")
    with tempfile.TemporaryDirectory(prefix="events-") as work_dir:
        con = _connect(work_dir)
        try:
            return _aggregate(con, path, kind, stage_of, stage_count, threshold, return_gap, progress)
        finally:
            con.close()


def _aggregate(con, path, kind, stage_of, stage_count, threshold, return_gap, progress) -> EventAggregates:
    """Three passes over the rows: the file into `raw`, one ordered window pass into `visits`, then aggregates.

    `raw` holds a hashed case key, the step and the parsed time (NULL for a bad row). The window pass orders
    each case once: `lag` finds where a new visit starts and where a long gap precedes an event; the outer
    window over the visit rows alone gives each visit its next one. Every count of distinct cases is a
    count of rows of a grouped subquery, which DuckDB does far faster than count(DISTINCT ...).
    """
    source, params = _source(con, path, kind)
    blank = "{0} IS NULL OR (ord({0}) <= 32 AND trim({0}) = '')"  # ord() first: trim only what may be blank
    # The cast reads any ISO 8601 form and skips surrounding spaces itself; a time without a zone is UTC (the
    # session's). make_timestamp(epoch_us()) drops the zone without the calendar work `::TIMESTAMP` does.
    try:
        con.execute(f"""
            CREATE TEMP TABLE raw AS
            SELECT hash(case_id) AS case_key, step,
                   CASE WHEN NOT ({blank.format('case_id')} OR {blank.format('step')})
                        THEN make_timestamp(epoch_us(try_cast(ts_text AS TIMESTAMPTZ))) END AS ts
            FROM {source}""", params)
    except duckdb.Error as error:
        raise _rejection(error) from None
    progress(40)
    # One pass gives the steps, how many rows each has, and how many rows are bad.
    by_step = con.execute("SELECT step, count(*), count(*) FILTER (WHERE ts IS NULL) FROM raw GROUP BY step").fetchall()
    if not by_step:
        raise EventLogRejected("The file has a header but no events.")
    if any(bad for _step, _rows, bad in by_step):
        line, reason = _first_bad_line(path, kind, _is_bad_timestamp(con))
        raise EventLogRejected(f"{reason}. Nothing was imported.", line=line if kind == "csv" else 0)

    result = EventAggregates(threshold=threshold)
    mapping, unknown = [], []
    for step, rows, _bad in by_step:
        stage = stage_of(step)
        if stage is None:
            unknown.append(step.strip())
        elif stage != IGNORE:
            mapping.append((step, stage))
            result.events += rows
    result.unknown_steps = sorted(set(unknown), key=str.casefold)
    con.execute("CREATE TEMP TABLE steps (step VARCHAR, stage INTEGER)")
    if mapping:
        con.executemany("INSERT INTO steps VALUES (?, ?)", mapping)
    gap = f"INTERVAL {int(return_gap.total_seconds())} SECOND"
    # Kept: each visit's first event, and any event after a long gap (a return, possibly inside a visit).
    # `lead ... IGNORE NULLS` skips those in-visit returns when looking for the next visit.
    con.execute(f"""
        CREATE TEMP TABLE visits AS
        SELECT case_key, stage, ts AS start, is_visit, returned,
               lead(CASE WHEN is_visit THEN stage END IGNORE NULLS) OVER w AS next_stage,
               lead(CASE WHEN is_visit THEN ts END IGNORE NULLS) OVER w AS next_start
        FROM (SELECT r.case_key, s.stage, r.ts,
                     lag(s.stage) OVER w IS DISTINCT FROM s.stage AS is_visit,
                     coalesce(r.ts - lag(r.ts) OVER w > {gap}, false) AS returned
              FROM raw r JOIN steps s USING (step)
              WINDOW w AS (PARTITION BY r.case_key ORDER BY r.ts, s.stage))
        WHERE is_visit OR returned
        WINDOW w AS (PARTITION BY case_key ORDER BY ts, stage)""")
    con.execute("DROP TABLE raw")
    progress(60)
    returns, monthly_returns = {}, {}
    for stage, month, cases in con.execute(
            "SELECT stage, date_trunc('month', start)::DATE AS month, count(DISTINCT case_key) FROM visits "
            "WHERE returned GROUP BY GROUPING SETS ((stage, month), (stage))").fetchall():  # few rows: plain
        if month is None:
            returns[stage] = cases
        else:
            monthly_returns[(stage, month)] = cases
    moves = "FROM visits WHERE is_visit AND next_stage IS NOT NULL"
    transitions = {(a, b): (c, o) for a, b, c, o in con.execute(
        f"SELECT stage, next_stage, count(*), sum(n)::BIGINT FROM (SELECT stage, next_stage, case_key, count(*) AS n "
        f"{moves} GROUP BY ALL) GROUP BY ALL").fetchall()}
    exits = dict(con.execute(
        "SELECT stage, count(*) FROM visits WHERE is_visit AND next_stage IS NULL GROUP BY stage").fetchall())
    revisits = dict(con.execute(
        "SELECT stage, count(*) FROM (SELECT case_key, stage FROM visits WHERE is_visit GROUP BY ALL "
        "HAVING count(*) > 1) GROUP BY stage").fetchall())
    dwell_cases = {(a, b, m): n for a, b, m, n in con.execute(
        "SELECT stage, next_stage, month, count(*) FROM (SELECT DISTINCT stage, next_stage, "
        f"date_trunc('month', next_start)::DATE AS month, case_key {moves}) GROUP BY ALL").fetchall()}
    dwell, dwell_monthly = {}, {}
    for a, b, month, (med, p90) in con.execute(
            "SELECT stage, next_stage, date_trunc('month', next_start)::DATE AS month, "
            f"quantile_cont(epoch(next_start - start), [0.5, 0.9]) {moves} "
            "GROUP BY GROUPING SETS ((stage, next_stage, month), (stage, next_stage))").fetchall():
        if month is None:
            dwell[(a, b)] = (transitions[(a, b)][0], med, p90)
        else:
            dwell_monthly[(a, b, month)] = (dwell_cases[(a, b, month)], med, p90)
    monthly = {(s, m): (entered, progressed) for s, m, entered, progressed in con.execute(
        "SELECT stage, month, count(*), count(*) FILTER (WHERE progressed) FROM ("
        "  SELECT stage, date_trunc('month', start)::DATE AS month, case_key, "
        "         bool_or(next_stage IS NOT DISTINCT FROM stage + 1) AS progressed "
        "  FROM visits WHERE is_visit GROUP BY ALL) GROUP BY ALL").fetchall()}
    progress(80)

    result.cases = sum(exits.values())  # every case's path ends exactly once
    result.transitions = {pair: {"cases": c, "occurrences": o} for pair, (c, o) in transitions.items()}
    result.exits, result.revisits, result.returns = exits, revisits, returns
    result.monthly = {key: {"entered": e, "progressed": p} for key, (e, p) in monthly.items()}
    result.monthly_returns = monthly_returns
    result.months = sorted({m for _, m in monthly})
    suppress(result, stage_count=stage_count)
    result.dwell = {pair: _dwell(n, med, p90, threshold) for pair, (n, med, p90) in dwell.items()}
    result.dwell_monthly = {key: _dwell(n, med, p90, threshold) for key, (n, med, p90) in dwell_monthly.items()}
    return result


def _dwell(n: int, median: float, p90: float, threshold: int) -> dict[str, float | None]:
    """A time over fewer cases than the threshold is as telling as their count: it is suppressed with it."""
    if n < threshold:
        return {"median_s": None, "p90_s": None}
    return {"median_s": round(median, 1), "p90_s": round(p90, 1)}


# --- suppression --------------------------------------------------------------------------------


def _small(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def suppress_group(cells: dict, total: int | None, threshold: int) -> bool:
    """Complementary suppression of one group whose cells add up to a published `total`.

    When exactly one non-zero cell is hidden, the total minus the others gives it away: the
    smallest other non-zero cell is hidden too. Returns whether anything changed.
    """
    if total is None:
        return False
    hidden = [key for key, value in cells.items() if value is None]
    if len(hidden) != 1:
        return False
    shown_cells = sorted((value, str(key), key) for key, value in cells.items() if value)
    if not shown_cells:
        return False
    cells[shown_cells[0][2]] = None
    return True


def suppress(result: EventAggregates, *, stage_count: int) -> None:
    """Hides every count from 1 to threshold - 1, then every count the published ones would give away."""
    t = result.threshold

    def primary(value: int) -> int | None:
        return None if _small(value, t) else value

    result.cases = primary(result.cases)
    for counts in result.transitions.values():
        counts["cases"], counts["occurrences"] = primary(counts["cases"]), primary(counts["occurrences"])
        if counts["cases"] is None:
            counts["occurrences"] = None  # never more telling than the cases behind them
    for table in (result.exits, result.revisits, result.returns, result.monthly_returns):
        for key, value in table.items():
            table[key] = primary(value)
    for counts in result.monthly.values():
        entered, progressed = counts["entered"], counts["progressed"]
        dropped = entered - progressed
        counts["entered"] = primary(entered)
        # progressed + not progressed = entered: a small count on either side hides the other side too
        counts["progressed"] = None if (counts["entered"] is None or _small(progressed, t) or _small(dropped, t)) \
            else progressed
    # Every case ends somewhere: the exits add up to the published number of cases.
    while suppress_group(result.exits, result.cases, t):
        pass


# --- shaping for people and machines ---------------------------------------------------------------


def as_json(result: EventAggregates, stage_names: list[str]) -> dict:
    """The command's `--json` object: stage names, suppressed counts as null, zero counts left out."""
    def named(table: dict[int, int | None]) -> dict[str, int | None]:
        return {stage_names[s]: v for s, v in sorted(table.items()) if v != 0}

    return {
        "cases": result.cases,
        "events": result.events,
        "unknown_steps": list(result.unknown_steps),
        "transitions": [{"from": stage_names[a], "to": stage_names[b], "cases": c["cases"],
                         "occurrences": c["occurrences"]}
                        for (a, b), c in sorted(result.transitions.items())],
        "exits": named(result.exits),
        "revisits": named(result.revisits),
        "returns": named(result.returns),
    }


def to_store(result: EventAggregates, stage_names: list[str]) -> dict:
    """Everything kept in the database, JSON-ready and keyed by stage name (already suppressed)."""
    data = as_json(result, stage_names)
    data["dwell"] = [{"from": stage_names[a], "to": stage_names[b], **d} for (a, b), d in sorted(result.dwell.items())]
    data["dwell_monthly"] = [{"from": stage_names[a], "to": stage_names[b], "month": m.isoformat(), **d}
                             for (a, b, m), d in sorted(result.dwell_monthly.items())]
    data["monthly"] = [{"stage": stage_names[s], "month": m.isoformat(), **c}
                       for (s, m), c in sorted(result.monthly.items())]
    data["monthly_returns"] = [{"stage": stage_names[s], "month": m.isoformat(), "cases": n}
                               for (s, m), n in sorted(result.monthly_returns.items())]
    data["months"] = [m.isoformat() for m in result.months]
    return data


def stage_matcher(stage_names: Iterable[str], overrides: dict[str, int]) -> Callable[[str], int | None]:
    """`stage_of` for a map: an edited mapping (step key -> stage index or IGNORE) first, then the stage's name."""
    by_name: dict[str, int] = {}
    for index, name in enumerate(stage_names):
        by_name.setdefault(step_key(name), index)
    cache: dict[str, int | None] = {}

    def stage_of(step: str) -> int | None:
        if step not in cache:
            key = step_key(step)
            cache[step] = overrides[key] if key in overrides else by_name.get(key)
        return cache[step]

    return stage_of
