"""The workspace home as a portfolio: every map with health, review, open compliance work, weakest transition
and alarms, grouped by persona or lifecycle, and the weakest transitions across all maps."""

import datetime

import pytest
from django.urls import reverse

from compliance.health import health_check

from maps import services as map_services
from maps.extensions import MAP_ALARM_SOURCES, MapAlarm, register_map_alarms
from maps.models import LaneKind
from portfolio import services
from portfolio.selectors import portfolio

from .factories import make_card
from .healthcare import make_checkpoint


@pytest.fixture
def maps(workspace, owner, journey):
    rpm = services.journey_from_template(actor=owner, workspace=workspace, key="remote-monitoring", title="RPM")
    patient = services.persona_create(actor=owner, workspace=workspace, data={"name": "Ana"})
    services.map_personas_set(actor=owner, journey=rpm, version=rpm.version, primary=patient, others=[])
    make_checkpoint(journey, owner, type="consent", title="Consent at intake")
    make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Intake → queue", observed_dropoff="45")
    rpm = map_services.journey_mark_reviewed(actor=owner, journey=rpm)
    return {"telehealth": journey, "rpm": rpm}


def test_every_map_with_its_health_review_open_work_and_weakest_transition(workspace, maps):
    result = portfolio(workspace=workspace, group_by="persona")
    assert [label for label, _items in result.groups] == ["Ana", "No persona yet"]
    rpm, = result.groups[0][1]
    telehealth, = result.groups[1][1]
    # A full template, reviewed today: only its assumed (not yet backed) high-severity claims cost it points.
    assert rpm.journey == maps["rpm"] and rpm.health == health_check(journey=maps["rpm"]).score >= 85
    assert telehealth.health < 60 and telehealth.open_checkpoints == 1
    assert rpm.journey.last_reviewed_at == datetime.date.today()
    assert telehealth.weakest.label.startswith("Acquisition →")  # 45% drop-off on its handoff
    weakest_maps = [journey for journey, _report in result.weakest]
    assert weakest_maps[0] == maps["telehealth"] and len(result.weakest) <= 5
    # Diagnostics watches every map for quiet declines; these have no monthly counts to decline.
    assert result.alarms_watched and telehealth.alarms == [] and rpm.alarms == []


def test_grouped_by_lifecycle(workspace, owner, maps):
    map_services.journey_update(actor=owner, journey=maps["rpm"], version=maps["rpm"].version,
                                data={"status": "active"})
    result = portfolio(workspace=workspace, group_by="lifecycle")
    assert [(label, [s.journey.title for s in items]) for label, items in result.groups] == [
        ("Draft", ["Telehealth journey"]), ("Active", ["RPM"])]


def test_alarms_come_from_the_layer_that_registers_them(workspace, maps):
    def source(*, journey_ids):
        return [MapAlarm(journey_id=maps["rpm"].pk, label="Drop-off above 30%", url="/x/")]

    register_map_alarms(source)
    try:
        result = portfolio(workspace=workspace)
        assert result.alarms_watched and [a.label for a in result.groups[0][1][0].alarms] == ["Drop-off above 30%"]
    finally:
        MAP_ALARM_SOURCES.remove(source)


def test_the_portfolio_page_and_its_fragment(viewer_client, workspace, maps, htmx):
    url = reverse("portfolio:portfolio", args=[workspace.slug])
    page = viewer_client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "<html" in body
    assert "Weakest transitions across all maps" in body and "RPM" in body and "1 open checkpoint" in body
    assert "none" in body and "not watched" not in body and "New map" not in body  # a viewer reads it
    fragment = viewer_client.get(url, {"group": "lifecycle"}, **htmx)
    assert b"<html" not in fragment.content and b"Draft" in fragment.content
    assert viewer_client.get(url, {"group": "nonsense"}).status_code == 200


def test_another_workspaces_portfolio_is_404(owner_client, other_workspace, htmx):
    url = reverse("portfolio:portfolio", args=[other_workspace.slug])
    assert owner_client.get(url).status_code == 404 and owner_client.get(url, **htmx).status_code == 404


def test_the_maps_list_links_each_workspace_portfolio(owner_client, workspace):
    page = owner_client.get(reverse("maps:list")).content.decode()
    assert reverse("portfolio:portfolio", args=[workspace.slug]) in page


def test_the_demo_seeds_filled_in_personas_once(db):
    import io

    from django.core.management import call_command

    from portfolio.models import Persona
    from workspaces.models import Workspace

    for _ in range(2):
        call_command("seed_demo", stdout=io.StringIO())
    demo = Workspace.objects.get(slug="demo")
    personas = {p.name: p for p in Persona.objects.filter(workspace=demo)}
    assert len(personas) == 3 and all(p.goals and p.context and p.avatar != "initials" for p in personas.values())
    caregiver = personas["Caregiver managing a parent's care"]
    assert caregiver.stakeholder.role == "Caregiver"
    assert [m.journey.title for m in caregiver.map_personas.all()] == ["Telehealth patient journey"]
    assert portfolio(workspace=demo).groups[0][0] == "Adult seeking a first online consultation"
