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


def test_coverage_chart_stacks_review_states_and_names_stages_without_checkpoints():
    from diagnostics.charts import compliance_coverage_chart

    cells = {("Intake", "approved"): 2, ("Intake", "overdue"): 1, ("Visit", "in_review"): 1, ("Visit", "open"): 3}
    chart = compliance_coverage_chart(["Acquisition", "Intake", "Visit"], cells)
    traces = {t["name"]: t for t in chart.figure["data"]}
    assert list(traces) == ["Overdue", "Open", "In review", "Approved or not applicable"]
    assert traces["Overdue"]["x"] == [0, 1, 0] and traces["Open"]["x"] == [0, 0, 3]
    assert traces["Approved or not applicable"]["x"] == [0, 2, 0] and traces["Open"]["text"] == ["", "", "3"]
    assert chart.figure["layout"]["barmode"] == "stack"
    assert [a["y"] for a in chart.figure["layout"]["annotations"]] == ["Acquisition"]
    assert chart.headers == ["Stage", "Overdue", "Open", "In review", "Approved or not applicable", "Total"]
    assert chart.rows == [["Acquisition", "0", "0", "0", "0", "None"], ["Intake", "1", "0", "0", "2", "3"],
                          ["Visit", "0", "3", "1", "0", "4"]]
    assert "Stages with no checkpoint: Acquisition." in chart.caption


def test_coverage_chart_without_any_checkpoint_draws_nothing_but_keeps_its_table():
    from diagnostics.charts import compliance_coverage_chart

    chart = compliance_coverage_chart(["A", "B"], {})
    assert chart.figure is None and chart.empty
    assert chart.rows == [["A", "0", "0", "0", "0", "None"], ["B", "0", "0", "0", "0", "None"]]


def test_coverage_counts_checkpoints_by_the_stage_they_sit_in(journey, owner):
    from datetime import timedelta

    from compliance import services as compliance_services
    from diagnostics.selectors import compliance_coverage, coverage_state
    from maps import services as map_services
    from maps.models import LaneKind

    from .factories import make_card
    from .healthcare import make_checkpoint, make_step, make_track

    today = date(2026, 6, 15)
    acquisition, intake, consultation = journey.stages.all()[:3]
    make_checkpoint(journey, owner, title="Consent", stage=intake, due_date=today + timedelta(days=3))
    make_checkpoint(journey, owner, title="Late", stage=intake, due_date=today - timedelta(days=1))
    touchpoint = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=consultation, title="Video")
    reviewed = make_checkpoint(journey, owner, title="Access", touchpoint=touchpoint)
    compliance_services.checkpoint_review(actor=owner, checkpoint=reviewed, version=reviewed.version,
                                          data={"status": "in_review"})
    step = make_step(make_track(journey, owner), owner, stage=consultation)
    approved = make_checkpoint(journey, owner, title="Audit", step=step, due_date=today - timedelta(days=30))
    compliance_services.checkpoint_review(actor=owner, checkpoint=approved, version=approved.version,
                                          data={"status": "approved", "reviewer": owner, "evidence": "Log export"})
    gone = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, stage=acquisition, title="Old ad")
    make_checkpoint(journey, owner, title="On a deleted touchpoint", touchpoint=gone)
    map_services.card_delete(actor=owner, card=gone, version=gone.version)

    assert compliance_coverage(journey=journey, today=today) == {
        (intake.name, "open"): 1, (intake.name, "overdue"): 1,
        (consultation.name, "in_review"): 1, (consultation.name, "approved"): 1,
    }
    assert coverage_state(status="in_review", due_date=today - timedelta(days=1), today=today) == "overdue"
    assert coverage_state(status="not_applicable", due_date=today - timedelta(days=1), today=today) == "approved"
    assert coverage_state(status="changes_needed", due_date=today, today=today) == "open"


def test_charts_page_shows_the_coverage_chart_and_its_table(owner_client, journey, owner):
    from django.urls import reverse

    from .healthcare import make_checkpoint

    make_checkpoint(journey, owner, title="Consent", stage=journey.stages.all()[1])
    body = owner_client.get(reverse("diagnostics:charts", args=[journey.pk])).content.decode()
    assert 'id="chart-compliance-title"' in body and 'data-figure="figure-compliance"' in body
    assert '<script id="figure-compliance" type="application/json">' in body
    assert "Stages with no checkpoint: Acquisition," in body
