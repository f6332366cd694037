"""Deletes that keep everything: a delete takes what depends on it softly, as one change, says
beforehand what it will take, and a restore brings every row back as it was."""

import datetime

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.db.models import CASCADE
from django.utils import timezone

from comments import services as comment_services
from comments.models import Comment
from compliance import services as compliance_services
from compliance.health import health_check
from compliance.models import Checkpoint, CheckpointTransition, FailureMode
from diagnostics import services as diagnostics_services
from diagnostics.models import StageMetric
from maps import selectors, services
from maps.deletions import KEPT_ON_DELETE, deletions_purge
from maps.models import Card, Change, Deletion, Journey, LaneKind, SoftDeletable, Stage
from stakeholders import services as stakeholder_services
from stakeholders.models import Intersection, Step, Track
from workshop import services as workshop_services
from workshop.models import Vote

from .factories import make_card
from .healthcare import make_checkpoint, make_step, make_track

MAP_APPS = ["maps", "stakeholders", "compliance", "comments", "workshop", "diagnostics", "reports"]


def dump(journey) -> dict[str, list[dict]]:
    """Every stored row of every map app, deleted or not, field by field: what a restore must give back.
    The history is left out (it records the delete and the restore), and so is the map's revision counter."""
    rows = {}
    for app in MAP_APPS:
        for model in apps.get_app_config(app).get_models():
            if issubclass(model, KEPT_ON_DELETE):
                continue
            data = serializers.serialize("python", model._base_manager.order_by("pk"))
            for row in data:
                if model is Journey:
                    row["fields"].pop("revision")
            rows[model._meta.label] = data
    return rows


def _busy_stage(journey, owner, editor):
    """The first stage of a map with something of every layer hanging from it."""
    stage = journey.stages.get(position=0)
    other_stage = journey.stages.get(position=1)
    touchpoint = make_card(journey, owner, stage=stage, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    friction = make_card(journey, owner, stage=stage, kind=LaneKind.FRICTION, title="Long intake")
    make_card(journey, owner, stage=other_stage, kind=LaneKind.FRICTION, title="Stays")
    # Rows that stay but point at the stage: cleared while it is deleted, linked again on restore.
    make_card(journey, owner, stage=other_stage, kind=LaneKind.HANDOFFS, title="Back to start", to_stage=stage)
    compliance_services.safety_loop_set(actor=owner, journey=journey, version=None, data={
        "collection_point": "End of shift", "stage": stage})
    nurse = make_step(make_track(journey, owner, group="clinical"), owner, stage=stage, title="Verifies intake")
    patient = make_step(make_track(journey, owner, group="patient_caregiver"), owner, stage=stage, title="Fills intake")
    stakeholder_services.intersection_create(actor=owner, journey=journey, steps=[nurse, patient],
                                             data={"stage": stage, "title": "Clinician verifies intake"})
    compliance_services.failure_mode_create(actor=owner, journey=journey, data={
        "step": nurse, "title": "Wrong patient", "severity": "high", "safeguard": "Two identifiers"})
    checkpoint = make_checkpoint(journey, owner, type="consent", title="Consent recorded", stage=stage)
    checkpoint = compliance_services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1,
                                                       data={"status": "in_review"}, note="Starting")
    compliance_services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=2, data={
        "status": "approved", "reviewer": owner, "evidence": "Policy 12"}, note="Looks right")
    make_checkpoint(journey, owner, type="data_access", title="Who reads intake", touchpoint=touchpoint)
    thread = comment_services.comment_create(actor=editor, journey=journey, target=stage, body="Is this stage needed?")
    comment_services.comment_create(actor=owner, journey=journey, target=stage, body="Yes", parent=thread)
    comment_services.comment_create(actor=editor, journey=journey, target=friction, body="Seen it twice")
    session = workshop_services.vote_session_open(actor=owner, journey=journey, target="friction", dots_per_person=3)
    workshop_services.vote_add(actor=editor, session=session, card_id=friction.pk)
    diagnostics_services.stage_metric_record(actor=owner, journey=journey, stage=stage,
                                             period=datetime.date(2026, 10, 1), entered=120, progressed=90)
    diagnostics_services.evidence_add(actor=owner, journey=journey, card_id=friction.pk, kind="survey",
                                      summary="Half of them say so", source="Intake survey",
                                      observed_on=datetime.date(2026, 9, 1))
    diagnostics_services.step_mapping_set(actor=owner, journey=journey, step="Intake", stage=stage)
    return Stage.objects.get(pk=stage.pk)


def test_stage_delete_and_restore_bring_back_every_dependent_row_bit_for_bit(journey, owner, editor):
    stage = _busy_stage(journey, owner, editor)
    before = dump(journey)

    deletion = services.stage_delete(actor=editor, stage=stage, version=stage.version)

    # Gone from every read...
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert not Step.objects.filter(stage_id=stage.pk).exists()
    assert not Intersection.objects.filter(stage_id=stage.pk).exists()
    assert not FailureMode.objects.filter(journey=journey).exists()
    assert not Checkpoint.objects.filter(title__in=["Consent recorded", "Who reads intake"]).exists()
    assert not CheckpointTransition.objects.filter(checkpoint__title="Consent recorded").exists()
    assert not Comment.objects.filter(journey=journey).exists()
    assert not Vote.objects.exists() and not StageMetric.objects.filter(stage_id=stage.pk).exists()
    assert sorted(Card.objects.filter(journey=journey).values_list("title", flat=True)) == ["Back to start", "Stays"]
    assert Card.objects.get(title="Back to start").transition.to_stage is None
    assert stage.pk not in [s.pk for s in selectors.board_get(journey=journey).stages]
    assert "Consent recorded" not in str(health_check(journey=journey).__dict__)
    # ...but nothing is lost: every row is still stored, marked with the one deletion.
    assert Checkpoint.all_objects.filter(deletion=deletion).count() == 2
    assert CheckpointTransition.all_objects.filter(deletion=deletion).count() == 4
    # One change in history, saying what it took.
    [change] = Change.objects.filter(journey=journey, revision=Journey.objects.get(pk=journey.pk).revision)
    assert (change.action, change.entity, change.entity_id, change.deletion) == ("delete", "stage", stage.pk, deletion)
    took = {item["plural"]: item["count"] for item in deletion.took}
    assert took == {"cards": 2, "steps": 2, "intersections": 1, "failure modes": 1,
                    "checkpoints": 2, "review history entries": 4, "comments": 3, "votes": 1, "stage metrics": 1,
                    "evidence": 1, "step mappings": 1}
    assert any("Consent recorded" in note and "approved" in note and "3 review history entries" in note
               for note in deletion.named)

    services.deletion_restore(actor=owner, deletion=deletion)

    assert dump(journey) == before
    [restore] = Change.objects.filter(journey=journey, action="restore")
    assert (restore.entity, restore.entity_id, restore.actor) == ("stage", stage.pk, owner)
    assert Deletion.objects.get(pk=deletion.pk).restored_at is not None


def test_lane_card_track_step_checkpoint_deletes_restore_bit_for_bit(journey, owner, editor):
    stage = _busy_stage(journey, owner, editor)
    before = dump(journey)
    lane = journey.lanes.get(kind=LaneKind.FRICTION)
    card = Card.objects.get(title="Intake form")
    track = Track.objects.get(journey=journey, stakeholder__group="clinical")
    step = Step.objects.get(title="Fills intake")
    checkpoint = Checkpoint.objects.get(title="Consent recorded")
    for delete in [
        lambda: services.lane_delete(actor=editor, lane=lane, version=lane.version),
        lambda: services.card_delete(actor=editor, card=card, version=card.version).deletion,
        lambda: stakeholder_services.track_delete(actor=editor, track=track, version=track.version),
        lambda: stakeholder_services.step_delete(actor=editor, step=step, version=step.version),
        lambda: compliance_services.checkpoint_delete(actor=editor, checkpoint=checkpoint,
                                                      version=checkpoint.version),
    ]:
        deletion = delete()
        assert dump(journey) != before
        services.deletion_restore(actor=editor, deletion=deletion)
        assert dump(journey) == before, deletion
    assert stage.pk in [s.pk for s in journey.stages.all()]


def test_a_row_deleted_before_its_parent_comes_back_only_after_it(journey, owner, editor):
    stage = journey.stages.get(position=0)
    card = make_card(journey, owner, stage=stage, title="Deleted first")
    card_deletion = Deletion.objects.get(pk=services.card_delete(actor=editor, card=card, version=1).deletion_id)
    stage_deletion = services.stage_delete(actor=editor, stage=stage, version=1)
    assert stage_deletion.took == []  # the card was already gone: not counted twice, not taken twice

    with pytest.raises(Exception, match="Restore the stage “Acquisition” first"):
        services.deletion_restore(actor=editor, deletion=card_deletion)
    services.deletion_restore(actor=editor, deletion=stage_deletion)
    assert not Card.objects.filter(pk=card.pk).exists()
    services.deletion_restore(actor=editor, deletion=card_deletion)
    assert Card.objects.filter(pk=card.pk).exists()


def test_a_restore_is_refused_twice_and_a_recreated_sub_map_blocks_its_return(journey, owner, editor):
    track = make_track(journey, owner, group="clinical")
    deletion = stakeholder_services.track_delete(actor=editor, track=track, version=1)
    make_track(journey, owner, group="clinical")  # the slot is free while the first one is deleted
    with pytest.raises(Exception, match="cannot come back"):
        services.deletion_restore(actor=editor, deletion=deletion)
    assert Deletion.objects.get(pk=deletion.pk).restored_at is None


def test_purge_removes_for_good_only_what_is_older_than_the_retention_period(journey, owner, editor, settings):
    settings.DELETION_RETENTION_DAYS = 30
    old_stage, new_stage = journey.stages.get(position=0), journey.stages.get(position=1)
    make_card(journey, owner, stage=old_stage, title="Old")
    make_card(journey, owner, stage=new_stage, title="New")
    old = services.stage_delete(actor=editor, stage=old_stage, version=1)
    new = services.stage_delete(actor=editor, stage=Stage.objects.get(pk=new_stage.pk), version=1)
    Deletion.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=31))

    call_command("purge_deleted", stdout=open("/dev/null", "w"))

    assert not Stage.all_objects.filter(pk=old_stage.pk).exists()
    assert not Card.all_objects.filter(title="Old").exists()
    assert Card.all_objects.filter(title="New", deletion=new).exists()
    assert not Deletion.objects.filter(pk=old.pk).exists()
    assert deletions_purge() == 0  # idempotent
    # The history still says what happened.
    assert Change.objects.filter(journey=journey, action="delete", entity_id=old_stage.pk).exists()


def test_every_model_depending_on_a_soft_deletable_one_is_soft_deletable_too():
    """A new model hanging from a map's rows must go and come back with them: this fails the day one does not."""
    missing = []
    for model in apps.get_models():
        if model._meta.auto_created or issubclass(model, KEPT_ON_DELETE) or issubclass(model, SoftDeletable):
            continue
        for field in model._meta.concrete_fields:
            if (field.is_relation and field.remote_field.on_delete is CASCADE
                    and issubclass(field.related_model, SoftDeletable)):
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []


# --- through the views ---------------------------------------------------------------------------------


def test_the_confirmation_lists_what_goes_by_kind_and_names_checkpoints(journey, owner, editor, editor_client, htmx):
    stage = _busy_stage(journey, owner, editor)
    url = f"/maps/{journey.pk}/stages/{stage.pk}/delete/"
    for headers in ({}, htmx):
        response = editor_client.get(url, **headers)
        assert response.status_code == 200
        page = response.content.decode()
        assert ("<html" in page) is not bool(headers)
        for text in ("<strong>2</strong> cards", "<strong>2</strong> steps", "<strong>1</strong> intersection",
                     "<strong>1</strong> failure mode", "<strong>2</strong> checkpoints",
                     "<strong>4</strong> review history entries", "<strong>3</strong> comments",
                     "Compliance checkpoint “Consent recorded”: approved, 3 review history entries"):
            assert text in page, text
    assert Stage.objects.filter(pk=stage.pk).exists()  # looking deletes nothing


@pytest.mark.parametrize("as_htmx", [False, True])
def test_delete_and_restore_through_the_views(journey, owner, editor, editor_client, htmx, as_htmx):
    stage = _busy_stage(journey, owner, editor)
    before = dump(journey)
    headers = htmx if as_htmx else {}
    response = editor_client.post(f"/maps/{journey.pk}/stages/{stage.pk}/delete/", {"version": stage.version},
                                  **headers)
    assert response.status_code == (200 if as_htmx else 302)
    deletion = Deletion.objects.get(entity="stage", entity_id=stage.pk)

    activity = editor_client.get(f"/maps/{journey.pk}/activity/").content.decode()
    assert f'id="deletion-{deletion.pk}"' in activity and "2 cards" in activity
    response = editor_client.post(f"/maps/{journey.pk}/deleted/{deletion.pk}/restore/", **headers)
    assert response.status_code == (200 if as_htmx else 302)
    if as_htmx:
        assert "Restored the stage “Acquisition”" in response.content.decode()
    assert dump(journey) == before


def test_other_kinds_are_deleted_from_the_same_confirmation(journey, owner, editor, editor_client):
    _busy_stage(journey, owner, editor)
    for kind, row in [("checkpoint", Checkpoint.objects.get(title="Consent recorded")),
                      ("step", Step.objects.get(title="Fills intake")),
                      ("intersection", Intersection.objects.get()),
                      ("failure_mode", FailureMode.objects.get()),
                      ("track", Track.objects.get(stakeholder__group="clinical")),
                      ("card", Card.objects.get(title="Stays"))]:
        url = f"/maps/{journey.pk}/delete/{kind}/{row.pk}/"
        assert editor_client.get(url).status_code == 200, kind
        assert editor_client.post(url, {"version": row.version}).status_code == 302, kind
        assert not type(row).objects.filter(pk=row.pk).exists(), kind
        assert Deletion.objects.filter(entity=kind, entity_id=row.pk, restored_at=None).exists(), kind


def test_a_stale_delete_is_a_conflict_and_changes_nothing(journey, owner, editor_client):
    stage = journey.stages.get(position=0)
    services.stage_update(actor=owner, stage=stage, version=1, data={"name": "Renamed"})
    response = editor_client.post(f"/maps/{journey.pk}/stages/{stage.pk}/delete/", {"version": 1})
    assert response.status_code == 409
    assert Stage.objects.filter(pk=stage.pk).exists() and not Deletion.objects.exists()


def test_viewers_get_403_and_other_workspaces_404(journey, owner, editor, viewer_client, other_journey, editor_client,
                                                  htmx):
    stage = journey.stages.get(position=0)
    deletion = services.stage_delete(actor=editor, stage=stage, version=1)
    other_stage = other_journey.stages.first()
    for headers in ({}, htmx):
        assert viewer_client.get(f"/maps/{journey.pk}/delete/stage/{journey.stages.first().pk}/",
                                 **headers).status_code == 403
        assert viewer_client.post(f"/maps/{journey.pk}/delete/stage/{journey.stages.first().pk}/",
                                  {"version": 1}, **headers).status_code == 403
        assert viewer_client.post(f"/maps/{journey.pk}/deleted/{deletion.pk}/restore/",
                                  **headers).status_code == 403
        assert editor_client.get(f"/maps/{other_journey.pk}/delete/stage/{other_stage.pk}/",
                                 **headers).status_code == 404
        assert editor_client.post(f"/maps/{journey.pk}/delete/stage/{other_stage.pk}/", {"version": 1},
                                  **headers).status_code == 404
        assert editor_client.get(f"/maps/{journey.pk}/delete/nonsense/1/", **headers).status_code == 404
    assert Stage.objects.filter(pk=other_stage.pk).exists()
    assert Deletion.objects.get(pk=deletion.pk).restored_at is None
