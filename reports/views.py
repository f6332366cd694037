"""Views parse input, call one service (or read through selectors) and choose a template.

The exports page answers HTMX with the region it changed and a plain request with the
whole page or a redirect, so starting an export works without JavaScript too.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ApplicationError
from interchange.formats import EXPORT_FORMATS
from maps import selectors as map_selectors

from . import selectors, services

EXPORTS = "reports/exports.html"


def _exports_url(journey_id: int, job_id: int | None = None) -> str:
    return reverse("reports:exports", args=[journey_id]) + (f"#export-{job_id}" if job_id else "")


def _exports_page(request: HttpRequest, journey, *, error: ApplicationError | None = None, chosen: str = "",
                  status: int = 200) -> TemplateResponse:
    template = f"{EXPORTS}#exports" if request.htmx else EXPORTS
    return TemplateResponse(request, template, {
        "journey": journey,
        "formats": sorted(EXPORT_FORMATS.values(), key=lambda f: f.label),
        "chosen": chosen,
        "error": error,
        "jobs": selectors.export_jobs_for_journey(journey=journey),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def exports(request: HttpRequest, pk: int) -> HttpResponse:
    journey = map_selectors.journey_get(user=request.user, pk=pk)
    if request.method == "GET":
        return _exports_page(request, journey)
    chosen = request.POST.get("format", "")
    try:
        job = services.export_job_request(actor=request.user, journey_id=journey.pk, format=chosen)
    except ApplicationError as error:
        if error.status_code != 400:
            raise
        return _exports_page(request, journey, error=error, chosen=chosen, status=422)
    if not request.htmx:
        return redirect(_exports_url(journey.pk, job.pk))
    return _exports_page(request, journey, chosen=job.format)


@login_required
@require_GET
def export_job(request: HttpRequest, job_pk: int) -> HttpResponse:
    """One job's row: what the progress bar polls until the job is done or failed."""
    job = selectors.export_job_get(user=request.user, pk=job_pk)
    if not request.htmx:
        return redirect(_exports_url(job.journey_id, job.pk))
    return TemplateResponse(request, f"{EXPORTS}#job", {"job": job})


@login_required
@require_GET
def export_download(request: HttpRequest, job_pk: int) -> FileResponse:
    job = selectors.export_artifact_get(user=request.user, pk=job_pk)
    export_format = EXPORT_FORMATS.get(job.format)
    return FileResponse(
        job.artifact.open("rb"), as_attachment=True, filename=job.filename,
        content_type=export_format.content_type if export_format else "application/octet-stream",
    )
