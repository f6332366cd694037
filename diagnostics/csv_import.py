"""Validation of an uploaded stage-metrics CSV: every row is checked, every bad row reported.

Pure: takes the file's bytes and the map's stage names, returns the parsed rows and
the problems found (each with its line number). The service refuses the whole file
when there is any problem, so a file with one bad row changes nothing.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

MAX_BYTES = 1024 * 1024  # 1 MB
COLUMNS = ["stage", "period", "entered", "progressed"]
_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")


@dataclass(frozen=True)
class Problem:
    line: int  # 0 for the file as a whole
    reason: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.reason}" if self.line else self.reason


@dataclass(frozen=True)
class ParsedRow:
    line: int
    stage_id: int
    period: date
    entered: int
    progressed: int


def parse_period(text: str) -> date | None:
    """A month written YYYY-MM (or YYYY-MM-01) as its first day; None if it is not one."""
    match = _PERIOD.match(text.strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or year < 1900:
        return None
    return date(year, month, 1)


def _count(text: str, name: str) -> tuple[int | None, str | None]:
    text = text.strip()
    if not text:
        return None, f"{name} is empty"
    if not re.fullmatch(r"[+-]?\d+", text):
        return None, f"{name} “{text[:30]}” is not a whole number"
    value = int(text)
    if value < 0:
        return None, f"{name} {value} is negative"
    if value > 10_000_000:
        return None, f"{name} {value} is implausibly large"
    return value, None


def parse_metrics_csv(data: bytes, *, stages: dict[str, int], ambiguous: frozenset[str] = frozenset()
                      ) -> tuple[list[ParsedRow], list[Problem]]:
    """`stages`: stage name (case-insensitive) -> stage id; `ambiguous`: names (casefolded) that more than one
    stage of the map carries, so a row naming one cannot say which. Returns (rows, problems)."""
    if len(data) > MAX_BYTES:
        return [], [Problem(0, f"The file is {len(data) / 1024 / 1024:.1f} MB; the limit is 1 MB.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [Problem(0, f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
                               "Save it as “CSV UTF-8” and upload it again.")]
    if "\x00" in text:
        return [], [Problem(0, "The file is not UTF-8 text (it contains NUL bytes, as UTF-16 files do).")]
    lines = list(csv.reader(io.StringIO(text, newline="")))
    if not lines or not any(cell.strip() for cell in lines[0]):
        return [], [Problem(0, "The file is empty: it needs the header stage,period,entered,progressed.")]
    header = [cell.strip().lower() for cell in lines[0]]
    if sorted(header) != sorted(COLUMNS) or len(header) != len(COLUMNS):
        return [], [Problem(1, f"The columns must be exactly {','.join(COLUMNS)}; found {','.join(header)}.")]
    index = {name: header.index(name) for name in COLUMNS}
    folded = {name.strip().casefold(): pk for name, pk in stages.items()}
    rows: list[ParsedRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, date], int] = {}
    for line_no, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        if len(cells) != len(COLUMNS):
            problems.append(Problem(line_no, f"expected {len(COLUMNS)} values, found {len(cells)}"))
            continue
        reasons = []
        stage_name = cells[index["stage"]].strip()
        stage_id = folded.get(stage_name.casefold())
        if stage_name.casefold() in ambiguous:
            stage_id = None
            reasons.append(f"more than one stage of this map is called “{stage_name[:60]}”: rename one first")
        elif stage_id is None:
            reasons.append(f"there is no stage “{stage_name[:60]}” on this map")
        period = parse_period(cells[index["period"]])
        if period is None:
            reasons.append(f"period “{cells[index['period']].strip()[:20]}” is not a month written YYYY-MM")
        entered, problem = _count(cells[index["entered"]], "entered")
        if problem:
            reasons.append(problem)
        progressed, problem = _count(cells[index["progressed"]], "progressed")
        if problem:
            reasons.append(problem)
        if entered is not None and progressed is not None and progressed > entered:
            reasons.append(f"progressed ({progressed}) is greater than entered ({entered})")
        if stage_id is not None and period is not None:
            first = seen.setdefault((stage_id, period), line_no)
            if first != line_no:
                reasons.append(f"{stage_name} already has a row for {period:%Y-%m} on line {first}")
        if reasons:
            problems.append(Problem(line_no, "; ".join(reasons)))
        else:
            rows.append(ParsedRow(line_no, stage_id, period, entered, progressed))
    if not rows and not problems:
        problems.append(Problem(0, "The file has a header but no rows."))
    return rows, problems
