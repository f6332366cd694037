"""Import a map from a file; download a map as JSON, .ojf or spreadsheets."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError, NotFound
from maps.selectors import journey_get
from workspaces.models import Role
from workspaces.selectors import membership_get, role_require, workspace_get

from . import services
from .formats import export_format_get
from .forms import MapImportForm
from .tables import CSV_TABLES, csv_table

# The formats rendered here, while the request waits; the others (pdf, svg, png) are export jobs.
DIRECT_FORMATS = ("json", "ojf", "csv")


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def map_import(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    role_require(user=request.user, workspace_id=workspace.pk)
    form = MapImportForm(request.POST, request.FILES) if request.method == "POST" else MapImportForm()
    context = {"workspace": workspace, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return TemplateResponse(request, "interchange/import.html", context, status=422)
        upload = form.cleaned_data["file"]
        try:
            result = services.map_file_import(actor=request.user, workspace=workspace, data=upload.read(),
                                              filename=upload.name)
        except ApplicationError as error:
            if error.status_code != 400:
                raise
            context["error"] = error.message
            return TemplateResponse(request, "interchange/import.html", context, status=422)
        context["result"] = result
    return TemplateResponse(request, "interchange/import.html", context)


@login_required
@require_GET
def exports(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    membership = membership_get(user=request.user, workspace_id=journey.workspace_id)
    context = {"journey": journey, "formats": [export_format_get(name) for name in DIRECT_FORMATS],
               "tables": list(CSV_TABLES), "is_owner": membership is not None and membership.role == Role.OWNER}
    template = "interchange/exports.html#exports" if request.htmx else "interchange/exports.html"
    return TemplateResponse(request, template, context)


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int, format_name: str) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    if format_name not in DIRECT_FORMATS:
        raise NotFound("No such download.")
    export_format = export_format_get(format_name)
    return _attachment(export_format.render(journey.pk), content_type=export_format.content_type,
                       filename=f"{slugify(journey.title) or 'map'}.{export_format.extension}")


@login_required
@require_GET
def table_download(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    if table not in CSV_TABLES:
        raise NotFound("No such table.")
    return _attachment(csv_table(journey, table), content_type="text/csv; charset=utf-8",
                       filename=f"{slugify(journey.title) or 'map'}-{table}.csv")


@login_required
@require_POST
def backup_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The owners' full backup (raw counts): a POST, since taking one is written to the workspace record."""
    journey = journey_get(user=request.user, pk=pk)
    data = services.journey_backup(actor=request.user, journey=journey)
    return _attachment(data, content_type="application/json",
                       filename=f"{slugify(journey.title) or 'map'}-FULL-BACKUP-raw-counts.json")
