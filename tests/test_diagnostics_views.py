"""Every diagnostics page and fragment: scoped to the workspace, edit rights enforced, HTMX and full page."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnostics import services
from diagnostics.models import StageMetric, WorkspaceSettings
from maps.models import Journey, JourneyKind, LaneKind

from . import factories


GET_PAGES = [  # url name, region id present in both the fragment and the page
    ("diagnostics:panel", "dx-panel-title"),
    ("diagnostics:metrics", "dx-metrics"),
    ("diagnostics:compare", "dx-compare"),
    ("diagnostics:fixes", "dx-fixes"),
    ("diagnostics:first_fix", "dx-first-fix"),
    ("diagnostics:charts", "dx-charts"),
]


def metric_data(journey, **extra):
    return {"stage": journey.stages.first().pk, "period": "2026-01", "entered": "120", "progressed": "80"} | extra


def csv_file(text: str, name: str = "metrics.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post_cases(journey):
    """(url, data) for every POST, valid, so that only the permission decides."""
    stage = journey.stages.first()
    return {
        "metrics": (reverse("diagnostics:metrics", args=[journey.pk]), lambda: metric_data(journey)),
        "upload": (reverse("diagnostics:metrics_upload", args=[journey.pk]),
                   lambda: {"file": csv_file(f"stage,period,entered,progressed\n{stage.name},2026-02,50,20\n")}),
        "observe": (reverse("diagnostics:observe", args=[journey.pk]), lambda: {}),
    }


@pytest.mark.parametrize(("name", "region"), GET_PAGES)
def test_full_page_and_fragment(owner_client, journey, htmx, name, region):
    url = reverse(name, args=[journey.pk])
    page = owner_client.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode() and f'id="{region}"' in page.content.decode()
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode() and f'id="{region}"' in fragment.content.decode()


@pytest.mark.parametrize(("name", "region"), GET_PAGES)
def test_another_workspaces_journey_is_not_found(owner_client, other_journey, htmx, name, region):
    url = reverse(name, args=[other_journey.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.get(url, **htmx).status_code == 404


@pytest.mark.parametrize(("name", "region"), GET_PAGES)
def test_signed_out_is_sent_to_sign_in(journey, name, region):
    url = reverse(name, args=[journey.pk])
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("name", "region"), GET_PAGES)
def test_a_viewer_can_read(viewer_client, journey, name, region):
    assert viewer_client.get(reverse(name, args=[journey.pk])).status_code == 200


@pytest.mark.parametrize("case", ["metrics", "upload", "observe"])
def test_posts_are_scoped_and_need_edit_rights(case, journey, other_journey, owner_client, viewer_client, htmx):
    url, data = post_cases(journey)[case]
    other_url, other_data = post_cases(other_journey)[case]
    before = (StageMetric.objects.count(), Journey.objects.count())
    assert viewer_client.post(url, data()).status_code == 403
    assert viewer_client.post(url, data(), **htmx).status_code == 403
    assert owner_client.post(other_url, other_data()).status_code == 404
    signed_out = Client().post(url, data())
    assert signed_out.status_code == 302 and signed_out.url.startswith(reverse("login"))
    assert (StageMetric.objects.count(), Journey.objects.count()) == before


def test_delete_metric_is_scoped(journey, other_journey, owner, owner_client, viewer_client, htmx):
    metric = services.stage_metric_record(actor=owner, journey=journey, stage=journey.stages.first(),
                                          period=date(2026, 1, 1), entered=50, progressed=20)
    url = reverse("diagnostics:metric_delete", args=[journey.pk, metric.pk])
    assert viewer_client.post(url).status_code == 403
    assert owner_client.post(reverse("diagnostics:metric_delete", args=[other_journey.pk, metric.pk])).status_code == 404
    assert Client().post(url).status_code == 302
    assert StageMetric.objects.count() == 1
    response = owner_client.post(url, **htmx)
    assert response.status_code == 200 and 'id="dx-metrics"' in response.content.decode()
    assert not StageMetric.objects.exists()


def test_metrics_form_saves_and_answers_htmx_with_the_region(owner_client, journey, htmx):
    url = reverse("diagnostics:metrics", args=[journey.pk])
    response = owner_client.post(url, metric_data(journey), **htmx)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Saved the counts" in body and "66.7%" in body
    assert list(StageMetric.objects.values_list("entered", "progressed")) == [(120, 80)]
    plain = owner_client.post(url, metric_data(journey, period="2026-02"))
    assert plain.status_code == 302 and plain.url == url


@pytest.mark.parametrize("bad", [
    {"progressed": "200"}, {"entered": "-1"}, {"entered": "many"}, {"period": "January"}, {"stage": "999999"},
])
def test_bad_form_input_is_422_and_changes_nothing(owner_client, journey, htmx, bad):
    url = reverse("diagnostics:metrics", args=[journey.pk])
    for headers in ({}, htmx):
        response = owner_client.post(url, metric_data(journey, **bad), **headers)
        assert response.status_code == 422
        assert 'class="errorlist' in response.content.decode()
    assert not StageMetric.objects.exists()


def test_small_counts_are_shown_as_fewer_than_11(owner_client, journey, owner):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=date(2026, 1, 1),
                                 entered=10, progressed=3)
    body = owner_client.get(reverse("diagnostics:metrics", args=[journey.pk])).content.decode()
    assert "fewer than 11 / fewer than 11" in body
    assert ">10<" not in body and ">3<" not in body


def test_upload_reports_every_bad_row_with_422(owner_client, journey, htmx):
    url = reverse("diagnostics:metrics_upload", args=[journey.pk])
    text = "stage,period,entered,progressed\nAcquisition,2026-01,100,50\nNowhere,2026-01,5,1\nAcquisition,2026-02,5,9\n"
    for headers in ({}, htmx):
        response = owner_client.post(url, {"file": csv_file(text)}, **headers)
        assert response.status_code == 422
        body = response.content.decode()
        assert "Nothing was imported: 2 rows need fixing." in body
        assert "Line 3: there is no stage “Nowhere” on this map" in body
        assert "Line 4: progressed (9) is greater than entered (5)" in body
        assert ("<html" in body) is (not headers)
    assert not StageMetric.objects.exists()


def test_upload_of_a_good_file(owner_client, journey, htmx):
    url = reverse("diagnostics:metrics_upload", args=[journey.pk])
    text = "stage,period,entered,progressed\nAcquisition,2026-01,100,50\nConsultation,2026-01,40,30\n"
    response = owner_client.post(url, {"file": csv_file(text)}, **htmx)
    assert response.status_code == 200 and "Imported 2 new and 0 updated rows." in response.content.decode()
    assert StageMetric.objects.count() == 2
    plain = owner_client.post(url, {"file": csv_file(text)})
    assert plain.status_code == 302


def test_upload_without_a_file_is_422(owner_client, journey):
    response = owner_client.post(reverse("diagnostics:metrics_upload", args=[journey.pk]), {})
    assert response.status_code == 422


def test_observe_creates_the_observed_journey_and_redirects(owner_client, journey, htmx):
    url = reverse("diagnostics:observe", args=[journey.pk])
    response = owner_client.post(url, {"title": "What users do"})
    observed = Journey.objects.get(kind=JourneyKind.OBSERVED)
    assert response.status_code == 302 and response.url == reverse("maps:board", args=[observed.pk])
    assert observed.observes_id == journey.pk and observed.title == "What users do"
    response = owner_client.post(url, **htmx)
    assert response.status_code == 200 and response["HX-Redirect"].startswith("/maps/")
    compare = owner_client.get(reverse("diagnostics:compare", args=[observed.pk])).content.decode()
    assert "The observed journey matches the design" in compare


def test_compare_offers_to_observe_a_designed_journey(owner_client, viewer_client, journey):
    url = reverse("diagnostics:compare", args=[journey.pk])
    assert "Create an observed journey from this designed one" in owner_client.get(url).content.decode()
    assert "Create an observed journey from this designed one" not in viewer_client.get(url).content.decode()


def test_observing_an_observed_journey_is_refused(owner_client, journey, owner):
    observed = services.journey_observe(actor=owner, designed=journey)
    response = owner_client.post(reverse("diagnostics:observe", args=[observed.pk]))
    assert response.status_code == 400
    assert Journey.objects.filter(kind=JourneyKind.OBSERVED).count() == 1


def test_charts_page_loads_plotly_from_this_origin_without_inline_script(owner_client, journey, owner):
    services.stage_metric_record(actor=owner, journey=journey, stage=journey.stages.first(),
                                 period=date(2026, 1, 1), entered=100, progressed=50)
    body = owner_client.get(reverse("diagnostics:charts", args=[journey.pk])).content.decode()
    assert "/static/vendor/plotly/plotly-4.1.2.min.js" in body and "/static/js/diagnostics-charts.js" in body
    assert '<script id="figure-funnel" type="application/json">' in body
    assert "http://" not in body and "https://" not in body
    assert " onclick=" not in body and " onload=" not in body
    assert "Data table" in body


# --- the workspace setting -------------------------------------------------------------------


def test_settings_page_and_fragment(owner_client, workspace, htmx):
    url = reverse("diagnostics:settings", args=[workspace.slug])
    assert "<html" in owner_client.get(url).content.decode()
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert 'id="dx-settings"' in fragment.content.decode()
    response = owner_client.post(url, {"small_count_threshold": "20"}, **htmx)
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert WorkspaceSettings.objects.get(workspace=workspace).small_count_threshold == 20


def test_settings_scoping_and_bad_input(owner_client, editor_client, workspace, other_workspace):
    url = reverse("diagnostics:settings", args=[workspace.slug])
    assert owner_client.get(reverse("diagnostics:settings", args=[other_workspace.slug])).status_code == 404
    assert owner_client.post(reverse("diagnostics:settings", args=[other_workspace.slug]),
                             {"small_count_threshold": "3"}).status_code == 404
    assert editor_client.post(url, {"small_count_threshold": "3"}).status_code == 403
    assert Client().get(url).status_code == 302
    assert owner_client.post(url, {"small_count_threshold": "0"}).status_code == 422
    assert not WorkspaceSettings.objects.exists()


# --- the board panel and the review reminder ---------------------------------------------------


def test_board_lists_the_diagnosis_panel(owner_client, journey):
    body = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert reverse("diagnostics:panel", args=[journey.pk]) in body


def test_panel_names_the_weakest_transition(owner_client, owner, journey, htmx):
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Hidden price", severity="high")
    body = owner_client.get(reverse("diagnostics:panel", args=[journey.pk]), **htmx).content.decode()
    assert "Fix one broken transition first" in body and "Acquisition → Onboarding &amp; intake" in body


def test_a_map_with_nothing_on_it_yet_shows_no_diagnosis(owner_client, journey, htmx):
    """A fresh map from the template has stages and empty lanes: nothing to diagnose, so no
    "weakest transition" made up from blanks, on the panel, the fix-first page or the health check."""
    panel = owner_client.get(reverse("diagnostics:panel", args=[journey.pk]), **htmx).content.decode()
    assert "Nothing to diagnose yet" in panel and "Acquisition →" not in panel
    first_fix = owner_client.get(reverse("diagnostics:first_fix", args=[journey.pk])).content.decode()
    assert "Nothing to diagnose yet" in first_fix and "The weakest transition" not in first_fix
    health = owner_client.get(reverse("compliance:health_panel", args=[journey.pk]), **htmx).content.decode()
    assert "Nothing to check yet" in health and "health-score" not in health and "finding" not in health


def _review(journey, days_ago):
    Journey.objects.filter(pk=journey.pk).update(last_reviewed_at=timezone.localdate() - timedelta(days=days_ago))


@pytest.mark.parametrize(("days", "overdue"), [(89, False), (90, False), (91, True), (400, True)])
def test_a_map_not_reviewed_for_90_days_says_so(owner_client, journey, days, overdue):
    _review(journey, days)
    board = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    listing = owner_client.get(reverse("maps:list")).content.decode()
    assert ("Not reviewed for more than 90 days" in board) is overdue
    assert ("Not reviewed for more than 90 days" in listing) is overdue


def test_a_new_map_never_reviewed_is_not_overdue_yet(owner_client, journey):
    assert "Not reviewed for more than 90 days" not in owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    old = timezone.now() - timedelta(days=120)
    Journey.objects.filter(pk=journey.pk).update(created_at=old)
    assert "Not reviewed for more than 90 days" in owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()


def test_demo_seed_is_idempotent_and_has_a_year_of_metrics(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    observed = Journey.objects.get(kind=JourneyKind.OBSERVED, title="Telehealth patient journey (observed)")
    assert Journey.objects.filter(kind=JourneyKind.OBSERVED).count() == 1
    assert StageMetric.objects.filter(journey=observed).values("period").distinct().count() == 12
    from diagnostics import selectors

    designed = observed.observes
    comparison = selectors.side_by_side(designed=designed, observed=observed).comparison
    found = {d.kind for d in comparison.differences}
    assert {"stage_skipped", "stage_added", "stage_repeated", "step_added", "expectation_gap",
            "confidence_lower", "owner_changed"} <= found


def test_export_keeps_small_counts_suppressed(owner_client, viewer_client, journey, other_journey, owner):
    stages = list(journey.stages.all())
    services.stage_metric_record(actor=owner, journey=journey, stage=stages[0], period=date(2026, 1, 1),
                                 entered=200, progressed=50)
    services.stage_metric_record(actor=owner, journey=journey, stage=stages[1], period=date(2026, 1, 1),
                                 entered=50, progressed=7)
    url = reverse("diagnostics:metrics_export", args=[journey.pk])
    response = viewer_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == [
        "stage,period,entered,progressed,conversion",
        "Acquisition,2026-01,200,50,0.2500",
        "Onboarding & intake,2026-01,50,fewer than 11,",
    ]
    assert owner_client.get(reverse("diagnostics:metrics_export", args=[other_journey.pk])).status_code == 404
    assert Client().get(url).status_code == 302


def test_concurrent_insert_of_the_same_month_is_a_conflict(journey, owner, monkeypatch):
    from core.errors import Conflict

    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=date(2026, 1, 1),
                                 entered=200, progressed=50)
    # As if the other writer's row was not visible yet when this one looked for it.
    monkeypatch.setattr(StageMetric.objects, "select_for_update", lambda: StageMetric.objects.none())
    with pytest.raises(Conflict):
        services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=date(2026, 1, 1),
                                     entered=10, progressed=5)
    assert list(StageMetric.objects.values_list("entered", flat=True)) == [200]


def test_charts_of_a_designed_map_use_its_observations_metrics(owner_client, journey, owner):
    observed = services.journey_observe(actor=owner, designed=journey, title="Seen")
    services.stage_metric_record(actor=owner, journey=observed, stage=observed.stages.first(),
                                 period=date(2026, 1, 1), entered=100, progressed=50)
    body = owner_client.get(reverse("diagnostics:charts", args=[journey.pk])).content.decode()
    assert "Measured on the observed journey “Seen”." in body
    assert '<script id="figure-funnel" type="application/json">' in body


def test_export_does_not_let_a_stage_name_run_as_a_formula(owner_client, journey, owner):
    from maps import services as map_services

    stage = journey.stages.first()
    map_services.stage_update(actor=owner, stage=stage, version=stage.version, data={"name": "=HYPERLINK(1)"})
    services.stage_metric_record(actor=owner, journey=journey, stage=journey.stages.first(),
                                 period=date(2026, 1, 1), entered=200, progressed=50)
    body = owner_client.get(reverse("diagnostics:metrics_export", args=[journey.pk])).content.decode()
    assert body.splitlines()[1].startswith("'=HYPERLINK(1),2026-01,200,50")


def test_fixes_page_groups_by_transition_with_owners(owner_client, journey, owner, htmx):
    from maps.models import LaneKind
    from workspaces.models import Team

    from .factories import make_card

    ops = Team.objects.get(workspace=journey.workspace, name="Operations")
    handoff = make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Intake → queue", owner_team=ops,
                        from_team=ops, to_stage=journey.stages.all()[1])
    make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Progress bar", handoff=handoff, owner_team=ops,
              impact=5)
    make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Loose idea")
    for request in ({}, htmx):
        body = owner_client.get(reverse("diagnostics:fixes", args=[journey.pk]), **request).content.decode()
        group, loose = body.index('id="group-%d"' % handoff.pk), body.index('id="group-loose"')
        assert group < body.index("Progress bar") < loose < body.index("Loose idea")
        assert "Intake → queue" in body and '<span class="team">Operations</span>' in body
        assert "Not attached to a transition" in body


def test_first_fix_lists_the_fixes_of_the_weakest_transition(owner_client, journey, owner):
    from maps.models import LaneKind

    from .factories import make_card

    first, second = journey.stages.all()[:2]
    handoff = make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Ad → sign-up", to_stage=second, risk="high",
                        observed_dropoff=60)
    make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Show the price", handoff=handoff)
    make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Unlinked idea", stage=first)
    body = owner_client.get(reverse("diagnostics:first_fix", args=[journey.pk])).content.decode()
    weakest = body[body.index('id="dx-weakest"'):body.index('id="dx-others"')]
    assert "Acquisition → Onboarding &amp; intake" in weakest
    assert "Show the price" in weakest
    assert "not attached to a transition" in weakest and "Unlinked idea" in weakest


def test_saving_a_month_someone_already_saved_shows_theirs_and_yours(owner_client, editor, journey, htmx):
    stage = journey.stages.first()
    services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=date(2026, 1, 1), entered=200,
                                 progressed=195)
    url = reverse("diagnostics:metrics", args=[journey.pk])
    for headers in ({}, htmx):
        response = owner_client.post(url, metric_data(journey, entered="300", progressed="100"), **headers)
        assert response.status_code == 409
        body = response.content.decode()
        assert ("<html" in body) is (headers == {})
        assert "were already saved" in body and "Saved: 200 entered, hidden progressed." in body  # 5 dropped out
        assert "Yours: 300 entered, 100 progressed." in body
        assert 'name="replaces" value="1"' in body
    assert list(StageMetric.objects.values_list("entered", flat=True)) == [200]
    replaced = owner_client.post(url, metric_data(journey, entered="300", progressed="100", replaces="1"), **htmx)
    assert replaced.status_code == 200 and "Saved the counts" in replaced.content.decode()
    assert list(StageMetric.objects.values_list("entered", "progressed")) == [(300, 100)]
