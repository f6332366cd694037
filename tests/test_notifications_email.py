"""Email that keeps maps alive (issue 13): @mention emails and the weekly digest, sent by Celery tasks
through a real SMTP server process, each with an unsubscribe link that works, and per-person settings."""

import datetime
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.services import comment_create
from compliance.models import ReviewStatus
from notifications import tasks
from notifications.models import EmailSettings
from notifications.selectors import email_settings_get

from . import factories
from .healthcare import make_checkpoint


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _unsubscribe_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"Stop (?:these emails|it): (\S+)", body).group(1)
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return link


def test_a_mention_is_emailed_once_with_a_working_unsubscribe_link(smtp_server, owner, editor, journey):
    """Finding: @mentions only showed in the app."""
    card = factories.make_card(journey, owner, title="Intake form")
    comment_create(actor=owner, journey=journey, target=card, body="@editor can you check the consent wording?")
    assert tasks.send_mention_emails.apply().get() == 1
    [message] = smtp_server.messages()
    assert message["To"] == editor.email
    assert message["Subject"] == f"[Journeymap] owner mentioned you on {journey.title}"
    body = message.get_body(("plain",)).get_content()
    assert "can you check the consent wording?" in body and "/mentions/" in body
    tasks.send_mention_emails.apply()  # the next scan sends nothing again
    assert len(smtp_server.messages(at_least=2, timeout=1)) == 1

    link = _path(_unsubscribe_link(message))
    client = Client()  # signed out: the signed link is enough, as in a mail client
    assert "Stop emails when someone @mentions you?" in client.get(link).content.decode()
    assert email_settings_get(user=editor).mentions  # a GET (a link scanner) changes nothing
    assert client.post(link).status_code == 200
    assert not email_settings_get(user=editor).mentions
    comment_create(actor=owner, journey=journey, target=card, body="@editor and this one?")
    tasks.send_mention_emails.apply()
    assert len(smtp_server.messages(at_least=2, timeout=1)) == 1  # unsubscribed: nothing more


def test_a_forged_or_altered_unsubscribe_link_changes_nothing(editor):
    from notifications.emails import unsubscribe_token

    token = unsubscribe_token(user_id=editor.pk, kind="mentions")
    for bad in (token[:-2] + "xx", "not-a-token"):
        response = Client().post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 404
    assert email_settings_get(user=editor).mentions


def _stale_journey(workspace, owner, title="Video visit journey"):
    journey = factories.make_journey(workspace, owner, title=title)
    journey.last_reviewed_at = timezone.localdate() - datetime.timedelta(days=120)
    journey.save(update_fields=["last_reviewed_at"])
    return journey


def test_the_weekly_digest_lists_what_needs_the_person(smtp_server, owner, editor, viewer, workspace):
    """Finding: review dates only showed in the app, so maps went stale."""
    today = timezone.localdate()
    stale = _stale_journey(workspace, owner)
    fresh = factories.make_journey(workspace, owner, title="Reviewed journey")
    fresh.last_reviewed_at = today
    fresh.save(update_fields=["last_reviewed_at"])
    make_checkpoint(stale, owner, title="Consent script sign-off", reviewer=owner,
                    due_date=today - datetime.timedelta(days=3))
    make_checkpoint(stale, owner, title="Due next week", reviewer=owner, due_date=today + datetime.timedelta(days=5))
    make_checkpoint(stale, owner, title="Far away", reviewer=owner, due_date=today + datetime.timedelta(days=60))
    done = make_checkpoint(stale, owner, title="Approved already", reviewer=owner, due_date=today)
    type(done).objects.filter(pk=done.pk).update(status=ReviewStatus.APPROVED)
    card = factories.make_card(stale, owner, title="Reminder SMS")
    comment_create(actor=editor, journey=stale, target=card, body="@owner who owns the reminder copy?")

    assert tasks.send_weekly_digests.apply().get() >= 2
    messages = {m["To"]: m for m in smtp_server.messages(at_least=2)}
    body = messages[owner.email].get_body(("plain",)).get_content()
    assert messages[owner.email]["Subject"] == "[Journeymap] What needs you this week"
    assert "Video visit journey (Acme Health), last reviewed" in body
    assert "Reviewed journey" not in body
    assert "Consent script sign-off" in body and "(OVERDUE)" in body and "Due next week" in body
    assert "Far away" not in body and "Approved already" not in body
    assert "who owns the reminder copy?" in body
    assert _unsubscribe_link(messages[owner.email])
    # The editor sees the stale map too; the viewer does not review maps and has nothing else: no email.
    assert "Video visit journey" in messages[editor.email].get_body(("plain",)).get_content()
    assert viewer.email not in messages

    tasks.send_weekly_digests.apply()  # the same week again: nothing new
    assert len(smtp_server.messages(at_least=3, timeout=1)) == 2


def test_per_person_settings_page_turns_the_digest_off(smtp_server, owner, owner_client, workspace, htmx):
    _stale_journey(workspace, owner)
    url = reverse("notifications:settings")
    page = owner_client.get(url)
    assert page.status_code == 200 and 'name="digest"' in page.content.decode()
    swapped = owner_client.post(url, {"mentions": "on"}, **htmx)  # digest unticked
    assert swapped.status_code == 200 and "Saved." in swapped.content.decode()
    assert "<html" not in swapped.content.decode()
    assert EmailSettings.objects.get(user=owner).digest is False
    assert tasks.send_weekly_digests.apply().get() == 0
    assert smtp_server.messages(at_least=1, timeout=1) == []
    full = owner_client.post(url, {"mentions": "on", "digest": "on"})
    assert full.status_code == 302
    assert EmailSettings.objects.get(user=owner).digest is True


def test_the_digest_keeps_to_the_persons_workspaces(smtp_server, owner, workspace, other_workspace):
    stranger = other_workspace.memberships.get().user
    _stale_journey(workspace, owner, title="Private journey")
    factories.make_journey(other_workspace, stranger, title="Their own journey")
    tasks.send_weekly_digests.apply()
    for message in smtp_server.messages(at_least=2):
        body = message.get_body(("plain",)).get_content()
        if message["To"] == stranger.email:
            assert "Private journey" not in body and "Their own journey" in body


def test_make_run_without_redis_sends_by_command(smtp_server, owner, editor, journey, workspace):
    from io import StringIO

    from django.core.management import call_command

    _stale_journey(workspace, owner)  # due for review: the owner's digest has something to say
    card = factories.make_card(journey, owner)
    comment_create(actor=owner, journey=journey, target=card, body="@editor please look")
    out = StringIO()
    call_command("send_notifications", "--digest", stdout=out)
    assert "Mention emails considered: 1" in out.getvalue()
    recipients = {m["To"] for m in smtp_server.messages(at_least=3)}
    assert {owner.email, editor.email} <= recipients


def test_without_redis_the_in_process_scheduler_sends_both(smtp_server, owner, editor, journey, workspace):
    from notifications import scheduler

    monday_6, monday_7, sunday = (datetime.datetime(2026, 11, 30, 6, 59), datetime.datetime(2026, 11, 30, 7, 0),
                                  datetime.datetime(2026, 12, 6, 23, 0))
    assert not scheduler.digest_due(monday_6) and scheduler.digest_due(monday_7) and scheduler.digest_due(sunday)
    _stale_journey(workspace, owner)
    card = factories.make_card(journey, owner)
    comment_create(actor=owner, journey=journey, target=card, body="@editor have a look")
    scheduler.tick(monday_6)  # mentions only
    assert [m["To"] for m in smtp_server.messages(at_least=1)] == [editor.email]
    scheduler.tick(monday_7)
    assert {m["To"] for m in smtp_server.messages(at_least=3)} == {owner.email, editor.email}
    assert len(smtp_server.messages(at_least=3)) == 3
