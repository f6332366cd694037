"""Presence: who has a map open, and who is editing which card right now.

Presence is a soft indicator, never a lock: saves still go through the versions of
`maps.services`. Every change of presence is announced on the journey's bus as a
`presence` event, and each stream then re-reads it (see `live.selectors`).
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from maps.models import Journey
from maps.selectors import card_get
from workspaces.selectors import role_require

from . import bus, presence
from .people import display_name
from .presence import Watcher

# An edit form left open this long stops counting (its person's stream must be alive too).
EDIT_TTL_SECONDS = 30 * 60


def _announce(journey_id: int) -> None:
    bus.publish(journey_id, {"event": "presence"})


def presence_join(*, watcher: Watcher) -> None:
    presence.entry_put(journey_id=watcher.journey_id, field=watcher.field,
                       value={"user": watcher.user_id, "name": watcher.name}, ttl=settings.LIVE_PRESENCE_TTL_SECONDS)
    _announce(watcher.journey_id)


def presence_refresh(*, watcher: Watcher) -> None:
    """The stream's heartbeat: keeps its entry alive, and tells the others about entries that expired."""
    presence.entry_put(journey_id=watcher.journey_id, field=watcher.field,
                       value={"user": watcher.user_id, "name": watcher.name}, ttl=settings.LIVE_PRESENCE_TTL_SECONDS)
    _, dropped = presence.entries_read(journey_id=watcher.journey_id)
    if dropped:
        _announce(watcher.journey_id)


def presence_leave(*, watcher: Watcher) -> None:
    """The stream closed. A person with no other stream on the map stops editing there too."""
    entries, _ = presence.entries_read(journey_id=watcher.journey_id)
    gone = [watcher.field]
    still_here = any(
        field != watcher.field and field.startswith("view:") and value["user"] == watcher.user_id
        for field, value in entries.items()
    )
    if watcher.user_id is not None and not still_here:
        gone.append(f"edit:{watcher.user_id}")
    presence.entries_remove(journey_id=watcher.journey_id, fields=gone)
    _announce(watcher.journey_id)


@transaction.atomic
def presence_editing_set(*, actor: AbstractBaseUser, journey: Journey, card_id: int | None) -> None:
    """Marks the card `actor` has open in an edit form (None: no form open any more)."""
    role_require(user=actor, workspace_id=journey.workspace_id)
    field = f"edit:{actor.pk}"
    if card_id is None:
        presence.entries_remove(journey_id=journey.pk, fields=[field])
    else:
        card = card_get(journey=journey, pk=card_id)
        presence.entry_put(journey_id=journey.pk, field=field,
                           value={"user": actor.pk, "name": display_name(actor), "card": card.pk},
                           ttl=EDIT_TTL_SECONDS)
    _announce(journey.pk)
