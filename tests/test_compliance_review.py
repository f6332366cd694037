"""Checkpoints: attached to one place, the review workflow, every transition recorded."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from compliance import services
from compliance.models import Checkpoint, CheckpointTransition, ReviewStatus
from core.errors import Conflict, PermissionDenied
from maps.models import Change, LaneKind

from .factories import make_card
from .healthcare import make_checkpoint, make_step, make_track


def test_a_new_checkpoint_records_its_first_status(journey, owner):
    checkpoint = make_checkpoint(journey, owner, type="consent", title="Consent at intake")
    [transition] = checkpoint.transitions.all()
    assert (transition.from_status, transition.to_status, transition.actor) == ("", "not_assessed", owner)
    assert checkpoint.workspace_id == journey.workspace_id
    assert Change.objects.filter(journey=journey, entity="checkpoint", action="create").count() == 1


def test_a_checkpoint_attaches_to_a_stage_a_touchpoint_or_a_step(journey, owner):
    touchpoint = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS)
    step = make_step(make_track(journey, owner), owner)
    assert make_checkpoint(journey, owner, touchpoint=touchpoint).target_kind == "touchpoint"
    assert make_checkpoint(journey, owner, step=step).target_kind == "step"
    assert make_checkpoint(journey, owner).target_kind == "stage"


def test_a_checkpoint_attached_to_two_places_is_refused(journey, owner):
    touchpoint = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS)
    with pytest.raises(ValidationError, match="exactly one"):
        make_checkpoint(journey, owner, stage=journey.stages.first(), touchpoint=touchpoint)
    assert not Checkpoint.objects.exists()


def test_a_checkpoint_cannot_point_at_another_maps_stage(journey, owner, other_journey):
    with pytest.raises(ValidationError):
        make_checkpoint(journey, owner, stage=other_journey.stages.first())


def test_every_status_transition_is_recorded_with_actor_and_note(journey, owner, editor):
    checkpoint = make_checkpoint(journey, owner)
    checkpoint = services.checkpoint_review(actor=editor, checkpoint=checkpoint, version=1,
                                            data={"status": "in_review"}, note="Picked up")
    checkpoint = services.checkpoint_review(actor=editor, checkpoint=checkpoint, version=2, data={
        "status": "changes_needed", "reviewer": editor, "notes": "Consent text names the condition"})
    checkpoint = services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=3, data={
        "status": "approved", "reviewer": owner, "evidence": "Consent v2"})
    moves = [(t.from_status, t.to_status, t.actor.username) for t in checkpoint.transitions.all()]
    assert moves == [("", "not_assessed", "owner"), ("not_assessed", "in_review", "editor"),
                     ("in_review", "changes_needed", "editor"), ("changes_needed", "approved", "owner")]
    assert checkpoint.transitions.get(to_status="in_review").note == "Picked up"
    assert checkpoint.version == 4


def test_saving_without_a_change_of_status_records_no_transition(journey, owner):
    checkpoint = make_checkpoint(journey, owner)
    services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1,
                               data={"due_date": datetime.date(2030, 1, 1)})
    assert checkpoint.transitions.count() == 1


def test_approving_needs_evidence_and_a_reviewer(journey, owner):
    checkpoint = make_checkpoint(journey, owner)
    with pytest.raises(ValidationError) as raised:
        services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1, data={"status": "approved"})
    assert set(raised.value.error_dict) == {"evidence", "reviewer"}
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.version, checkpoint.transitions.count()) == ("not_assessed", 1, 1)


def test_changes_needed_needs_notes(journey, owner):
    checkpoint = make_checkpoint(journey, owner)
    with pytest.raises(ValidationError) as raised:
        services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1,
                                   data={"status": "changes_needed", "reviewer": owner})
    assert "notes" in raised.value.error_dict


def test_the_reviewer_must_be_a_member(journey, owner, other_workspace):
    checkpoint = make_checkpoint(journey, owner)
    stranger = other_workspace.memberships.get().user
    with pytest.raises(ValidationError, match="member"):
        services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1, data={"reviewer": stranger})


def test_a_stale_review_raises_conflict_and_changes_nothing(journey, owner, editor):
    checkpoint = make_checkpoint(journey, owner)
    services.checkpoint_review(actor=editor, checkpoint=checkpoint, version=1, data={"status": "in_review"})
    with pytest.raises(Conflict) as raised:
        services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1, data={"status": "not_applicable"})
    assert raised.value.current.status == "in_review"
    assert CheckpointTransition.objects.filter(to_status="not_applicable").count() == 0


def test_a_viewer_cannot_review(journey, owner, viewer):
    checkpoint = make_checkpoint(journey, owner)
    with pytest.raises(PermissionDenied):
        services.checkpoint_review(actor=viewer, checkpoint=checkpoint, version=1, data={"status": "in_review"})


# --- the review page ----------------------------------------------------------------------


def _url(checkpoint):
    return reverse("compliance:checkpoint_review", args=[checkpoint.pk])


@pytest.fixture
def checkpoint(journey, owner):
    return make_checkpoint(journey, owner, type="audit_logging", title="Reads are logged")


def test_review_page_full_and_fragment(owner_client, checkpoint, htmx):
    page = owner_client.get(_url(checkpoint))
    assert page.status_code == 200
    assert b"<html" in page.content and b"Reads are logged" in page.content and b"Status history" in page.content
    fragment = owner_client.get(_url(checkpoint), **htmx)
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content and b'id="review"' in fragment.content


def test_review_page_of_another_workspace_is_404(owner_client, other_journey, htmx):
    theirs = make_checkpoint(other_journey, other_journey.workspace.memberships.get().user)
    assert owner_client.get(_url(theirs)).status_code == 404
    assert owner_client.get(_url(theirs), **htmx).status_code == 404
    assert owner_client.post(_url(theirs), {"version": 1, "status": "in_review"}).status_code == 404


def test_viewer_sees_the_review_but_cannot_post(viewer_client, checkpoint, htmx):
    page = viewer_client.get(_url(checkpoint))
    assert page.status_code == 200 and b"Save review" not in page.content
    for extra in ({}, htmx):
        response = viewer_client.post(_url(checkpoint), {"version": 1, "status": "in_review"}, **extra)
        assert response.status_code == 403
    checkpoint.refresh_from_db()
    assert checkpoint.status == "not_assessed"


def test_review_post_moves_the_status(owner_client, owner, checkpoint, htmx):
    response = owner_client.post(_url(checkpoint), {
        "version": 1, "status": "approved", "reviewer": owner.pk, "evidence": "Log sample", "note": "Checked"})
    assert response.status_code == 302
    checkpoint.refresh_from_db()
    assert checkpoint.status == "approved"
    assert checkpoint.transitions.last().note == "Checked"
    fragment = owner_client.post(_url(checkpoint), {"version": 2, "status": "in_review", "reviewer": owner.pk,
                                                    "evidence": "Log sample"}, **htmx)
    assert fragment.status_code == 200 and b"Review saved" in fragment.content and b"<html" not in fragment.content


def test_review_with_bad_input_is_422_with_the_message_next_to_the_field(owner_client, checkpoint, htmx):
    for extra in ({}, htmx):
        response = owner_client.post(_url(checkpoint), {"version": 1, "status": "approved"}, **extra)
        assert response.status_code == 422
        assert "Approving a checkpoint needs evidence." in response.content.decode()
    response = owner_client.post(_url(checkpoint), {"version": 1, "status": "bogus"})
    assert response.status_code == 422
    checkpoint.refresh_from_db()
    assert (checkpoint.status, checkpoint.version) == ("not_assessed", 1)


def test_a_stale_review_is_409_with_theirs_and_yours(owner_client, editor, checkpoint, htmx):
    services.checkpoint_review(actor=editor, checkpoint=checkpoint, version=1, data={"status": "in_review"})
    for extra in ({}, htmx):
        response = owner_client.post(_url(checkpoint), {"version": 1, "status": "not_applicable"}, **extra)
        assert response.status_code == 409
        body = response.content.decode()
        # Named from the map's history, never "Someone"; only the field that differs is listed.
        assert f"{editor.username} changed this checkpoint" in body and "Someone" not in body
        assert f"Theirs (saved now by {editor.username})" in body and "In review" in body and "Not applicable" in body
        assert body.count('<tr class="differs">') == 1
        assert 'name="version" value="2"' in body  # saving again goes over theirs, knowingly
    checkpoint.refresh_from_db()
    assert checkpoint.status == ReviewStatus.IN_REVIEW
