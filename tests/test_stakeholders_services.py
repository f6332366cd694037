"""The stakeholder registry, sub-maps, steps and intersections, through their services."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import ApplicationError, Conflict, PermissionDenied
from maps.models import Change
from stakeholders import services
from stakeholders.models import DEFAULT_STAKEHOLDERS, Stakeholder, StakeholderGroup, Track, TrackKind
from stakeholders.selectors import swimlanes_get

from . import factories
from .healthcare import make_step, make_track, stakeholder_of


def test_a_new_workspace_starts_with_the_seeds_stakeholders(workspace):
    roles = list(Stakeholder.objects.filter(workspace=workspace).values_list("role", "group"))
    assert roles == [(role, group) for role, group, _ in DEFAULT_STAKEHOLDERS]
    assert {g for _, g in roles} == set(StakeholderGroup.values)


def test_seeding_is_idempotent(workspace):
    assert services.stakeholders_seed_defaults(workspace=workspace) == 0
    assert Stakeholder.objects.filter(workspace=workspace).count() == len(DEFAULT_STAKEHOLDERS)


def test_stakeholder_create_and_update_with_version(workspace, owner, editor):
    nurse = services.stakeholder_create(actor=editor, workspace=workspace, data={
        "role": "Night nurse", "group": "clinical", "concerns": "speed, handover"})
    assert nurse.concern_list == ["speed", "handover"]
    services.stakeholder_update(actor=owner, stakeholder=nurse, version=1, data={"concerns": "speed"})
    with pytest.raises(Conflict):
        services.stakeholder_update(actor=editor, stakeholder=nurse, version=1, data={"concerns": "x"})
    nurse.refresh_from_db()
    assert (nurse.concerns, nurse.version) == ("speed", 2)


def test_a_stakeholder_needs_a_known_group(workspace, owner):
    with pytest.raises(ValidationError) as raised:
        services.stakeholder_create(actor=owner, workspace=workspace, data={"role": "Nurse 2", "group": "wizards"})
    assert "group" in raised.value.error_dict


def test_viewers_cannot_change_stakeholders_or_tracks(workspace, journey, viewer):
    with pytest.raises(PermissionDenied):
        services.stakeholder_create(actor=viewer, workspace=workspace, data={"role": "X", "group": "it"})
    with pytest.raises(PermissionDenied):
        make_track(journey, viewer)
    assert not Track.objects.exists()


def test_one_track_per_stakeholder_and_kind(journey, owner):
    make_track(journey, owner, group="clinical")
    make_track(journey, owner, group="clinical", kind=TrackKind.TRAINING)
    with pytest.raises(ApplicationError, match="already has"):
        make_track(journey, owner, group="clinical")


def test_a_track_cannot_use_another_workspaces_stakeholder(journey, owner, other_workspace):
    theirs = stakeholder_of(other_workspace, "clinical")
    with pytest.raises(ValidationError):
        services.track_create(actor=owner, journey=journey, stakeholder=theirs)


def test_steps_align_to_the_journeys_own_stages(journey, owner, other_journey):
    track = make_track(journey, owner)
    with pytest.raises(ValidationError) as raised:
        make_step(track, owner, stage=other_journey.stages.first())
    assert "stage" in raised.value.error_dict


def test_step_update_is_version_checked_and_recorded(journey, owner, editor):
    step = make_step(make_track(journey, owner), owner, title="Documents the visit")
    services.step_update(actor=editor, step=step, version=1,
                         data={"clinical_context": "documentation", "data_classification": "phi"})
    change = Change.objects.filter(journey=journey, entity="step", action="update").get()
    assert change.actor == editor
    assert change.before == {"clinical_context": "", "data_classification": "none"}
    assert change.after == {"clinical_context": "documentation", "data_classification": "phi"}
    with pytest.raises(Conflict):
        services.step_update(actor=owner, step=step, version=1, data={"title": "Stale"})


def test_an_intersection_joins_at_least_two_stakeholders(journey, owner):
    nurse = make_step(make_track(journey, owner, group="clinical"), owner, title="Verifies intake")
    patient = make_step(make_track(journey, owner, group="patient_caregiver"), owner, title="Fills intake")
    stage = journey.stages.first()
    with pytest.raises(ValidationError, match="at least two stakeholders"):
        services.intersection_create(actor=owner, journey=journey, steps=[nurse],
                                     data={"stage": stage, "title": "Alone"})
    item = services.intersection_create(actor=owner, journey=journey, steps=[nurse, patient],
                                        data={"stage": stage, "title": "Clinician verifies intake"})
    assert set(item.steps.all()) == {nurse, patient}
    services.intersection_update(actor=owner, intersection=item, version=1, data={"status": "aligned"})
    item.refresh_from_db()
    assert (item.status, item.version) == ("aligned", 2)


def test_swimlanes_place_steps_in_stage_columns_and_draw_intersections(journey, owner):
    stages = list(journey.stages.all())
    patient_track = make_track(journey, owner, group="patient_caregiver")
    admin_track = make_track(journey, owner, group="administrative")
    nurse_track = make_track(journey, owner, group="clinical")
    patient = make_step(patient_track, owner, stage=stages[1], title="Fills intake")
    nurse = make_step(nurse_track, owner, stage=stages[1], title="Verifies intake")
    services.intersection_create(actor=owner, journey=journey, steps=[patient, nurse],
                                 data={"stage": stages[1], "title": "Verify"})
    lanes = swimlanes_get(journey=journey)
    assert [lane.track for lane in lanes.lanes] == [patient_track, admin_track, nurse_track]
    assert lanes.lanes[0].cells[1].steps == [patient]
    assert lanes.lanes[0].cells[0].steps == []
    # the connector runs from the patient's row through the administrator's to the nurse's
    crossed = [[(x["top"], x["joins"], x["bottom"]) for x in lane.cells[1].crossings] for lane in lanes.lanes]
    assert crossed == [[(True, True, False)], [(False, False, False)], [(False, True, True)]]
    assert all(lane.cells[0].crossings == [] for lane in lanes.lanes)


def test_a_stakeholder_with_tracks_cannot_be_deleted_silently(journey, owner):
    track = make_track(journey, owner)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        track.stakeholder.delete()


def test_factories_workspace_has_stakeholders_too(db):
    ws = factories.make_workspace()
    assert Stakeholder.objects.filter(workspace=ws).exists()
