"""Stage metrics maths and small-count suppression (threshold 11 by default)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core.errors import ApplicationError, Conflict, PermissionDenied
from diagnostics import selectors, services
from diagnostics.metrics import MetricRow, safe_row, shown, summarise
from diagnostics.models import StageMetric

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.mark.parametrize(("value", "suppressed", "text"), [
    (0, True, "fewer than 11"),
    (10, True, "fewer than 11"),
    (11, False, "11"),
    (1200, False, "1,200"),
])
def test_a_count_below_the_threshold_is_shown_as_fewer_than_11(value, suppressed, text):
    count = shown(value, 11)
    assert count.suppressed is suppressed
    assert str(count) == text
    assert count.value == (None if suppressed else value)


@pytest.mark.parametrize(("entered", "progressed", "usable"), [
    (11, 0, False),  # 0 progressed: suppressed
    (21, 10, False),  # 10 progressed: suppressed
    (22, 11, True),  # both at the boundary: shown
    (10, 0, False),  # 10 entered: suppressed
    (30, 20, False),  # 10 did not progress: the complement would single them out
    (31, 20, True),
    (0, 0, False),
])
def test_a_row_feeds_rates_only_when_every_count_it_reveals_is_at_least_the_threshold(entered, progressed, usable):
    row = safe_row(MetricRow(1, JAN, entered, progressed), 11)
    assert row.usable is usable
    assert (row.conversion is None) is (not usable)


def test_hidden_complement_says_why():
    row = safe_row(MetricRow(1, JAN, 30, 20), 11)
    assert str(row.entered) == "30"
    assert str(row.progressed) == "hidden"
    assert row.progressed.suppressed and not row.usable


def test_conversion_and_dropoff_leave_suppressed_months_out():
    rows = [
        MetricRow(1, JAN, 100, 60), MetricRow(2, JAN, 60, 30),
        MetricRow(1, FEB, 10, 5),  # suppressed: must not count anywhere
        MetricRow(2, FEB, 50, 25),
    ]
    summary = summarise(stages=[(1, "Acquisition"), (2, "Intake")], rows=rows, threshold=11)
    first, second = summary.stages
    assert (first.entered, first.progressed, first.periods_used, first.periods_suppressed) == (100, 60, 1, 1)
    assert first.conversion == pytest.approx(0.6)
    assert first.dropoff == pytest.approx(0.4)
    assert (second.entered, second.progressed) == (110, 55)
    assert second.conversion == pytest.approx(0.5)
    assert summary.transitions[0].dropoff == pytest.approx(0.4)
    assert summary.periods == [JAN, FEB]
    assert [c.usable if c else None for c in summary.table[0][1]] == [True, False]


def test_a_stage_with_only_suppressed_months_has_no_rate():
    summary = summarise(stages=[(1, "A")], rows=[MetricRow(1, JAN, 10, 0), MetricRow(1, FEB, 0, 0)], threshold=11)
    assert summary.stages[0].conversion is None
    assert not summary.has_data


def test_threshold_is_per_workspace(journey, owner, workspace):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=15, progressed=5)
    assert selectors.metrics_summary(journey=journey).stages[0].conversion is None
    services.workspace_settings_update(actor=owner, workspace=workspace, small_count_threshold=5)
    summary = selectors.metrics_summary(journey=journey)
    assert summary.threshold == 5
    assert summary.stages[0].conversion == pytest.approx(5 / 15)


def test_only_an_owner_sets_the_threshold(workspace, editor):
    with pytest.raises(PermissionDenied):
        services.workspace_settings_update(actor=editor, workspace=workspace, small_count_threshold=5)


def test_recording_a_month_twice_replaces_it_only_when_naming_the_version_replaced(journey, owner, editor):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=100, progressed=50)
    with pytest.raises(Conflict) as conflict:  # the editor did not see the owner's counts
        services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=90, progressed=40)
    assert conflict.value.current.entered == 100
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=120, progressed=70,
                                 replaces=1)
    with pytest.raises(Conflict):  # version 1 is stale now
        services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=90,
                                     progressed=40, replaces=1)
    assert list(StageMetric.objects.values_list("entered", "progressed", "version")) == [(120, 70, 2)]


def test_record_refuses_progressed_above_entered(journey, owner):
    with pytest.raises(ValidationError):
        services.stage_metric_record(actor=owner, journey=journey, stage=journey.stages.first(), period=JAN,
                                     entered=10, progressed=11)
    assert not StageMetric.objects.exists()


def test_record_refuses_a_stage_of_another_map(journey, owner, workspace):
    from tests.factories import make_journey

    other = make_journey(workspace, owner, title="Other")
    with pytest.raises(ApplicationError):
        services.stage_metric_record(actor=owner, journey=journey, stage=other.stages.first(), period=JAN,
                                     entered=10, progressed=1)


def test_viewer_cannot_record(journey, viewer):
    with pytest.raises(PermissionDenied):
        services.stage_metric_record(actor=viewer, journey=journey, stage=journey.stages.first(), period=JAN,
                                     entered=100, progressed=1)
