"""Quiet-decline alarms: the statistics on known series, then on the pages through the views."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from diagnostics.alarms import RETURN_RATE, Month, common_upstream, decline
from diagnostics.services import stage_metric_record


def months(rates, entered=1000, start=(2025, 1)):
    out = []
    for index, rate in enumerate(rates):
        year, month = divmod(start[1] - 1 + index, 12)
        out.append(Month(date(start[0] + year, month + 1, 1), entered, round(entered * rate)))
    return out


def test_a_steady_transition_raises_no_alarm():
    assert decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.70, 0.71, 0.69, 0.70, 0.71, 0.70])) is None


def test_a_small_lasting_fall_is_caught_with_its_start_size_and_certainty():
    alarm = decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.70, 0.70, 0.66, 0.66, 0.65, 0.66]))
    assert alarm is not None and alarm.rule == "cusum"
    assert alarm.since == date(2025, 7, 1)
    assert alarm.drop_points == pytest.approx(4.3, abs=0.1)
    assert alarm.certainty > 0.99
    assert "A → B: conversion down 4.2 points since July 2025 (70.0% → 65.8%)" in alarm.text


def test_one_bad_month_is_not_a_decline():
    assert decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.62, 0.70, 0.71, 0.70])) is None
    assert decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.70, 0.70, 0.62])) is None  # not yet sustained


def test_small_months_weigh_little_so_they_cannot_raise_an_alarm_alone():
    assert decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.55, 0.58, 0.6], entered=20)) is None


def test_a_gentle_fall_month_after_month_is_caught_by_the_run_rule():
    rates = [0.70, 0.70, 0.70, 0.70] + [0.695] * 6
    alarm = decline("A → B", 0, months(rates, entered=400))
    assert alarm is not None and alarm.rule == "run" and alarm.since == date(2025, 5, 1)


def test_declines_that_start_together_point_at_the_upstream_transition():
    falling = [0.70] * 6 + [0.64] * 5
    upstream = decline("A → B", 0, months(falling))
    downstream = decline("C → D", 2, months([0.5] * 6 + [0.45] * 5))
    assert [a.label for a in common_upstream([downstream, upstream])] == ["A → B", "C → D"]
    assert upstream.upstream_of == ["C → D"] and downstream.upstream_of == []


@pytest.fixture
def declining(journey, owner):
    first, second = journey.stages.order_by("position")[:2]
    for index, rate in enumerate([0.70, 0.71, 0.69, 0.70, 0.70, 0.70, 0.66, 0.66, 0.65, 0.66]):
        stage_metric_record(actor=owner, journey=journey, stage=first, period=date(2025, 1 + index, 1),
                            entered=1000, progressed=round(1000 * rate))
    return f"{first.name} → {second.name}"


def test_the_alarm_shows_in_fix_first_and_on_the_board_panel(journey, owner_client, htmx, declining):
    for headers in ({}, htmx):
        page = owner_client.get(reverse("diagnostics:first_fix", args=[journey.pk]), **headers).content.decode()
        assert escape(f"{declining}: conversion down 4.2 points since July 2025") in page
    panel = owner_client.get(reverse("diagnostics:panel", args=[journey.pk]), **htmx).content.decode()
    assert "Quiet decline:" in panel and escape(declining) in panel


def test_the_portfolio_names_the_quiet_decline_of_each_map(journey, workspace, owner_client, declining):
    from portfolio.selectors import portfolio

    (summary,) = [item for _label, items in portfolio(workspace=workspace).groups for item in items
                  if item.journey == journey]
    assert [alarm.label for alarm in summary.alarms] == [f"{declining}: down 4.2 points since July 2025"]
    page = owner_client.get(reverse("portfolio:portfolio", args=[workspace.slug])).content.decode()
    assert escape(f"{declining}: down 4.2 points since July 2025") in page


def test_no_alarm_is_shown_without_a_decline(journey, owner_client):
    page = owner_client.get(reverse("diagnostics:first_fix", args=[journey.pk])).content.decode()
    assert "Quiet decline" not in page


def test_the_pdf_report_names_the_quiet_decline(journey, declining):
    from tests.test_reports_pdf import pdf_text
    from reports.pdf import render_pdf

    _pages, text = pdf_text(render_pdf(journey.pk))
    assert "Quiet decline" in text
    assert f"{declining}: conversion down 4.2 points since July 2025" in text


def test_the_health_check_reports_the_quiet_decline(journey, declining):
    from compliance.health import health_check

    findings = [f for f in health_check(journey=journey).findings if f.rule == "quiet_decline"]
    assert len(findings) == 1 and findings[0].message.startswith(f"{declining}: conversion down 4.2 points")
    assert findings[0].url == reverse("diagnostics:first_fix", args=[journey.pk])


def test_how_sure_is_said_in_words_a_person_can_trust():
    alarm = decline("A → B", 0, months([0.70, 0.71, 0.69, 0.70, 0.70, 0.70, 0.66, 0.66, 0.65, 0.66]))
    assert alarm.text.endswith("more than 99% sure")  # never "100% sure"
    gentle = decline("A → B", 0, months([0.70, 0.70, 0.70, 0.70] + [0.695] * 6, entered=400))
    assert gentle.sure == f"{gentle.certainty * 100:.0f}% sure" and gentle.certainty < 0.99


# --- a stage's return rate (from event logs), watched upside down -----------------------------------


def returning(rates, entered=1000):
    """Months of a stage's return rate: `progressed` is the share that did not come back."""
    return months([1 - rate for rate in rates], entered=entered)


def test_a_small_lasting_rise_of_a_stage_return_rate_is_caught():
    alarm = decline("Intake", 2, returning([0.05, 0.052, 0.048, 0.05, 0.05, 0.05, 0.08, 0.08, 0.081, 0.079]),
                    metric=RETURN_RATE)
    assert alarm is not None and alarm.rule == "cusum" and alarm.subject == "stage"
    assert alarm.since == date(2025, 7, 1)
    assert alarm.drop_points == pytest.approx(3.0, abs=0.1)
    assert alarm.text.startswith("Intake: return rate up 3 points since July 2025 (5.0% → 8.0%)")


def test_noise_in_a_return_rate_and_small_months_raise_no_alarm():
    noise = [0.05, 0.055, 0.045, 0.05, 0.052, 0.048, 0.055, 0.045, 0.05, 0.053, 0.047]
    assert decline("Intake", 2, returning(noise), metric=RETURN_RATE) is None
    assert decline("Intake", 2, returning([0.05] * 6 + [0.10] * 5, entered=20), metric=RETURN_RATE) is None


def test_a_falling_return_rate_is_no_alarm():
    assert decline("Intake", 2, returning([0.08] * 6 + [0.05] * 5), metric=RETURN_RATE) is None


def _returns_log(path, journey, returned_per_month):
    """400 cases a month enter the second stage from the first; some come back to it after 12 days."""
    first, second = journey.stages.order_by("position").values_list("name", flat=True)[:2]
    rows = []
    for month, back in enumerate(returned_per_month, start=1):
        for n in range(400):
            case = f"m{month}-{n}"
            rows += [(case, first, f"2025-{month:02d}-02T09:00:00"), (case, second, f"2025-{month:02d}-03T09:00:00")]
            if n < back:
                rows.append((case, second, f"2025-{month:02d}-15T09:00:00"))
    path.write_text("case_id,step,timestamp\n" + "".join(",".join(r) + "\n" for r in rows))
    return str(path), second


def test_an_event_log_whose_stage_return_rate_creeps_up_raises_the_alarm_everywhere(journey, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from compliance.health import health_check
    from diagnostics.selectors import alarms_get

    path, second = _returns_log(tmp_path / "events.csv", journey, [20] * 6 + [36] * 5)
    call_command("import_events", path, "--map", str(journey.pk), stdout=StringIO())
    (alarm,) = [a for a in alarms_get(journey=journey) if a.metric == RETURN_RATE]
    assert alarm.text.startswith(f"{second}: return rate up 4 points since July 2025 (5.0% → 9.0%)")
    findings = [f for f in health_check(journey=journey).findings if f.rule == "quiet_decline"]
    assert [f.message[:len(alarm.text)] for f in findings] == [alarm.text]


def test_an_event_log_with_small_return_counts_raises_no_alarm(journey, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    from diagnostics.selectors import alarms_get

    path, _second = _returns_log(tmp_path / "events.csv", journey, [2] * 6 + [9] * 5)  # 0.5% → 2.25%: all < 11
    call_command("import_events", path, "--map", str(journey.pk), stdout=StringIO())
    assert [a for a in alarms_get(journey=journey) if a.metric == RETURN_RATE] == []
