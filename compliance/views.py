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
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import Conflict
from core.forms import add_service_errors, conflict_view
from core.views import form_page, page_or_partial
from maps.selectors import journey_get
from workspaces.selectors import can_edit, last_saved_by, role_require, workspace_get

from . import selectors, services
from .forms import (
    CheckpointForm,
    FailureModeForm,
    RegisterFilterForm,
    ReviewForm,
    SafetyLoopForm,
    TouchpointAccessForm,
)
from .health import all_rules, health_check

HEALTH = "compliance/health.html"
REGISTER = "compliance/register.html"
CHECKPOINT = "compliance/checkpoint.html"


# --- the map health check -------------------------------------------------------------------


@login_required
@require_GET
def health_panel(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    context = _health_context(journey, can_edit=can_edit(user=request.user, workspace_id=journey.workspace_id),
                              in_panel=request.htmx)
    return page_or_partial(request, HEALTH, "panel", context)


def _health_context(journey, *, can_edit: bool, in_panel: bool) -> dict:
    return {"journey": journey, "report": health_check(journey=journey), "rules": all_rules(), "can_edit": can_edit,
            "in_panel": in_panel}


def health_panel_html(*, journey) -> str:
    """The board's panel as its URL answers HTMX, without a request: what a change event brings open boards."""
    return render_to_string(f"{HEALTH}#panel", _health_context(journey, can_edit=False, in_panel=True))


# --- failure modes and the safety loop ---------------------------------------------------------


@login_required
@require_GET
def safety(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    context = {"journey": journey, "failure_modes": selectors.failure_modes_of_journey(journey=journey),
               "safety_loop": selectors.safety_loop_of_journey(journey=journey),
               "checkpoints": selectors.checkpoints_of_journey(journey=journey),
               "touchpoints": selectors.touchpoints_with_data(journey=journey),
               "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id)}
    return page_or_partial(request, "compliance/safety.html", "safety", context)


# --- the compliance register -------------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    form = RegisterFilterForm(request.GET, workspace=workspace)
    valid = form.is_valid()
    checkpoints = selectors.register_list(workspace=workspace, filters=form.filters()) if valid else []
    context = {"workspace": workspace, "form": form, "checkpoints": checkpoints, "today": timezone.localdate()}
    return page_or_partial(request, REGISTER, "register", context, status=200 if valid else 422)


# --- checkpoints ----------------------------------------------------------------------------------


def _review_context(request, checkpoint, form, **extra) -> dict:
    return {
        "checkpoint": checkpoint, "journey": checkpoint.journey, "form": form,
        "transitions": selectors.checkpoint_transitions(checkpoint=checkpoint),
        "can_edit": can_edit(user=request.user, workspace_id=checkpoint.workspace_id),
        "action": reverse("compliance:checkpoint_review", args=[checkpoint.pk]),
    } | extra


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_review(request: HttpRequest, pk: int) -> HttpResponse:
    checkpoint = selectors.checkpoint_get(user=request.user, pk=pk)
    if request.method == "GET":
        return page_or_partial(request, CHECKPOINT, "review", _review_context(request, checkpoint, ReviewForm(
            instance=checkpoint)))
    role_require(user=request.user, workspace_id=checkpoint.workspace_id)
    form = ReviewForm(request.POST, instance=selectors.checkpoint_get(user=request.user, pk=pk))
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.REVIEW_FIELDS}
        try:
            saved = services.checkpoint_review(actor=request.user, checkpoint=checkpoint,
                                               version=form.cleaned_data["version"], data=data,
                                               note=form.cleaned_data["note"])
        except Conflict as error:
            if error.current is not None:
                error.current = selectors.checkpoint_get(user=request.user, pk=pk)
            conflict = conflict_view(
                error=error, form=form,
                saved_by=last_saved_by(checkpoint.journey.changes.all(), entity="checkpoint", entity_id=checkpoint.pk,
                                       me=request.user),
                rebase=lambda data, current=error.current: ReviewForm(data, instance=current))
            context = _review_context(request, error.current or checkpoint, conflict.form, conflict=conflict)
            return page_or_partial(request, CHECKPOINT, "review", context, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("compliance:checkpoint_review", args=[saved.pk]))
            fresh = selectors.checkpoint_get(user=request.user, pk=pk)
            context = _review_context(request, fresh, ReviewForm(instance=fresh), saved=True)
            return TemplateResponse(request, f"{CHECKPOINT}#review", context)
    return page_or_partial(request, CHECKPOINT, "review", _review_context(request, checkpoint, form), status=422)


def _journey_form(request, pk: int, *, form_class, title: str, url_name: str, save, instance=None, url_args=()):
    """A form on a journey's safety and compliance: GET shows it, POST saves through `save(journey, data)`."""
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    kwargs = {"journey": journey}
    if instance is not None:
        kwargs["instance"] = instance(journey)
    safety = reverse("compliance:safety", args=[journey.pk])
    return form_page(request, form_class=form_class, form_kwargs=kwargs, save=lambda data: save(journey, data),
                     context={"title": title, "action": reverse(url_name, args=[pk, *url_args]), "cancel": safety,
                              "crumbs": [(reverse("maps:board", args=[journey.pk]), journey.title),
                                         (safety, "Safety & compliance")]})


def _data(data: dict, fields) -> dict:
    return {name: data[name] for name in fields if name in data}


@login_required
@require_http_methods(["GET", "POST"])
def checkpoint_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(journey, data):
        checkpoint = services.checkpoint_create(actor=request.user, journey=journey,
                                                data=_data(data, services.CHECKPOINT_FIELDS))
        return reverse("compliance:checkpoint_review", args=[checkpoint.pk])

    return _journey_form(request, pk, form_class=CheckpointForm, title="New compliance checkpoint",
                         url_name="compliance:checkpoint_create", save=save)


@login_required
@require_http_methods(["GET", "POST"])
def failure_mode_create(request: HttpRequest, pk: int) -> HttpResponse:
    def save(journey, data):
        failure = services.failure_mode_create(actor=request.user, journey=journey,
                                               data=_data(data, services.FAILURE_MODE_FIELDS))
        return reverse("compliance:safety", args=[journey.pk]) + f"#failure-{failure.pk}"

    return _journey_form(request, pk, form_class=FailureModeForm, title="New failure mode or near miss",
                         url_name="compliance:failure_mode_create", save=save)


@login_required
@require_http_methods(["GET", "POST"])
def safety_loop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def save(journey, data):
        services.safety_loop_set(actor=request.user, journey=journey, version=data.get("version"),
                                 data=_data(data, services.SAFETY_LOOP_FIELDS))
        return reverse("compliance:safety", args=[journey.pk]) + "#safety-loop"

    return _journey_form(request, pk, form_class=SafetyLoopForm, title="Feedback & safety-reporting loop",
                         url_name="compliance:safety_loop", save=save,
                         instance=lambda journey: selectors.safety_loop_of_journey(journey=journey))


@login_required
@require_http_methods(["GET", "POST"])
def touchpoint_access(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    touchpoint = selectors.touchpoint_get(journey=journey, pk=card_pk)

    def save(journey, data):
        services.touchpoint_access_set(actor=request.user, touchpoint=touchpoint,
                                       version=data.get("version"),
                                       data=_data(data, services.TOUCHPOINT_ACCESS_FIELDS))
        return reverse("compliance:safety", args=[journey.pk]) + f"#access-{touchpoint.pk}"

    return _journey_form(request, pk, form_class=TouchpointAccessForm,
                         title=f"Data access at “{touchpoint.title}” ({touchpoint.get_data_classification_display()})",
                         url_name="compliance:touchpoint_access", url_args=(card_pk,), save=save,
                         instance=lambda journey: getattr(touchpoint, "access", None))
