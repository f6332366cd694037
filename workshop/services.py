"""Every change workshop mode makes: dot votes, the timer and share links.

Each one starts with `maps.services.journey_change_begin`, which locks the map's row,
checks the actor's role and bumps the map's revision, so the change is serialised
with every other change of the map and announced to the live views once committed.
"""

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.errors import ApplicationError, Conflict, NotFound
from live import bus as live_bus
from maps.models import Card, Journey
from maps.models import ChangeAction
from maps.services import history_record, journey_change_begin
from workspaces.models import Role

from .models import ShareLink, Vote, VoteSession, WorkshopTimer

EVERY_ROLE = frozenset(Role)  # votes are the participants' to cast, viewers included
OWNER_ONLY = frozenset({Role.OWNER})
MAX_TIMER_MINUTES = 180
MAX_SHARE_DAYS = 90


# --- dot votes --------------------------------------------------------------------


def _session_locked(session: VoteSession) -> VoteSession:
    """The session as it is now, after the journey lock: it may have closed meanwhile."""
    return VoteSession.objects.select_for_update().get(pk=session.pk)


@transaction.atomic
def vote_session_open(
    *, actor: AbstractBaseUser, journey: Journey, target: str, dots_per_person: int
) -> VoteSession:
    locked = journey_change_begin(actor=actor, journey_id=journey.pk)
    if VoteSession.objects.filter(journey=journey, closed_at=None).exists():
        raise Conflict("A vote is already open on this map: close it before opening another.")
    session = VoteSession(journey=journey, target=target, dots_per_person=dots_per_person, opened_by=actor)
    session.full_clean()
    session.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="vote_session", obj=session,
                   after={"target": session.get_target_display(), "dots_per_person": dots_per_person})
    return session


@transaction.atomic
def vote_session_close(*, actor: AbstractBaseUser, session: VoteSession) -> VoteSession:
    locked = journey_change_begin(actor=actor, journey_id=session.journey_id)
    session = _session_locked(session)
    if not session.is_open:
        raise Conflict("This vote is already closed.")
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="vote_session", obj=session,
                   before={"state": "open"}, after={"state": "closed"})
    session.closed_at = timezone.now()
    session.closed_by = actor
    session.full_clean()
    session.save(update_fields=["closed_at", "closed_by"])
    return session


@transaction.atomic
def vote_session_reveal(*, actor: AbstractBaseUser, session: VoteSession) -> VoteSession:
    """Shows an open vote's results to everyone before it closes (the facilitator's call)."""
    locked = journey_change_begin(actor=actor, journey_id=session.journey_id)
    session = _session_locked(session)
    if session.results_shown:
        raise Conflict("The results of this vote are already shown.")
    history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="vote_session", obj=session,
                   before={"results": "hidden"}, after={"results": "shown"})
    session.results_revealed_at = timezone.now()
    session.full_clean()
    session.save(update_fields=["results_revealed_at"])
    return session


def _open_session_and_card(*, actor: AbstractBaseUser, session: VoteSession, card_id: int) -> tuple[VoteSession, Card]:
    # The journey row lock serialises every vote on the map, so a person's clicks are
    # counted one after the other and the budget check below sees every earlier dot.
    locked = journey_change_begin(actor=actor, journey_id=session.journey_id, roles=EVERY_ROLE)
    session = _session_locked(session)
    if not session.is_open:
        raise Conflict("This vote is closed: the results are final.")
    card = Card.objects.filter(pk=card_id, journey_id=session.journey_id, kind=session.target, deleted_at=None).first()
    if card is None:
        raise NotFound("No such card in this vote.")
    session.locked_journey = locked
    return session, card


@transaction.atomic
def vote_add(*, actor: AbstractBaseUser, session: VoteSession, card_id: int) -> Vote:
    """Puts one of the actor's dots on a card; refused once all their dots are spent."""
    session, card = _open_session_and_card(actor=actor, session=session, card_id=card_id)
    spent = Vote.objects.filter(session=session, voter=actor).aggregate(total=Sum("dots"))["total"] or 0
    if spent >= session.dots_per_person:
        raise ApplicationError(f"You have spent all your {session.dots_per_person} dots. Take one back to move it.")
    vote, created = Vote.objects.get_or_create(session=session, card=card, voter=actor)
    if not created:
        Vote.objects.filter(pk=vote.pk).update(dots=F("dots") + 1)
        vote.refresh_from_db()
    history_record(journey=session.locked_journey, actor=actor, action=ChangeAction.UPDATE, entity="vote", obj=card,
                   label=card.title, before={"dots": vote.dots - 1}, after={"dots": vote.dots})
    return vote


@transaction.atomic
def vote_remove(*, actor: AbstractBaseUser, session: VoteSession, card_id: int) -> None:
    """Takes one of the actor's dots back from a card."""
    session, card = _open_session_and_card(actor=actor, session=session, card_id=card_id)
    vote = Vote.objects.filter(session=session, card=card, voter=actor).first()
    if vote is None:
        raise ApplicationError("You have no dot on this card to take back.")
    if vote.dots == 1:
        vote.delete()  # a dot taken back, not data to keep: the history entry records it
    else:
        Vote.objects.filter(pk=vote.pk).update(dots=F("dots") - 1)
    history_record(journey=session.locked_journey, actor=actor, action=ChangeAction.UPDATE, entity="vote", obj=card,
                   label=card.title, before={"dots": vote.dots}, after={"dots": vote.dots - 1})


# --- the timer --------------------------------------------------------------------


@transaction.atomic
def timer_start(*, actor: AbstractBaseUser, journey: Journey, minutes: int) -> WorkshopTimer:
    """Starts (or restarts) the countdown shown on the presentation view."""
    if not 1 <= minutes <= MAX_TIMER_MINUTES:
        raise ApplicationError(f"A timer runs from 1 to {MAX_TIMER_MINUTES} minutes.")
    journey_change_begin(actor=actor, journey_id=journey.pk)
    timer, _created = WorkshopTimer.objects.get_or_create(journey=journey)
    timer.duration_seconds = minutes * 60
    timer.ends_at = timezone.now() + datetime.timedelta(minutes=minutes)
    timer.started_by = actor
    timer.full_clean()
    timer.save()
    return timer


@transaction.atomic
def timer_stop(*, actor: AbstractBaseUser, journey: Journey) -> WorkshopTimer:
    """Stops and clears the countdown; stopping a stopped timer changes nothing but is allowed."""
    journey_change_begin(actor=actor, journey_id=journey.pk)
    timer, _created = WorkshopTimer.objects.get_or_create(journey=journey)
    timer.ends_at = None
    timer.full_clean()
    timer.save()
    return timer


# --- share links ----------------------------------------------------------------


@transaction.atomic
def share_link_create(*, actor: AbstractBaseUser, journey: Journey, label: str = "", days: int = 7) -> ShareLink:
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ApplicationError(f"A share link lasts from 1 to {MAX_SHARE_DAYS} days.")
    locked = journey_change_begin(actor=actor, journey_id=journey.pk, roles=OWNER_ONLY)
    link = ShareLink(
        journey=journey, label=label, created_by=actor, expires_at=timezone.now() + datetime.timedelta(days=days)
    )
    link.full_clean()
    link.save()
    history_record(journey=locked, actor=actor, action=ChangeAction.CREATE, entity="share_link", obj=link,
                   after={"label": link.label, "expires_at": link.expires_at.isoformat()})
    return link


@transaction.atomic
def share_link_revoke(*, actor: AbstractBaseUser, link: ShareLink) -> ShareLink:
    """Stops the link at once: its open streams end (before the new revision's event, which they never
    see), and guest pages that re-fetch get nothing more."""
    link_id, journey_id = link.pk, link.journey_id
    transaction.on_commit(lambda: live_bus.publish(journey_id, {"event": "share_revoked", "link": link_id}))
    locked = journey_change_begin(actor=actor, journey_id=link.journey_id, roles=OWNER_ONLY)
    link = ShareLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.full_clean()
        link.save(update_fields=["revoked_at", "revoked_by"])
        history_record(journey=locked, actor=actor, action=ChangeAction.UPDATE, entity="share_link", obj=link,
                       before={"state": "active"}, after={"state": "revoked"})
    return link
