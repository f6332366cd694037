"""Aggregated stage metrics and the per-workspace privacy setting.

Only counts are stored: how many people entered a stage in a month and how many of
them progressed to the next stage. No per-person data is accepted anywhere.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from maps.models import Journey, SoftDeletable, Stage
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
            models.UniqueConstraint(fields=["stage", "period"], name="one_metric_per_stage_and_period"),
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
