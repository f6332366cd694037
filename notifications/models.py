"""Email that keeps maps alive: each person's choices, and what was already sent (so tasks are idempotent)."""

from django.conf import settings
from django.db import models

from comments.models import Mention
from maps.models import SoftDeletable


class EmailSettings(models.Model):
    """What a person wants by email; no row means the defaults (both on)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_settings")
    mentions = models.BooleanField("when someone @mentions me", default=True)
    digest = models.BooleanField("a weekly digest of what needs me", default=True)

    def __str__(self) -> str:
        return f"Email settings of {self.user}"


class MentionEmail(SoftDeletable):
    """That a mention was emailed; it goes (and comes back) with its mention."""

    mention = models.OneToOneField(Mention, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)


class DigestEmail(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.DateField(help_text="The Monday of the week it was sent for.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="one_digest_per_person_and_week")]
