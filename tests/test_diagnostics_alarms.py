"""Quiet-decline alarms: the statistics on known series, then on the pages through the views."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from diagnostics.alarms import Month, common_upstream, decline
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
