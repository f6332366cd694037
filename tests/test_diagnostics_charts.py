"""Chart figures: only counts that survive suppression reach a figure, and every chart has its table."""

import json
from datetime import date

from diagnostics.charts import confidence_chart, friction_heatmap, funnel_chart
from diagnostics.metrics import MetricRow, summarise

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def test_funnel_leaves_out_months_with_a_suppressed_count_and_loops():
    rows = [MetricRow(1, JAN, 1000, 600), MetricRow(2, JAN, 600, 300), MetricRow(3, JAN, 12, 1),
            MetricRow(1, FEB, 900, 500), MetricRow(2, FEB, 10, 5)]  # February's intake is suppressed
    summary = summarise(stages=[(1, "Acquisition"), (2, "Intake"), (3, "Intake (again)")], rows=rows, threshold=11)
    chart = funnel_chart(summary)
    trace = chart.figure["data"][0]
    assert trace["y"] == ["Acquisition", "Intake"]
    assert trace["x"] == [1000, 600]  # January only; the 900 of February would skew the funnel
    assert not {900, 500, 10, 5, 12, 1} & set(json.loads(json.dumps(chart.figure["data"]))[0]["x"])
    assert chart.rows[0] == ["Acquisition", "1,000", "600", "60.0%", "40.0%"]
    assert "over the 1 month " in chart.caption and "Intake (again)" in chart.caption


def test_funnel_without_a_complete_month_draws_nothing():
    summary = summarise(stages=[(1, "A"), (2, "B")], rows=[MetricRow(1, JAN, 5, 1), MetricRow(2, JAN, 50, 20)],
                        threshold=11)
    chart = funnel_chart(summary)
    assert chart.figure is None and chart.empty


def test_confidence_chart_and_its_table():
    chart = confidence_chart(["A", "B", "C"], [2, -1, None], [1, -3, 0])
    assert [t["name"] for t in chart.figure["data"]] == ["Designed", "Observed"]
    assert chart.rows == [["A", "+2", "+1", "-1.0"], ["B", "-1", "-3", "-2.0"], ["C", "—", "+0", "—"]]
    assert chart.headers == ["Stage", "Designed", "Observed", "Difference"]


def test_heatmap_splits_structural_and_communication():
    cells = {("structural", "A", "IT"): 2, ("communication", "B", "Support"): 1}
    chart = friction_heatmap(["A", "B"], ["IT", "Support"], cells)
    structural, communication = chart.figure["data"]
    assert structural["z"] == [[2, 0], [0, 0]] and communication["z"] == [[0, 0], [0, 1]]
    assert chart.rows == [["A", "IT", "2", "0"], ["B", "Support", "0", "1"]]
    assert friction_heatmap(["A"], ["IT"], {}).figure is None
