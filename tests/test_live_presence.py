"""Presence: who has a map open and who edits which card, kept in Redis or in this process."""

import uuid

import pytest

from core.errors import NotFound, PermissionDenied
from live import presence, selectors, services
from live.presence import Watcher
from tests import factories
from tests.test_live_bus import REDIS_URL_FOR_TESTS

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["in_process", "redis"], autouse=True)
def presence_backend(request, settings):
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"
    settings.REDIS_URL = REDIS_URL_FOR_TESTS if request.param == "redis" else ""
    return request.param


def _watcher(journey, user, name=None, connection=None) -> Watcher:
    return Watcher(journey_id=journey.pk, connection=connection or uuid.uuid4().hex,
                   user_id=user.pk if user else None, name=name or user.username)


def test_each_person_sees_the_others_once_however_many_tabs(journey, owner, editor, viewer):
    mine = _watcher(journey, owner)
    for watcher in (mine, _watcher(journey, editor), _watcher(journey, editor), _watcher(journey, viewer)):
        services.presence_join(watcher=watcher)
    people = selectors.presence_get(watcher=mine).people
    assert [p.name for p in people] == ["editor", "viewer"]
    assert [p.initials for p in people] == ["ED", "VI"]


def test_a_named_guest_shows_and_sees_the_members(journey, owner):
    guest = _watcher(journey, None, name="Workshop guest")
    services.presence_join(watcher=guest)
    services.presence_join(watcher=_watcher(journey, owner))
    assert [p.name for p in selectors.presence_get(watcher=guest).people] == ["owner"]
    assert [p.name for p in selectors.presence_get(watcher=_watcher(journey, owner)).people] == ["Workshop guest"]


def test_others_see_which_card_an_editor_has_open(journey, owner, editor):
    card = factories.make_card(journey, owner)
    mine = _watcher(journey, owner)
    services.presence_join(watcher=mine)
    services.presence_join(watcher=_watcher(journey, editor))
    services.presence_editing_set(actor=editor, journey=journey, card_id=card.pk)
    now = selectors.presence_get(watcher=mine)
    assert [(e.card_id, e.name) for e in now.editing] == [(card.pk, "editor")]
    assert [p.editing for p in now.people] == [True]
    services.presence_editing_set(actor=editor, journey=journey, card_id=None)
    assert selectors.presence_get(watcher=mine).editing == []


def test_leaving_the_map_clears_what_one_was_editing(journey, owner, editor):
    card = factories.make_card(journey, owner)
    mine, theirs = _watcher(journey, owner), _watcher(journey, editor)
    services.presence_join(watcher=mine)
    services.presence_join(watcher=theirs)
    services.presence_editing_set(actor=editor, journey=journey, card_id=card.pk)
    services.presence_leave(watcher=theirs)
    now = selectors.presence_get(watcher=mine)
    assert now.people == [] and now.editing == []
    assert f"edit:{editor.pk}" not in presence.entries_read(journey_id=journey.pk)[0]


def test_closing_one_of_two_tabs_keeps_the_editing_marker(journey, owner, editor):
    card = factories.make_card(journey, owner)
    first, second = _watcher(journey, editor), _watcher(journey, editor)
    services.presence_join(watcher=first)
    services.presence_join(watcher=second)
    services.presence_editing_set(actor=editor, journey=journey, card_id=card.pk)
    services.presence_leave(watcher=first)
    assert [e.card_id for e in selectors.presence_get(watcher=_watcher(journey, owner)).editing] == [card.pk]


def test_a_stream_that_stopped_refreshing_expires(journey, owner, editor, settings):
    mine = _watcher(journey, owner)
    services.presence_join(watcher=mine)
    settings.LIVE_PRESENCE_TTL_SECONDS = -1  # written already expired: a browser that vanished without a goodbye
    services.presence_join(watcher=_watcher(journey, editor))
    settings.LIVE_PRESENCE_TTL_SECONDS = 45
    entries, dropped = presence.entries_read(journey_id=journey.pk)
    assert dropped and list(entries) == [mine.field]  # `dropped` makes the next heartbeat tell the others
    assert selectors.presence_get(watcher=mine).people == []


def test_an_editing_marker_needs_its_person_on_the_map(journey, owner, editor):
    card = factories.make_card(journey, owner)
    services.presence_editing_set(actor=editor, journey=journey, card_id=card.pk)  # no stream open
    assert selectors.presence_get(watcher=_watcher(journey, owner)).editing == []


def test_a_viewer_cannot_mark_a_card(journey, owner, viewer):
    card = factories.make_card(journey, owner)
    with pytest.raises(PermissionDenied):
        services.presence_editing_set(actor=viewer, journey=journey, card_id=card.pk)


def test_a_card_of_another_map_cannot_be_marked(journey, owner, other_journey):
    theirs = factories.make_card(other_journey, other_journey.workspace.memberships.get().user)
    with pytest.raises(NotFound):
        services.presence_editing_set(actor=owner, journey=journey, card_id=theirs.pk)
