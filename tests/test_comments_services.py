"""Comment services: threads, mentions of members only, resolve and reopen, versions, roles."""

import pytest
from django.core.exceptions import ValidationError

from comments import services
from comments.models import Comment, Mention
from core.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from maps.models import Journey, LaneKind
from maps.signals import journey_changed
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(journey, owner):
    return factories.make_card(journey, owner, kind=LaneKind.HANDOFFS, title="Intake to clinician")


def _comment(actor, journey, target, body="A question", parent=None):
    return services.comment_create(actor=actor, journey=journey, target=target, body=body, parent=parent)


def test_a_reply_hangs_from_the_thread_root_even_when_replying_to_a_reply(journey, owner, editor, card):
    root = _comment(owner, journey, card, "Who owns this handoff?")
    first = _comment(editor, journey, card, "Operations, I think", parent=root)
    second = _comment(owner, journey, card, "Confirmed", parent=first)
    assert first.parent_id == root.pk and second.parent_id == root.pk
    assert set(root.replies.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert second.card_id == card.pk and second.stage_id is None


def test_a_comment_on_a_stage(journey, viewer):
    stage = journey.stages.first()
    comment = _comment(viewer, journey, stage, "Is this stage too long?")
    assert comment.stage_id == stage.pk and comment.card_id is None and comment.author == viewer


def test_a_reply_must_stay_on_its_threads_target(journey, owner, card):
    root = _comment(owner, journey, card)
    with pytest.raises(ValidationError) as error:
        _comment(owner, journey, journey.stages.first(), "elsewhere", parent=root)
    assert "parent" in error.value.message_dict


def test_a_target_of_another_map_is_refused(journey, other_journey, owner):
    with pytest.raises(ValidationError) as error:
        _comment(owner, journey, other_journey.stages.first())
    assert "stage" in error.value.message_dict


def test_a_blank_body_is_refused(journey, owner, card):
    with pytest.raises(ValidationError):
        _comment(owner, journey, card, "   ")
    assert not Comment.objects.exists()


def test_mentions_are_parsed_for_members_only(journey, owner, editor, viewer, card):
    outsider = factories.make_user("outsider")
    comment = _comment(owner, journey, card, "@editor and @viewer. Not @outsider, nor @nobody, nor mail@editor.test")
    assert set(comment.mentions.values_list("user__username", flat=True)) == {"editor", "viewer"}
    assert not Mention.objects.filter(user=outsider).exists()


def test_an_author_does_not_mention_themselves(journey, owner, card):
    comment = _comment(owner, journey, card, "Note to self @owner")
    assert not comment.mentions.exists()


def test_an_edit_resyncs_mentions_and_keeps_seen_flags(journey, owner, editor, viewer, card):
    comment = _comment(owner, journey, card, "@editor please look")
    Mention.objects.filter(user=editor).update(seen=True)
    updated = services.comment_update(actor=owner, comment=comment, version=comment.version,
                                      body="@editor and now @viewer")
    mentions = dict(updated.mentions.values_list("user__username", "seen"))
    assert mentions == {"editor": True, "viewer": False}
    updated = services.comment_update(actor=owner, comment=updated, version=comment.version + 1, body="nobody")
    assert not updated.mentions.exists()
    assert updated.edited_at is not None


def test_a_stale_edit_is_a_conflict_and_changes_nothing(journey, owner, card):
    comment = _comment(owner, journey, card, "First words")
    services.comment_update(actor=owner, comment=comment, version=1, body="Second words")
    with pytest.raises(Conflict) as error:
        services.comment_update(actor=owner, comment=comment, version=1, body="Stale words")
    assert error.value.current.body == "Second words"
    assert Comment.objects.get(pk=comment.pk).body == "Second words"


def test_an_edit_without_a_version_is_refused(journey, owner, card):
    comment = _comment(owner, journey, card)
    with pytest.raises(ApplicationError) as error:
        services.comment_update(actor=owner, comment=comment, version=None, body="x")
    assert "version" in str(error.value)


def test_only_the_author_edits_a_comment(journey, owner, editor, card):
    comment = _comment(editor, journey, card, "Mine")
    with pytest.raises(PermissionDenied):
        services.comment_update(actor=owner, comment=comment, version=comment.version, body="Theirs")
    assert Comment.objects.get(pk=comment.pk).body == "Mine"


def test_a_viewer_may_comment_and_resolve_their_own_thread(journey, viewer, card):
    root = _comment(viewer, journey, card, "Confusing copy")
    resolved = services.thread_resolve(actor=viewer, root=root, version=root.version)
    assert resolved.resolved_by == viewer and resolved.resolved_at is not None


def test_a_viewer_cannot_resolve_someone_elses_thread(journey, owner, viewer, card):
    root = _comment(owner, journey, card)
    with pytest.raises(PermissionDenied):
        services.thread_resolve(actor=viewer, root=root, version=root.version)
    assert Comment.objects.get(pk=root.pk).resolved_at is None


def test_an_editor_resolves_and_reopens_any_thread_and_it_is_recorded(journey, viewer, editor, card):
    root = _comment(viewer, journey, card)
    resolved = services.thread_resolve(actor=editor, root=root, version=1)
    assert (resolved.resolved_by, resolved.version) == (editor, 2)
    reopened = services.thread_reopen(actor=editor, root=resolved, version=2)
    assert reopened.resolved_at is None and reopened.reopened_by == editor and reopened.reopened_at is not None
    assert reopened.version == 3


def test_resolving_twice_from_the_same_version_is_a_conflict(journey, owner, editor, card):
    root = _comment(owner, journey, card)
    services.thread_resolve(actor=owner, root=root, version=1)
    with pytest.raises(Conflict):
        services.thread_resolve(actor=editor, root=root, version=1)


def test_resolving_a_resolved_thread_at_its_current_version_is_refused(journey, owner, card):
    root = _comment(owner, journey, card)
    services.thread_resolve(actor=owner, root=root, version=1)
    with pytest.raises(ApplicationError) as error:
        services.thread_resolve(actor=owner, root=root, version=2)
    assert "already resolved" in str(error.value)


def test_a_reply_cannot_be_resolved_on_its_own(journey, owner, card):
    root = _comment(owner, journey, card)
    reply = _comment(owner, journey, card, "reply", parent=root)
    with pytest.raises(ApplicationError) as error:
        services.thread_resolve(actor=owner, root=reply, version=reply.version)
    assert "first comment" in str(error.value)


def test_a_non_member_cannot_comment(journey, card):
    stranger = factories.make_user("stranger2")
    with pytest.raises(NotFound):
        _comment(stranger, journey, card)
    assert not Comment.objects.exists()


def test_every_write_moves_the_map_revision_and_is_announced(journey, owner, viewer, card, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, journey_id, revision, actor_id, **kwargs):
        heard.append((journey_id, revision, actor_id))

    journey_changed.connect(listener)
    try:
        before = Journey.objects.get(pk=journey.pk).revision
        with django_capture_on_commit_callbacks(execute=True):
            root = _comment(viewer, journey, card)
        with django_capture_on_commit_callbacks(execute=True):
            services.thread_resolve(actor=owner, root=root, version=1)
    finally:
        journey_changed.disconnect(listener)
    assert heard == [(journey.pk, before + 1, viewer.pk), (journey.pk, before + 2, owner.pk)]


def test_marking_mentions_seen_touches_only_my_own(journey, owner, editor, viewer, card):
    _comment(owner, journey, card, "@editor @viewer")
    second = _comment(owner, journey, card, "@editor again")
    mine = Mention.objects.get(user=editor, comment=second)
    assert services.mentions_mark_seen(actor=editor, mention_ids=[mine.pk]) == 1
    assert services.mentions_mark_seen(actor=viewer, mention_ids=[mine.pk]) == 0
    assert services.mentions_mark_seen(actor=editor) == 1
    assert not Mention.objects.filter(user=editor, seen=False).exists()
    assert Mention.objects.filter(user=viewer, seen=False).count() == 1


def test_the_demo_seeds_its_threads_once(db):
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    telehealth = Journey.objects.get(title="Telehealth patient journey")
    comments = Comment.objects.filter(journey=telehealth)
    assert comments.count() == 4
    assert comments.filter(parent=None, resolved_at__isnull=False).count() == 1
    assert Mention.objects.filter(comment__journey=telehealth).count() == 3
