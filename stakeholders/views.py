"""Views parse input, call one service and choose a template.

HTMX requests get the region they swap (a template partial); plain requests a
full page or a redirect, so every control works without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from core.forms import int_or_zero
from core.views import form_page, list_and_add_page, page_or_partial
from maps.selectors import journey_get
from workspaces.selectors import can_edit, last_saved_by, role_require, workspace_get

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


def _swimlanes_url(journey, anchor: str = "") -> str:
    return reverse("stakeholders:swimlanes", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


# --- the registry ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registry(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    if request.method == "POST":
        role_require(user=request.user, workspace_id=workspace.pk)
    return list_and_add_page(
        request, template=REGISTRY, partial="registry", form_class=StakeholderForm,
        form_kwargs={"workspace": workspace},
        context=lambda form: {"workspace": workspace, "form": form, "stakeholders": selectors.stakeholders_list(
            workspace=workspace), "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)},
        save=lambda data: services.stakeholder_create(actor=request.user, workspace=workspace, data=data),
        url=reverse("stakeholders:registry", args=[slug]))


@login_required
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    stakeholder = selectors.stakeholder_get(workspace=workspace, pk=pk)
    role_require(user=request.user, workspace_id=workspace.pk)
    url = reverse("stakeholders:registry", args=[slug])

    def save(data: dict) -> str:
        services.stakeholder_update(actor=request.user, stakeholder=stakeholder, version=data["version"], data=data)
        return url

    return form_page(request, form_class=StakeholderEditForm,
                     form_kwargs={"instance": stakeholder, "workspace": workspace}, save=save,
                     saved_by=lambda: last_saved_by(workspace.changes.all(), entity="stakeholder",
                                                    entity_id=stakeholder.pk, me=request.user), context={
                         "title": f"Edit {stakeholder.role}", "action": reverse("stakeholders:edit", args=[slug, pk]),
                         "cancel": url, "crumbs": [(url, "Stakeholders")]})


def _journey_form(request, journey, *, title: str, action: str, cancel: str, **kwargs) -> HttpResponse:
    """A sub-map form's page (a step or an intersection): its crumbs lead back to the swimlanes."""
    return form_page(request, context={"title": title, "action": action, "cancel": cancel, "crumbs": [
        (reverse("maps:board", args=[journey.pk]), journey.title), (_swimlanes_url(journey), "Stakeholder sub-maps")],
        "hidden": kwargs.pop("hidden", {})}, **kwargs)


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
    return page_or_partial(request, SWIMLANES, "swimlanes", _swimlanes_context(request, journey))


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
        return page_or_partial(request, SWIMLANES, "swimlanes", _swimlanes_context(request, journey))
    context = _swimlanes_context(request, journey) | {"track_form": form}
    return page_or_partial(request, SWIMLANES, "swimlanes", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def step_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    params = request.POST if request.method == "POST" else request.GET
    track = selectors.track_get(journey=journey, pk=int_or_zero(params.get("track")))

    def save(data: dict) -> str:
        step = services.step_create(actor=request.user, track=track, data=data)
        return _swimlanes_url(journey, f"step-{step.pk}")

    initial = {"stage": int_or_zero(params.get("stage")) or None}
    return _journey_form(request, journey, form_class=StepForm, form_kwargs={
        "instance": Step(track=track), "journey": journey, "initial": initial},
        save=save, title=f"New step for {track}", action=reverse("stakeholders:step_create", args=[pk]),
        cancel=_swimlanes_url(journey, f"track-{track.pk}"), hidden={"track": track.pk})


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    step = selectors.step_get(journey=journey, pk=step_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    url = _swimlanes_url(journey, f"step-{step.pk}")

    def save(data: dict) -> str:
        try:
            services.step_update(actor=request.user, step=step, version=data["version"], data=data)
        except Conflict as error:
            if error.current is not None:  # theirs as the page shows a step: with its track and stage
                error.current = selectors.step_get(journey=journey, pk=step.pk)
            raise
        return url

    return _journey_form(request, journey, form_class=StepEditForm, form_kwargs={"instance": step, "journey": journey},
                         save=save, title=f"Edit step “{step.title}”", cancel=url,
                         saved_by=lambda: last_saved_by(journey.changes.all(), entity="step", entity_id=step.pk,
                                                        me=request.user),
                         action=reverse("stakeholders:step_edit", args=[pk, step_pk]))


@login_required
@require_http_methods(["GET", "POST"])
def intersection_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)

    def save(data: dict) -> str:
        data = dict(data)
        steps = list(data.pop("steps"))
        item = services.intersection_create(actor=request.user, journey=journey, steps=steps, data=data)
        return _swimlanes_url(journey, f"intersection-{item.pk}")

    return _journey_form(request, journey, form_class=IntersectionForm, form_kwargs={"journey": journey}, save=save,
                         title="New intersection point", cancel=_swimlanes_url(journey),
                         action=reverse("stakeholders:intersection_create", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def intersection_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    intersection = selectors.intersection_get(journey=journey, pk=item_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    url = _swimlanes_url(journey, f"intersection-{intersection.pk}")

    def save(data: dict) -> str:
        data = dict(data)
        steps = list(data.pop("steps"))
        services.intersection_update(actor=request.user, intersection=intersection, version=data.pop("version"),
                                     data=data, steps=steps)
        return url

    return _journey_form(request, journey, form_class=IntersectionEditForm,
                         form_kwargs={"instance": intersection, "journey": journey}, save=save,
                         title=f"Edit “{intersection.title}”", cancel=url,
                         saved_by=lambda: last_saved_by(journey.changes.all(), entity="intersection",
                                                        entity_id=intersection.pk, me=request.user),
                         action=reverse("stakeholders:intersection_edit", args=[pk, item_pk]))
