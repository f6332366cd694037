"""Views parse input, call one service and choose a template.

Each action answers an HTMX request with the region it changed (a template
partial) and a plain request with a full page or a redirect, so every control
works without JavaScript too.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from core.errors import Conflict, NotFound
from core.forms import add_service_errors, conflict_view, int_or_zero
from workspaces.forms import ActivityFilterForm
from workspaces.models import Membership, role_can_edit
from workspaces.selectors import (
    can_edit,
    last_saved_by,
    membership_get,
    role_require,
    workspace_get,
    workspaces_for_user,
)

from . import regions, selectors, services
from .extensions import BOARD_LINKS, BOARD_PANELS, BOARD_STREAMS, DELETABLES, WORKSPACE_ACTIONS
from .forms import (
    JourneyCreateForm,
    JourneyForm,
    LaneCreateForm,
    LaneForm,
    MoveForm,
    StageCreateForm,
    StageForm,
    card_create_form_class,
    card_form_class,
)
from .map_templates import MAP_TEMPLATES
from .models import Card, LaneKind, card_model_for

BOARD = "maps/board.html"
CARD_EDITOR = "maps/card_editor.html"
FORM_PAGE = "maps/edit.html"
CONFLICT_PAGE = "maps/conflict.html"


def _board_url(journey, anchor: str = "") -> str:
    return reverse("maps:board", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


def _context(request: HttpRequest, journey, *, membership: Membership | None = None, **extra: Any) -> dict[str, Any]:
    membership = membership or membership_get(user=request.user, workspace_id=journey.workspace_id)
    return {
        "journey": journey,
        "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id, membership=membership),
    } | regions.url_prefixes(journey.pk) | extra


def _board_context(request: HttpRequest, journey, **extra: Any) -> dict[str, Any]:
    """The board's context, its cards pre-rendered (from the cache, mostly)."""
    context = _context(request, journey, board=selectors.board_outline_get(journey=journey), **extra)
    regions.board_html_attach(board=context["board"], can_edit=context["can_edit"])
    # The legend names the kinds this board shows, once each, in lane order.
    context["lane_kinds"] = list(dict.fromkeys((row.lane.kind, row.lane.get_kind_display()) for row in context["board"].rows))
    return context


def _panels(journey, placement: str) -> list[dict[str, str]]:
    return [{"url": reverse(p.url_name, args=[journey.pk]), "label": p.label, "tab": p.tab or p.label, "key": p.key}
            for p in BOARD_PANELS if p.placement == placement]


def _header_links(journey, membership: Membership | None, placement: str) -> list[dict[str, str]]:
    role = membership.role if membership else None
    return [{"url": reverse(link.url_name, args=[journey.pk]), "label": link.label}
            for link in BOARD_LINKS if role in link.roles and link.placement == placement]


def _streams(request: HttpRequest, journey) -> list[dict[str, str]]:
    return [{"events": reverse(s.events_url_name, args=[journey.pk]),
             "editing": reverse(s.editing_url_name, args=[journey.pk])} for s in BOARD_STREAMS if s.serves(request)]


def _board_response(request: HttpRequest, journey, *, anchor: str = "") -> HttpResponse:
    """After a change that touches several regions: re-read the board and send it whole."""
    if not request.htmx:
        return redirect(_board_url(journey, anchor))
    response = TemplateResponse(request, f"{BOARD}#board_response", _board_context(request, journey))
    return reswap(retarget(response, "#board"), "outerHTML")


def _focus(response: HttpResponse, card_id: int | None) -> HttpResponse:
    """After one's own save, move or delete, board.js puts the keyboard focus on this card."""
    if card_id is not None:
        trigger_client_event(response, "journeymap:focus-card", {"card": card_id}, after="settle")
    return response


def _cells_response(request: HttpRequest, journey, *, cells: list[selectors.Cell], focus: int | None,
                    curve: bool = False, saved: Card | None = None, changed: bool = True) -> HttpResponse:
    """After one's own card change under HTMX: the changed cells as out-of-band regions (the same HTML
    the live event brings the others) and the curve when a user state changed; nothing else, so the
    card editor's slot it answers to is emptied: the editor closes. The `saved` card, as the service
    left it, is not read again; nor is the person's role once a service `changed` the map for them:
    it let them because they can edit."""
    curve_value = selectors.curve_get(journey=journey) if curve else None
    if changed:
        context = {"journey": journey, "can_edit": True, "curve": curve_value} | regions.url_prefixes(journey.pk)
    else:
        context = _context(request, journey, curve=curve_value)
    html, _ = regions.cells_render(journey=journey, cells=cells, can_edit=context["can_edit"],
                                   loaded={saved.pk: saved} if saved else None)
    context["regions"] = mark_safe(html)
    return _focus(TemplateResponse(request, f"{BOARD}#regions_response", context), focus)


def _form_response(request, journey, *, form, partial: str, title: str, status: int = 200, **extra) -> HttpResponse:
    role_require(user=request.user, workspace_id=journey.workspace_id)  # a viewer gets no edit form
    context = _context(request, journey, form=form, form_template=f"{BOARD}#{partial}", title=title, **extra)
    template = f"{BOARD}#{partial}" if request.htmx else FORM_PAGE
    return TemplateResponse(request, template, context, status=status)


def _editor_response(request, journey, *, form, stage, lane, status: int = 200, **extra) -> HttpResponse:
    """The card editor: a drawer on the board under HTMX, a page of its own without."""
    role_require(user=request.user, workspace_id=journey.workspace_id)  # a viewer gets no edit form
    context = _context(request, journey, form=form, stage=stage, lane=lane, kind=lane.kind,
                       kind_label=LaneKind(lane.kind).label, **extra)
    return TemplateResponse(request, f"{CARD_EDITOR}#editor" if request.htmx else CARD_EDITOR, context, status=status)


def _conflict(request, journey, *, error: Conflict, form, entity: str, entity_id: int):
    """The conflict view's content: who saved in between (by the map's history), what differs, and the
    form again on their version."""
    return conflict_view(
        error=error, form=form,
        saved_by=last_saved_by(journey.changes.all(), entity=entity, entity_id=entity_id, me=request.user),
        rebase=lambda data: type(form)(data, instance=error.current, journey=journey))


def _conflict_response(request, journey, *, error: Conflict, form, entity: str, entity_id: int, action: str,
                       cancel: str, target: str) -> HttpResponse:
    """Theirs next to yours, with a way to keep theirs or to save yours over them."""
    conflict = _conflict(request, journey, error=error, form=form, entity=entity, entity_id=entity_id)
    context = _context(request, journey, conflict=conflict, form=conflict.form, action=action, cancel=cancel,
                       target=target)
    template = f"{BOARD}#conflict" if request.htmx else CONFLICT_PAGE
    return TemplateResponse(request, template, context, status=409)


# --- maps ---------------------------------------------------------------------


@login_required
@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    workspaces = list(workspaces_for_user(user=request.user).prefetch_related("memberships"))
    roles = {m.workspace_id: m.role for w in workspaces for m in w.memberships.all() if m.user_id == request.user.pk}
    archived = request.GET.get("archived") == "1"
    journeys = list(selectors.journey_list(user=request.user, archived=archived))
    with_maps = {journey.workspace_id for journey in journeys}
    return TemplateResponse(request, "maps/journey_list.html", {
        "archived": archived,
        "archived_count": selectors.archived_count(user=request.user),
        "journeys": journeys,
        "workspaces": [(w, role_can_edit(roles.get(w.pk)), w.pk in with_maps) for w in workspaces],
        "workspace_actions": WORKSPACE_ACTIONS,
        "map_templates": [
            {"key": key, "label": spec["label"], "stages": len(spec["stages"]), "lanes": len(spec["lanes"])}
            for key, spec in MAP_TEMPLATES.items()
        ],
    })


@login_required
@require_http_methods(["GET", "POST"])
def journey_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    role_require(user=request.user, workspace_id=workspace.pk)
    # The maps list's template tiles link here with ?template=<key> chosen.
    form = JourneyCreateForm(request.POST or None, workspace=workspace,
                             initial={"template": request.GET["template"]} if request.GET.get("template") in MAP_TEMPLATES else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            journey = services.journey_create(
                actor=request.user, workspace=workspace, title=data["title"], template=data["template"],
                persona=data["persona"], description=data["description"], kind=data["kind"], observes=data["observes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_board_url(journey))
    status = 422 if form.is_bound else 200
    return TemplateResponse(request, "maps/journey_new.html", {"form": form, "workspace": workspace}, status=status)


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    if request.htmx:
        return _board_response(request, journey)
    membership = membership_get(user=request.user, workspace_id=journey.workspace_id)
    return TemplateResponse(request, BOARD, _board_context(
        request, journey, membership=membership, panels=_panels(journey, "drawer"),
        export_panels=_panels(journey, "export"), primary_links=_header_links(journey, membership, "primary"),
        export_links=_header_links(journey, membership, "export"),
        header_links=_header_links(journey, membership, "more"), streams=_streams(request, journey)))


@login_required
@require_http_methods(["GET", "POST"])
def journey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    form = JourneyForm(request.POST or None, instance=journey)
    action = reverse("maps:journey_edit", args=[pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.journey_update(actor=request.user, journey=journey, version=form.cleaned_data["version"],
                                    data=form.cleaned_data)
        except Conflict as error:
            return _conflict_response(request, journey, error=error, form=form, entity="journey",
                                      entity_id=journey.pk, action=action, cancel=_board_url(journey),
                                      target="#journey-header")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(_board_url(journey))
    return _form_response(request, journey, form=form, partial="journey_form", title="Map settings",
                          action=action, status=422 if form.is_bound else 200)


@login_required
@require_POST
def journey_review(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    services.journey_mark_reviewed(actor=request.user, journey=journey)
    return redirect(_board_url(journey))


@login_required
@require_GET
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    form = ActivityFilterForm(request.GET or None, **selectors.activity_choices(journey=journey))
    filters = selectors.ActivityFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ActivityFilters(actor_id=data["actor"], entity=data["entity"], since=data["since"],
                                            until=data["until"])
    return TemplateResponse(request, "maps/activity.html", _context(
        request, journey, changes=selectors.changes_list(journey=journey, filters=filters), filter_form=form,
        deletions=selectors.deletions_open(journey=journey),
    ))


@login_required
@require_POST
def change_revert(request: HttpRequest, pk: int, change_pk: int) -> HttpResponse:
    """Undoes one entry of the activity list; an edit overtaken since answers 409 with the differences."""
    journey = selectors.journey_get(user=request.user, pk=pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    change = selectors.change_get(journey=journey, pk=change_pk)
    try:
        services.change_revert(actor=request.user, change=change, force=request.POST.get("force") == "1")
    except services.RevertConflict as error:
        kind = DELETABLES[change.entity]
        rows = [{"label": row["name"].replace("_", " ").capitalize(),
                 "now": selectors.shown_value(selectors._field(kind.models, row["name"]), row["now"]),
                 "undo_to": selectors.shown_value(selectors._field(kind.models, row["name"]), row["undo_to"])}
                for row in error.rows]
        template = "maps/revert_conflict.html#revert_conflict" if request.htmx else "maps/revert_conflict.html"
        return TemplateResponse(request, template, _context(request, journey, error=error, rows=rows, change=change),
                                status=409)
    url = reverse("maps:activity", args=[pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """GET: what the delete would take (by kind and count, checkpoints named); POST: delete it all softly."""
    journey = selectors.journey_get(user=request.user, pk=pk)
    deletable = DELETABLES.get(kind)
    if deletable is None:
        raise NotFound("Nothing of that kind can be deleted here.")
    item = deletable.get(journey=journey, pk=item_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    if request.method == "POST":
        form = MoveForm({"version": request.POST.get("version"), "step": 1})
        if not form.is_valid():
            return _invalid_move(form)
        deletable.delete(actor=request.user, item=item, version=form.cleaned_data["version"])
        if kind == "journey":  # the board is gone: back to the maps
            url = reverse("maps:list")
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return _board_response(request, journey)
    context = _context(request, journey, item=item, label=deletable.label,
                       plan=services.deletion_preview(root=item),
                       action=reverse("maps:item_delete", args=[pk, kind, item_pk]))
    return TemplateResponse(request, "maps/delete.html#confirm" if request.htmx else "maps/delete.html", context)


@login_required
@require_GET
def deleted_maps(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    return TemplateResponse(request, "maps/deleted_maps.html", {
        "workspace": workspace, "deletions": selectors.deleted_maps(workspace_id=workspace.pk),
        "can_edit": can_edit(user=request.user, workspace_id=workspace.pk),
    })


@login_required
@require_POST
def deleted_map_restore(request: HttpRequest, slug: str, deletion_pk: int) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    deletion = selectors.deleted_map_get(workspace_id=workspace.pk, pk=deletion_pk)
    journey = services.journey_restore(actor=request.user, deletion=deletion)
    url = _board_url(journey)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@login_required
@require_POST
def deletion_restore(request: HttpRequest, pk: int, deletion_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    deletion = selectors.deletion_get(journey=journey, pk=deletion_pk)
    services.deletion_restore(actor=request.user, deletion=deletion)
    if request.htmx:
        return TemplateResponse(request, "maps/activity.html#deletions", _context(
            request, journey, deletions=selectors.deletions_open(journey=journey), restored=deletion))
    return redirect(reverse("maps:activity", args=[pk]))


# --- stages and lanes -------------------------------------------------------------

AXES = {
    "stage": (selectors.stage_get, StageForm, StageCreateForm, services.stage_create, services.stage_update,
              services.stage_move),
    "lane": (selectors.lane_get, LaneForm, LaneCreateForm, services.lane_create, services.lane_update,
             services.lane_move),
}


@login_required
@require_http_methods(["GET", "POST"])
def axis_create(request: HttpRequest, pk: int, axis: str) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    _get, _form, create_form, create, *_ = AXES[axis]
    form = create_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = create(actor=request.user, journey=journey, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _board_response(request, journey, anchor=f"{axis}-{item.pk}")
    return _form_response(request, journey, form=form, partial="axis_create_form", title=f"New {axis}", axis=axis,
                          action=reverse(f"maps:{axis}_create", args=[pk]), status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def axis_edit(request: HttpRequest, pk: int, item_pk: int, axis: str) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    get, edit_form, _create_form, _create, update, *_ = AXES[axis]
    item = get(journey=journey, pk=item_pk)
    form = edit_form(request.POST or None, instance=item)
    action = reverse(f"maps:{axis}_edit", args=[pk, item_pk])
    if request.method == "POST" and form.is_valid():
        try:
            item = update(actor=request.user, **{axis: item}, version=form.cleaned_data["version"], data=form.cleaned_data)
        except Conflict as error:
            return _conflict_response(request, journey, error=error, form=form, entity=axis, entity_id=item.pk,
                                      action=action, cancel=_board_url(journey), target="#axis-form")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _board_response(request, journey, anchor=f"{axis}-{item.pk}")
    return _form_response(request, journey, form=form, partial="axis_form", title=f"Edit {axis}", axis=axis,
                          item=item, action=action, status=422 if form.is_bound else 200)


@login_required
@require_POST
def axis_move(request: HttpRequest, pk: int, item_pk: int, axis: str) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    get, *_rest, move = AXES[axis]
    item = get(journey=journey, pk=item_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)  # a viewer's move is refused, whatever it says
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _invalid_move(form)
    move(actor=request.user, **{axis: item}, version=form.cleaned_data["version"],
         position=form.target_position(item.position))
    return _board_response(request, journey, anchor=f"{axis}-{item.pk}")


def _invalid_move(form: MoveForm) -> HttpResponse:
    messages = "; ".join(str(m) for errors in form.errors.values() for m in errors)
    return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")


# --- cards ------------------------------------------------------------------------


def _card_urls(journey, card: Card) -> dict[str, str]:
    return {"action": reverse("maps:card_edit", args=[journey.pk, card.pk]), "cancel": _board_url(journey, f"card-{card.pk}")}


@login_required
@require_GET
def card_detail(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    if not request.htmx:
        return redirect(_board_url(journey, f"card-{card.pk}"))
    if request.htmx.target == "dialog":  # "Take theirs" in the card editor: it closes, the card shows theirs
        return _cells_response(request, journey, cells=selectors.cells_of_cards(journey=journey, card_ids=[card.pk]),
                               focus=card.pk, curve=card.kind == LaneKind.USER_STATE, changed=False)
    selectors.badges_attach(journey=journey, cards=[card])
    return TemplateResponse(request, f"{BOARD}#card", _context(request, journey, card=card))


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    params = request.POST if request.method == "POST" else request.GET
    lane = selectors.lane_get(journey=journey, pk=int_or_zero(params.get("lane")))
    stage = selectors.stage_get(journey=journey, pk=int_or_zero(params.get("stage")))
    form = card_create_form_class(card_model_for(lane.kind))(request.POST or None, journey=journey, kind=lane.kind)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_create(actor=request.user, journey=journey, stage_id=stage.pk, lane_id=lane.pk,
                                        data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(_board_url(journey, f"card-{card.pk}"))
            return _cells_response(request, journey, cells=selectors.cell_of_card(journey=journey, card=card),
                                   focus=card.pk, curve=card.kind == LaneKind.USER_STATE, saved=card)
    return _editor_response(request, journey, form=form, stage=stage, lane=lane,
                            title=f"New {LaneKind(lane.kind).label.lower()} card", action=reverse("maps:card_create", args=[pk]),
                            cancel=_board_url(journey, f"cell-{stage.pk}-{lane.pk}"),
                            status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    form = card_form_class(type(card))(request.POST or None, instance=card, journey=journey)
    urls = _card_urls(journey, card)
    placement = {} if request.htmx else {  # the full page also offers a move form: dragging needs JavaScript
        "move_stages": journey.stages.all(), "move_lanes": journey.lanes.filter(kind=card.kind)}
    extra = {"card": card, "title": f"Edit “{card.title}”", **urls}
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.card_update(actor=request.user, card=card, version=form.cleaned_data["version"],
                                         data=form.cleaned_data, read_revision=form.cleaned_data.get("read_revision"))
        except Conflict as error:
            if error.current is not None:  # theirs as the card's own kind, not the bare card row
                error.current = selectors.card_get(journey=journey, pk=card.pk)
            conflict = _conflict(request, journey, error=error, form=form, entity="card", entity_id=card.pk)
            return _editor_response(request, journey, form=conflict.form, stage=card.stage, lane=card.lane,
                                    conflict=conflict, status=409, **extra)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(urls["cancel"])
            return _cells_response(request, journey, cells=selectors.cell_of_card(journey=journey, card=saved),
                                   focus=card.pk, curve=card.kind == LaneKind.USER_STATE, saved=saved)
    return _editor_response(request, journey, form=form, stage=card.stage, lane=card.lane,
                            status=422 if form.is_bound else 200, **extra, **placement)


@login_required
@require_POST
def card_move(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _invalid_move(form)
    data = form.cleaned_data
    services.card_move(
        actor=request.user, card=card, version=data["version"],
        stage_id=data.get("stage") or card.stage_id, lane_id=data.get("lane") or card.lane_id,
        position=form.target_position(card.position),
    )
    if not request.htmx:
        return redirect(_board_url(journey, f"card-{card.pk}"))
    return _cells_response(request, journey, cells=selectors.cells_of_cards(journey=journey, card_ids=[card.pk]),
                           focus=card.pk)


@login_required
@require_POST
def card_delete(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = MoveForm({"version": request.POST.get("version"), "step": 1})
    if not form.is_valid():
        return _invalid_move(form)
    services.card_delete(actor=request.user, card=card, version=form.cleaned_data["version"])
    if not request.htmx:
        return redirect(_board_url(journey))
    cells = selectors.cells_of_cards(journey=journey, card_ids=[card.pk])
    rest = cells[0].cards if cells else []
    # Focus goes to the card that took its place, or the one above when it was the last.
    after = rest[min(card.position, len(rest) - 1)].pk if rest else None
    return _cells_response(request, journey, cells=cells, focus=after)


@login_required
@require_POST
def card_restore(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk, deleted=True)
    services.card_restore(actor=request.user, card=card)
    return redirect(_board_url(journey, f"card-{card.pk}"))
