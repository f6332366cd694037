"""The event-log definitions, on hand-built logs whose answers are known, and on a generated one
checked against the plain-Python reference (`diagnostics.events_baseline`)."""

import random
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from diagnostics.events import (IGNORE, EventLogRejected, aggregate_events, as_json, stage_matcher, suppress_group,
                                to_store)
from diagnostics.events_baseline import aggregate_plain

STAGES = ["Discover", "Sign up", "Consult", "Pay"]


def write_log(tmp_path, rows, *, header="case_id,step,timestamp", name="log.csv"):
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def run(path, *, threshold=1, overrides=None, gap=timedelta(days=7), kind="csv"):
    result = aggregate_events(path, kind=kind, stage_of=stage_matcher(STAGES, overrides or {}),
                              stage_count=len(STAGES), threshold=threshold, return_gap=gap)
    return as_json(result, STAGES), result


def t(day, hour=10, minute=0):
    return f"2026-01-{day:02d}T{hour:02d}:{minute:02d}:00"


def test_consecutive_events_in_one_stage_are_one_visit(tmp_path):
    log = write_log(tmp_path, [("a", "Discover", t(1)), ("a", "Discover", t(1, 11)), ("a", "Sign up", t(2)),
                               ("a", "Sign up", t(2, 12))])
    data, _ = run(log)
    assert data["events"] == 4 and data["cases"] == 1
    assert data["transitions"] == [{"from": "Discover", "to": "Sign up", "cases": 1, "occurrences": 1}]
    assert data["exits"] == {"Sign up": 1} and data["revisits"] == {} and data["returns"] == {}


def test_a_loop_counts_occurrences_once_per_time_and_cases_once(tmp_path):
    log = write_log(tmp_path, [("a", "Sign up", t(1)), ("a", "Consult", t(2)), ("a", "Sign up", t(3)),
                               ("a", "Consult", t(4)), ("b", "Sign up", t(1)), ("b", "Consult", t(2))])
    data, _ = run(log)
    assert {(x["from"], x["to"]): (x["cases"], x["occurrences"]) for x in data["transitions"]} == {
        ("Sign up", "Consult"): (2, 3), ("Consult", "Sign up"): (1, 1)}
    assert data["revisits"] == {"Sign up": 1, "Consult": 1}
    assert data["exits"] == {"Consult": 2}


def test_a_return_is_a_gap_longer_than_the_setting_before_an_event_at_that_stage(tmp_path):
    seven_days = datetime(2026, 1, 1, 10) + timedelta(days=7)
    log = write_log(tmp_path, [
        ("a", "Sign up", t(1)), ("a", "Consult", seven_days.isoformat()),  # exactly 7 days: not longer
        ("b", "Sign up", t(1)), ("b", "Consult", (seven_days + timedelta(seconds=1)).isoformat()),
        ("c", "Sign up", t(1)), ("c", "Sign up", t(20)),  # a return into the same stage (one visit)
    ])
    data, _ = run(log)
    assert data["returns"] == {"Sign up": 1, "Consult": 1}
    data, _ = run(log, gap=timedelta(days=2))
    assert data["returns"] == {"Sign up": 1, "Consult": 2}


def test_unknown_steps_are_reported_and_ignored_and_an_ignored_step_is_not_unknown(tmp_path):
    log = write_log(tmp_path, [("a", "Sign up", t(1)), ("a", " Reminder email ", t(2)), ("a", "Sign up", t(3)),
                               ("a", "Heartbeat", t(4)), ("a", "Consult", t(5))])
    data, _ = run(log, overrides={"heartbeat": IGNORE})
    assert data["unknown_steps"] == ["Reminder email"]
    assert data["events"] == 3  # rows with a known step
    assert data["transitions"] == [{"from": "Sign up", "to": "Consult", "cases": 1, "occurrences": 1}]
    assert data["revisits"] == {}  # the unknown step between two sign-ups does not split the visit


def test_an_edited_mapping_sends_a_step_to_a_stage(tmp_path):
    log = write_log(tmp_path, [("a", "signup_completed", t(1)), ("a", "video_call", t(2))])
    data, _ = run(log, overrides={"signup_completed": 1, "video_call": 2})
    assert data["unknown_steps"] == []
    assert data["transitions"] == [{"from": "Sign up", "to": "Consult", "cases": 1, "occurrences": 1}]


def test_rows_out_of_order_are_ordered_by_timestamp_with_zones_in_utc(tmp_path):
    log = write_log(tmp_path, [("a", "Consult", "2026-01-02T10:00:00+02:00"), ("a", "Pay", "2026-01-03"),
                               ("a", "Sign up", "2026-01-02T09:00:00Z")])
    data, _ = run(log)  # Consult is 08:00 UTC, before the 09:00 sign-up
    assert [(x["from"], x["to"]) for x in data["transitions"]] == [("Sign up", "Pay"), ("Consult", "Sign up")]


def test_step_names_match_stages_trimmed_and_in_any_case(tmp_path):
    log = write_log(tmp_path, [("a", "  sign   UP ", t(1)), ("a", "CONSULT", t(2)), ("a", "pay", t(3))])
    data, _ = run(log)
    assert data["unknown_steps"] == [] and data["events"] == 3
    assert [(x["from"], x["to"]) for x in data["transitions"]] == [("Sign up", "Consult"), ("Consult", "Pay")]


def test_dwell_is_the_time_from_entering_a_stage_to_entering_the_next_by_month_and_in_total(tmp_path):
    rows = []
    for n in range(11):  # 11 cases in January: 1..11 hours from sign-up to consult
        rows += [(f"j{n}", "Sign up", t(5)), (f"j{n}", "Sign up", t(5, 10, 30)), (f"j{n}", "Consult", t(5, 11 + n))]
    rows += [(f"f{n}", "Sign up", "2026-02-01T10:00:00") for n in range(3)]
    rows += [(f"f{n}", "Consult", "2026-02-01T12:00:00") for n in range(3)]
    data = to_store(run(write_log(tmp_path, rows), threshold=11)[1], STAGES)
    # in total 14 cases: 1..11 hours and three of 2 hours; percentiles interpolate (9.7 h is 90 %)
    assert data["dwell"] == [{"from": "Sign up", "to": "Consult", "median_s": 4.5 * 3600, "p90_s": 9.7 * 3600}]
    assert data["dwell_monthly"] == [
        {"from": "Sign up", "to": "Consult", "month": "2026-01-01", "median_s": 6 * 3600.0, "p90_s": 10 * 3600.0},
        {"from": "Sign up", "to": "Consult", "month": "2026-02-01", "median_s": None, "p90_s": None},  # 3 cases
    ]
    assert data["monthly"][0] == {"stage": "Sign up", "month": "2026-01-01", "entered": 11, "progressed": 11}


def _cases(count, steps, prefix):
    return [(f"{prefix}{n}", step, t(1 + i)) for n in range(count) for i, step in enumerate(steps)]


def test_counts_from_1_to_the_threshold_minus_1_are_suppressed_and_zero_is_left_out(tmp_path):
    rows = _cases(11, ["Sign up", "Consult"], "a") + _cases(10, ["Sign up", "Pay"], "b")
    data, _ = run(write_log(tmp_path, rows), threshold=11)
    pairs = {(x["from"], x["to"]): (x["cases"], x["occurrences"]) for x in data["transitions"]}
    assert pairs == {("Sign up", "Consult"): (11, 11), ("Sign up", "Pay"): (None, None)}
    assert "Discover" not in data["exits"]  # zero: left out
    assert data["cases"] == 21


def test_a_count_that_the_others_give_away_is_suppressed_too(tmp_path):
    # 30 cases end at Consult (16), Pay (11) or Sign up (3): with the total shown, 30 - 16 - 11 gives the 3 away.
    rows = _cases(16, ["Sign up", "Consult"], "c") + _cases(11, ["Sign up", "Pay"], "p") + _cases(3, ["Sign up"], "s")
    data, _ = run(write_log(tmp_path, rows), threshold=11)
    assert data["cases"] == 30
    assert data["exits"] == {"Sign up": None, "Consult": 16, "Pay": None}


def test_complementary_suppression_hides_the_smallest_other_cell():
    cells = {"a": None, "b": 40, "c": 12, "d": 0}
    assert suppress_group(cells, 55, 11) is True
    assert cells == {"a": None, "b": 40, "c": None, "d": 0}
    assert suppress_group(cells, 55, 11) is False  # two hidden: neither can be worked out


def test_a_month_whose_non_progressing_count_is_small_hides_its_progressed_count(tmp_path):
    rows = _cases(15, ["Sign up", "Consult"], "a") + _cases(4, ["Sign up"], "b")
    _, result = run(write_log(tmp_path, rows), threshold=11)
    assert result.monthly[(1, datetime(2026, 1, 1).date())] == {"entered": 19, "progressed": None}


@pytest.mark.parametrize(("content", "line", "words"), [
    (b"case_id,step,timestamp\na,Sign up,2026-01-01\nb,\xff\xfe,2026-01-01\n", 3, "not UTF-8"),
    (b"case_id,step,when\na,Sign up,2026-01-01\n", 1, "no column timestamp"),
    (b"case_id,step,timestamp\na,Sign up,2026-01-01\nb,Consult,2026-01-01\nc,Pay,yesterday\n", 4, "yesterday"),
    (b"case_id,step,timestamp\na,Sign up,2026-01-01\n,Consult,2026-01-01\n", 3, "case_id is empty"),
    (b"", 0, "empty"),
    (b"case_id,step,timestamp\n", 0, "no events"),
])
def test_a_bad_file_is_refused_whole_with_its_line_number(tmp_path, content, line, words):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(EventLogRejected) as refused:
        run(str(path))
    assert refused.value.line == line
    assert words in str(refused.value)


def test_parquet_gives_the_same_answers_as_csv(tmp_path):
    rows = _cases(12, ["Sign up", "Consult", "Sign up", "Pay"], "a") + [("z", "Oops", t(3))]
    csv_path = write_log(tmp_path, rows)
    parquet_path = str(tmp_path / "log.parquet")
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}', all_varchar = true)) TO '{parquet_path}' (FORMAT parquet)")
    assert run(parquet_path, kind="parquet")[0] == run(csv_path)[0]


def generated_log(path, *, cases=3000, seed=7):
    """A log with skips, loops, pauses, unknown steps, shuffled rows and mixed spellings."""
    rng = random.Random(seed)
    spellings = {0: ["Discover", "discover "], 1: ["Sign up", " SIGN UP"], 2: ["Consult", "consult"], 3: ["Pay"]}
    rows = []
    for n in range(cases):
        when = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(60 * 24 * 120))
        stage = 0
        for _ in range(rng.randrange(1, 9)):
            rows.append((f"case-{n:05d}", rng.choice(spellings[stage]), when.isoformat()))
            if rng.random() < 0.1:
                rows.append((f"case-{n:05d}", "Push notification", (when + timedelta(seconds=5)).isoformat()))
            when += timedelta(hours=rng.choice([1, 3, 30, 24 * 9]))
            stage = max(0, min(3, stage + rng.choice([1, 1, 1, 0, -1, 2])))
    rng.shuffle(rows)
    path.write_text("case_id,step,timestamp\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_a_generated_log_agrees_with_the_plain_python_reference(tmp_path):
    path = generated_log(tmp_path / "generated.csv")
    _, result = run(path, threshold=1)
    plain = aggregate_plain(path, stage_of=stage_matcher(STAGES, {}), return_gap=timedelta(days=7))
    assert result.cases == plain["cases"] == 3000
    assert result.events == plain["events"]
    assert result.unknown_steps == plain["unknown_steps"] == ["Push notification"]
    assert {pair: (c["cases"], c["occurrences"]) for pair, c in result.transitions.items()} == plain["transitions"]
    assert result.exits == plain["exits"]
    assert result.revisits == plain["revisits"]
    assert result.returns == plain["returns"]
