"""`make bench`, event-log part: DuckDB's import against a plain single-pass Python (csv module) baseline.

Run in its own process so its peak memory is the import's own: `python bench/events.py [EVENTS]` generates a
log of EVENTS events (10 million by default: about 1 GB of CSV) and prints one JSON object:
events_import_per_s (events in the file per second of wall time), events_import_s, events_import_cpu_s and
events_import_per_cpu_s (CPU seconds of all its threads: the figure to read when the machine is shared),
events_import_peak_mb, events_file_mb, events_baseline_per_s and events_baseline_s (the csv-module reference,
one pass over the same whole file, in a process of its own), events_speedup (the ratio of the two rates),
and events_load_1min (the machine's load average when the import finished: other work slows the wall time).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import duckdb  # noqa: E402

from diagnostics.events import aggregate_events, stage_matcher  # noqa: E402
from diagnostics.events_baseline import aggregate_plain  # noqa: E402

STAGES = ["Discover", "Sign up", "Intake", "Consult", "Prescription", "Pharmacy", "Follow-up", "Feedback"]
STEPS = STAGES + ["Reminder email", "Push notification"]  # two unknown steps, ignored and reported
EVENTS = 10_000_000


def generate(path: str, events: int) -> None:
    """About 8 events a case; case ids as an HMAC-SHA-256 pseudonymiser writes them (64 hex digits), which
    makes 10 million rows about 1 GB; ISO timestamps with a zone; mostly forward, some skips and loops."""
    steps = "[" + ", ".join(f"'{s}'" for s in STEPS) + "]"
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        COPY (
          SELECT sha256((i // 8)::VARCHAR) AS case_id,
                 {steps}[(1 + CASE WHEN hash(i, 1) % 5 = 0 THEN hash(i, 2) % 10
                                   ELSE least(i % 8 + hash(i, 3) % 2, 7) END)::BIGINT] AS step,
                 strftime(TIMESTAMP '2025-01-01' + to_seconds(((i // 8) * 37) % 31536000 + (i % 8) * 3600 *
                          (1 + hash(i, 4) % 72)::BIGINT), '%Y-%m-%dT%H:%M:%S+00:00') AS timestamp,
                 (['web', 'app', 'phone'])[(1 + hash(i, 5) % 3)::BIGINT] AS channel
          FROM range({events}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',')""")
    con.close()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process, DuckDB's included
    return usage.ru_utime + usage.ru_stime


def measure(path: str, events: int) -> dict:
    stage_of = stage_matcher(STAGES, {})
    started, cpu_started = time.perf_counter(), _cpu()
    result = aggregate_events(path, kind="csv", stage_of=stage_of, stage_count=len(STAGES), threshold=11)
    elapsed, cpu = time.perf_counter() - started, _cpu() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.unknown_steps == ["Push notification", "Reminder email"], result.unknown_steps
    return {"events_import_per_s": round(events / elapsed), "events_import_s": round(elapsed, 2),
            "events_import_cpu_s": round(cpu, 2), "events_import_per_cpu_s": round(events / cpu),
            "events_import_peak_mb": round(peak_mb), "events_file_mb": round(os.path.getsize(path) / 2**20),
            "events_load_1min": os.getloadavg()[0]}


def measure_baseline(path: str, events: int) -> dict:
    started = time.perf_counter()
    aggregate_plain(path, stage_of=stage_matcher(STAGES, {}), return_gap=timedelta(days=7))
    elapsed = time.perf_counter() - started
    return {"events_baseline_per_s": round(events / elapsed), "events_baseline_s": round(elapsed, 2)}


def _in_own_process(step: str, path: str, events: int) -> dict:
    out = subprocess.run([sys.executable, __file__, step, path, str(events)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run(events: int = EVENTS) -> dict:
    """Generates the log, then measures each side in a fresh process (each peak memory is then its own)."""
    with tempfile.TemporaryDirectory(prefix="events-bench-") as folder:
        path = os.path.join(folder, "events.csv")
        generate(path, events)
        figures = _in_own_process("--measure", path, events)
        figures |= _in_own_process("--baseline", path, events)
    figures["events_speedup"] = round(figures["events_import_per_s"] / figures["events_baseline_per_s"], 1)
    return figures


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "--baseline":
        print(json.dumps(measure_baseline(sys.argv[2], int(sys.argv[3]))))
    else:
        print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else EVENTS)))
