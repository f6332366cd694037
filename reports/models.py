"""Export jobs: one map rendered to one format, in the background.

A job is keyed by (map, format, map revision): asking again for the same revision and
format gets the same job (and its file) instead of a second render. Only a failed job
can be asked for again, which makes a new job.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from maps.models import Journey, SoftDeletable
from workspaces.models import Workspace


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def export_artifact_path(job: "ExportJob", filename: str) -> str:
    # One folder per workspace: a workspace's files can be found, moved or removed together.
    return f"exports/workspace-{job.workspace_id}/{filename}"


class ExportJob(SoftDeletable):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="export_jobs")
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="export_jobs")
    format = models.CharField(max_length=40)
    journey_revision = models.PositiveIntegerField(help_text="The map revision this job renders.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    error = models.TextField(blank=True)
    artifact = models.FileField(upload_to=export_artifact_path, max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(help_text="When the job was last handed to a worker.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "format", "journey_revision"],
                condition=~Q(status="failed"),
                name="one_export_per_map_revision_and_format",
                violation_error_message="This revision of the map is already being exported to this format.",
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.journey} r{self.journey_revision} as {self.format} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def filename(self) -> str:
        return self.artifact.name.rsplit("/", 1)[-1] if self.artifact else ""
