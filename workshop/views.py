"""Views parse input, call one service and choose a template.

The presentation answers HTMX with its region (re-fetched on every live change) and
a plain request with the whole page; the facilitator's actions answer HTMX with the
region they changed and a plain form post with a redirect, so all of it works
without JavaScript too.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from core.forms import add_service_errors, int_or_zero
from core.middleware import shows_secret
from live.streams import can_stream, event_stream_response, release_database_connection
from maps.selectors import journey_get
from workspaces.selectors import can_edit, membership_get, role_require

from . import selectors, services
from .forms import ShareLinkForm, TimerForm, VoteOpenForm

PRESENT = "workshop/present.html"
FACILITATE = "workshop/facilitate.html"
SHARE = "workshop/share.html"


def _events_url(request: HttpRequest, url_name: str, arg: int | str) -> str | None:
    """Where the page follows live edits; None where this server cannot stream (WSGI)."""
    return reverse(url_name, args=[arg]) if can_stream(request) else None


def _present_response(request: HttpRequest, journey, *, base_url: str, events_url: str | None,
                      guest: bool) -> TemplateResponse:
    presentation = selectors.presentation_get(
        journey=journey,
        stage_id=int_or_zero(request.GET.get("stage")) or None,
        card_id=int_or_zero(request.GET.get("card")) or None,
    )
    template = f"{PRESENT}#presentation" if request.htmx else PRESENT
    return TemplateResponse(request, template, {
        "p": presentation, "journey": journey, "base_url": base_url, "events_url": events_url, "guest": guest,
    })


def present_cards_html(*, journey, card_ids: list[int]) -> str:
    """Changed cards as a stage slide shows them, for a change event: an open presentation swaps them in
    place by id (#p-card-<pk>). Links are relative (`?card=`), right on the member's and the guest's page."""
    template = get_template(f"{PRESENT}#shown_card")
    return "".join(template.render({"item": item, "base_url": "", "journey": journey}).strip()
                   for item in selectors.shown_cards(journey=journey, card_ids=card_ids))


@login_required
@require_GET
def present(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    return _present_response(request, journey, base_url=reverse("workshop:present", args=[pk]),
                             events_url=_events_url(request, "live:events", journey.pk), guest=False)


@require_GET
def share_present(request: HttpRequest, token: str) -> HttpResponse:
    """The presentation for a guest without an account: this map only, read-only."""
    link = selectors.share_link_resolve(token=token)
    return _present_response(request, link.journey, base_url=reverse("workshop:share_present", args=[token]),
                             events_url=_events_url(request, "workshop:share_events", token), guest=True)


@require_GET
def share_events(request: HttpRequest, token: str) -> HttpResponse:
    link = selectors.share_link_resolve(token=token)
    release_database_connection()
    return event_stream_response(request=request, journey_id=link.journey_id, who=None, person=f"share:{link.pk}",
                                 share_link_id=link.pk, ends_at=link.expires_at)


# --- the facilitator's page: timer and dot vote ---------------------------------------


def _facilitate_context(request: HttpRequest, journey, **extra: Any) -> dict[str, Any]:
    membership = membership_get(user=request.user, workspace_id=journey.workspace_id)
    session = selectors.vote_session_current(journey=journey)
    return {
        "journey": journey,
        "can_edit": can_edit(user=request.user, workspace_id=journey.workspace_id, membership=membership),
        "tally": selectors.vote_tally(session=session, user=request.user) if session else None,
        "timer": selectors.timer_get(journey=journey),
        "vote_form": VoteOpenForm(),
        "timer_form": TimerForm(),
        "events_url": _events_url(request, "live:events", journey.pk),
    } | extra


def _facilitate_response(request: HttpRequest, journey, *, region: str, **extra: Any) -> HttpResponse:
    if not request.htmx:
        return redirect(reverse("workshop:facilitate", args=[journey.pk]) + f"#{region}")
    return TemplateResponse(request, f"{FACILITATE}#{region}", _facilitate_context(request, journey, **extra))


@login_required
@require_GET
def facilitate(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    template = f"{FACILITATE}#vote" if request.htmx else FACILITATE
    return TemplateResponse(request, template, _facilitate_context(request, journey))


@login_required
@require_POST
def timer_start(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    form = TimerForm(request.POST)
    if not form.is_valid():
        role_require(user=request.user, workspace_id=journey.workspace_id)
        template = f"{FACILITATE}#timer" if request.htmx else FACILITATE
        return TemplateResponse(request, template, _facilitate_context(request, journey, timer_form=form), status=422)
    services.timer_start(actor=request.user, journey=journey, minutes=form.cleaned_data["minutes"])
    return _facilitate_response(request, journey, region="timer")


@login_required
@require_POST
def timer_stop(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    services.timer_stop(actor=request.user, journey=journey)
    return _facilitate_response(request, journey, region="timer")


@login_required
@require_POST
def vote_open(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    form = VoteOpenForm(request.POST)
    if form.is_valid():
        try:
            services.vote_session_open(actor=request.user, journey=journey, target=form.cleaned_data["target"],
                                       dots_per_person=form.cleaned_data["dots_per_person"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _facilitate_response(request, journey, region="vote")
    role_require(user=request.user, workspace_id=journey.workspace_id)
    template = f"{FACILITATE}#vote" if request.htmx else FACILITATE
    return TemplateResponse(request, template, _facilitate_context(request, journey, vote_form=form), status=422)


@login_required
@require_POST
def vote_close(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    session = selectors.vote_session_get(journey=journey, pk=session_pk)
    services.vote_session_close(actor=request.user, session=session)
    return _facilitate_response(request, journey, region="vote")


@login_required
@require_POST
def vote_reveal(request: HttpRequest, pk: int, session_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    session = selectors.vote_session_get(journey=journey, pk=session_pk)
    services.vote_session_reveal(actor=request.user, session=session)
    return _facilitate_response(request, journey, region="vote")


@login_required
@require_POST
def vote_add(request: HttpRequest, pk: int, session_pk: int, card_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    session = selectors.vote_session_get(journey=journey, pk=session_pk)
    services.vote_add(actor=request.user, session=session, card_id=card_pk)
    return _facilitate_response(request, journey, region="vote")


@login_required
@require_POST
def vote_remove(request: HttpRequest, pk: int, session_pk: int, card_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    session = selectors.vote_session_get(journey=journey, pk=session_pk)
    services.vote_remove(actor=request.user, session=session, card_id=card_pk)
    return _facilitate_response(request, journey, region="vote")


# --- share links (owners only) ----------------------------------------------------------


def _share_page(request: HttpRequest, journey, *, form: ShareLinkForm | None = None, status: int = 200):
    role_require(user=request.user, workspace_id=journey.workspace_id, roles=services.OWNER_ONLY)
    links = [(link, request.build_absolute_uri(reverse("workshop:share_present",
                                                       args=[selectors.share_link_token(link=link)])))
             for link in selectors.share_links_active(journey=journey)]
    template = f"{SHARE}#links" if request.htmx else SHARE
    return TemplateResponse(request, template, {"journey": journey, "links": links, "form": form or ShareLinkForm()},
                            status=status)


@login_required
@require_GET
@shows_secret
def share_links(request: HttpRequest, pk: int) -> HttpResponse:
    return _share_page(request, journey_get(user=request.user, pk=pk))


@login_required
@require_POST
def share_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():
        return _share_page(request, journey, form=form, status=422)
    services.share_link_create(actor=request.user, journey=journey, **form.cleaned_data)
    if not request.htmx:
        return redirect("workshop:share_links", pk=pk)
    return _share_page(request, journey)


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    journey = journey_get(user=request.user, pk=pk)
    link = selectors.share_link_get(journey=journey, pk=link_pk)
    services.share_link_revoke(actor=request.user, link=link)
    if not request.htmx:
        return redirect("workshop:share_links", pk=pk)
    return _share_page(request, journey)

