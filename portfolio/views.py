"""Views parse input, call one service and choose a template.

HTMX requests get the region they swap (a template partial); plain requests a full
page or a redirect, so every control works without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import Conflict
from core.forms import add_service_errors, conflict_view
from maps.selectors import journey_get, stage_get
from workspaces.selectors import can_edit, role_require, workspace_get

from . import search as search_module
from . import selectors, services
from .forms import (
    DuplicateForm,
    MapPersonasForm,
    PersonaEditForm,
    PersonaForm,
    StageLinkForm,
    TemplateSaveForm,
    UseTemplateForm,
)

PERSONAS = "portfolio/personas.html"
PERSONA = "portfolio/persona.html"
LINKS = "portfolio/map_links.html"
GALLERY = "portfolio/gallery.html"
PREVIEW = "portfolio/template_preview.html"
FORM_PAGE = "portfolio/form.html"


def _page_or_partial(request: HttpRequest, template: str, partial: str, context: dict, status: int = 200):
    return TemplateResponse(request, f"{template}#{partial}" if request.htmx else template, context, status=status)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a change that opens another page: a redirect, or for HTMX the same as a full-page navigation."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- personas ------------------------------------------------------------------------------------


def _personas_context(request, workspace, form) -> dict:
    return {"workspace": workspace, "form": form, "can_edit": can_edit(user=request.user, workspace_id=workspace.pk),
            "personas": selectors.personas_list(workspace=workspace)}


@login_required
@require_http_methods(["GET", "POST"])
def personas(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    if request.method == "GET":
        return _page_or_partial(request, PERSONAS, "personas", _personas_context(
            request, workspace, PersonaForm(workspace=workspace)))
    role_require(user=request.user, workspace_id=workspace.pk)
    form = PersonaForm(request.POST, workspace=workspace)
    if form.is_valid():
        try:
            services.persona_create(actor=request.user, workspace=workspace, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("portfolio:personas", args=[slug]))
            form = PersonaForm(workspace=workspace)
            return _page_or_partial(request, PERSONAS, "personas", _personas_context(request, workspace, form))
    return _page_or_partial(request, PERSONAS, "personas", _personas_context(request, workspace, form), status=422)


@login_required
@require_GET
def persona(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    item = selectors.persona_get(workspace=workspace, pk=pk)
    return TemplateResponse(request, PERSONA, {"workspace": workspace, "persona": item,
                                               "maps": selectors.persona_maps(persona=item),
                                               "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)})


@login_required
@require_http_methods(["GET", "POST"])
def persona_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    item = selectors.persona_get(workspace=workspace, pk=pk)
    role_require(user=request.user, workspace_id=workspace.pk)
    form = PersonaEditForm(request.POST or None, instance=item, workspace=workspace)
    url = reverse("portfolio:persona", args=[slug, pk])
    context = {"workspace": workspace, "title": f"Edit {item.name}", "cancel": url,
               "action": reverse("portfolio:persona_edit", args=[slug, pk])}
    if request.method == "POST" and form.is_valid():
        try:
            services.persona_update(actor=request.user, persona=item, version=form.cleaned_data["version"],
                                    data=form.cleaned_data)
        except Conflict as error:
            conflict = conflict_view(  # personas keep no history: the view cannot say who
                error=error, form=form, rebase=lambda data, current=error.current: PersonaEditForm(
                    data, instance=current, workspace=workspace))
            return _page_or_partial(request, FORM_PAGE, "form", context | {"form": conflict.form,
                                                                           "conflict": conflict}, status=409)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _done(request, url)
    return _page_or_partial(request, FORM_PAGE, "form", context | {"form": form},
                            status=422 if form.is_bound else 200)


# --- a map's personas and linked journeys ----------------------------------------------------------


def _links_context(request, journey, *, personas_form=None, link_forms=None) -> dict:
    links = selectors.map_links(journey=journey)
    forms = link_forms or {}
    return {"journey": journey, "workspace": journey.workspace, "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id),
            "personas_form": personas_form or MapPersonasForm(journey=journey),
            "stages": [(stage, detail, forms.get(stage.pk) or StageLinkForm(
                journey=journey, initial={"detail": detail.pk if detail else None}, prefix=f"stage-{stage.pk}"))
                for stage, detail in links["stages"]],
            "personas": links["personas"], "details": links["details"]}


@login_required
@require_GET
def map_links(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    return _page_or_partial(request, LINKS, "links", _links_context(request, journey))


@login_required
@require_POST
def map_personas(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = MapPersonasForm(request.POST, journey=journey)
    status = 422
    if form.is_valid():
        try:
            journey = services.map_personas_set(actor=request.user, journey=journey,
                                                version=form.cleaned_data["version"],
                                                primary=form.cleaned_data["primary"],
                                                others=list(form.cleaned_data["others"]))
        except Conflict as error:
            form.add_error(None, f"{error.message} Reload to see their choice.")
            status = 409
        else:
            if not request.htmx:
                return redirect(reverse("portfolio:map_links", args=[journey.pk]))
            return _page_or_partial(request, LINKS, "links", _links_context(request, journey))
    return _page_or_partial(request, LINKS, "links", _links_context(request, journey, personas_form=form),
                            status=status)


@login_required
@require_POST
def stage_link(request: HttpRequest, pk: int, stage_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    stage = stage_get(journey=journey, pk=stage_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = StageLinkForm(request.POST, journey=journey, prefix=f"stage-{stage.pk}")
    if form.is_valid():
        try:
            services.stage_link_set(actor=request.user, stage=stage, detail=form.cleaned_data["detail"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("portfolio:map_links", args=[journey.pk]))
            return _page_or_partial(request, LINKS, "links", _links_context(request, journey))
    return _page_or_partial(request, LINKS, "links", _links_context(request, journey, link_forms={stage.pk: form}),
                            status=422)


# --- duplicate and templates -----------------------------------------------------------------------


def _map_form(request, journey, *, form, title: str, action: str, status: int = 200) -> HttpResponse:
    context = {"journey": journey, "workspace": journey.workspace, "form": form, "title": title, "action": action,
               "cancel": reverse("maps:board", args=[journey.pk])}
    return _page_or_partial(request, FORM_PAGE, "form", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = DuplicateForm(request.POST or None, initial={"title": f"{journey.title} (copy)"[:200]})
    action = reverse("portfolio:duplicate", args=[pk])
    if request.method == "POST" and form.is_valid():
        copy_ = services.journey_duplicate(actor=request.user, journey=journey, **form.cleaned_data)
        return _done(request, reverse("maps:board", args=[copy_.pk]))
    return _map_form(request, journey, form=form, title=f"Duplicate {journey.title}", action=action,
                     status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def template_save(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = TemplateSaveForm(request.POST or None, journey=journey, initial={"name": journey.title})
    action = reverse("portfolio:template_save", args=[pk])
    if request.method == "POST" and form.is_valid():
        template = services.map_template_save(actor=request.user, journey=journey, **form.cleaned_data)
        return _done(request, reverse("portfolio:template", args=[journey.workspace.slug, f"saved-{template.pk}"]))
    return _map_form(request, journey, form=form, title=f"Save {journey.title} as a template", action=action,
                     status=422 if form.is_bound else 200)


@login_required
@require_GET
def gallery(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    return TemplateResponse(request, GALLERY, {"workspace": workspace, **selectors.gallery_list(workspace=workspace),
                                               "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)})


@login_required
@require_http_methods(["GET", "POST"])
def template(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    chosen = selectors.template_get(workspace=workspace, key=key)
    if request.method == "POST":
        role_require(user=request.user, workspace_id=workspace.pk)
    form = UseTemplateForm(request.POST or None, initial={"title": chosen["label"]})
    if request.method == "POST" and form.is_valid():
        journey = services.journey_from_template(actor=request.user, workspace=workspace, key=key,
                                                 title=form.cleaned_data["title"])
        return _done(request, reverse("maps:board", args=[journey.pk]))
    context = {"workspace": workspace, "template": chosen, "preview": selectors.template_preview(chosen["document"]),
               "form": form, "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)}
    if request.method == "GET":  # the preview is a page of its own; only the form's answer is a region
        return TemplateResponse(request, PREVIEW, context)
    return _page_or_partial(request, PREVIEW, "use", context, status=422)


# --- search ----------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    results = search_module.search(user=request.user, query=request.GET.get("q", ""))
    return _page_or_partial(request, "portfolio/search.html", "results", {"results": results})


# --- the portfolio ---------------------------------------------------------------------------------


@login_required
@require_GET
def portfolio(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    group_by = request.GET.get("group", "persona")
    if group_by not in selectors.GROUPINGS:
        group_by = "persona"
    context = {"workspace": workspace, "group_by": group_by, "groupings": selectors.GROUPINGS,
               "portfolio": selectors.portfolio(workspace=workspace, group_by=group_by),
               "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)}
    return _page_or_partial(request, "portfolio/portfolio.html", "maps", context)
