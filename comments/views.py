"""Views parse input, call one service and choose a template.

The comments panel of a card or stage answers HTMX with its region (and the board
badge of its target out of band) and a plain request with a full page or a redirect.
"""

from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import Conflict
from core.forms import add_service_errors, int_or_zero
from maps.selectors import journey_get
from workspaces.selectors import can_edit, membership_get

from . import selectors, services
from .forms import CommentEditForm, CommentForm, VersionForm

PANEL = "comments/panel.html"
OPEN_LIST = "comments/open_list.html"
MENTIONS = "comments/mentions.html"


def _path(url: str | None) -> str:
    return urlsplit(url or "").path


def _panel_url(journey_id: int, kind: str, pk: int, anchor: str = "") -> str:
    return reverse("comments:panel", args=[journey_id, kind, pk]) + (f"#{anchor}" if anchor else "")


def _panel_response(request: HttpRequest, journey, target, *, form=None, status: int = 200, **extra) -> HttpResponse:
    """The target's threads re-read after a change, with its board badge sent out of band."""
    membership = membership_get(user=request.user, workspace_id=journey.workspace_id)
    discussion = selectors.discussion_get(journey=journey, target=target)
    context = {
        "journey": journey,
        "discussion": discussion,
        "form": form or CommentForm(),
        "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id, membership=membership),
        # The board's badge of this target follows the change; the panel's own page has no board.
        "on_board": bool(request.htmx) and _path(request.htmx.current_url_abs_path) == reverse("maps:board", args=[journey.pk]),
        "badge": selectors.badge_for(journey_id=journey.pk, kind=discussion.kind, pk=target.pk,
                                     count=len(discussion.open), swap_oob=True),
    } | extra
    template = f"{PANEL}#panel_response" if request.htmx else PANEL
    return TemplateResponse(request, template, context, status=status)


def _after_change(request: HttpRequest, journey, comment) -> HttpResponse:
    target = comment.card or comment.stage
    if not request.htmx:
        return redirect(_panel_url(journey.pk, selectors.target_kind(target), target.pk, f"comment-{comment.pk}"))
    return _panel_response(request, journey, target)


@login_required
@require_GET
def panel(request: HttpRequest, pk: int, kind: str, target_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    target = selectors.target_get(journey=journey, kind=kind, pk=target_pk)
    return _panel_response(request, journey, target)


@login_required
@require_POST
def comment_create(request: HttpRequest, pk: int, kind: str, target_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    target = selectors.target_get(journey=journey, kind=kind, pk=target_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent_pk = form.cleaned_data["parent"]
        parent = selectors.comment_get(journey=journey, pk=parent_pk) if parent_pk else None
        try:
            comment = services.comment_create(actor=request.user, journey=journey, target=target,
                                              body=form.cleaned_data["body"], parent=parent)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _after_change(request, journey, comment)
    return _panel_response(request, journey, target, form=form, status=422,
                           reply_to=int_or_zero(request.POST.get("parent")))


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    comment = selectors.own_comment_get(journey=journey, pk=comment_pk, user=request.user)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body, "version": comment.version})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_update(actor=request.user, comment=comment,
                                              version=form.cleaned_data["version"], body=form.cleaned_data["body"])
        except Conflict as conflict:
            error = conflict
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            return _after_change(request, journey, comment)
    if error is not None and error.current is not None:
        # Theirs is shown in the thread; the form keeps yours, now naming their version.
        form = CommentEditForm({"body": form.cleaned_data["body"], "version": error.current.version})
    status = 409 if error else 422 if form.is_bound else 200
    target = comment.card or comment.stage
    return _panel_response(request, journey, target, status=status, editing=comment.pk, edit_form=form,
                           conflict=error)


def _thread_state_change(request: HttpRequest, pk: int, comment_pk: int, change) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    root = selectors.comment_get(journey=journey, pk=comment_pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        root = change(actor=request.user, root=root, version=version)
    except Conflict as error:
        target = root.card or root.stage
        return _panel_response(request, journey, target, status=409, conflict=error)
    return _after_change(request, journey, root)


@login_required
@require_POST
def thread_resolve(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    return _thread_state_change(request, pk, comment_pk, services.thread_resolve)


@login_required
@require_POST
def thread_reopen(request: HttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    return _thread_state_change(request, pk, comment_pk, services.thread_reopen)


@login_required
@require_GET
def open_list(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    return TemplateResponse(request, OPEN_LIST, {"journey": journey, "threads": selectors.open_threads(journey=journey)})


@login_required
@require_GET
def mentions(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, MENTIONS, {"mentions": selectors.mentions_for_user(user=request.user)[:200]})


@login_required
@require_GET
def mentions_count(request: HttpRequest) -> HttpResponse:
    """The top bar's unread count, loaded after the page so that no page pays a query for it."""
    return TemplateResponse(request, f"{MENTIONS}#count", {"unseen": selectors.unseen_mention_count(user=request.user)})


@login_required
@require_POST
def mentions_seen(request: HttpRequest) -> HttpResponse:
    mention_pk = int_or_zero(request.POST.get("mention"))
    services.mentions_mark_seen(actor=request.user, mention_ids=[mention_pk] if mention_pk else None)
    if request.htmx:
        return TemplateResponse(request, f"{MENTIONS}#list", {
            "mentions": selectors.mentions_for_user(user=request.user)[:200],
            "unseen": selectors.unseen_mention_count(user=request.user), "oob": True})
    return redirect("comments:mentions")
