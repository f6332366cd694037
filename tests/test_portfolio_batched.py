"""The portfolio reads every map at once: its page costs the same number of queries for 3 maps as for 12, and
the figures it shows are those each map's own health check, transition ranking and decline watch give."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.health import health_check, health_check_many
from diagnostics.selectors import map_alarms, transitions_ranked, transitions_ranked_many
from diagnostics.services import stage_metric_record
from maps.demo import demo_owner
from maps.models import Journey
from portfolio import services
from portfolio.selectors import portfolio
from workspaces.models import Workspace


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Workspace.objects.get(slug="demo")


def _grow_to(workspace: Workspace, count: int) -> list[Journey]:
    """Copies of the demo's maps (healthcare layer and monthly counts included) until there are `count`."""
    originals = list(Journey.objects.filter(workspace=workspace).order_by("pk"))
    for n in range(count - len(originals)):
        source = originals[n % len(originals)]
        services.journey_duplicate(actor=demo_owner(), journey=source, title=f"{source.title} {n}",
                                   with_healthcare=True, with_metrics=True, with_comments=False)
    return list(Journey.objects.filter(workspace=workspace))


def _queries(client: Client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_page_costs_as_many_queries_for_twelve_maps_as_for_three(demo, htmx):
    client = Client()
    client.force_login(demo_owner())
    url = reverse("portfolio:portfolio", args=[demo.slug])
    assert Journey.objects.filter(workspace=demo).count() == 3
    _queries(client, url)  # the first request also loads the session and caches: not what is counted
    three = (_queries(client, url), _queries(client, url, **htmx), _queries(client, url, group="lifecycle"))
    assert len(_grow_to(demo, 12)) == 12
    twelve = (_queries(client, url), _queries(client, url, **htmx), _queries(client, url, group="lifecycle"))
    assert three == twelve
    assert three[0] < 60


def _shown(summary) -> tuple:
    weakest = summary.weakest
    return (summary.health, summary.open_checkpoints, [(a.label, a.url, a.severity) for a in summary.alarms],
            weakest and (weakest.label, weakest.weakness, weakest.signals))


def test_the_batched_figures_are_those_of_each_map_read_alone(demo):
    unmeasured = next(j for j in Journey.objects.filter(workspace=demo) if not j.stage_metrics.exists())
    first = unmeasured.stages.order_by("position").first()
    for index, rate in enumerate([0.70, 0.71, 0.69, 0.70, 0.70, 0.70, 0.66, 0.66, 0.65, 0.66]):  # a quiet decline
        stage_metric_record(actor=demo_owner(), journey=unmeasured, stage=first, period=date(2025, 1 + index, 1),
                            entered=1000, progressed=round(1000 * rate))
    journeys = _grow_to(demo, 6)  # copies: observed maps of one designed map, maps without counts of their own
    result = portfolio(workspace=demo)
    summaries = {s.journey.pk: s for _label, items in result.groups for s in items}
    assert set(summaries) == {j.pk for j in journeys}
    health, ranking = health_check_many(journeys=journeys), transitions_ranked_many(journeys=journeys)
    for journey in journeys:
        alone = health_check(journey=journey)
        assert summaries[journey.pk].health == health[journey.pk].score == alone.score
        assert [f.as_dict() for f in health[journey.pk].findings] == [f.as_dict() for f in alone.findings]
        assert [(r.rule.code, r.checked, r.credit) for r in health[journey.pk].results] == [
            (r.rule.code, r.checked, r.credit) for r in alone.results]
        ranked = transitions_ranked(journey=journey)
        assert ranking[journey.pk] == ranked
        assert summaries[journey.pk].weakest == (ranked[0] if ranked else None)
        assert summaries[journey.pk].alarms == map_alarms(journey_ids=[journey.pk])
    across = sorted(((j, r) for j in journeys for r in ranking[j.pk]), key=lambda t: -t[1].weakness.score)[:5]
    assert [(j.pk, r.label) for j, r in result.weakest] == [(j.pk, r.label) for j, r in across]
    # The demo gives the comparison something to compare: alarms, borrowed drop-offs and different scores.
    shown = [_shown(s) for s in summaries.values()]
    assert any(s[2] for s in shown) and len({s[0] for s in shown}) > 1
    assert any(s.weakest and s.weakest.signals.dropoff_source.startswith("stage metrics of")
               for s in summaries.values())
