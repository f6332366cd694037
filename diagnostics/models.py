"""Aggregated stage metrics and the per-workspace privacy setting.

Only counts are stored: how many people entered a stage in a month and how many of
them progressed to the next stage. No per-person data is accepted anywhere.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from maps.models import Card, Journey, LaneKind, SoftDeletable, Stage
from workspaces.models import Workspace

DEFAULT_SMALL_COUNT_THRESHOLD = 11


class WorkspaceSettings(models.Model):
    """Diagnostics settings of a workspace (kept here so `workspaces` stays unaware of this layer)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="diagnostics_settings")
    small_count_threshold = models.PositiveSmallIntegerField(
        "small-count threshold",
        default=DEFAULT_SMALL_COUNT_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="Counts below this are shown as “fewer than N” and left out of every rate and chart.",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return f"Diagnostics settings of {self.workspace}"


class StageMetric(SoftDeletable):
    """How many people entered a stage in a month, and how many of them progressed to the next."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stage_metrics")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="metrics")
    period = models.DateField(help_text="The month, stored as its first day.")
    entered = models.PositiveIntegerField()
    progressed = models.PositiveIntegerField(help_text="Of those who entered, how many went on to the next stage.")
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "stage__position"]
        constraints = [
            # A deleted month's counts wait for a restore without blocking new counts for that month.
            models.UniqueConstraint(fields=["stage", "period"], condition=models.Q(deletion=None),
                                    name="one_metric_per_stage_and_period"),
            models.CheckConstraint(condition=models.Q(progressed__lte=models.F("entered")),
                                   name="progressed_not_above_entered"),
        ]
        indexes = [models.Index(fields=["journey", "period"])]

    def __str__(self) -> str:  # no counts: a small one must never be shown (see `metrics.safe_row`)
        return f"{self.stage} · {self.period:%b %Y}"

    def clean(self) -> None:
        errors = {}
        if self.stage_id and self.journey_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.period and self.period.day != 1:
            errors["period"] = "A period is a month: use its first day."
        if self.entered is not None and self.progressed is not None and self.progressed > self.entered:
            errors["progressed"] = "More people cannot progress than entered the stage."
        if errors:
            raise ValidationError(errors)


# --- event logs -------------------------------------------------------------------------------


class StepMapping(SoftDeletable):
    """How one step name of a map's event logs maps to one of its stages (or is deliberately ignored).

    `step` is the name as compared: trimmed, inner spaces collapsed, case-folded. A step with no
    mapping row is matched to the stage of the same name; with none, it is reported as unknown.
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="step_mappings")
    step = models.CharField(max_length=200)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              help_text="Empty: the step is ignored.")

    class Meta:
        ordering = ["step"]
        constraints = [models.UniqueConstraint(fields=["journey", "step"], condition=models.Q(deletion=None),
                                               name="one_mapping_per_step")]

    def __str__(self) -> str:
        return f"{self.step} → {self.stage or 'ignored'}"

    def clean(self) -> None:
        if self.stage_id and self.journey_id and self.stage.journey_id != self.journey_id:
            raise ValidationError({"stage": "That stage belongs to another map."})
        if not self.step.strip():
            raise ValidationError({"step": "Name the step."})


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def event_log_path(job: "EventImport", filename: str) -> str:
    return f"event-logs/workspace-{job.workspace_id}/{filename}"


class EventImport(SoftDeletable):
    """One event log imported into a designed map: only suppressed aggregates are kept (`result`).

    The uploaded file lives in `upload` only until the job has run; then it is deleted.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="event_imports")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="event_imports")
    observed = models.ForeignKey(Journey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 help_text="The observed journey this import wrote.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(max_length=200)
    file_kind = models.CharField(max_length=10, choices=[("csv", "CSV"), ("parquet", "Parquet")])
    upload = models.FileField(upload_to=event_log_path, max_length=300, blank=True)
    return_gap_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1),
                                                                              MaxValueValidator(365)])
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    error = models.TextField(blank=True)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="The suppressed aggregates; never a case id.")
    attempts = models.PositiveSmallIntegerField(default=0)
    # The last sign of life: queued, claimed by a worker, or a step of progress. A job queued or running with
    # none for EVENT_IMPORT_STUCK_AFTER seconds has lost its worker (see `event_imports_requeue_stuck`).
    alive_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} into {self.journey} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


# --- evidence behind claims ------------------------------------------------------------------------

# The cards that make a claim about users: a friction point, a user state, a touchpoint's expectation gap.
CLAIM_KINDS = (LaneKind.FRICTION, LaneKind.USER_STATE, LaneKind.TOUCHPOINTS)


class EvidenceKind(models.TextChoices):
    METRIC = "metric", "Metric"
    EVENT_LOG = "event_log", "Event-log finding"
    RESEARCH = "research", "Research note or quote"
    SUPPORT = "support", "Support contact volume"
    SURVEY = "survey", "Survey"


class Evidence(SoftDeletable):
    """One piece of evidence behind a claim on the map. A claim with none is “assumed”; with some, “backed”."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="evidence")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="evidence_items")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    summary = models.TextField(max_length=2000, help_text="What it shows, e.g. “38% of callers ask where the link is”.")
    source = models.CharField(max_length=300, help_text="Where it comes from: a dashboard, a study, a ticket query.")
    observed_on = models.DateField("date", help_text="When it was measured or heard.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for “{self.card}” ({self.observed_on:%d %b %Y})"

    def clean(self) -> None:
        from django.utils import timezone

        errors = {}
        if self.card_id and self.journey_id and self.card.journey_id != self.journey_id:
            errors["card"] = "That card belongs to another map."
        elif self.card_id and self.card.kind not in CLAIM_KINDS:
            errors["card"] = "Evidence backs a friction point, a user state or a touchpoint."
        if self.observed_on and self.observed_on > timezone.localdate():
            errors["observed_on"] = "Evidence cannot come from the future."
        if errors:
            raise ValidationError(errors)
