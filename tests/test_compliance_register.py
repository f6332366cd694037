"""The compliance register, the safety page and the compliance forms: filters and scoping."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compliance import services
from compliance.models import Checkpoint, FailureMode, SafetyLoop
from compliance.selectors import RegisterFilters, register_list

from .healthcare import make_checkpoint, make_step, make_track

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture
def register(journey, owner):
    teams = {t.name: t for t in journey.workspace.teams.all()}
    late = make_checkpoint(journey, owner, type="breach_notification", title="Late runbook", due_date=YESTERDAY,
                           owner_team=teams["Compliance/Legal"])
    done = make_checkpoint(journey, owner, type="baa", title="Signed BAA", due_date=YESTERDAY,
                           owner_team=teams["Compliance/Legal"])
    services.checkpoint_review(actor=owner, checkpoint=done, version=1,
                               data={"status": "approved", "reviewer": owner, "evidence": "Signed"})
    soon = make_checkpoint(journey, owner, type="audit_logging", title="Audit soon", owner_team=teams["IT"],
                           due_date=TODAY + datetime.timedelta(days=3))
    undated = make_checkpoint(journey, owner, type="audit_logging", title="Audit undated")
    return {"late": late, "done": done, "soon": soon, "undated": undated, "teams": teams}


def _titles(queryset):
    return {c.title for c in queryset}


def test_register_lists_every_checkpoint_of_the_workspace_only(workspace, register, other_journey):
    make_checkpoint(other_journey, other_journey.workspace.memberships.get().user, title="Theirs")
    assert _titles(register_list(workspace=workspace, filters=RegisterFilters())) == {
        "Late runbook", "Signed BAA", "Audit soon", "Audit undated"}


@pytest.mark.parametrize(("filters", "expected"), [
    ({"type": "audit_logging"}, {"Audit soon", "Audit undated"}),
    ({"status": "approved"}, {"Signed BAA"}),
    ({"status": "not_assessed"}, {"Late runbook", "Audit soon", "Audit undated"}),
    ({"overdue": True}, {"Late runbook"}),
    ({"type": "baa", "overdue": True}, set()),
])
def test_register_filters(workspace, register, filters, expected):
    assert _titles(register_list(workspace=workspace, filters=RegisterFilters(**filters))) == expected


def test_register_filters_by_owner_team(workspace, register):
    filters = RegisterFilters(owner=register["teams"]["IT"].pk)
    assert _titles(register_list(workspace=workspace, filters=filters)) == {"Audit soon"}


def _register_url(workspace, query=""):
    return reverse("compliance:register", args=[workspace.slug]) + query


def test_register_page_full_and_fragment_with_filters(owner_client, workspace, register, htmx):
    page = owner_client.get(_register_url(workspace))
    assert page.status_code == 200 and b"<html" in page.content
    assert b"Late runbook" in page.content and b"Audit undated" in page.content
    fragment = owner_client.get(_register_url(workspace, "?overdue=on"), **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b"Late runbook" in fragment.content and b"Signed BAA" not in fragment.content
    owner = register["teams"]["IT"].pk
    page = owner_client.get(_register_url(workspace, f"?owner={owner}&type=audit_logging"))
    assert b"Audit soon" in page.content and b"Late runbook" not in page.content


def test_register_with_a_bad_filter_is_422_with_a_message(owner_client, workspace, register, htmx):
    for extra in ({}, htmx):
        response = owner_client.get(_register_url(workspace, "?status=bogus"), **extra)
        assert response.status_code == 422
        assert b"Select a valid choice" in response.content


def test_register_of_another_workspace_is_404(owner_client, other_workspace, htmx):
    assert owner_client.get(_register_url(other_workspace)).status_code == 404
    assert owner_client.get(_register_url(other_workspace), **htmx).status_code == 404


def test_viewer_reads_the_register(viewer_client, workspace, register):
    assert viewer_client.get(_register_url(workspace)).status_code == 200


# --- the safety page and the compliance forms --------------------------------------------------


def test_safety_page_full_and_fragment(owner_client, journey, owner, htmx):
    step = make_step(make_track(journey, owner), owner, title="Triage")
    failure = services.failure_mode_create(actor=owner, journey=journey, data={
        "step": step, "title": "Alert missed", "severity": "critical", "safeguard": ""})
    url = reverse("compliance:safety", args=[journey.pk])
    page = owner_client.get(url)
    assert page.status_code == 200 and b"<html" in page.content
    assert f'id="failure-{failure.pk}"'.encode() in page.content and b"No safeguard" in page.content
    assert b'id="safety-loop"' in page.content
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b"Alert missed" in fragment.content


FORMS = ["compliance:checkpoint_create", "compliance:failure_mode_create", "compliance:safety_loop"]


@pytest.mark.parametrize("name", FORMS + ["compliance:safety", "compliance:health_panel"])
def test_map_pages_of_another_workspace_are_404(owner_client, other_journey, htmx, name):
    url = reverse(name, args=[other_journey.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.get(url, **htmx).status_code == 404


@pytest.mark.parametrize("name", FORMS)
def test_viewers_cannot_use_the_compliance_forms(viewer_client, journey, htmx, name):
    url = reverse(name, args=[journey.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"title": "x"}).status_code == 403
    assert viewer_client.post(url, {"title": "x"}, **htmx).status_code == 403
    assert not Checkpoint.objects.exists() and not FailureMode.objects.exists() and not SafetyLoop.objects.exists()


@pytest.mark.parametrize("name", FORMS)
def test_compliance_forms_render_as_page_and_fragment(owner_client, journey, htmx, name):
    url = reverse(name, args=[journey.pk])
    page, fragment = owner_client.get(url), owner_client.get(url, **htmx)
    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b"<html" not in fragment.content and b"<form" in fragment.content


def test_checkpoint_create_form(owner_client, journey):
    url = reverse("compliance:checkpoint_create", args=[journey.pk])
    stage = journey.stages.first()
    response = owner_client.post(url, {"type": "consent", "title": "Consent", "stage": stage.pk})
    checkpoint = Checkpoint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/compliance/checkpoints/{checkpoint.pk}/")


def test_checkpoint_create_without_a_place_is_422(owner_client, journey, htmx):
    url = reverse("compliance:checkpoint_create", args=[journey.pk])
    response = owner_client.post(url, {"type": "consent", "title": "Consent"}, **htmx)
    assert response.status_code == 422
    assert b"exactly one stage, touchpoint or sub-map step" in response.content
    response = owner_client.post(url, {"type": "nonsense", "title": "", "stage": journey.stages.first().pk})
    assert response.status_code == 422 and b"This field is required." in response.content
    assert not Checkpoint.objects.exists()


def test_safety_loop_form_creates_then_edits_with_versions(owner_client, journey):
    url = reverse("compliance:safety_loop", args=[journey.pk])
    response = owner_client.post(url, {"collection_point": "Handover", "investigate_within_days": 5,
                                       "communicate_within_days": 2})
    assert response.status_code == 422 and b"only hear the outcome after" in response.content
    response = owner_client.post(url, {"collection_point": "Handover", "investigate_within_days": 5,
                                       "communicate_within_days": 10})
    assert response.status_code == 302
    loop = SafetyLoop.objects.get()
    response = owner_client.post(url, {"collection_point": "Huddle", "investigate_within_days": 3,
                                       "communicate_within_days": 10, "version": loop.version})
    assert response.status_code == 302
    loop.refresh_from_db()
    assert loop.collection_point == "Huddle"
    stale = owner_client.post(url, {"collection_point": "Old", "investigate_within_days": 3,
                                    "communicate_within_days": 10, "version": 1})
    assert stale.status_code == 409
    loop.refresh_from_db()
    assert loop.collection_point == "Huddle"


def test_failure_mode_form(owner_client, journey, owner):
    step = make_step(make_track(journey, owner), owner, title="Triage")
    url = reverse("compliance:failure_mode_create", args=[journey.pk])
    response = owner_client.post(url, {"step": step.pk, "title": "Alert missed", "severity": "high"})
    assert response.status_code == 302 and "#failure-" in response["Location"]
    assert FailureMode.objects.get().step == step


# --- data access at touchpoints ----------------------------------------------------------------


def test_touchpoint_access_form_creates_then_edits_with_versions(owner_client, journey, owner, htmx):
    from maps.models import LaneKind

    from compliance.models import TouchpointAccess

    from .factories import make_card

    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Alert inbox", data_classification="phi")
    url = reverse("compliance:touchpoint_access", args=[journey.pk, card.pk])
    page, fragment = owner_client.get(url), owner_client.get(url, **htmx)
    assert page.status_code == fragment.status_code == 200 and b"<html" not in fragment.content
    response = owner_client.post(url, {"access_roles": "Nurses", "access_verification": "SSO",
                                       "credential_sharing_risk": "on"})
    assert response.status_code == 302 and response["Location"].endswith(f"#access-{card.pk}")
    access = TouchpointAccess.objects.get(touchpoint=card)
    assert (access.access_roles, access.audit_logged, access.credential_sharing_risk) == ("Nurses", False, True)
    safety = owner_client.get(reverse("compliance:safety", args=[journey.pk])).content.decode()
    assert f'id="access-{card.pk}"' in safety and "Not logged" in safety and "Tempting" in safety
    owner_client.post(url, {"access_roles": "Nurses", "audit_logged": "on", "version": 1})
    assert owner_client.post(url, {"access_roles": "Stale", "version": 1}).status_code == 409
    access.refresh_from_db()
    assert (access.access_roles, access.audit_logged, access.version) == ("Nurses", True, 2)


def test_touchpoint_access_scoping(owner_client, viewer_client, journey, owner, other_journey, htmx):
    from maps.models import LaneKind

    from compliance.models import TouchpointAccess

    from .factories import make_card

    mine = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, data_classification="pii")
    theirs = make_card(other_journey, other_journey.workspace.memberships.get().user, kind=LaneKind.TOUCHPOINTS)
    assert owner_client.get(reverse("compliance:touchpoint_access", args=[other_journey.pk, theirs.pk])
                            ).status_code == 404
    assert owner_client.get(reverse("compliance:touchpoint_access", args=[journey.pk, theirs.pk]),
                            **htmx).status_code == 404
    url = reverse("compliance:touchpoint_access", args=[journey.pk, mine.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"access_roles": "x"}, **htmx).status_code == 403
    assert not TouchpointAccess.objects.exists()
