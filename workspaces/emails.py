"""Invitation emails, through Django's email backend (SMTP when configured, the console otherwise)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Invitation


def invitation_send(*, invitation_id: int) -> bool:
    """Sends the invitation once; False when it was sent already, or is no longer open."""
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update(of=("self",)).select_related("workspace", "invited_by")
                      .filter(pk=invitation_id).first())
        if invitation is None or invitation.emailed_at is not None or not invitation.is_open:
            return False
        context = {
            "invitation": invitation,
            "inviter": invitation.invited_by.get_full_name() or invitation.invited_by.username
            if invitation.invited_by else "An owner",
            "url": settings.SITE_URL + reverse("workspaces:accept", args=[invitation.token]),
        }
        message = EmailMultiAlternatives(
            subject=f"[Journeymap] Join {invitation.workspace.name}",
            body=render_to_string("workspaces/email/invitation.txt", context),
            to=[invitation.email],
        )
        message.send()
        invitation.emailed_at = timezone.now()
        invitation.save(update_fields=["emailed_at"])
    return True
