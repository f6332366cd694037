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
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from core.errors import Conflict
from core.forms import add_service_errors, conflict_rows, int_or_zero
from workspaces.models import Membership, role_can_edit
from workspaces.selectors import can_edit, membership_get, role_require, workspace_get, workspaces_for_user

from . import selectors, services
from .extensions import BOARD_LINKS, BOARD_PANELS, BOARD_STREAMS, WORKSPACE_ACTIONS
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
from .models import Card, card_model_for

BOARD = "maps/board.html"
FORM_PAGE = "maps/edit.html"
CONFLICT_PAGE = "maps/conflict.html"


def _board_url(journey, anchor: str = "") -> str:
    return reverse("maps:board", args=[journey.pk]) + (f"#{anchor}" if anchor else "")


def _context(request: HttpRequest, journey, *, membership: Membership | None = None, **extra: Any) -> dict[str, Any]:
    membership = membership or membership_get(user=request.user, workspace_id=journey.workspace_id)
    return {
        "journey": journey,
        "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id, membership=membership),
        # Card links are built from this prefix: reversing a URL per card is most of a large board's render time.
        "cards_url": reverse("maps:card_create", args=[journey.pk]).removesuffix("new/"),
    } | extra


def _panels(journey) -> list[dict[str, str]]:
    return [{"url": reverse(p.url_name, args=[journey.pk]), "label": p.label} for p in BOARD_PANELS]


def _header_links(journey, membership: Membership | None) -> list[dict[str, str]]:
    role = membership.role if membership else None
    return [{"url": reverse(link.url_name, args=[journey.pk]), "label": link.label}
            for link in BOARD_LINKS if role in link.roles]


def _streams(request: HttpRequest, journey) -> list[dict[str, str]]:
    return [{"events": reverse(s.events_url_name, args=[journey.pk]),
             "editing": reverse(s.editing_url_name, args=[journey.pk])} for s in BOARD_STREAMS if s.serves(request)]


def _board_response(request: HttpRequest, journey, *, anchor: str = "") -> HttpResponse:
    """After a change that touches several regions: re-read the board and send it whole."""
    if not request.htmx:
        return redirect(_board_url(journey, anchor))
    board = selectors.board_get(journey=journey)
    response = TemplateResponse(request, f"{BOARD}#board_response", _context(request, journey, board=board))
    return reswap(retarget(response, "#board"), "outerHTML")


def _form_response(request, journey, *, form, partial: str, title: str, status: int = 200, **extra) -> HttpResponse:
    role_require(user=request.user, workspace_id=journey.workspace_id)  # a viewer gets no edit form
    context = _context(request, journey, form=form, form_template=f"{BOARD}#{partial}", title=title, **extra)
    template = f"{BOARD}#{partial}" if request.htmx else FORM_PAGE
    return TemplateResponse(request, template, context, status=status)


def _conflict_response(request, journey, *, error: Conflict, form, action: str, cancel: str, target: str) -> HttpResponse:
    """Theirs next to yours, with a way to keep theirs or to save yours over them."""
    current = error.current
    rows = []
    if current is not None:
        rows = conflict_rows(form, current)
        data = form.data.copy()
        data["version"] = current.version
        form = type(form)(data, instance=current, journey=journey)
    context = _context(request, journey, error=error, rows=rows, form=form, action=action, cancel=cancel,
                       target=target)
    template = f"{BOARD}#conflict" if request.htmx else CONFLICT_PAGE
    return TemplateResponse(request, template, context, status=409)


# --- maps ---------------------------------------------------------------------


@login_required
@require_GET
def journey_list(request: HttpRequest) -> HttpResponse:
    workspaces = list(workspaces_for_user(user=request.user).prefetch_related("memberships"))
    roles = {m.workspace_id: m.role for w in workspaces for m in w.memberships.all() if m.user_id == request.user.pk}
    return TemplateResponse(request, "maps/journey_list.html", {
        "journeys": selectors.journey_list(user=request.user),
        "workspaces": [(w, role_can_edit(roles.get(w.pk))) for w in workspaces],
        "workspace_actions": WORKSPACE_ACTIONS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def journey_create(request: HttpRequest, slug: str) -> HttpResponse:
    workspace = workspace_get(user=request.user, slug=slug)
    role_require(user=request.user, workspace_id=workspace.pk)
    form = JourneyCreateForm(request.POST or None, workspace=workspace)
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
    return TemplateResponse(request, BOARD, _context(
        request, journey, membership=membership, board=selectors.board_get(journey=journey), panels=_panels(journey),
        header_links=_header_links(journey, membership), streams=_streams(request, journey)))


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
            return _conflict_response(request, journey, error=error, form=form, action=action,
                                      cancel=_board_url(journey), target="#journey-header")
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
    return TemplateResponse(request, "maps/activity.html", _context(
        request, journey, changes=selectors.changes_list(journey=journey),
        deleted_cards=selectors.deleted_cards(journey=journey),
    ))


# --- stages and lanes -------------------------------------------------------------

AXES = {
    "stage": (selectors.stage_get, StageForm, StageCreateForm, services.stage_create, services.stage_update,
              services.stage_move, services.stage_delete),
    "lane": (selectors.lane_get, LaneForm, LaneCreateForm, services.lane_create, services.lane_update,
             services.lane_move, services.lane_delete),
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
            return _conflict_response(request, journey, error=error, form=form, action=action,
                                      cancel=_board_url(journey), target="#axis-form")
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
    get, *_rest, move, _delete = AXES[axis]
    item = get(journey=journey, pk=item_pk)
    role_require(user=request.user, workspace_id=journey.workspace_id)  # a viewer's move is refused, whatever it says
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _invalid_move(form)
    move(actor=request.user, **{axis: item}, version=form.cleaned_data["version"],
         position=form.target_position(item.position))
    return _board_response(request, journey, anchor=f"{axis}-{item.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def axis_delete(request: HttpRequest, pk: int, item_pk: int, axis: str) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    get, *_rest, delete = AXES[axis]
    item = get(journey=journey, pk=item_pk)
    if request.method == "GET":
        role_require(user=request.user, workspace_id=journey.workspace_id)
        return TemplateResponse(request, "maps/delete.html", _context(
            request, journey, item=item, axis=axis, card_count=item.cards.filter(deleted_at=None).count(),
            action=reverse(f"maps:{axis}_delete", args=[pk, item_pk]),
        ))
    role_require(user=request.user, workspace_id=journey.workspace_id)
    form = MoveForm({"version": request.POST.get("version"), "step": 1})
    if not form.is_valid():
        return _invalid_move(form)
    delete(actor=request.user, **{axis: item}, version=form.cleaned_data["version"])
    return _board_response(request, journey)


def _invalid_move(form: MoveForm) -> HttpResponse:
    messages = "; ".join(str(m) for errors in form.errors.values() for m in errors)
    return HttpResponse(messages, status=400, content_type="text/plain; charset=utf-8")


# --- cards ------------------------------------------------------------------------


def _card_urls(journey, card: Card) -> dict[str, str]:
    return {"action": reverse("maps:card_edit", args=[journey.pk, card.pk]),
            "cancel": reverse("maps:card_detail", args=[journey.pk, card.pk])}


@login_required
@require_GET
def card_detail(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    if not request.htmx:
        return redirect(_board_url(journey, f"card-{card.pk}"))
    selectors.badges_attach(journey=journey, cards=[card])
    return TemplateResponse(request, f"{BOARD}#card", _context(request, journey, card=card))


@login_required
@require_http_methods(["GET", "POST"])
def card_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    params = request.POST if request.method == "POST" else request.GET
    lane = selectors.lane_get(journey=journey, pk=int_or_zero(params.get("lane")))
    stage = selectors.stage_get(journey=journey, pk=int_or_zero(params.get("stage")))
    form = card_create_form_class(card_model_for(lane.kind))(request.POST or None, journey=journey)
    if request.method == "POST" and form.is_valid():
        try:
            card = services.card_create(actor=request.user, journey=journey, stage_id=stage.pk, lane_id=lane.pk,
                                        data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _board_response(request, journey, anchor=f"card-{card.pk}")
    return _form_response(request, journey, form=form, partial="card_create_form", title=f"New card in {lane.name}",
                          stage=stage, lane=lane, action=reverse("maps:card_create", args=[pk]),
                          status=422 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def card_edit(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk)
    form = card_form_class(type(card))(request.POST or None, instance=card, journey=journey)
    urls = _card_urls(journey, card)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.card_update(actor=request.user, card=card, version=form.cleaned_data["version"],
                                         data=form.cleaned_data)
        except Conflict as error:
            if error.current is not None:  # theirs as the card's own kind, not the bare card row
                error.current = selectors.card_get(journey=journey, pk=card.pk)
            return _conflict_response(request, journey, error=error, form=form, target=f"#card-{card.pk}", **urls)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                return redirect(_board_url(journey, f"card-{card.pk}"))
            fresh = selectors.card_get(journey=journey, pk=saved.pk)
            selectors.badges_attach(journey=journey, cards=[fresh])  # the card's badges survive its swap
            curve = selectors.curve_get(journey=journey) if fresh.kind == "user_state" else None
            return TemplateResponse(request, f"{BOARD}#card_saved", _context(request, journey, card=fresh, curve=curve))
    placement = {} if request.htmx else {  # the full page also offers a move form: dragging needs JavaScript
        "move_stages": journey.stages.all(), "move_lanes": journey.lanes.filter(kind=card.kind)}
    return _form_response(request, journey, form=form, partial="card_form", title=f"Edit “{card.title}”", card=card,
                          status=422 if form.is_bound else 200, **urls, **placement)


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
    return _board_response(request, journey, anchor=f"card-{card.pk}")


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
    return _board_response(request, journey)


@login_required
@require_POST
def card_restore(request: HttpRequest, pk: int, card_pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    card = selectors.card_get(journey=journey, pk=card_pk, deleted=True)
    services.card_restore(actor=request.user, card=card)
    return redirect(_board_url(journey, f"card-{card.pk}"))
