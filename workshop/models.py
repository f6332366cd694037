"""Workshop mode: dot votes, the facilitator's timer and read-only share links of a map."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from maps.models import Card, Journey, LaneKind, SoftDeletable

MAX_DOTS = 20


class VoteTarget(models.TextChoices):
    """The cards a vote is about: a lane kind of the map."""

    FRICTION = LaneKind.FRICTION.value, "Friction points"
    OPPORTUNITIES = LaneKind.OPPORTUNITIES.value, "Opportunities"


class VoteSession(SoftDeletable):
    """A dot vote on a map: each member spends up to `dots_per_person` dots on its cards."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="vote_sessions")
    target = models.CharField("vote on", max_length=20, choices=VoteTarget.choices, default=VoteTarget.FRICTION)
    dots_per_person = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS)], help_text=f"1 to {MAX_DOTS}"
    )
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Results stay hidden while the vote is open (they would anchor those still voting),
    # unless the facilitator shows them before closing.
    results_revealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # The journey lock already serialises openings; this is the rule written down.
            models.UniqueConstraint(fields=["journey"], condition=Q(closed_at=None), name="one_open_vote_per_journey"),
        ]

    def __str__(self) -> str:
        return f"Vote on {self.get_target_display().lower()}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def results_shown(self) -> bool:
        return self.closed_at is not None or self.results_revealed_at is not None


class Vote(SoftDeletable):
    """The dots one person put on one card in one vote session (one row, a count)."""

    session = models.ForeignKey(VoteSession, on_delete=models.CASCADE, related_name="votes")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    dots = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "card", "voter"], name="one_vote_row_per_person_and_card"),
            models.CheckConstraint(condition=Q(dots__gte=1), name="vote_has_dots"),
        ]


class WorkshopTimer(SoftDeletable):
    """The facilitator's countdown on a map; `ends_at` is None while it is stopped."""

    journey = models.OneToOneField(Journey, on_delete=models.CASCADE, related_name="workshop_timer")
    duration_seconds = models.PositiveIntegerField(default=0)
    ends_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Timer of {self.journey}"


class ShareLink(SoftDeletable):
    """A read-only link to one map for a projector or a guest without an account.

    The token in the URL is this row's id signed with the project's secret key, so a
    forged or altered token never resolves; the row carries the expiry and the revocation.
    """

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(max_length=120, blank=True, help_text="Who or what it is for, e.g. “Room 4 projector”.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label or f"Share link {self.pk}"
