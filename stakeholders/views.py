"""Views parse input, call one service and choose a template.

HTMX requests get the region they swap (a template partial); plain requests a
full page or a redirect, so every control works without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from core.forms import add_service_errors, conflict_rows, int_or_zero
from maps.selectors import journey_get
from workspaces.selectors import can_edit, role_require, workspace_get

from . import selectors, services
from .forms import (
    IntersectionEditForm,
    IntersectionForm,
    StakeholderEditForm,
    StakeholderForm,
    StepEditForm,
    StepForm,
    TrackForm,
)
from .models import Step

REGISTRY = "stakeholders/registry.html"
SWIMLANES = "stakeholders/swimlanes.html"
FORM_PAGE = "stakeholders/form.html"


def _page_or_partial(request: HttpRequest, template: str, partial: str, context: dict, status: int = 200):
    return TemplateResponse(request, f"{template}#{partial}" if request.htmx else template, context, status=status)


def _swimlanes_url(journey, anchor: str = "") -> str:
    return reverse("stakeholders:swimlanes", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


# --- the registry ------------------------------------------------------------------------------


def _registry_context(request, workspace, form) -> dict:
    return {"workspace": workspace, "form": form, "can_edit": can_edit(user=request.user, workspace_id=workspace.pk),
            "stakeholders": selectors.stakeholders_list(workspace=workspace)}


@login_required
@require_http_methods(["GET", "POST"])
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    if request.method == "GET":
        return _page_or_partial(request, REGISTRY, "registry", _registry_context(
            request, workspace, StakeholderForm(workspace=workspace)))
    role_require(user=request.user, workspace_id=workspace.pk)
    form = StakeholderForm(request.POST, workspace=workspace)
    if form.is_valid():
        try:
            services.stakeholder_create(actor=request.user, workspace=workspace, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("stakeholders:registry", args=[slug]))
            return _page_or_partial(request, REGISTRY, "registry", _registry_context(
                request, workspace, StakeholderForm(workspace=workspace)))
    return _page_or_partial(request, REGISTRY, "registry", _registry_context(request, workspace, form), status=422)


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    stakeholder = selectors.stakeholder_get(workspace=workspace, pk=pk)
    role_require(user=request.user, workspace_id=workspace.pk)
    form = StakeholderEditForm(request.POST or None, instance=stakeholder, workspace=workspace)
    action = reverse("stakeholders:edit", args=[slug, pk])
    context = {"workspace": workspace, "title": f"Edit {stakeholder.role}", "action": action,
               "cancel": reverse("stakeholders:registry", args=[slug])}
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_update(actor=request.user, stakeholder=stakeholder,
                                        version=form.cleaned_data["version"], data=form.cleaned_data)
        except Conflict as error:
            return _conflict(request, form, error, context, form_class=StakeholderEditForm, workspace=workspace)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(context["cancel"])
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)


def _conflict(request, form, error: Conflict, context: dict, *, form_class, **form_kwargs) -> HttpResponse:
    """409: theirs next to yours, and the form again on their version, so yours can be saved over it."""
    current = error.current
    rows = conflict_rows(form, current) if current is not None else []
    if current is not None:
        data = request.POST.copy()
        data["version"] = current.version
        form = form_class(data, instance=current, **form_kwargs)
        form.is_valid()
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form, "error": error, "rows": rows},
                            status=409)


# --- swimlanes -------------------------------------------------------------------------------------


def _swimlanes_context(request, journey) -> dict:
    return {"journey": journey, "lanes": selectors.swimlanes_get(journey=journey),
            "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id),
            "track_form": TrackForm(journey=journey), "links": _links(journey)}


def _links(journey) -> list[dict[str, str]]:
    """The pages higher layers registered for a journey (compliance's safety page...), as the board's panels."""
    from maps.extensions import BOARD_PANELS  # noqa: PLC0415

    return [{"url": reverse(p.url_name, args=[journey.pk]), "label": p.label}
            for p in BOARD_PANELS if not p.url_name.startswith("stakeholders:")]


@login_required
@require_GET
def swimlanes(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    return _page_or_partial(request, SWIMLANES, "swimlanes", _swimlanes_context(request, journey))


@login_required
@require_GET
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The board panel: a summary of the sub-maps (HTMX), or the swimlanes page itself."""
    journey = journey_get(user=request.user, pk=pk)
    if not request.htmx:
        return redirect(_swimlanes_url(journey))
    return TemplateResponse(request, f"{SWIMLANES}#panel", {"journey": journey,
                                                             "lanes": selectors.swimlanes_get(journey=journey)})


def panel_html(*, journey) -> str:
    """The board's panel as its URL answers HTMX, without a request: what a change event brings open boards."""
    return render_to_string(f"{SWIMLANES}#panel", {"journey": journey, "lanes": selectors.swimlanes_get(journey=journey)})


@login_required
@require_POST
def track_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = TrackForm(request.POST, journey=journey)
    if form.is_valid():
        track = services.track_create(actor=request.user, journey=journey, **form.cleaned_data)
        if not request.htmx:
            return redirect(_swimlanes_url(journey, f"track-{track.pk}"))
        return _page_or_partial(request, SWIMLANES, "swimlanes", _swimlanes_context(request, journey))
    context = _swimlanes_context(request, journey) | {"track_form": form}
    return _page_or_partial(request, SWIMLANES, "swimlanes", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    params = request.POST if request.method == "POST" else request.GET
    track = selectors.track_get(journey=journey, pk=int_or_zero(params.get("track")))
    initial = {"stage": int_or_zero(params.get("stage")) or None}
    form = StepForm(request.POST or None, instance=Step(track=track), journey=journey, initial=initial)
    action = reverse("stakeholders:step_create", args=[pk])
    context = {"journey": journey, "title": f"New step for {track}", "action": action, "track": track,
               "cancel": _swimlanes_url(journey, f"track-{track.pk}")}
    if request.method == "POST" and form.is_valid():
        try:
            step = services.step_create(actor=request.user, track=track, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_swimlanes_url(journey, f"step-{step.pk}"))
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    step = selectors.step_get(journey=journey, pk=step_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = StepEditForm(request.POST or None, instance=step, journey=journey)
    action = reverse("stakeholders:step_edit", args=[pk, step_pk])
    context = {"journey": journey, "title": f"Edit step “{step.title}”", "action": action,
               "cancel": _swimlanes_url(journey, f"step-{step.pk}")}
    if request.method == "POST" and form.is_valid():
        try:
            services.step_update(actor=request.user, step=step, version=form.cleaned_data["version"],
                                 data=form.cleaned_data)
        except Conflict as error:
            if error.current is not None:
                error.current = selectors.step_get(journey=journey, pk=step.pk)
            return _conflict(request, form, error, context, form_class=StepEditForm, journey=journey)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(context["cancel"])
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def intersection_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = IntersectionForm(request.POST or None, journey=journey)
    action = reverse("stakeholders:intersection_create", args=[pk])
    context = {"journey": journey, "title": "New intersection point", "action": action,
               "cancel": _swimlanes_url(journey)}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        steps = list(data.pop("steps"))
        try:
            item = services.intersection_create(actor=request.user, journey=journey, steps=steps, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_swimlanes_url(journey, f"intersection-{item.pk}"))
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def intersection_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    intersection = selectors.intersection_get(journey=journey, pk=item_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = IntersectionEditForm(request.POST or None, instance=intersection, journey=journey)
    action = reverse("stakeholders:intersection_edit", args=[pk, item_pk])
    context = {"journey": journey, "title": f"Edit “{intersection.title}”", "action": action,
               "cancel": _swimlanes_url(journey, f"intersection-{intersection.pk}")}
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        steps = list(data.pop("steps"))
        try:
            services.intersection_update(actor=request.user, intersection=intersection,
                                         version=data.pop("version"), data=data, steps=steps)
        except Conflict as error:
            return _conflict(request, form, error, context, form_class=IntersectionEditForm, journey=journey)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(context["cancel"])
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)
