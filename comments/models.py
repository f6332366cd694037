"""Threaded comments on a card (transitions are cards too) or a stage of a journey, and
the @mentions of workspace members they carry.

A thread is a root comment and its replies; a reply always hangs from the root, and
the root holds the thread's resolved state. Replies repeat the root's target, so a
panel reads one target's comments with one filter.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from maps.models import Card, Journey, SoftDeletable, Stage

BODY_MAX = 4000


class Comment(SoftDeletable):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="comments")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=BODY_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # The thread's state, kept on its root: the last resolve or reopen and who did it.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(card__isnull=False, stage__isnull=True) | Q(card__isnull=True, stage__isnull=False),
                name="comment_on_exactly_one_target",
            ),
        ]
        indexes = [models.Index(fields=["journey", "parent", "resolved_at"])]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    def clean(self) -> None:
        errors = {}
        if self.card_id and self.card.journey_id != self.journey_id:
            errors["card"] = "That card belongs to another map."
        if self.stage_id and self.stage.journey_id != self.journey_id:
            errors["stage"] = "That stage belongs to another map."
        if self.parent_id:
            parent = self.parent
            if parent.parent_id is not None:
                errors["parent"] = "Replies hang from the thread's first comment."
            elif (parent.journey_id, parent.card_id, parent.stage_id) != (self.journey_id, self.card_id, self.stage_id):
                errors["parent"] = "A reply stays on its thread's card or stage."
        if not self.body.strip():
            errors["body"] = "Write something first."
        if errors:
            raise ValidationError(errors)


class Mention(SoftDeletable):
    """A workspace member named as @username in a comment; `seen` once they have looked."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentions")
    seen = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_user_and_comment")]
        indexes = [models.Index(fields=["user", "seen"])]

    def __str__(self) -> str:
        return f"{self.user} in comment {self.comment_id}"
