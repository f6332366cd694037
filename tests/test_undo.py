"""Undo from the record: any entry of a map's activity can be reverted by an editor, and the activity
reads as a person would say it (labels and values, not keys), filtered by person, kind and date."""

import datetime

import pytest

from compliance import services as compliance_services
from compliance.models import Checkpoint
from maps import selectors, services
from maps.models import Card, Change, Deletion, LaneKind, Stage
from stakeholders import services as stakeholder_services

from .factories import make_card
from .healthcare import make_checkpoint, make_step, make_track
from .test_deletions import dump


def _last(journey, **filters) -> Change:
    return journey.changes.filter(**filters).order_by("-revision", "-id").first()


def test_an_edit_goes_back_to_its_before_values(journey, owner, editor, workspace):
    team = workspace.teams.first()
    card = make_card(journey, owner, kind=LaneKind.FRICTION, title="Long intake", severity="medium")
    services.card_update(actor=owner, card=card, version=1,
                         data={"title": "Very long intake", "severity": "high", "owner_team": team})
    services.change_revert(actor=editor, change=_last(journey, action="update"))
    stored = Card.objects.get(pk=card.pk).frictionpoint
    assert (stored.title, stored.severity, stored.owner_team) == ("Long intake", "medium", None)
    assert _last(journey).actor == editor and _last(journey).action == "update"


def test_an_edit_overtaken_since_is_a_conflict_unless_forced(journey, owner, editor):
    stage = journey.stages.get(position=0)
    services.stage_update(actor=owner, stage=stage, version=1, data={"name": "Finding us"})
    edit = _last(journey, action="update")
    services.stage_update(actor=owner, stage=stage, version=2, data={"name": "Discovery"})
    with pytest.raises(services.RevertConflict) as raised:
        services.change_revert(actor=editor, change=edit)
    assert raised.value.rows == [{"name": "name", "now": "Discovery", "undo_to": "Acquisition"}]
    assert Stage.objects.get(pk=stage.pk).name == "Discovery"
    services.change_revert(actor=editor, change=edit, force=True)
    assert Stage.objects.get(pk=stage.pk).name == "Acquisition"


def test_a_delete_is_restored_and_a_create_is_deleted_softly(journey, owner, editor):
    card = make_card(journey, owner, title="New idea")
    before = dump(journey)
    services.change_revert(actor=editor, change=_last(journey, action="create", entity="card"))
    assert not Card.objects.filter(pk=card.pk).exists() and Card.all_objects.filter(pk=card.pk).exists()
    services.change_revert(actor=editor, change=_last(journey, action="delete", entity="card"))
    assert dump(journey) == before
    with pytest.raises(Exception, match="already restored"):
        services.change_revert(actor=editor, change=_last(journey, action="delete", entity="card"))


def test_layers_above_maps_are_undone_too(journey, owner, editor):
    step = make_step(make_track(journey, owner), owner, title="Verifies intake", time_pressure="low")
    stakeholder_services.step_update(actor=owner, step=step, version=1, data={"time_pressure": "high"})
    services.change_revert(actor=editor, change=_last(journey, action="update", entity="step"))
    step.refresh_from_db()
    assert step.time_pressure == "low"
    checkpoint = make_checkpoint(journey, owner, title="Consent recorded")
    compliance_services.checkpoint_review(actor=owner, checkpoint=checkpoint, version=1,
                                          data={"status": "in_review", "due_date": datetime.date(2027, 1, 4)})
    services.change_revert(actor=editor, change=_last(journey, action="update", entity="checkpoint"))
    checkpoint = Checkpoint.objects.get(pk=checkpoint.pk)
    assert (checkpoint.status, checkpoint.due_date) == ("not_assessed", None)
    assert list(checkpoint.transitions.values_list("to_status", flat=True)) == [
        "not_assessed", "in_review", "not_assessed"]  # the review history keeps the undo too


def test_a_move_goes_back(journey, owner, editor):
    stage = journey.stages.get(position=0)
    services.stage_move(actor=owner, stage=stage, version=1, position=3)
    services.change_revert(actor=editor, change=_last(journey, action="move"))
    assert Stage.objects.get(pk=stage.pk).position == 0


def test_activity_shows_labels_and_values_links_and_filters(journey, owner, editor, editor_client):
    card = make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title="Intake form")
    services.card_update(actor=editor, card=card, version=1,
                         data={"needs_legal_review": True, "data_classification": "phi"})
    page = editor_client.get(f"/maps/{journey.pk}/activity/").content.decode()
    assert "Needs legal review" in page and "Yes" in page and "PHI" in page
    assert "needs_legal_review" not in page and "data_classification" not in page
    assert f'href="/maps/{journey.pk}/#card-{card.pk}"' in page

    mine = editor_client.get(f"/maps/{journey.pk}/activity/", {"actor": editor.pk}).content.decode()
    assert "Needs legal review" in mine and "Created card" not in mine
    stages = editor_client.get(f"/maps/{journey.pk}/activity/", {"entity": "stage"}).content.decode()
    assert "Intake form" not in stages and "Created stage" in stages
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    assert "No changes match these filters" in editor_client.get(
        f"/maps/{journey.pk}/activity/", {"since": future}).content.decode()
    filters = selectors.ActivityFilters(until=datetime.date.today())
    assert len(selectors.changes_list(journey=journey, filters=filters)) == journey.changes.count()


@pytest.mark.parametrize("as_htmx", [False, True])
def test_undo_through_the_view_and_its_conflict_page(journey, owner, editor_client, htmx, as_htmx):
    headers = htmx if as_htmx else {}
    stage = journey.stages.get(position=0)
    services.stage_update(actor=owner, stage=stage, version=1, data={"name": "Finding us"})
    edit = _last(journey, action="update")
    response = editor_client.post(f"/maps/{journey.pk}/activity/{edit.pk}/revert/", **headers)
    assert response.status_code == (200 if as_htmx else 302)
    assert Stage.objects.get(pk=stage.pk).name == "Acquisition"

    services.stage_update(actor=owner, stage=stage, version=3, data={"name": "Discovery"})
    response = editor_client.post(f"/maps/{journey.pk}/activity/{edit.pk}/revert/", **headers)
    assert response.status_code == 409
    page = response.content.decode()
    assert "<td>Discovery</td><td>Acquisition</td>" in page and "Undo anyway" in page
    assert ("<html" in page) is not as_htmx
    response = editor_client.post(f"/maps/{journey.pk}/activity/{edit.pk}/revert/", {"force": "1"}, **headers)
    assert Stage.objects.get(pk=stage.pk).name == "Acquisition"


def test_undo_is_refused_to_viewers_and_other_workspaces(journey, owner, viewer_client, editor_client,
                                                         other_journey, htmx):
    card = make_card(journey, owner, title="Keep me")
    create = _last(journey, action="create", entity="card")
    other_create = other_journey.changes.first()
    for headers in ({}, htmx):
        assert viewer_client.post(f"/maps/{journey.pk}/activity/{create.pk}/revert/", **headers).status_code == 403
        assert editor_client.post(f"/maps/{other_journey.pk}/activity/{other_create.pk}/revert/",
                                  **headers).status_code == 404
        assert editor_client.post(f"/maps/{journey.pk}/activity/{other_create.pk}/revert/",
                                  **headers).status_code == 404
    assert Card.objects.filter(pk=card.pk).exists() and not Deletion.objects.exists()


def test_comments_votes_and_share_links_join_the_map_history(journey, owner, editor, owner_client):
    from comments import services as comment_services
    from workshop import services as workshop_services

    card = make_card(journey, owner, kind=LaneKind.FRICTION, title="Long intake")
    thread = comment_services.comment_create(actor=editor, journey=journey, target=card, body="Seen twice")
    comment_services.comment_update(actor=editor, comment=thread, version=1, body="Seen three times")
    comment_services.thread_resolve(actor=owner, root=thread, version=2)
    session = workshop_services.vote_session_open(actor=owner, journey=journey, target="friction", dots_per_person=3)
    workshop_services.vote_add(actor=editor, session=session, card_id=card.pk)
    workshop_services.vote_remove(actor=editor, session=session, card_id=card.pk)
    workshop_services.vote_session_close(actor=owner, session=session)
    link = workshop_services.share_link_create(actor=owner, journey=journey, label="Projector")
    workshop_services.share_link_revoke(actor=owner, link=link)

    recorded = list(journey.changes.filter(entity__in=["comment", "vote_session", "vote", "share_link"])
                    .order_by("revision").values_list("entity", "action", "actor__username"))
    assert recorded == [
        ("comment", "create", editor.username), ("comment", "update", editor.username),
        ("comment", "update", owner.username), ("vote_session", "create", owner.username),
        ("vote", "update", editor.username), ("vote", "update", editor.username),
        ("vote_session", "update", owner.username), ("share_link", "create", owner.username),
        ("share_link", "update", owner.username)]
    page = owner_client.get(f"/maps/{journey.pk}/activity/").content.decode()
    assert "Seen three times" in page and "Projector" in page and "revoked" in page
