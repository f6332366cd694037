"""Changes made by the diagnostics layer. Same conventions as `maps.services`:
keyword-only, typed, atomic, `full_clean()` before save. Stage metrics are part of
the map: each call takes the map's lock and one new revision through
`journey_change_begin` and writes what changed to the map's history. Map rows (the
observed journey's stages, lanes and cards) are written only through `maps.services`.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import ApplicationError, Conflict
from maps import services as map_services
from maps.models import ChangeAction, Journey, JourneyKind, LaneKind, Stage
from maps.selectors import card_detail
from maps.services import history_record, journey_change_begin, snapshot
from workspaces.models import Role, Workspace
from workspaces.selectors import role_require

from .csv_import import Problem, parse_metrics_csv
from .metrics import MetricRow, safe_row
from .models import StageMetric, WorkspaceSettings
from .selectors import threshold_get


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
    settings.small_count_threshold = small_count_threshold
    settings.version += 1
    settings.full_clean()
    settings.save()
    return settings


# --- stage metrics --------------------------------------------------------------------


METRIC_PLACE = ["stage", "period"]
METRIC_COUNTS = ["entered", "progressed"]


def _shown_counts(metric: StageMetric, threshold: int) -> dict[str, str]:
    """The counts as history may keep them: suppressed like everywhere else, never raw."""
    row = safe_row(MetricRow(metric.stage_id, metric.period, metric.entered, metric.progressed), threshold)
    return {"entered": str(row.entered), "progressed": str(row.progressed)}


def _metric_history(*, locked: Journey, actor: AbstractBaseUser, action: str, metric: StageMetric, threshold: int,
                    before: dict | None = None, after: dict | None = None) -> None:
    counts = _shown_counts(metric, threshold)
    history_record(journey=locked, actor=actor, action=action, entity="stage_metric", obj=metric, before=before,
                   after=after, label=f"{metric}: {counts['entered']} entered, {counts['progressed']} progressed")


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
def stage_metric_delete(*, actor: AbstractBaseUser, journey: Journey, metric_id: int) -> None:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    metric = StageMetric.objects.select_related("stage").filter(journey=locked, pk=metric_id).first()
    if metric is None:
        raise ApplicationError("Those counts were already deleted.")
    threshold = threshold_get(workspace_id=locked.workspace_id)
    _metric_history(locked=locked, actor=actor, action=ChangeAction.DELETE, metric=metric, threshold=threshold,
                    before=snapshot(metric, METRIC_PLACE) | _shown_counts(metric, threshold))
    metric.delete()


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
