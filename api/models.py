"""Personal API tokens: a bearer secret per script or integration, shown once.

Only a SHA-256 digest of the secret is stored. The secret is 256 random bits, so a
fast digest is enough (nothing to brute-force), and it lets a request find its
token with one indexed lookup.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses it, so you know which one to revoke.")
    prefix = models.CharField(max_length=12, editable=False, help_text="The start of the secret, to recognise it.")
    secret_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
