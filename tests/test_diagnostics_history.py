"""Stage metric edits are map changes: one revision per service call, written to the map's history."""

from datetime import date

import pytest
from django.urls import reverse

from core.errors import PermissionDenied
from diagnostics import services
from diagnostics.models import StageMetric
from maps.models import Change, Journey

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)
HEADER = "stage,period,entered,progressed\n"


def _revision(journey):
    return Journey.objects.get(pk=journey.pk).revision


def _latest(journey):
    return list(Change.objects.filter(journey=journey, revision=_revision(journey)).order_by("id"))


def test_recording_new_counts_is_one_revision_with_the_counts(journey, editor):
    revision = _revision(journey)
    stage = journey.stages.first()
    metric = services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN,
                                          entered=120, progressed=80)
    assert _revision(journey) == revision + 1
    [change] = _latest(journey)
    assert (change.action, change.entity, change.entity_id, change.actor) == ("create", "stage_metric", metric.pk,
                                                                              editor)
    assert change.before is None
    assert change.after == {"stage": stage.name, "period": "2026-01-01", "entered": "120", "progressed": "80"}
    assert change.label == f"{stage.name} · Jan 2026: 120 entered, 80 progressed"


def test_changing_counts_records_only_the_count_that_changed(journey, editor):
    stage = journey.stages.first()
    services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=120, progressed=80)
    services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=120, progressed=90,
                                 replaces=1)
    [change] = _latest(journey)
    assert change.action == "update"
    assert (change.before, change.after) == ({"progressed": "80"}, {"progressed": "90"})


def test_deleting_counts_records_what_they_were(journey, editor):
    stage = journey.stages.first()
    metric = services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=50,
                                          progressed=20)
    revision = _revision(journey)
    services.stage_metric_delete(actor=editor, journey=journey, metric_id=metric.pk)
    assert _revision(journey) == revision + 1
    [change] = _latest(journey)
    assert (change.action, change.entity_id) == ("delete", metric.pk)
    assert change.before == {"stage": stage.name, "period": "2026-01-01", "entered": "50", "progressed": "20"}


def test_an_import_is_one_revision_recording_only_the_rows_that_change(journey, editor):
    first, second = journey.stages.all()[:2]
    services.stage_metric_record(actor=editor, journey=journey, stage=first, period=JAN, entered=100, progressed=60)
    services.stage_metric_record(actor=editor, journey=journey, stage=second, period=JAN, entered=60, progressed=30)
    revision = _revision(journey)

    result = services.stage_metrics_import(actor=editor, journey=journey, data=(
        HEADER + f"{first.name},2026-01,100,60\n{second.name},2026-01,60,35\n{first.name},2026-02,90,50\n").encode())

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert _revision(journey) == revision + 1
    changes = _latest(journey)
    assert [(c.action, c.before, c.after) for c in changes] == [
        ("update", {"progressed": "30"}, {"progressed": "35"}),
        ("create", None, {"stage": first.name, "period": "2026-02-01", "entered": "90", "progressed": "50"}),
    ]
    assert StageMetric.objects.get(stage=first, period=JAN).version == 1  # the unchanged row was not saved


def test_a_rejected_import_or_a_refused_edit_leaves_history_alone(journey, editor, viewer):
    revision, count = _revision(journey), Change.objects.filter(journey=journey).count()
    with pytest.raises(services.MetricsFileRejected):
        services.stage_metrics_import(actor=editor, journey=journey, data=(HEADER + "Nowhere,2026-01,10,1\n").encode())
    with pytest.raises(PermissionDenied):
        services.stage_metric_record(actor=viewer, journey=journey, stage=journey.stages.first(), period=FEB,
                                     entered=10, progressed=1)
    assert (_revision(journey), Change.objects.filter(journey=journey).count()) == (revision, count)


def test_metric_changes_announce_the_new_revision(journey, editor, django_capture_on_commit_callbacks):
    from maps.signals import journey_changed

    heard = []

    def listener(**kwargs):
        heard.append(kwargs["revision"])

    journey_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.stage_metric_record(actor=editor, journey=journey, stage=journey.stages.first(), period=JAN,
                                         entered=30, progressed=10)
    finally:
        journey_changed.disconnect(listener)
    assert heard == [_revision(journey)]


def test_the_activity_page_shows_metric_changes_legibly(owner_client, journey, owner):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=120, progressed=80)
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=130, progressed=80,
                                 replaces=1)
    page = owner_client.get(reverse("maps:activity", args=[journey.pk])).content.decode()
    assert f"Created stage metric\n          “{stage.name} · Jan 2026: 120 entered, 80 progressed”" in page
    assert f"Edited stage metric\n          “{stage.name} · Jan 2026: 130 entered, 80 progressed”" in page
    assert '<span>Entered</span><span class="old">120</span><span class="new">130</span>' in page
    assert ">stage_metric<" not in page and "stage_metric “" not in page  # (a filter's option value may name it)


@pytest.mark.parametrize(("entered", "progressed", "shown"), [
    (10, 0, ("fewer than 11", "fewer than 11")),  # both below the threshold
    (11, 11, ("11", "hidden")),  # at it: entered shown, but nobody dropped out (0 is a small count)
    (60, 11, ("60", "11")),
    (40, 35, ("40", "hidden")),  # only 5 did not progress: showing 35 would single them out
    (0, 0, ("fewer than 11", "fewer than 11")),
])
def test_history_never_holds_a_small_count(journey, owner, owner_client, entered, progressed, shown):
    stage = journey.stages.first()
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=500, progressed=300)
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=JAN, entered=entered,
                                 progressed=progressed, replaces=1)
    services.stage_metric_record(actor=owner, journey=journey, stage=stage, period=FEB, entered=entered,
                                 progressed=progressed)
    metric = StageMetric.objects.get(stage=stage, period=FEB)
    services.stage_metric_delete(actor=owner, journey=journey, metric_id=metric.pk)
    changes = Change.objects.filter(journey=journey, entity="stage_metric").order_by("id")
    edited, created, deleted = changes[1], changes[2], changes[3]
    assert (edited.after["entered"], edited.after["progressed"]) == shown
    assert (created.after["entered"], created.after["progressed"]) == shown
    assert (deleted.before["entered"], deleted.before["progressed"]) == shown
    assert created.label == f"{stage.name} · Feb 2026: {shown[0]} entered, {shown[1]} progressed"
    page = owner_client.get(reverse("maps:activity", args=[journey.pk])).content.decode()
    hidden = [value for value in (entered, progressed) if str(value) not in shown]
    for value in hidden:
        assert f">{value}<" not in page and f" {value} entered" not in page and f" {value} progressed" not in page


def test_deleted_counts_are_kept_and_come_back_from_activity(journey, editor, editor_client):
    """A delete keeps the row (marked), frees the month for new counts, and Activity's undo restores it."""
    from maps.models import Deletion

    stage = journey.stages.first()
    metric = services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=50,
                                          progressed=20)
    deletion = services.stage_metric_delete(actor=editor, journey=journey, metric_id=metric.pk)

    assert not StageMetric.objects.filter(pk=metric.pk).exists()
    kept = StageMetric.all_objects.get(pk=metric.pk)
    assert (kept.deletion, kept.entered, kept.progressed) == (deletion, 50, 20)
    [change] = _latest(journey)
    assert change.deletion == deletion and change.entity == "stage_metric"

    activity = editor_client.get(reverse("maps:activity", args=[journey.pk])).content.decode()
    assert f'action="{reverse("maps:change_revert", args=[journey.pk, change.pk])}"' in activity  # its Undo
    response = editor_client.post(reverse("maps:change_revert", args=[journey.pk, change.pk]))
    assert response.status_code in (200, 302, 303), response.status_code
    restored = StageMetric.objects.get(pk=metric.pk)
    assert (restored.entered, restored.progressed, restored.version) == (50, 20, metric.version)
    assert Deletion.objects.get(pk=deletion.pk).restored_at is not None
    assert Change.objects.filter(journey=journey, action="restore", entity="stage_metric").exists()


def test_a_deleted_month_takes_new_counts_and_then_cannot_come_back_over_them(journey, editor):
    from core.errors import ApplicationError
    from maps import services as map_services

    stage = journey.stages.first()
    metric = services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=50,
                                          progressed=20)
    deletion = services.stage_metric_delete(actor=editor, journey=journey, metric_id=metric.pk)
    again = services.stage_metric_record(actor=editor, journey=journey, stage=stage, period=JAN, entered=60,
                                         progressed=30)
    assert again.pk != metric.pk
    with pytest.raises(ApplicationError, match="cannot come back"):
        map_services.deletion_restore(actor=editor, deletion=deletion)
    assert StageMetric.objects.get(stage=stage, period=JAN).pk == again.pk


def test_evidence_and_step_mappings_are_deleted_softly_and_restorable(journey, owner, editor):
    from diagnostics.models import Evidence, StepMapping
    from maps import services as map_services
    from maps.models import LaneKind

    from .factories import make_card

    card = make_card(journey, owner, kind=LaneKind.FRICTION, title="Long intake")
    evidence = services.evidence_add(actor=editor, journey=journey, card_id=card.pk, kind="survey",
                                     summary="Half said so", source="Q3 survey", observed_on=date(2026, 3, 1))
    mapping = services.step_mapping_set(actor=editor, journey=journey, step="Intake", stage=journey.stages.first())
    for deletion, model, pk in [
        (services.evidence_delete(actor=editor, journey=journey, evidence_id=evidence.pk), Evidence, evidence.pk),
        (services.step_mapping_delete(actor=editor, journey=journey, mapping_id=mapping.pk), StepMapping, mapping.pk),
    ]:
        assert not model.objects.filter(pk=pk).exists() and model.all_objects.filter(pk=pk, deletion=deletion).exists()
        assert Change.objects.filter(journey=journey, action="delete", deletion=deletion).exists()
        map_services.deletion_restore(actor=editor, deletion=deletion)
        assert model.objects.filter(pk=pk).exists()
