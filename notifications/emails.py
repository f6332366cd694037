"""Mention and digest emails through Django's email backend, each with a one-click unsubscribe link."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments.models import Mention

from .models import DigestEmail, MentionEmail
from .selectors import digest_for, email_settings_get

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
KINDS = ("mentions", "digest")
# Mentions older than this are not emailed (a deployment does not mail a backlog).
MENTION_EMAIL_WITHIN = datetime.timedelta(days=2)


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"user": user_id, "kind": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS or not isinstance(data.get("user"), int):
        return None
    return data["user"], data["kind"]


def _send(*, user, kind: str, subject: str, template: str, context: dict) -> None:
    unsubscribe = settings.SITE_URL + reverse("notifications:unsubscribe",
                                              args=[unsubscribe_token(user_id=user.pk, kind=kind)])
    context = context | {"user": user, "site_url": settings.SITE_URL, "unsubscribe_url": unsubscribe,
                         "settings_url": settings.SITE_URL + reverse("notifications:settings")}
    message = EmailMultiAlternatives(
        subject=f"[Journeymap] {subject}", body=render_to_string(template, context), to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.send()


def mention_emails_due() -> list[int]:
    """Ids of recent unseen mentions not yet emailed."""
    return list(Mention.objects.filter(seen=False, created_at__gte=timezone.now() - MENTION_EMAIL_WITHIN)
                .exclude(pk__in=MentionEmail.objects.values("mention_id")).values_list("pk", flat=True))


def mention_email_send(*, mention_id: int) -> bool:
    """Emails one mention once; False when it was sent already, was seen, or the person opted out."""
    with transaction.atomic():
        mention = (Mention.objects.select_related("user", "comment__journey", "comment__author")
                   .filter(pk=mention_id, seen=False).first())
        if mention is None or not mention.user.email:
            return False
        if not mention.user.memberships.filter(workspace_id=mention.comment.journey.workspace_id).exists():
            return False
        try:
            with transaction.atomic():
                MentionEmail.objects.create(mention=mention)
        except IntegrityError:
            return False
        if not email_settings_get(user=mention.user).mentions:
            return False  # recorded as handled: turning emails back on does not send old mentions
        comment = mention.comment
        author = comment.author.get_full_name() or comment.author.username if comment.author else "Someone"
        _send(user=mention.user, kind="mentions", subject=f"{author} mentioned you on {comment.journey.title}",
              template="notifications/email/mention.txt",
              context={"author": author, "comment": comment,
                       "url": settings.SITE_URL + reverse("comments:mentions")})
    return True


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def digest_recipients() -> list[int]:
    return list(get_user_model().objects.filter(is_active=True, memberships__isnull=False).exclude(email="")
                .exclude(email_settings__digest=False).distinct().values_list("pk", flat=True))


def digest_send(*, user_id: int, today: datetime.date) -> bool:
    """The weekly digest, once a week; nothing is sent when nothing needs the person."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not email_settings_get(user=user).digest:
        return False
    digest = digest_for(user=user, today=today)
    if not digest:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                DigestEmail.objects.create(user=user, week=week_of(today))
        except IntegrityError:
            return False
        _send(user=user, kind="digest", subject="What needs you this week", template="notifications/email/digest.txt",
              context={"digest": digest, "today": today})
    return True
