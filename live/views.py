"""The board's live connection: its event stream, and where it says which card its person is editing."""

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from core.forms import int_or_zero
from maps.selectors import journey_get
from workspaces.models import role_can_edit
from workspaces.selectors import membership_get

from . import services
from .people import display_name
from .streams import event_stream_response, release_database_connection


def _journey_then_release(*, user, pk: int):
    """The access check (and whether this person may edit: which regions they get), in the request's
    own thread, which then lets its database connection go."""
    journey = journey_get(user=user, pk=pk)
    membership = membership_get(user=user, workspace_id=journey.workspace_id)
    release_database_connection()
    return journey, membership is not None and role_can_edit(membership.role)


@login_required
@require_GET
async def events(request: HttpRequest, pk: int) -> HttpResponse:
    """Any member of the map's workspace, viewers included, may watch it."""
    user = await request.auser()
    journey, can_edit = await sync_to_async(_journey_then_release)(user=user, pk=pk)
    return event_stream_response(request=request, journey_id=journey.pk, who=display_name(user),
                                 person=f"user:{user.pk}", can_edit=can_edit)


@login_required
@require_POST
def editing(request: HttpRequest, pk: int) -> HttpResponse:
    """`card=<id>`: this person opened that card's edit form; `card=` (empty): they closed it."""
    journey = journey_get(user=request.user, pk=pk)
    services.presence_editing_set(actor=request.user, journey=journey,
                                  card_id=int_or_zero(request.POST.get("card")) or None)
    if request.htmx:
        return HttpResponse(status=204)
    return redirect("maps:board", pk=journey.pk)
