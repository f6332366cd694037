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

from core.errors import Conflict
from core.forms import add_service_errors
from core.views import form_page, list_and_add_page, navigate, page_or_partial
from maps.selectors import journey_get, stage_get
from workspaces.selectors import can_edit, last_saved_by, role_require, workspace_get

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


# --- personas ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def personas(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    if request.method == "POST":
        role_require(user=request.user, workspace_id=workspace.pk)
    return list_and_add_page(
        request, template=PERSONAS, partial="personas", form_class=PersonaForm, form_kwargs={"workspace": workspace},
        context=lambda form: {"workspace": workspace, "form": form, "personas": selectors.personas_list(
            workspace=workspace), "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)},
        save=lambda data: services.persona_create(actor=request.user, workspace=workspace, data=data),
        url=reverse("portfolio:personas", args=[slug]))


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
    url = reverse("portfolio:persona", args=[slug, pk])

    def save(data: dict) -> str:
        services.persona_update(actor=request.user, persona=item, version=data["version"], data=data)
        return url

    return form_page(request, form_class=PersonaEditForm, form_kwargs={"instance": item, "workspace": workspace},
                     save=save, saved_by=lambda: last_saved_by(workspace.changes.all(), entity="persona",
                                                               entity_id=item.pk, me=request.user), context={
                         "title": f"Edit {item.name}", "action": reverse("portfolio:persona_edit", args=[slug, pk]),
                         "cancel": url, "crumbs": [(reverse("portfolio:personas", args=[slug]), "Personas")]})


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
    return page_or_partial(request, LINKS, "links", _links_context(request, journey))


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
            return page_or_partial(request, LINKS, "links", _links_context(request, journey))
    return page_or_partial(request, LINKS, "links", _links_context(request, journey, personas_form=form),
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
            return page_or_partial(request, LINKS, "links", _links_context(request, journey))
    return page_or_partial(request, LINKS, "links", _links_context(request, journey, link_forms={stage.pk: form}),
                            status=422)


# --- duplicate and templates -----------------------------------------------------------------------


def _map_form(request, journey, *, form_class, form_kwargs: dict, title: str, action: str, save) -> HttpResponse:
    board = reverse("maps:board", args=[journey.pk])
    return form_page(request, form_class=form_class, form_kwargs=form_kwargs, save=save, context={
        "title": title, "action": action, "cancel": board, "crumbs": [(board, journey.title)]})


@login_required
@require_http_methods(["GET", "POST"])
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)

    def save(data: dict) -> str:
        return reverse("maps:board", args=[services.journey_duplicate(actor=request.user, journey=journey, **data).pk])

    return _map_form(request, journey, form_class=DuplicateForm,
                     form_kwargs={"initial": {"title": f"{journey.title} (copy)"[:200]}},
                     title=f"Duplicate {journey.title}", action=reverse("portfolio:duplicate", args=[pk]), save=save)


@login_required
@require_http_methods(["GET", "POST"])
def template_save(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)

    def save(data: dict) -> str:
        template = services.map_template_save(actor=request.user, journey=journey, **data)
        return reverse("portfolio:template", args=[journey.workspace.slug, f"saved-{template.pk}"])

    return _map_form(request, journey, form_class=TemplateSaveForm,
                     form_kwargs={"journey": journey, "initial": {"name": journey.title}},
                     title=f"Save {journey.title} as a template", action=reverse("portfolio:template_save", args=[pk]),
                     save=save)


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
        return navigate(request, reverse("maps:board", args=[journey.pk]))
    context = {"workspace": workspace, "template": chosen, "preview": selectors.template_preview(chosen["document"]),
               "form": form, "can_edit": can_edit(user=request.user, workspace_id=workspace.pk)}
    if request.method == "GET":  # the preview is a page of its own; only the form's answer is a region
        return TemplateResponse(request, PREVIEW, context)
    return page_or_partial(request, PREVIEW, "use", context, status=422)


# --- search ----------------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    results = search_module.search(user=request.user, query=request.GET.get("q", ""))
    return page_or_partial(request, "portfolio/search.html", "results", {"results": results})


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
    return page_or_partial(request, "portfolio/portfolio.html", "maps", context)
