"""Workshop mode's rules: dot budgets, who opens and closes a vote, the timer, share links."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from maps.models import Journey, LaneKind
from maps.signals import journey_changed
from workshop import selectors, services
from workshop.models import ShareLink, Vote, VoteSession, VoteTarget, WorkshopTimer

from . import factories
from .test_concurrency import run_in_threads


@pytest.fixture
def frictions(journey, owner):
    first, second = list(journey.stages.all()[:2])
    return [
        factories.make_card(journey, owner, kind=LaneKind.FRICTION, stage=first, title="Hidden price"),
        factories.make_card(journey, owner, kind=LaneKind.FRICTION, stage=second, title="No progress bar"),
        factories.make_card(journey, owner, kind=LaneKind.FRICTION, stage=second, title="Vague reminder"),
    ]


@pytest.fixture
def session(journey, owner, frictions):
    return services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)


def _dots(session, user=None) -> int:
    votes = Vote.objects.filter(session=session)
    if user is not None:
        votes = votes.filter(voter=user)
    return sum(votes.values_list("dots", flat=True))


# --- opening and closing --------------------------------------------------------------


def test_an_editor_opens_a_vote_and_the_map_gets_a_new_revision(journey, editor, frictions):
    before = Journey.objects.get(pk=journey.pk).revision
    session = services.vote_session_open(actor=editor, journey=journey, target=VoteTarget.FRICTION, dots_per_person=5)
    assert session.is_open and session.opened_by == editor and session.dots_per_person == 5
    assert Journey.objects.get(pk=journey.pk).revision == before + 1


def test_a_viewer_cannot_open_or_close_a_vote(journey, viewer, session):
    with pytest.raises(PermissionDenied):
        services.vote_session_open(actor=viewer, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)
    with pytest.raises(PermissionDenied):
        services.vote_session_close(actor=viewer, session=session)
    assert VoteSession.objects.get(pk=session.pk).is_open


def test_someone_outside_the_workspace_cannot_open_a_vote(other_journey, owner):
    with pytest.raises(NotFound):
        services.vote_session_open(actor=owner, journey=other_journey, target=VoteTarget.FRICTION, dots_per_person=3)


def test_only_one_vote_is_open_at_a_time(journey, owner, session):
    with pytest.raises(Conflict):
        services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.OPPORTUNITIES, dots_per_person=3)
    services.vote_session_close(actor=owner, session=session)
    reopened = services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.OPPORTUNITIES,
                                          dots_per_person=2)
    assert reopened.is_open and VoteSession.objects.filter(journey=journey).count() == 2


@pytest.mark.parametrize("dots", [0, 21])
def test_the_number_of_dots_is_validated(journey, owner, dots):
    with pytest.raises(ValidationError) as error:
        services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=dots)
    assert "dots_per_person" in str(error.value)
    assert not VoteSession.objects.exists()


def test_closing_twice_is_a_conflict_and_a_closed_vote_takes_no_dots(owner, editor, session, frictions):
    services.vote_add(actor=editor, session=session, card_id=frictions[0].pk)
    closed = services.vote_session_close(actor=owner, session=session)
    assert not closed.is_open and closed.closed_by == owner
    with pytest.raises(Conflict):
        services.vote_session_close(actor=editor, session=session)
    with pytest.raises(Conflict):
        services.vote_add(actor=editor, session=session, card_id=frictions[1].pk)
    with pytest.raises(Conflict):
        services.vote_remove(actor=editor, session=session, card_id=frictions[0].pk)
    assert _dots(session) == 1


# --- voting ---------------------------------------------------------------------------


def test_a_viewer_votes_and_dots_on_one_card_add_up_in_one_row(viewer, session, frictions):
    services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk)
    vote = services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk)
    assert vote.dots == 2
    assert Vote.objects.filter(session=session, voter=viewer).count() == 1


def test_nobody_spends_more_than_their_dots(viewer, editor, session, frictions):
    for card in frictions:
        services.vote_add(actor=viewer, session=session, card_id=card.pk)
    with pytest.raises(ApplicationError, match="spent all your 3 dots"):
        services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk)
    services.vote_add(actor=editor, session=session, card_id=frictions[0].pk)  # a budget is per person
    assert _dots(session, viewer) == 3 and _dots(session, editor) == 1


def test_taking_a_dot_back_frees_it(viewer, session, frictions):
    for _ in range(3):
        services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk)
    services.vote_remove(actor=viewer, session=session, card_id=frictions[0].pk)
    services.vote_add(actor=viewer, session=session, card_id=frictions[1].pk)
    assert dict(Vote.objects.filter(voter=viewer).values_list("card_id", "dots")) == {
        frictions[0].pk: 2, frictions[1].pk: 1}
    services.vote_remove(actor=viewer, session=session, card_id=frictions[1].pk)
    assert not Vote.objects.filter(voter=viewer, card=frictions[1]).exists()  # no row left at zero
    with pytest.raises(ApplicationError, match="no dot"):
        services.vote_remove(actor=viewer, session=session, card_id=frictions[1].pk)


def test_only_cards_of_the_voted_kind_on_this_map_take_dots(journey, owner, viewer, session, other_journey):
    opportunity = factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title="Show the price")
    theirs = factories.make_card(other_journey, other_journey.created_by, kind=LaneKind.FRICTION, title="Theirs")
    for card in (opportunity, theirs):
        with pytest.raises(NotFound):
            services.vote_add(actor=viewer, session=session, card_id=card.pk)
    assert not Vote.objects.exists()


def test_a_stranger_cannot_vote(session, frictions, other_workspace):
    stranger = other_workspace.memberships.get().user
    with pytest.raises(NotFound):
        services.vote_add(actor=stranger, session=session, card_id=frictions[0].pk)


def test_results_are_ranked_with_ties_sharing_a_rank(owner, editor, viewer, session, frictions):
    hidden, progress, reminder = frictions
    for actor, card in [(owner, progress), (editor, progress), (viewer, progress), (owner, hidden), (editor, reminder)]:
        services.vote_add(actor=actor, session=session, card_id=card.pk)
    tally = selectors.vote_tally(session=session, user=owner)
    assert [(r.card.pk, r.dots, r.rank) for r in tally.results] == [
        (progress.pk, 3, 1), (hidden.pk, 1, 2), (reminder.pk, 1, 2)]
    assert [r.card.pk for r in tally.cards] == [hidden.pk, progress.pk, reminder.pk]  # board order to vote on
    assert tally.spent == 2 and tally.remaining == 1 and tally.voters == 3 and tally.total == 5


def test_every_vote_is_announced_after_commit(viewer, session, frictions, django_capture_on_commit_callbacks):
    sent = []

    def receiver(sender, journey_id, revision, actor_id, **kwargs):
        sent.append((journey_id, revision, actor_id))

    journey_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk)
    finally:
        journey_changed.disconnect(receiver)
    revision = Journey.objects.get(pk=session.journey_id).revision
    assert sent == [(session.journey_id, revision, viewer.pk)]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_clicks_never_overspend_or_double_count(journey, owner, viewer, frictions):
    session = services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)
    clicks = [lambda card=frictions[i % 2]: services.vote_add(actor=viewer, session=session, card_id=card.pk)
              for i in range(8)]
    results, errors = run_in_threads(clicks)
    assert len(results) == 3, errors
    assert all(isinstance(e, ApplicationError) and "spent all" in e.message for e in errors.values()), errors
    assert _dots(session, viewer) == 3
    assert Vote.objects.filter(session=session, voter=viewer).count() <= 2  # one row per card, never two


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_dots_on_one_card_make_one_row(journey, owner, viewer, frictions):
    session = services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=5)
    results, errors = run_in_threads(
        [lambda: services.vote_add(actor=viewer, session=session, card_id=frictions[0].pk) for _ in range(4)])
    assert not errors and len(results) == 4
    assert list(Vote.objects.filter(session=session).values_list("dots", flat=True)) == [4]


# --- the timer ------------------------------------------------------------------------


def test_the_facilitator_starts_and_stops_the_timer(journey, editor):
    before = timezone.now()
    timer = services.timer_start(actor=editor, journey=journey, minutes=10)
    assert timer.duration_seconds == 600
    assert before + datetime.timedelta(minutes=10) <= timer.ends_at <= timezone.now() + datetime.timedelta(minutes=10)
    assert selectors.timer_get(journey=journey) == timer
    services.timer_stop(actor=editor, journey=journey)
    assert selectors.timer_get(journey=journey) is None
    assert WorkshopTimer.objects.filter(journey=journey).count() == 1


def test_restarting_the_timer_replaces_the_end_time(journey, owner):
    services.timer_start(actor=owner, journey=journey, minutes=1)
    timer = services.timer_start(actor=owner, journey=journey, minutes=30)
    assert WorkshopTimer.objects.get(journey=journey).ends_at == timer.ends_at
    assert timer.ends_at > timezone.now() + datetime.timedelta(minutes=29)


def test_a_viewer_cannot_run_the_timer(journey, viewer):
    with pytest.raises(PermissionDenied):
        services.timer_start(actor=viewer, journey=journey, minutes=5)
    with pytest.raises(PermissionDenied):
        services.timer_stop(actor=viewer, journey=journey)
    assert not WorkshopTimer.objects.exists()


@pytest.mark.parametrize("minutes", [0, 181])
def test_the_timer_length_is_bounded(journey, owner, minutes):
    with pytest.raises(ApplicationError):
        services.timer_start(actor=owner, journey=journey, minutes=minutes)


# --- share links ----------------------------------------------------------------------


def test_an_owner_creates_a_link_that_resolves_to_this_map(journey, owner):
    link = services.share_link_create(actor=owner, journey=journey, label="Room 4 projector", days=2)
    token = selectors.share_link_token(link=link)
    assert selectors.share_link_resolve(token=token).journey == journey
    assert link.expires_at > timezone.now() + datetime.timedelta(days=1, hours=23)


def test_only_an_owner_creates_or_revokes_links(journey, owner, editor, viewer):
    for actor in (editor, viewer):
        with pytest.raises(PermissionDenied):
            services.share_link_create(actor=actor, journey=journey)
    link = services.share_link_create(actor=owner, journey=journey)
    with pytest.raises(PermissionDenied):
        services.share_link_revoke(actor=editor, link=link)
    assert ShareLink.objects.get(pk=link.pk).revoked_at is None


def test_a_revoked_link_stops_resolving_at_once(journey, owner):
    link = services.share_link_create(actor=owner, journey=journey)
    token = selectors.share_link_token(link=link)
    services.share_link_revoke(actor=owner, link=link)
    with pytest.raises(NotFound):
        selectors.share_link_resolve(token=token)
    assert list(selectors.share_links_active(journey=journey)) == []


def test_an_expired_link_does_not_resolve(journey, owner):
    link = services.share_link_create(actor=owner, journey=journey, days=1)
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(NotFound):
        selectors.share_link_resolve(token=selectors.share_link_token(link=link))


@pytest.mark.parametrize("days", [0, 91])
def test_a_link_lasts_a_bounded_time(journey, owner, days):
    with pytest.raises(ApplicationError):
        services.share_link_create(actor=owner, journey=journey, days=days)


def test_forged_and_altered_tokens_do_not_resolve(journey, owner, other_journey):
    link = services.share_link_create(actor=owner, journey=journey)
    theirs = services.share_link_create(actor=other_journey.created_by, journey=other_journey)
    token = selectors.share_link_token(link=link)
    forged = [
        "",
        "not-a-token",
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # altered signature
        signing.dumps(theirs.pk, salt="another-salt"),  # signed for another purpose
        signing.dumps(link.pk, key="a-guessed-secret-key", salt=selectors.SHARE_SALT),
        str(link.pk),
    ]
    for candidate in forged:
        with pytest.raises(NotFound):
            selectors.share_link_resolve(token=candidate)


def test_showing_a_votes_results_early_is_on_the_maps_record(journey, owner):
    from maps.models import Change

    session = services.vote_session_open(actor=owner, journey=journey, target=VoteTarget.FRICTION, dots_per_person=3)
    services.vote_session_reveal(actor=owner, session=session)
    change = Change.objects.filter(journey=journey, entity="vote_session").order_by("-id").first()
    assert (change.action, change.actor, change.entity_id) == ("update", owner, session.pk)
    assert (change.before, change.after) == ({"results": "hidden"}, {"results": "shown"})
