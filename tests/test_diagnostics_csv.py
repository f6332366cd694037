"""The stage-metrics CSV: every bad row reported with its line and reason; any bad row and nothing changes."""

from datetime import date

import pytest

from diagnostics import services
from diagnostics.csv_import import MAX_BYTES, parse_metrics_csv
from diagnostics.models import StageMetric

STAGES = {"Acquisition": 1, "Onboarding & intake": 2, "Consultation": 3}
HEADER = "stage,period,entered,progressed\n"


def problems_of(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [str(p) for p in parse_metrics_csv(data, stages=STAGES)[1]]


def test_a_good_file_parses_every_row():
    rows, problems = parse_metrics_csv(
        (HEADER + "Acquisition,2026-01,100,60\nonboarding & intake,2026-01-01,60,30\n\n").encode(), stages=STAGES)
    assert problems == []
    assert [(r.line, r.stage_id, r.period, r.entered, r.progressed) for r in rows] == [
        (2, 1, date(2026, 1, 1), 100, 60), (3, 2, date(2026, 1, 1), 60, 30)]


def test_columns_in_another_order_and_a_utf8_bom_are_accepted():
    rows, problems = parse_metrics_csv("\ufeffperiod,stage,progressed,entered\n2026-02,Consultation,5,9\n".encode(),
                                       stages=STAGES)
    assert problems == [] and rows[0].entered == 9 and rows[0].progressed == 5


# The corpus of bad files: (name, content, the problems expected, exactly).
BAD_FILES = [
    ("wrong columns", "stage,month,entered,progressed\nAcquisition,2026-01,1,1\n",
     ["Line 1: The columns must be exactly stage,period,entered,progressed; found stage,month,entered,progressed."]),
    ("extra column", "stage,period,entered,progressed,patient_id\nAcquisition,2026-01,1,1,42\n",
     ["Line 1: The columns must be exactly stage,period,entered,progressed; "
      "found stage,period,entered,progressed,patient_id."]),
    ("negative count", HEADER + "Acquisition,2026-01,-5,0\n", ["Line 2: entered -5 is negative"]),
    ("non-numeric count", HEADER + "Acquisition,2026-01,12,lots\n", ["Line 2: progressed “lots” is not a whole number"]),
    ("decimal count", HEADER + "Acquisition,2026-01,12.5,3\n", ["Line 2: entered “12.5” is not a whole number"]),
    ("empty count", HEADER + "Acquisition,2026-01,,3\n", ["Line 2: entered is empty"]),
    ("progressed greater than entered", HEADER + "Acquisition,2026-01,10,11\n",
     ["Line 2: progressed (11) is greater than entered (10)"]),
    ("unknown stage", HEADER + "Checkout,2026-01,10,1\n", ["Line 2: there is no stage “Checkout” on this map"]),
    ("bad period", HEADER + "Acquisition,January,10,1\nAcquisition,2026-13,10,1\n",
     ["Line 2: period “January” is not a month written YYYY-MM", "Line 3: period “2026-13” is not a month written YYYY-MM"]),
    ("duplicate period", HEADER + "Acquisition,2026-01,10,1\nConsultation,2026-01,5,1\nacquisition,2026-01-01,12,2\n",
     ["Line 4: acquisition already has a row for 2026-01 on line 2"]),
    ("wrong number of values", HEADER + "Acquisition,2026-01,10\n", ["Line 2: expected 4 values, found 3"]),
    ("several problems on one line", HEADER + "Nowhere,soon,-1,x\n",
     ["Line 2: there is no stage “Nowhere” on this map; period “soon” is not a month written YYYY-MM; "
      "entered -1 is negative; progressed “x” is not a whole number"]),
    ("empty file", "", ["The file is empty: it needs the header stage,period,entered,progressed."]),
    ("header only", HEADER, ["The file has a header but no rows."]),
]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_bad_files_report_each_bad_row(content, expected):
    assert problems_of(content) == expected


def test_every_bad_row_is_reported_not_only_the_first():
    text = HEADER + "Acquisition,2026-01,10,1\nAcquisition,2026-02,-1,0\nConsultation,2026-01,1,2\nFoo,2026-01,1,1\n"
    assert [p.split(":")[0] for p in problems_of(text)] == ["Line 3", "Line 4", "Line 5"]


def test_oversized_file():
    big = (HEADER + "Acquisition,2026-01,10,1\n" * (MAX_BYTES // 20)).encode()
    assert len(big) > MAX_BYTES
    [problem] = problems_of(big)
    assert "the limit is 1 MB" in problem


@pytest.mark.parametrize("data", [
    (HEADER + "Acquisition,2026-01,10,1\n").encode("utf-16"),
    (HEADER + "Onboarding – intake,2026-01,10,1\n").encode("cp1252"),
], ids=["utf-16", "windows-1252"])
def test_wrong_encoding(data):
    [problem] = problems_of(data)
    assert "not UTF-8" in problem


# --- through the service: any bad row and nothing changes -------------------------------------


def _state(journey):
    return sorted(StageMetric.objects.filter(journey=journey).values_list("stage_id", "period", "entered", "progressed"))


def test_import_creates_and_updates(journey, owner):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=date(2026, 1, 1),
                                 entered=1, progressed=0)
    result = services.stage_metrics_import(actor=owner, journey=journey, data=(
        HEADER + f"{stage.name},2026-01,100,60\n{stage.name},2026-02,90,50\n").encode())
    assert (result.created, result.updated) == (1, 1)
    assert _state(journey) == [(stage.pk, date(2026, 1, 1), 100, 60), (stage.pk, date(2026, 2, 1), 90, 50)]


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_a_file_with_any_bad_row_changes_nothing(journey, owner, content, expected):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=date(2026, 1, 1),
                                 entered=50, progressed=20)
    before = _state(journey)
    good_line = f"{stage.name},2026-03,500,200\n"
    data = content.replace(HEADER, HEADER + good_line, 1) if content.startswith(HEADER) and content != HEADER else content
    with pytest.raises(services.MetricsFileRejected) as error:
        services.stage_metrics_import(actor=owner, journey=journey, data=data.encode())
    assert error.value.status_code == 422
    assert error.value.problems
    assert _state(journey) == before


def test_a_stage_name_two_stages_share_is_refused():
    rows, problems = parse_metrics_csv((HEADER + "Intake,2026-01,10,1\nAcquisition,2026-01,10,1\n").encode(),
                                       stages={"intake": 2, "acquisition": 1}, ambiguous=frozenset({"intake"}))
    assert [str(p) for p in problems] == ["Line 2: more than one stage of this map is called “Intake”: rename one first"]


def test_import_refuses_an_ambiguous_stage_name(journey, owner):
    from maps import services as map_services

    map_services.stage_create(actor=owner, journey=journey, data={"name": "Consultation"})
    with pytest.raises(services.MetricsFileRejected):
        services.stage_metrics_import(actor=owner, journey=journey,
                                      data=(HEADER + "consultation,2026-01,50,20\n").encode())
    assert not StageMetric.objects.exists()
