"""Views parse input, call one service (or read through selectors) and choose a template.

An HTMX request gets the page's region (a template partial); a plain request gets the
whole page or a redirect, so every control works without JavaScript too.
"""

import csv
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from core.views import navigate, page_or_partial
from maps import rules
from maps import selectors as map_selectors
from workspaces.models import Role
from workspaces.selectors import can_edit, membership_get, role_require, workspace_get

from . import selectors, services
from .forms import (EventLogUploadForm, EvidenceForm, MetricsUploadForm, StageMetricForm, StepMappingForm,
                    WorkspaceSettingsForm)
from .metrics import percent

def _context(request: HttpRequest, journey, **extra: Any) -> dict[str, Any]:
    membership = membership_get(user=request.user, workspace_id=journey.workspace_id)
    return {"journey": journey,
            "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id, membership=membership),
            "review_overdue": rules.review_overdue(journey)} | extra


def _render(request: HttpRequest, page: str, region: str, context: dict, status: int = 200) -> TemplateResponse:
    return page_or_partial(request, f"diagnostics/{page}", region, context, status=status)


def _changed(request: HttpRequest, name: str, arg, context: Callable[[], dict], anchor: str = "") -> HttpResponse:
    """After a change on page `name` (its URL name, template and region): a plain form goes back to the page,
    an HTMX one gets the page's region again, drawn by `context()` (with what was saved)."""
    if not request.htmx:
        return redirect(reverse(f"diagnostics:{name}", args=[arg]) + anchor)
    return _render(request, f"{name}.html", name, context())


def _journey(request: HttpRequest, pk: int, *, edit: bool = False):
    journey = map_selectors.journey_get(user=request.user, pk=pk)
    if edit:
        role_require(user=request.user, workspace_id=journey.workspace_id)
    return journey


# --- the board panel ------------------------------------------------------------------


@login_required
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    pair = selectors.pair_get(user=request.user, journey=journey)
    return _render(request, "panel.html", "panel", _context(request, journey, **_panel_facts(journey), pair=pair))


def _panel_facts(journey) -> dict:
    return {"weakest": selectors.weakest_transition(journey=journey), "alarms": selectors.alarms_get(journey=journey)}


def panel_html(*, journey) -> str:
    """The board's panel as its URL answers HTMX, without a request: what a change event brings open boards."""
    return render_to_string("diagnostics/panel.html#panel", {
        "journey": journey, "review_overdue": rules.review_overdue(journey),
        "pair": selectors.pair_in_workspace(journey=journey), **_panel_facts(journey)})


# --- stage metrics ----------------------------------------------------------------------


def _metrics_context(request, journey, **extra):
    summary = selectors.metrics_summary(journey=journey)
    return _context(request, journey, summary=summary, percent=percent,
                    stage_rows=[(s, percent(s.conversion), percent(s.dropoff)) for s in summary.stages],
                    metrics=selectors.metrics_list(journey=journey)[:400],
                    form=extra.pop("form", None) or StageMetricForm(journey=journey),
                    upload_form=extra.pop("upload_form", None) or MetricsUploadForm(), **extra)


@login_required
@require_http_methods(["GET", "POST"])
def metrics(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=request.method == "POST")
    form = StageMetricForm(request.POST or None, journey=journey)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.stage_metric_record(actor=request.user, journey=journey, stage=data["stage"],
                                         period=data["period"], entered=data["entered"], progressed=data["progressed"],
                                         replaces=data["replaces"])
        except Conflict as conflict:  # theirs next to yours; saving again replaces the version now shown
            theirs, posted = conflict.current, request.POST.copy()
            posted["replaces"] = str(theirs.version) if theirs else ""
            form = StageMetricForm(posted, journey=journey)
            return _render(request, "metrics.html", "metrics", _metrics_context(
                request, journey, form=form, conflict=conflict,
                theirs=selectors.metric_shown(metric=theirs) if theirs else None), status=409)
        return _changed(request, "metrics", pk, lambda: _metrics_context(
            request, journey, saved=f"Saved the counts of {data['stage']} for {data['period']:%B %Y}."))
    return _render(request, "metrics.html", "metrics", _metrics_context(request, journey, form=form),
                   status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def metrics_upload(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=request.method == "POST")
    if request.method == "GET":
        return redirect(reverse("diagnostics:metrics", args=[pk]) + "#upload")
    upload_form = MetricsUploadForm(request.POST, request.FILES)
    if upload_form.is_valid():
        try:
            result = services.stage_metrics_import(actor=request.user, journey=journey,
                                                   data=upload_form.cleaned_data["file"].read())
        except services.MetricsFileRejected as error:
            return _render(request, "metrics.html", "metrics", _metrics_context(
                request, journey, upload_form=upload_form, upload_error=error), status=422)
        unchanged = f" ({result.unchanged} already up to date)" if result.unchanged else ""
        return _changed(request, "metrics", pk, lambda: _metrics_context(
            request, journey, saved=f"Imported {result.created} new and {result.updated} updated rows{unchanged}."))
    return _render(request, "metrics.html", "metrics", _metrics_context(request, journey, upload_form=upload_form),
                   status=422)


@login_required
@require_GET
def metrics_export(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stage-metrics-{journey.pk}.csv"'
    csv.writer(response).writerows(selectors.metrics_export_rows(journey=journey))
    return response


@login_required
@require_POST
def metric_delete(request: HttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=True)
    services.stage_metric_delete(actor=request.user, journey=journey, metric_id=metric_pk)
    return _changed(request, "metrics", pk, lambda: _metrics_context(request, journey, saved="Deleted."))


# --- designed vs observed ---------------------------------------------------------------


@login_required
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    try:
        observed_pk = int(request.GET.get("observed", ""))
    except ValueError:
        observed_pk = None
    pair = selectors.pair_get(user=request.user, journey=journey, observed_pk=observed_pk)
    result = None
    if pair.designed and pair.observed:
        result = selectors.side_by_side(designed=pair.designed, observed=pair.observed)
    return _render(request, "compare.html", "compare", _context(request, journey, pair=pair, result=result))


@login_required
@require_POST
def observe(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=True)
    observed = services.journey_observe(actor=request.user, designed=journey,
                                        title=request.POST.get("title", "").strip())
    url = reverse("maps:board", args=[observed.pk])
    return navigate(request, url)


# --- what to fix ------------------------------------------------------------------------


@login_required
@require_GET
def fixes(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    return _render(request, "fixes.html", "fixes", _context(request, journey,
                                                            fix_list=selectors.fix_list(journey=journey)))


@login_required
@require_GET
def first_fix(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    reports = selectors.transitions_ranked(journey=journey)
    return _render(request, "first_fix.html", "first_fix", _context(
        request, journey, weakest=reports[0] if reports else None, others=reports[1:],
        alarms=selectors.alarms_get(journey=journey)))


@login_required
@require_GET
def charts(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk)
    return _render(request, "charts.html", "charts", _context(
        request, journey, charts=selectors.charts_get(user=request.user, journey=journey)))


# --- workspace setting ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    if request.method == "POST":
        role_require(user=request.user, workspace_id=workspace.pk, roles={Role.OWNER})

    def context(form, saved: str) -> dict:
        membership = membership_get(user=request.user, workspace_id=workspace.pk)
        return {"workspace": workspace, "form": form, "saved": saved,
                "is_owner": membership is not None and membership.role == Role.OWNER}

    current = selectors.settings_get(workspace=workspace)
    form = WorkspaceSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        current = services.workspace_settings_update(
            actor=request.user, workspace=workspace, small_count_threshold=form.cleaned_data["small_count_threshold"])
        return _changed(request, "settings", slug, lambda: context(WorkspaceSettingsForm(instance=current), "Saved."))
    return _render(request, "settings.html", "settings", context(form, ""),
                   status=422 if form.is_bound and form.errors else 200)


# --- event logs ------------------------------------------------------------------------------


def _events_context(request, journey, **extra):
    return _context(request, journey, events=selectors.events_view(journey=journey),
                    upload_form=extra.pop("upload_form", None) or EventLogUploadForm(),
                    mapping_form=extra.pop("mapping_form", None) or StepMappingForm(
                        journey=journey, initial={"step": request.GET.get("step", "")[:200]}), **extra)


@login_required
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, pk: int) -> HttpResponse:
    """The event-log page: upload a log (a background job), follow its progress, read what people did."""
    journey = _journey(request, pk, edit=request.method == "POST")
    if request.method == "GET":
        return _render(request, "events.html", "events", _events_context(request, journey))
    form = EventLogUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, "events.html", "events", _events_context(request, journey, upload_form=form),
                       status=422)
    upload = form.cleaned_data["file"]
    job = services.event_import_create(actor=request.user, journey=journey, filename=upload.name, upload=upload,
                                       return_gap_days=form.cleaned_data["return_gap_days"])
    return _changed(request, "events", pk, lambda: _events_context(
        request, journey, saved=f"“{job.filename}” is being imported: this page follows its progress."))


@login_required
@require_GET
def events_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The imports' progress, polled while one runs; once none runs, the page reloads to show the results."""
    journey = _journey(request, pk)
    response = _render(request, "events.html", "imports", _events_context(request, journey))
    if request.htmx and not response.context_data["events"].active:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def step_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=True)
    form = StepMappingForm(request.POST, journey=journey)
    if not form.is_valid():
        return _render(request, "events.html", "events", _events_context(request, journey, mapping_form=form),
                       status=422)
    mapping = services.step_mapping_set(actor=request.user, journey=journey, step=form.cleaned_data["step"],
                                        stage=form.cleaned_data["stage"])
    return _changed(request, "events", pk, lambda: _events_context(
        request, journey, saved=f"Mapped “{mapping.step}” to {mapping.stage or 'nothing (ignored)'}. "
                                "It applies from the next import."), anchor="#mapping")


@login_required
@require_POST
def step_mapping_delete(request: HttpRequest, pk: int, mapping_pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=True)
    services.step_mapping_delete(actor=request.user, journey=journey, mapping_id=mapping_pk)
    return _changed(request, "events", pk, lambda: _events_context(request, journey, saved="Mapping removed."),
                    anchor="#mapping")


# --- evidence behind claims ----------------------------------------------------------------------


def _evidence_context(request, journey, **extra):
    claims = selectors.claims_get(journey=journey)
    backed = sum(1 for c in claims if c.backed)
    return _context(request, journey, claims=claims, backed=backed, assumed=len(claims) - backed,
                    today=timezone.localdate(), max_age=selectors.EVIDENCE_MAX_AGE_DAYS,
                    form=extra.pop("form", None) or EvidenceForm(claims=claims, initial={
                        "card": request.GET.get("card"), "observed_on": timezone.localdate()}), **extra)


@login_required
@require_http_methods(["GET", "POST"])
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """Every claim on the map, backed or assumed, and the evidence behind it."""
    journey = _journey(request, pk, edit=request.method == "POST")
    if request.method == "GET":
        return _render(request, "evidence.html", "evidence", _evidence_context(request, journey))
    form = EvidenceForm(request.POST, claims=selectors.claims_get(journey=journey))
    if not form.is_valid():
        return _render(request, "evidence.html", "evidence", _evidence_context(request, journey, form=form),
                       status=422)
    data = form.cleaned_data
    item = services.evidence_add(actor=request.user, journey=journey, card_id=data["card"], kind=data["kind"],
                                 summary=data["summary"], source=data["source"], observed_on=data["observed_on"])
    return _changed(request, "evidence", pk, lambda: _evidence_context(
        request, journey, saved=f"“{item.card.title}” is now backed by {item.get_kind_display().lower()}."))


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    journey = _journey(request, pk, edit=True)
    services.evidence_delete(actor=request.user, journey=journey, evidence_id=evidence_pk)
    return _changed(request, "evidence", pk, lambda: _evidence_context(request, journey, saved="Removed."))
