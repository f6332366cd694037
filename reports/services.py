"""Export jobs: ask for one, render it in a worker, clean up old files.

`export_job_request` is idempotent: the same map revision and format give the same job.
`export_job_run` is what a worker calls; it can be called twice for one job (a message
delivered again after its worker died) and renders only while it holds the job.
"""

import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from core.errors import ApplicationError
from interchange.formats import export_format_get
from maps import selectors as map_selectors

from . import tasks
from .errors import TransientExportError
from .models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)


# What a renderer may raise when something outside it hiccups; anything else fails at once.
TRANSIENT_ERRORS = (TransientExportError, OperationalError, InterfaceError, ConnectionError, TimeoutError)

PROGRESS_CLAIMED = 10
PROGRESS_RENDERED = 80
PROGRESS_DONE = 100


@transaction.atomic
def export_job_request(*, actor: AbstractBaseUser, journey_id: int, format: str) -> ExportJob:
    """The export of the map's current revision to `format`, started if it was not already.

    Any member may export (it changes nothing). A job that failed is the only one asked
    for again; a job whose worker died is handed to a worker again.
    """
    journey = map_selectors.journey_get(user=actor, pk=journey_id)
    export_format = export_format_get(format)
    live = ExportJob.objects.select_for_update().filter(
        journey=journey, format=export_format.name, journey_revision=journey.revision
    ).exclude(status=ExportStatus.FAILED)
    existing = live.first()
    if existing is not None:
        if _is_stuck(existing, now=timezone.now()):
            _requeue(existing, reason="The worker stopped before finishing; trying again.")
        return existing
    now = timezone.now()
    job = ExportJob(
        workspace_id=journey.workspace_id, journey=journey, format=export_format.name,
        journey_revision=journey.revision, requested_by=actor, queued_at=now,
    )
    job.full_clean()
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # someone asked for the same export a moment ago
        return live.get()
    job_id = job.pk
    transaction.on_commit(lambda: tasks.render_export_enqueue(job_id))
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Renders the job if nobody else is: claim, render through the format registry, store.

    Raises TransientExportError when the render should be tried again later (the job is
    queued again and says why); every other failure marks the job failed, in words.
    """
    job = _claim(job_id=job_id)
    if job is None:  # finished, held by another worker, or cleaned up meanwhile
        return ExportJob.objects.filter(pk=job_id).first()
    attempt = job.attempts
    try:
        export_format = export_format_get(job.format)
        content = export_format.render(job.journey_id)
        _set_progress(job, attempt=attempt, progress=PROGRESS_RENDERED)
        name = f"{slugify(job.journey.title) or 'map'}-r{job.journey_revision}.{export_format.extension}"
        job.artifact.save(name, ContentFile(content), save=False)
    except TRANSIENT_ERRORS as error:
        if attempt < settings.EXPORT_MAX_ATTEMPTS:
            _finish(job, attempt=attempt, status=ExportStatus.QUEUED,
                    error=f"Attempt {attempt} failed ({_reason(error)}); trying again.")
            raise TransientExportError(_reason(error)) from error
        return _finish(job, attempt=attempt, status=ExportStatus.FAILED,
                       error=f"The export failed {attempt} times; the last time: {_reason(error)}.")
    except SoftTimeLimitExceeded:
        return _finish(job, attempt=attempt, status=ExportStatus.FAILED,
                       error=f"The render took longer than {settings.EXPORT_SOFT_TIME_LIMIT} seconds and was stopped.")
    except ApplicationError as error:
        return _finish(job, attempt=attempt, status=ExportStatus.FAILED, error=error.message)
    except Exception as error:
        logger.exception("Export job %s failed", job_id)
        return _finish(job, attempt=attempt, status=ExportStatus.FAILED,
                       error=f"The {job.format} renderer failed: {_reason(error)}.")
    return _finish(job, attempt=attempt, status=ExportStatus.DONE, artifact=job.artifact.name)


@transaction.atomic
def export_jobs_requeue_stuck() -> int:
    """Hands jobs whose worker died (or whose message was lost) to a worker again."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_STUCK_AFTER)
    stuck = ExportJob.objects.select_for_update(skip_locked=True).filter(
        Q(status=ExportStatus.RUNNING, started_at__lt=stale) | Q(status=ExportStatus.QUEUED, queued_at__lt=stale)
    )
    count = 0
    for job in stuck:
        _requeue(job, reason="The worker stopped before finishing; trying again.")
        count += 1
    return count


@transaction.atomic
def export_jobs_clean(*, older_than: timedelta) -> int:
    """Deletes finished jobs older than `older_than`, and their files once that is committed."""
    cutoff = timezone.now() - older_than
    old = ExportJob.objects.select_for_update(skip_locked=True).filter(
        status__in=[ExportStatus.DONE, ExportStatus.FAILED], finished_at__lt=cutoff
    )
    names = [name for name in old.values_list("artifact", flat=True) if name]
    # Hard on purpose: a job is generated output, purged after its retention; the maps it rendered are untouched.
    count = ExportJob.objects.filter(pk__in=list(old.values_list("pk", flat=True))).delete()[0]
    storage = ExportJob._meta.get_field("artifact").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return count


# --- the mechanics --------------------------------------------------------------------------


def _reason(error: BaseException) -> str:
    return getattr(error, "message", None) or str(error) or type(error).__name__


def _is_stuck(job: ExportJob, *, now) -> bool:
    stale = now - timedelta(seconds=settings.EXPORT_STUCK_AFTER)
    if job.status == ExportStatus.RUNNING:
        return job.started_at is not None and job.started_at < stale
    return job.status == ExportStatus.QUEUED and job.queued_at < stale


def _requeue(job: ExportJob, *, reason: str) -> None:
    if job.status == ExportStatus.RUNNING:
        job.error = reason
    job.status, job.progress, job.queued_at = ExportStatus.QUEUED, 0, timezone.now()
    job.full_clean()
    job.save(update_fields=["status", "progress", "queued_at", "error"])
    job_id = job.pk
    transaction.on_commit(lambda: tasks.render_export_enqueue(job_id))


@transaction.atomic
def _claim(*, job_id: int) -> ExportJob | None:
    """The job, now running under a new attempt of this caller's; None if it is not this caller's to render."""
    job = ExportJob.objects.select_for_update().select_related("journey").filter(pk=job_id).first()
    if job is None or job.status in (ExportStatus.DONE, ExportStatus.FAILED):
        return None  # cleaned up meanwhile, or already finished: a message delivered twice
    now = timezone.now()
    if job.status == ExportStatus.RUNNING and not _is_stuck(job, now=now):
        return None  # another worker is rendering it
    if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
        job.status, job.finished_at = ExportStatus.FAILED, now
        job.error = f"Gave up after {job.attempts} attempts. {job.error}".strip()
        job.full_clean()
        job.save()
        return None
    job.status, job.started_at, job.progress = ExportStatus.RUNNING, now, PROGRESS_CLAIMED
    job.attempts += 1
    job.full_clean()
    job.save()
    return job


def _set_progress(job: ExportJob, *, attempt: int, progress: int) -> None:
    ExportJob.objects.filter(pk=job.pk, attempts=attempt, status=ExportStatus.RUNNING).update(progress=progress)


def _finish(job: ExportJob, *, attempt: int, status: str, error: str = "", artifact: str = "") -> ExportJob:
    """Records the outcome if this attempt still holds the job; a late attempt's file is dropped."""
    now = timezone.now()
    changes = {"status": status, "error": error, "progress": PROGRESS_DONE if status == ExportStatus.DONE else 0}
    if status == ExportStatus.QUEUED:
        changes["queued_at"] = now
    else:
        changes["finished_at"] = now
    if artifact:
        changes["artifact"] = artifact
    held = ExportJob.objects.filter(pk=job.pk, attempts=attempt, status=ExportStatus.RUNNING).update(**changes)
    if not held and artifact:
        job.artifact.storage.delete(artifact)
    job.refresh_from_db()
    return job
