"""Stakeholder pages: registry, swimlanes, board panel and the sub-map forms; scoping and roles."""

import pytest
from django.urls import reverse

from stakeholders import services
from stakeholders.models import Intersection, Stakeholder, Step, Track

from .healthcare import make_step, make_track


@pytest.fixture
def aligned(journey, owner):
    """Two tracks with a step each, joined by an intersection."""
    stage = journey.stages.all()[1]
    patient = make_step(make_track(journey, owner, group="patient_caregiver"), owner, stage=stage,
                        title="Fills intake", data_classification="phi")
    nurse = make_step(make_track(journey, owner, group="clinical"), owner, stage=stage, title="Verifies intake",
                      is_verification=True, clinical_context="documentation")
    item = services.intersection_create(actor=owner, journey=journey, steps=[patient, nurse],
                                        data={"stage": stage, "title": "Clinician verifies intake"})
    return {"patient": patient, "nurse": nurse, "intersection": item}


# --- registry ----------------------------------------------------------------------------------


def _registry(workspace):
    return reverse("stakeholders:registry", args=[workspace.slug])


def test_registry_page_and_fragment(owner_client, workspace, htmx):
    page = owner_client.get(_registry(workspace))
    assert page.status_code == 200 and b"<html" in page.content
    assert b"Compliance officer" in page.content and b"Add stakeholder" in page.content
    fragment = owner_client.get(_registry(workspace), **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b'id="registry"' in fragment.content


def test_registry_of_another_workspace_is_404(owner_client, other_workspace, htmx):
    assert owner_client.get(_registry(other_workspace)).status_code == 404
    assert owner_client.get(_registry(other_workspace), **htmx).status_code == 404
    assert owner_client.post(_registry(other_workspace), {"role": "X", "group": "it"}).status_code == 404


def test_viewer_reads_the_registry_but_cannot_add(viewer_client, workspace, htmx):
    page = viewer_client.get(_registry(workspace))
    assert page.status_code == 200 and b"Add stakeholder" not in page.content
    before = Stakeholder.objects.count()
    assert viewer_client.post(_registry(workspace), {"role": "X", "group": "it"}).status_code == 403
    assert viewer_client.post(_registry(workspace), {"role": "X", "group": "it"}, **htmx).status_code == 403
    assert Stakeholder.objects.count() == before


def test_adding_a_stakeholder(editor_client, workspace, htmx):
    response = editor_client.post(_registry(workspace), {"role": "Pharmacist", "group": "clinical",
                                                        "concerns": "accuracy"})
    assert response.status_code == 302
    fragment = editor_client.post(_registry(workspace), {"role": "Scheduler", "group": "administrative"}, **htmx)
    assert fragment.status_code == 200 and b"Scheduler" in fragment.content
    assert Stakeholder.objects.filter(workspace=workspace, role__in=["Pharmacist", "Scheduler"]).count() == 2


def test_a_bad_stakeholder_is_422_with_messages_next_to_the_fields(editor_client, workspace, htmx):
    before = Stakeholder.objects.count()
    for extra in ({}, htmx):
        response = editor_client.post(_registry(workspace), {"role": "nurse", "group": "wizards"}, **extra)
        assert response.status_code == 422
        body = response.content.decode()
        assert "already has a stakeholder with that role" in body and "Select a valid choice" in body
    assert Stakeholder.objects.count() == before


def test_stakeholder_edit_with_stale_version_is_409(owner_client, editor, workspace, htmx):
    nurse = Stakeholder.objects.get(workspace=workspace, role="Nurse")
    url = reverse("stakeholders:edit", args=[workspace.slug, nurse.pk])
    assert owner_client.get(url).status_code == 200
    assert owner_client.get(url, **htmx).status_code == 200
    services.stakeholder_update(actor=editor, stakeholder=nurse, version=1, data={"concerns": "theirs"})
    response = owner_client.post(url, {"role": "Nurse", "group": "clinical", "concerns": "mine", "version": 1})
    assert response.status_code == 409
    html = response.content.decode()
    # Who saved in between comes from the workspace's record; only what differs is shown.
    assert f"{editor.username} changed this stakeholder" in html and "Someone" not in html
    assert f"Theirs (saved now by {editor.username})" in html and "theirs" in html
    assert html.count('<tr class="differs">') == 1
    nurse.refresh_from_db()
    assert nurse.concerns == "theirs"


def test_stakeholder_edit_scoping(viewer_client, owner_client, workspace, other_workspace):
    nurse = Stakeholder.objects.get(workspace=workspace, role="Nurse")
    theirs = Stakeholder.objects.get(workspace=other_workspace, role="Nurse")
    assert owner_client.get(reverse("stakeholders:edit", args=[workspace.slug, theirs.pk])).status_code == 404
    assert owner_client.get(reverse("stakeholders:edit", args=[other_workspace.slug, theirs.pk])).status_code == 404
    url = reverse("stakeholders:edit", args=[workspace.slug, nurse.pk])
    assert viewer_client.post(url, {"role": "N", "group": "clinical", "version": 1}).status_code == 403


# --- swimlanes and the board panel ---------------------------------------------------------------


def test_swimlanes_page_and_fragment_draw_tracks_steps_and_intersections(owner_client, journey, aligned, htmx):
    url = reverse("stakeholders:swimlanes", args=[journey.pk])
    page = owner_client.get(url)
    assert page.status_code == 200 and b"<html" in page.content
    body = page.content.decode()
    assert f'id="step-{aligned["nurse"].pk}"' in body and "Verification" in body and "Documentation time" in body
    assert f'id="intersection-{aligned["intersection"].pk}"' in body
    assert body.count('class="xline') == 2 and "xline x-0 top joins" in body and "xline x-0 bottom joins" in body
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b'id="swimlanes"' in fragment.content


def test_board_panel_is_a_fragment_for_htmx_and_the_swimlanes_otherwise(owner_client, journey, aligned, htmx):
    url = reverse("stakeholders:panel", args=[journey.pk])
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and b"2 tracks" in fragment.content and b"<html" not in fragment.content
    page = owner_client.get(url)
    assert page.status_code == 302 and page["Location"] == reverse("stakeholders:swimlanes", args=[journey.pk])


def test_the_board_loads_both_healthcare_panels(owner_client, journey):
    body = owner_client.get(reverse("maps:board", args=[journey.pk])).content.decode()
    assert reverse("stakeholders:panel", args=[journey.pk]) in body
    assert reverse("compliance:health_panel", args=[journey.pk]) in body


MAP_PAGES = ["stakeholders:swimlanes", "stakeholders:panel", "stakeholders:intersection_create",
             "stakeholders:step_create"]


@pytest.mark.parametrize("name", MAP_PAGES)
def test_map_pages_of_another_workspace_are_404(owner_client, other_journey, htmx, name):
    url = reverse(name, args=[other_journey.pk])
    assert owner_client.get(url).status_code == 404
    assert owner_client.get(url, **htmx).status_code == 404


def test_viewer_reads_the_swimlanes_without_edit_controls(viewer_client, journey, aligned):
    page = viewer_client.get(reverse("stakeholders:swimlanes", args=[journey.pk]))
    assert page.status_code == 200 and b"+ Step" not in page.content and b"Add sub-map" not in page.content


# --- sub-map forms ------------------------------------------------------------------------------------


def test_adding_a_track(owner_client, journey, workspace, htmx):
    it = Stakeholder.objects.get(workspace=workspace, role="IT director")
    url = reverse("stakeholders:track_create", args=[journey.pk])
    response = owner_client.post(url, {"stakeholder": it.pk, "kind": "stakeholder"})
    assert response.status_code == 302 and "#track-" in response["Location"]
    nurse = Stakeholder.objects.get(workspace=workspace, role="Nurse")
    fragment = owner_client.post(url, {"stakeholder": nurse.pk, "kind": "training"}, **htmx)
    assert fragment.status_code == 200 and b"Training: Nurse" in fragment.content
    assert Track.objects.filter(journey=journey).count() == 2


def test_adding_a_track_with_bad_input_is_422(owner_client, journey, other_workspace, htmx):
    theirs = Stakeholder.objects.filter(workspace=other_workspace).first()
    url = reverse("stakeholders:track_create", args=[journey.pk])
    for extra in ({}, htmx):
        response = owner_client.post(url, {"stakeholder": theirs.pk, "kind": "stakeholder"}, **extra)
        assert response.status_code == 422 and b"Select a valid choice" in response.content
    assert not Track.objects.exists()


def test_viewers_cannot_use_the_sub_map_forms(viewer_client, journey, aligned, htmx):
    step, item = aligned["nurse"], aligned["intersection"]
    posts = [
        reverse("stakeholders:track_create", args=[journey.pk]),
        reverse("stakeholders:step_create", args=[journey.pk]) + f"?track={step.track_id}",
        reverse("stakeholders:step_edit", args=[journey.pk, step.pk]),
        reverse("stakeholders:intersection_create", args=[journey.pk]),
        reverse("stakeholders:intersection_edit", args=[journey.pk, item.pk]),
    ]
    for url in posts:
        assert viewer_client.post(url, {"title": "x", "version": 1}).status_code == 403, url
        assert viewer_client.post(url, {"title": "x", "version": 1}, **htmx).status_code == 403, url
    step.refresh_from_db()
    assert step.title == "Verifies intake" and Track.objects.count() == 2


def test_sub_map_objects_of_another_map_are_404(owner_client, journey, owner, other_journey, aligned):
    step = aligned["nurse"]
    other_owner = other_journey.workspace.memberships.get().user
    theirs = make_step(make_track(other_journey, other_owner), other_owner)
    assert owner_client.get(reverse("stakeholders:step_edit", args=[journey.pk, theirs.pk])).status_code == 404
    assert owner_client.get(reverse("stakeholders:step_edit", args=[other_journey.pk, step.pk])).status_code == 404
    url = reverse("stakeholders:step_create", args=[journey.pk]) + f"?track={theirs.track_id}"
    assert owner_client.get(url).status_code == 404


def test_step_create_and_edit_forms(owner_client, journey, aligned, htmx):
    track = aligned["nurse"].track
    stage = journey.stages.first()
    url = reverse("stakeholders:step_create", args=[journey.pk])
    assert owner_client.get(url + f"?track={track.pk}&stage={stage.pk}", **htmx).status_code == 200
    response = owner_client.post(url, {"track": track.pk, "stage": stage.pk, "title": "Reads referral",
                                       "time_pressure": "high", "data_classification": "pii"})
    assert response.status_code == 302
    step = Step.objects.get(title="Reads referral")
    assert (step.track, step.stage, step.time_pressure) == (track, stage, "high")
    bad = owner_client.post(url, {"track": track.pk, "stage": stage.pk, "title": "", "time_pressure": "high",
                                  "data_classification": "secret"}, **htmx)
    assert bad.status_code == 422 and b"This field is required." in bad.content
    edit = reverse("stakeholders:step_edit", args=[journey.pk, step.pk])
    page = owner_client.get(edit)
    assert page.status_code == 200 and b"<html" in page.content
    response = owner_client.post(edit, {"version": 1, "stage": stage.pk, "title": "Reads referral",
                                        "time_pressure": "low", "data_classification": "phi", "audit_logged": "on"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.data_classification, step.audit_logged, step.version) == ("phi", True, 2)


def test_step_edit_with_stale_version_is_409_with_theirs_and_yours(owner_client, editor, journey, aligned, htmx):
    step = aligned["nurse"]
    services.step_update(actor=editor, step=step, version=1, data={"title": "Their title"})
    url = reverse("stakeholders:step_edit", args=[journey.pk, step.pk])
    for extra in ({}, htmx):
        response = owner_client.post(url, {"version": 1, "stage": step.stage_id, "title": "My title",
                                           "time_pressure": "low", "data_classification": "none"}, **extra)
        assert response.status_code == 409
        body = response.content.decode()
        assert "Their title" in body and "My title" in body and 'name="version" value="2"' in body
    step.refresh_from_db()
    assert step.title == "Their title"


def test_intersection_forms(owner_client, journey, aligned, htmx):
    url = reverse("stakeholders:intersection_create", args=[journey.pk])
    stage = journey.stages.first()
    alone = owner_client.post(url, {"stage": stage.pk, "title": "Alone", "status": "not_aligned",
                                    "steps": [aligned["nurse"].pk]}, **htmx)
    assert alone.status_code == 422 and b"at least two stakeholders" in alone.content
    response = owner_client.post(url, {"stage": stage.pk, "title": "Handoff", "status": "not_aligned",
                                       "steps": [aligned["nurse"].pk, aligned["patient"].pk]})
    assert response.status_code == 302
    item = Intersection.objects.get(title="Handoff")
    edit = reverse("stakeholders:intersection_edit", args=[journey.pk, item.pk])
    assert owner_client.get(edit, **htmx).status_code == 200
    response = owner_client.post(edit, {"stage": stage.pk, "title": "Handoff", "status": "aligned", "version": 1,
                                        "steps": [aligned["nurse"].pk, aligned["patient"].pk]})
    assert response.status_code == 302
    stale = owner_client.post(edit, {"stage": stage.pk, "title": "Handoff", "status": "not_aligned", "version": 1,
                                     "steps": [aligned["nurse"].pk, aligned["patient"].pk]})
    assert stale.status_code == 409
    item.refresh_from_db()
    assert item.status == "aligned"
