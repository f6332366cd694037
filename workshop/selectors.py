"""Reads for workshop mode, scoped to the map the person (or the share link) may see."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from core.errors import NotFound
from maps.models import Card, Journey, LaneKind, Stage
from maps.selectors import Board, board_get, card_get, stage_get

from .models import ShareLink, Vote, VoteSession, WorkshopTimer

SHARE_SALT = "workshop.share-link"

# The overview's stage tiles list these kinds by name (the user state is the curve above them,
# and touchpoints would crowd the tiles); each stage's own slide shows every lane the board has.
OVERVIEW_KINDS = [LaneKind.ACTIONS, LaneKind.FRICTION, LaneKind.OPPORTUNITIES, LaneKind.HANDOFFS]


# --- dot votes --------------------------------------------------------------------


def vote_session_current(*, journey: Journey) -> VoteSession | None:
    """The open vote of the map, or else the one that closed last (its results stay up)."""
    sessions = journey.vote_sessions.select_related("opened_by", "closed_by")
    return sessions.filter(closed_at=None).first() or sessions.order_by("-closed_at", "-id").first()


def vote_session_get(*, journey: Journey, pk: int) -> VoteSession:
    try:
        return journey.vote_sessions.get(pk=pk)
    except VoteSession.DoesNotExist:
        raise NotFound("No such vote on this map.") from None


@dataclass
class VoteResult:
    card: Card
    dots: int
    voters: int
    mine: int = 0
    rank: int = 0


@dataclass
class VoteTally:
    session: VoteSession
    cards: list[VoteResult]  # every card of the target kind, in board order (to vote on)
    results: list[VoteResult]  # the same, most dots first (ties in board order)
    spent: int = 0  # the dots the person asking has spent
    voters: int = 0

    @property
    def remaining(self) -> int:
        return self.session.dots_per_person - self.spent

    @property
    def ranked(self) -> list[VoteResult]:
        return [r for r in self.results if r.dots]

    @property
    def total(self) -> int:
        return sum(r.dots for r in self.results)


def vote_tally(*, session: VoteSession, user: AbstractBaseUser | None = None) -> VoteTally:
    """The session's cards ranked by dots (ties in board order), with the asker's own dots."""
    cards = list(
        Card.objects.filter(journey_id=session.journey_id, kind=session.target, deleted_at=None)
        .select_related("stage").order_by("stage__position", "position", "id")
    )
    totals = {
        row["card_id"]: row
        for row in Vote.objects.filter(session=session).values("card_id").annotate(dots=Sum("dots"), voters=Count("id"))
    }
    mine = {}
    if user is not None and user.is_authenticated:
        mine = dict(Vote.objects.filter(session=session, voter=user).values_list("card_id", "dots"))
    nothing = {"dots": 0, "voters": 0}
    results = [
        VoteResult(card=card, dots=totals.get(card.pk, nothing)["dots"], voters=totals.get(card.pk, nothing)["voters"],
                   mine=mine.get(card.pk, 0))
        for card in cards
    ]
    ranked = sorted(results, key=lambda r: -r.dots)  # stable: ties keep board order
    previous, rank = None, 0
    for index, result in enumerate(ranked, start=1):
        if result.dots != previous:
            rank, previous = index, result.dots
        result.rank = rank
    voters = Vote.objects.filter(session=session).values("voter_id").distinct().count()
    return VoteTally(session=session, cards=results, results=ranked, spent=sum(mine.values()), voters=voters)


# --- the timer --------------------------------------------------------------------


def timer_get(*, journey: Journey) -> WorkshopTimer | None:
    """The running timer of the map, or None (a countdown that ran out still shows 0:00)."""
    return WorkshopTimer.objects.filter(journey=journey).exclude(ends_at=None).first()


# --- share links ----------------------------------------------------------------


def share_link_token(*, link: ShareLink) -> str:
    return signing.dumps(link.pk, salt=SHARE_SALT)


def share_link_resolve(*, token: str) -> ShareLink:
    """The live link a token names; a forged, revoked or expired one is NotFound."""
    try:
        pk = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise NotFound("This share link does not exist or no longer works.") from None
    link = (
        ShareLink.objects.select_related("journey", "journey__workspace")
        .filter(pk=pk, revoked_at=None, expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        raise NotFound("This share link does not exist or no longer works.")
    return link


def share_links_active(*, journey: Journey) -> QuerySet[ShareLink]:
    return journey.share_links.filter(revoked_at=None, expires_at__gt=timezone.now()).select_related("created_by")


def share_link_get(*, journey: Journey, pk: int) -> ShareLink:
    try:
        return journey.share_links.get(pk=pk)
    except ShareLink.DoesNotExist:
        raise NotFound("No such share link on this map.") from None


# --- the presentation -------------------------------------------------------------


@dataclass
class Shown:
    """A card on the projector, with the dots it has in the current vote."""

    card: Card
    dots: int = 0


@dataclass
class StageSlide:
    stage: Stage
    number: int
    groups: list[tuple[str, str, list[Shown]]]  # (lane kind, its label, its cards) for the kinds shown

    @property
    def overview_groups(self) -> list[tuple[str, str, list[Shown]]]:
        return [group for group in self.groups if group[0] in OVERVIEW_KINDS]

    @property
    def card_count(self) -> int:
        return sum(len(cards) for _kind, _label, cards in self.groups)


@dataclass
class Presentation:
    journey: Journey
    board: Board
    slides: list[StageSlide]
    stage: StageSlide | None = None  # one stage large; None for the overview
    card: Shown | None = None  # one card in focus
    previous: Stage | None = None
    next: Stage | None = None
    tally: VoteTally | None = None
    timer: WorkshopTimer | None = None


def shown_cards(*, journey: Journey, card_ids: list[int]) -> list[Shown]:
    """These cards as the projector shows them (deleted ones left out), with their dots if the results are shown."""
    session = vote_session_current(journey=journey)
    tally = vote_tally(session=session) if session is not None else None
    dots = {r.card.pk: r.dots for r in tally.results} if tally and tally.session.results_shown else {}
    cards = []
    for pk in dict.fromkeys(card_ids):
        try:
            cards.append(card_get(journey=journey, pk=pk))
        except NotFound:
            continue
    return [Shown(card, dots.get(card.pk, 0)) for card in cards]


def presentation_get(*, journey: Journey, stage_id: int | None = None, card_id: int | None = None) -> Presentation:
    """The map as the projector shows it: an overview, one stage, or one card in focus.

    `journey` comes from a scoped read (the person's workspaces, or a share link), and
    stages and cards are looked up on that map only: an id from another map is NotFound.
    """
    board = board_get(journey=journey)
    session = vote_session_current(journey=journey)
    tally = vote_tally(session=session) if session is not None else None
    # While a vote is open and its results are not shown, no dot count reaches the projector.
    dots = {r.card.pk: r.dots for r in tally.results} if tally and tally.session.results_shown else {}
    slides = [
        StageSlide(stage=stage, number=number, groups=[
            (row.lane.kind, row.lane.name, [Shown(card, dots.get(card.pk, 0)) for card in row.cells[index].cards])
            for row in board.rows
        ])
        for index, stage in enumerate(board.stages) for number in [index + 1]
    ]
    presentation = Presentation(journey=journey, board=board, slides=slides, tally=tally,
                                timer=timer_get(journey=journey))
    if card_id:
        card = card_get(journey=journey, pk=card_id)
        presentation.card = Shown(card, dots.get(card.pk, 0))
        stage_id = card.stage_id
    if stage_id:
        stage = stage_get(journey=journey, pk=stage_id)
        index = next(i for i, slide in enumerate(slides) if slide.stage.pk == stage.pk)
        presentation.stage = slides[index]
        presentation.previous = slides[index - 1].stage if index > 0 else None
        presentation.next = slides[index + 1].stage if index + 1 < len(slides) else None
    elif slides:
        presentation.next = slides[0].stage
    return presentation
