"""Reads of export jobs, always scoped to the workspaces of the person asking."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from core.errors import NotFound
from maps.models import Journey

from .models import ExportJob, ExportStatus

RECENT_EXPORTS = 10


def export_jobs_for_user(*, user: AbstractBaseUser) -> QuerySet[ExportJob]:
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(workspace__memberships__user=user).select_related("journey", "workspace")


def export_job_get(*, user: AbstractBaseUser, pk: int) -> ExportJob:
    try:
        return export_jobs_for_user(user=user).get(pk=pk)
    except ExportJob.DoesNotExist:
        raise NotFound("No such export.") from None


def export_jobs_for_journey(*, journey: Journey, limit: int = RECENT_EXPORTS) -> list[ExportJob]:
    """The map's latest exports, newest first (the journey was read through a scoped selector)."""
    return list(journey.export_jobs.select_related("requested_by")[:limit])


def export_artifact_get(*, user: AbstractBaseUser, pk: int) -> ExportJob:
    """A finished export whose file can be downloaded by this member of its workspace."""
    job = export_job_get(user=user, pk=pk)
    if job.status != ExportStatus.DONE or not job.artifact:
        raise NotFound("This export has no file yet.")
    return job
