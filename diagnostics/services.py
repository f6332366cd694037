"""Changes made by the diagnostics layer. Same conventions as `maps.services`:
keyword-only, typed, atomic, `full_clean()` before save. Stage metrics are part of
the map: each call takes the map's lock and one new revision through
`journey_change_begin` and writes what changed to the map's history. Map rows (the
observed journey's stages, lanes and cards) are written only through `maps.services`.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError, Conflict
from maps import services as map_services
from maps.models import ChangeAction, Deletion, Journey, JourneyKind, LaneKind, Stage
from maps.selectors import card_detail
from maps.services import delete_recorded, history_record, journey_change_begin, snapshot
from workspaces.models import Role, Workspace
from workspaces.selectors import role_require
from workspaces.services import workspace_history_record

from . import events, tasks
from .compare import stage_key
from .csv_import import Problem, parse_metrics_csv
from .metrics import MetricRow, safe_row
from .models import Evidence, EventImport, ImportStatus, StageMetric, StepMapping, WorkspaceSettings
from .selectors import threshold_get


logger = logging.getLogger(__name__)


class MetricsFileRejected(ApplicationError):
    """An upload with at least one bad row: nothing was saved. `problems` lists every one."""

    status_code = 422

    def __init__(self, message: str, *, problems: list[Problem]) -> None:
        super().__init__(message, extra={"problems": problems})
        self.problems = problems


# --- settings -----------------------------------------------------------------------


@transaction.atomic
def workspace_settings_update(*, actor: AbstractBaseUser, workspace: Workspace, small_count_threshold: int
                              ) -> WorkspaceSettings:
    role_require(user=actor, workspace_id=workspace.pk, roles={Role.OWNER})
    settings, _ = WorkspaceSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = settings.small_count_threshold
    settings.small_count_threshold = small_count_threshold
    settings.version += 1
    settings.full_clean()
    settings.save()
    if before != small_count_threshold:
        workspace_history_record(workspace_id=workspace.pk, actor=actor, action="edited", entity="setting",
                                 entity_id=settings.pk, label="Small-count threshold",
                                 before={"Small-count threshold": str(before)},
                                 after={"Small-count threshold": str(small_count_threshold)})
    return settings


# --- stage metrics --------------------------------------------------------------------


METRIC_PLACE = ["stage", "period"]
METRIC_COUNTS = ["entered", "progressed"]


def _shown_counts(metric: StageMetric, threshold: int) -> dict[str, str]:
    """The counts as history may keep them: suppressed like everywhere else, never raw."""
    row = safe_row(MetricRow(metric.stage_id, metric.period, metric.entered, metric.progressed), threshold)
    return {"entered": str(row.entered), "progressed": str(row.progressed)}


def _metric_label(metric: StageMetric, threshold: int) -> str:
    counts = _shown_counts(metric, threshold)
    return f"{metric}: {counts['entered']} entered, {counts['progressed']} progressed"


def _metric_history(*, locked: Journey, actor: AbstractBaseUser, action: str, metric: StageMetric, threshold: int,
                    before: dict | None = None, after: dict | None = None) -> None:
    history_record(journey=locked, actor=actor, action=action, entity="stage_metric", obj=metric, before=before,
                   after=after, label=_metric_label(metric, threshold))


def _metric_save(*, locked: Journey, actor: AbstractBaseUser, metric: StageMetric, entered: int, progressed: int,
                 threshold: int) -> bool:
    """Sets a metric's counts and writes the change to the map's history; False when nothing changed."""
    raw_before = snapshot(metric, METRIC_COUNTS) if metric.pk else None
    if raw_before == {"entered": entered, "progressed": progressed}:
        return False
    before = _shown_counts(metric, threshold) if metric.pk else None
    metric.entered, metric.progressed, metric.updated_by = entered, progressed, actor
    metric.version += 1
    metric.full_clean(validate_constraints=False)  # the unique month is settled by the insert below
    try:
        with transaction.atomic():
            metric.save()
    except IntegrityError:
        raise Conflict("Someone saved counts for this stage and month at the same moment. "
                       "Reload and try again.") from None
    after = _shown_counts(metric, threshold)
    if before is None:
        _metric_history(locked=locked, actor=actor, action=ChangeAction.CREATE, metric=metric, threshold=threshold,
                        after=snapshot(metric, METRIC_PLACE) | after)
    else:
        changed = [name for name in METRIC_COUNTS if before[name] != after[name]]  # as shown: small stays hidden
        _metric_history(locked=locked, actor=actor, action=ChangeAction.UPDATE, metric=metric, threshold=threshold,
                        before={name: before[name] for name in changed}, after={name: after[name] for name in changed})
    return True


@transaction.atomic
def stage_metric_record(
    *, actor: AbstractBaseUser, journey: Journey, stage: Stage, period: date, entered: int, progressed: int,
    replaces: int | None = None,
) -> StageMetric:
    """Sets the counts of one stage in one month. Counts already saved for that month are replaced only when
    `replaces` names their version: anything else is someone else's work, and a `Conflict`."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    if stage.journey_id != journey.pk:
        raise ApplicationError("That stage is not part of this map.")
    metric = StageMetric.objects.select_for_update().filter(stage=stage, period=period).first()
    if metric is not None and metric.version != replaces:
        raise Conflict(f"Counts for {metric} were already saved"
                       + (" by someone else meanwhile." if replaces else "."), current=metric)
    metric = metric or StageMetric(journey=locked, stage=stage, period=period, version=0)
    _metric_save(locked=locked, actor=actor, metric=metric, entered=entered, progressed=progressed,
                 threshold=threshold_get(workspace_id=locked.workspace_id))
    return metric


@transaction.atomic
def stage_metric_delete(*, actor: AbstractBaseUser, journey: Journey, metric_id: int) -> Deletion:
    """Deletes one month's counts softly: one change in the map's history, restorable from Activity."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    metric = StageMetric.objects.select_related("stage").filter(journey=locked, pk=metric_id).first()
    if metric is None:
        raise ApplicationError("Those counts were already deleted.")
    threshold = threshold_get(workspace_id=locked.workspace_id)
    return delete_recorded(actor=actor, journey=locked, root=metric, entity="stage_metric",
                           before=snapshot(metric, METRIC_PLACE) | _shown_counts(metric, threshold),
                           label=_metric_label(metric, threshold))


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0


@transaction.atomic
def stage_metrics_import(*, actor: AbstractBaseUser, journey: Journey, data: bytes) -> ImportResult:
    """Loads a CSV of stage,period,entered,progressed. Every row is checked first; any bad row and nothing changes.

    The whole file is one revision of the map; only the rows whose counts change are saved and recorded.
    """
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    stages: dict[str, int] = {}
    ambiguous = set()
    for pk, name in locked.stages.values_list("pk", "name"):
        key = name.strip().casefold()
        if key in stages:
            ambiguous.add(key)
        stages.setdefault(key, pk)
    rows, problems = parse_metrics_csv(data, stages=stages, ambiguous=frozenset(ambiguous))
    if problems:
        bad = sum(1 for p in problems if p.line)
        message = (f"Nothing was imported: {bad} row{'s' if bad != 1 else ''} need{'s' if bad == 1 else ''} fixing."
                   if bad and all(p.line > 1 for p in problems) else f"Nothing was imported: {problems[0]}")
        raise MetricsFileRejected(message, problems=problems)
    existing = {(m.stage_id, m.period): m
                for m in StageMetric.objects.select_for_update().select_related("stage").filter(journey=locked)}
    created = updated = unchanged = 0
    threshold = threshold_get(workspace_id=locked.workspace_id)
    for row in rows:
        metric = existing.get((row.stage_id, row.period))
        is_new = metric is None
        if is_new:
            metric = StageMetric(journey=locked, stage_id=row.stage_id, period=row.period, version=0)
        try:
            changed = _metric_save(locked=locked, actor=actor, metric=metric, entered=row.entered,
                                   progressed=row.progressed, threshold=threshold)
        except ValidationError as error:  # the parser already checked; this is the last line of defence
            raise MetricsFileRejected("Nothing was imported.", problems=[Problem(row.line, "; ".join(error.messages))])
        if is_new:
            created += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


# --- designed vs observed ---------------------------------------------------------------


@transaction.atomic
def journey_observe(*, actor: AbstractBaseUser, designed: Journey, title: str = "") -> Journey:
    """A new observed journey of `designed`, starting as a copy of its stages, lanes and cards.

    Built through `maps.services`, so every row is validated and recorded in the new map's history.
    """
    role_require(user=actor, workspace_id=designed.workspace_id)
    if designed.kind != JourneyKind.DESIGNED:
        raise ApplicationError("Only a designed journey can be observed: this map is "
                               f"{designed.get_kind_display().lower()}.")
    observed = map_services.journey_create(
        actor=actor, workspace=designed.workspace, title=(title or f"{designed.title} (observed)")[:200],
        template="blank", persona=designed.persona, kind=JourneyKind.OBSERVED, observes=designed,
        description=f"What users really do, observed against “{designed.title}”.",
    )
    stage_map = _copy_axis(actor=actor, source=list(designed.stages.all()), target=observed, axis="stage")
    lane_map = _copy_axis(actor=actor, source=list(designed.lanes.all()), target=observed, axis="lane")
    cards = designed.cards.filter(deleted_at=None).select_related(
        "userstate", "touchpoint", "frictionpoint", "opportunity", "transition"
    ).order_by("stage__position", "lane__position", "position", "id")
    copies: dict[int, object] = {}
    for card in sorted(cards, key=lambda c: c.kind != LaneKind.HANDOFFS):  # handoffs first: fixes point at them
        detail = card_detail(card)
        data = {name: getattr(detail, name) for name in map_services.card_fields(type(detail))}
        if "to_stage" in data and data["to_stage"] is not None:
            data["to_stage"] = stage_map.get(data["to_stage"].pk)
        if "handoff" in data and data["handoff"] is not None:
            data["handoff"] = copies.get(data["handoff"].pk)
        copies[card.pk] = map_services.card_create(actor=actor, journey=observed, stage_id=stage_map[card.stage_id].pk,
                                                   lane_id=lane_map[card.lane_id].pk, data=data)
    observed.refresh_from_db()
    return observed


def _copy_axis(*, actor, source: list, target: Journey, axis: str) -> dict[int, object]:
    """Makes the target's stages (or lanes) those of `source`, in order; returns source pk -> new row."""
    model_fields = map_services.STAGE_FIELDS if axis == "stage" else map_services.LANE_FIELDS
    update = map_services.stage_update if axis == "stage" else map_services.lane_update
    create = map_services.stage_create if axis == "stage" else map_services.lane_create
    first = (target.stages if axis == "stage" else target.lanes).get()  # the blank template's only one
    mapping = {}
    for index, item in enumerate(source):
        data = {name: getattr(item, name) for name in model_fields}
        if index == 0:
            mapping[item.pk] = update(actor=actor, **{axis: first}, version=first.version, data=data)
        else:
            mapping[item.pk] = create(actor=actor, journey=target, data=data)
    return mapping


# --- event logs ------------------------------------------------------------------------------
# An import reads a de-identified event log once, keeps only the suppressed aggregates
# (`EventImport.result`), writes the months' stage counts into the observed journey, and deletes
# the file. Case ids never reach the database: DuckDB hashes them on read and they stay there.

EVENT_FILE_KINDS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
PROGRESS_CLAIMED, PROGRESS_AGGREGATED, PROGRESS_DONE = 10, 85, 100


def event_file_kind(filename: str) -> str:
    for suffix, kind in EVENT_FILE_KINDS.items():
        if filename.lower().endswith(suffix):
            return kind
    raise ApplicationError("An event log must be a .csv or .parquet file.")


def _designed_for_import(*, actor: AbstractBaseUser, journey: Journey) -> None:
    role_require(user=actor, workspace_id=journey.workspace_id)
    if journey.kind != JourneyKind.DESIGNED:
        raise ApplicationError("Event logs are imported into a designed journey: the observed one is derived "
                               f"from them. This map is {journey.get_kind_display().lower()}.")


@transaction.atomic
def event_import_create(*, actor: AbstractBaseUser, journey: Journey, filename: str, upload=None,
                        return_gap_days: int = 7, enqueue: bool = True) -> EventImport:
    """Records an import of `upload` (a Django File) into `journey` and hands it to a worker once committed.

    The command passes no upload (it reads its own file, which it never deletes) and `enqueue=False`.
    """
    _designed_for_import(actor=actor, journey=journey)
    job = EventImport(workspace_id=journey.workspace_id, journey=journey, requested_by=actor,
                      filename=filename[-200:], file_kind=event_file_kind(filename), return_gap_days=return_gap_days)
    job.full_clean(exclude=["upload"])
    if upload is not None:
        job.upload.save(f"{uuid.uuid4().hex}.{job.file_kind}", upload, save=False)
    try:
        with transaction.atomic():
            job.save()
    except Exception:
        if job.upload:
            job.upload.storage.delete(job.upload.name)  # a job that was never recorded keeps no file
        raise
    if enqueue:
        job_id = job.pk
        transaction.on_commit(lambda: tasks.import_events_enqueue(job_id))
    return job


def event_import_run(*, import_id: int, path: str | None = None) -> EventImport | None:
    """Runs the import if nobody else is: claim, aggregate (outside any transaction), store, delete the file.

    Idempotent: a finished job is left as it is; a job another worker holds is left to it.
    """
    job = _import_claim(import_id=import_id)
    if job is None:
        return EventImport.objects.filter(pk=import_id).first()
    stages = list(job.journey.stages.order_by("position", "pk"))
    names = [s.name for s in stages]
    index = {s.pk: i for i, s in enumerate(stages)}
    overrides = {m.step: (index[m.stage_id] if m.stage_id else events.IGNORE)
                 for m in job.journey.step_mappings.all() if m.stage_id is None or m.stage_id in index}
    threshold = threshold_get(workspace_id=job.workspace_id)
    if not path and not job.upload:
        return _import_finish(job, status=ImportStatus.FAILED, error="The uploaded file is gone: upload it again.")
    try:
        aggregates = events.aggregate_events(
            path or job.upload.path, kind=job.file_kind, stage_of=events.stage_matcher(names, overrides),
            stage_count=len(names), threshold=threshold, return_gap=timedelta(days=job.return_gap_days),
            progress=lambda percent: _import_progress(job, percent))
    except events.EventLogRejected as error:
        return _import_finish(job, status=ImportStatus.FAILED, error=str(error), error_line=error.line or None)
    except Exception as error:  # noqa: BLE001 -- the job must say it failed, in words
        logger.exception("Event import %s failed", import_id)
        return _import_finish(job, status=ImportStatus.FAILED, error=f"The import failed: {error}.")
    _import_progress(job, PROGRESS_AGGREGATED)
    try:
        observed = _observed_apply(job=job, stages=stages, aggregates=aggregates)
    except ApplicationError as error:
        return _import_finish(job, status=ImportStatus.FAILED, error=error.message)
    return _import_finish(job, status=ImportStatus.DONE, result=events.to_store(aggregates, names), observed=observed)


@transaction.atomic
def event_imports_requeue_stuck() -> int:
    """Imports whose worker died (queued or running, no sign of life for EVENT_IMPORT_STUCK_AFTER seconds) are
    queued again; one that has had EVENT_IMPORT_MAX_ATTEMPTS attempts is failed, in words, its file deleted.

    Run every minute by Celery beat, or by the in-process scheduler without Redis. Idempotent: a job queued
    again shows life now, so a second run (or a second scheduler, which skips the rows this one holds)
    leaves it alone; and only one claim of a job can run it (`_import_claim`).
    """
    now = timezone.now()
    stuck = EventImport.objects.select_for_update(skip_locked=True).filter(
        status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING], alive_at__lt=_stale(now))
    count = 0
    for job in stuck:
        count += 1
        if job.attempts >= settings.EVENT_IMPORT_MAX_ATTEMPTS:
            _import_give_up(job, now=now)
            continue
        if job.status == ImportStatus.RUNNING:
            job.error = "The worker stopped before finishing; trying again."
        job.status, job.progress, job.alive_at = ImportStatus.QUEUED, 0, now
        job.save(update_fields=["status", "progress", "alive_at", "error"])
        job_id = job.pk
        transaction.on_commit(lambda job_id=job_id: tasks.import_events_enqueue(job_id))
    return count


def _stale(now):
    return now - timedelta(seconds=settings.EVENT_IMPORT_STUCK_AFTER)


def _import_give_up(job: EventImport, *, now) -> None:
    """Fails a job that kept losing its worker (the caller holds its row), and deletes its file once committed."""
    name = job.upload.name if job.upload else ""
    times = {1: "once", 2: "twice"}.get(job.attempts, f"{job.attempts} times")
    job.error = (f"The import stopped {times} before finishing (its worker was stopped, or ran out of memory or "
                 "time), so it was given up and the uploaded file deleted. Upload the log again; if it stops "
                 "again, import it in smaller parts.")
    job.status, job.progress, job.finished_at, job.upload = ImportStatus.FAILED, 0, now, ""
    job.save(update_fields=["status", "progress", "finished_at", "upload", "error"])
    if name:
        storage = job.upload.storage
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def _import_claim(*, import_id: int) -> EventImport | None:
    """The job, now running under a new attempt of this caller's; None if it is not this caller's to run."""
    job = EventImport.objects.select_for_update().select_related("journey").filter(pk=import_id).first()
    if job is None or job.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return None  # finished already: a message delivered twice
    now = timezone.now()
    if job.status == ImportStatus.RUNNING and job.alive_at >= _stale(now):
        return None  # another worker is running it
    if job.attempts >= settings.EVENT_IMPORT_MAX_ATTEMPTS:
        _import_give_up(job, now=now)  # a message Redis delivered again after its worker died, once too often
        return None
    job.status, job.started_at, job.alive_at, job.progress, job.attempts = \
        ImportStatus.RUNNING, now, now, PROGRESS_CLAIMED, job.attempts + 1
    job.save(update_fields=["status", "started_at", "alive_at", "progress", "attempts"])
    return job


def _import_progress(job: EventImport, percent: int) -> None:
    EventImport.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, attempts=job.attempts).update(
        progress=percent, alive_at=timezone.now())


def _import_finish(job: EventImport, *, status: str, error: str = "", error_line: int | None = None,
                   result: dict | None = None, observed: Journey | None = None) -> EventImport:
    """Records the outcome of this attempt, unless the job was given to another one meanwhile (then its own
    outcome, and the file it still needs, are left to it)."""
    name = job.upload.name if job.upload else ""
    mine = EventImport.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, attempts=job.attempts).update(
        status=status, error=error, error_line=error_line, result=result, observed=observed, upload="",
        progress=PROGRESS_DONE if status == ImportStatus.DONE else 0, finished_at=timezone.now())
    if name and mine:
        job.upload.storage.delete(name)  # the rows are gone with it: only the aggregates stay
    job.refresh_from_db()
    return job


@transaction.atomic
def _observed_apply(*, job: EventImport, stages: list[Stage], aggregates: "events.EventAggregates") -> Journey:
    """The observed journey of the designed map (created on the first import), with the months' stage counts.

    Only months whose counts may all be shown are written: a suppressed count is never stored.
    """
    actor = job.requested_by
    if actor is None:
        raise ApplicationError("The person who asked for this import is no longer a member.")
    designed = job.journey
    previous = EventImport.objects.filter(journey=designed, status=ImportStatus.DONE, observed__isnull=False
                                          ).exclude(pk=job.pk).order_by("-finished_at").first()
    observed = previous.observed if previous else None
    if observed is None:
        observed = Journey.objects.filter(observes=designed, kind=JourneyKind.OBSERVED).order_by("-pk").first()
    if observed is None:
        observed = journey_observe(actor=actor, designed=designed)
    locked = journey_change_begin(actor=actor, journey_id=observed.pk)
    observed_stages = {}
    for stage in locked.stages.all():
        observed_stages.setdefault(stage_key(stage.name), stage)
    existing = {(m.stage_id, m.period): m for m in StageMetric.objects.select_for_update().filter(journey=locked)}
    threshold = aggregates.threshold
    for (index, month), counts in sorted(aggregates.monthly.items()):
        target = observed_stages.get(stage_key(stages[index].name))
        if target is None or counts["entered"] is None or counts["progressed"] is None:
            continue
        metric = existing.get((target.pk, month)) or StageMetric(journey=locked, stage=target, period=month, version=0)
        _metric_save(locked=locked, actor=actor, metric=metric, entered=counts["entered"],
                     progressed=counts["progressed"], threshold=threshold)
    return locked


@transaction.atomic
def step_mapping_set(*, actor: AbstractBaseUser, journey: Journey, step: str, stage: Stage | None) -> StepMapping:
    """Maps a step name of this map's event logs to one of its stages, or (stage None) ignores it."""
    _designed_for_import(actor=actor, journey=journey)
    key = events.step_key(step)
    if not key:
        raise ApplicationError("Name the step to map.")
    if stage is not None and stage.journey_id != journey.pk:
        raise ApplicationError("That stage is not part of this map.")
    mapping = StepMapping.objects.select_for_update().filter(journey=journey, step=key).first() \
        or StepMapping(journey=journey, step=key)
    mapping.stage = stage
    mapping.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise Conflict("Someone mapped this step at the same moment. Reload and try again.") from None
    return mapping


@transaction.atomic
def step_mapping_delete(*, actor: AbstractBaseUser, journey: Journey, mapping_id: int) -> Deletion | None:
    """Forgets how one step maps (softly, recorded in the map's history); None when it was already forgotten."""
    _designed_for_import(actor=actor, journey=journey)
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    mapping = StepMapping.objects.select_related("stage").filter(journey=locked, pk=mapping_id).first()
    if mapping is None:
        return None
    return delete_recorded(actor=actor, journey=locked, root=mapping, entity="step_mapping",
                           before={"step": mapping.step, "stage": str(mapping.stage) if mapping.stage else ""})


# --- evidence behind claims ----------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, actor: AbstractBaseUser, journey: Journey, card_id: int, kind: str, summary: str, source: str,
                 observed_on: date) -> Evidence:
    """Backs a claim (a friction point, user state or touchpoint of this map) with one piece of evidence."""
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    card = locked.cards.filter(pk=card_id, deleted_at=None).first()
    if card is None:
        raise ApplicationError("That card is not on this map (it may have been deleted).")
    evidence = Evidence(journey=locked, card=card, kind=kind, summary=summary.strip(), source=source.strip(),
                        observed_on=observed_on, created_by=actor)
    try:
        evidence.full_clean()
    except ValidationError as error:
        raise ApplicationError("This evidence was not added: " + " ".join(error.messages)) from None
    evidence.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="evidence", obj=evidence,
                   after={"card": card.title, "kind": kind, "source": evidence.source,
                          "observed_on": observed_on.isoformat()}, label=str(evidence))
    return evidence


@transaction.atomic
def evidence_delete(*, actor: AbstractBaseUser, journey: Journey, evidence_id: int) -> Deletion:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    evidence = Evidence.objects.select_related("card").filter(journey=locked, pk=evidence_id).first()
    if evidence is None:
        raise ApplicationError("That evidence was already removed.")
    return delete_recorded(actor=actor, journey=locked, root=evidence, entity="evidence",
                           before={"card": evidence.card.title, "kind": evidence.kind, "source": evidence.source},
                           label=str(evidence))
