"""The owners' full backup: the one export that keeps raw (small) counts. Clearly labelled in its
name and inside the file, owners only (editors and viewers 403, other workspaces 404, as page and HTMX),
and every backup taken is written to the workspace record."""

import datetime
import json

import pytest
from django.urls import reverse

from diagnostics.services import stage_metric_record
from interchange.formats import EXPORT_FORMATS
from workspaces.models import WorkspaceChange

BOTH = pytest.mark.parametrize("as_htmx", [False, True], ids=["page", "htmx"])


@pytest.fixture
def small(journey, owner):
    return stage_metric_record(actor=owner, journey=journey, stage=journey.stages.first(),
                               period=datetime.date(2026, 1, 1), entered=7, progressed=4)


@BOTH
def test_an_owner_downloads_a_labelled_backup_with_raw_counts_and_it_is_recorded(
        journey, owner, owner_client, small, htmx, as_htmx):
    response = owner_client.post(reverse("interchange:backup", args=[journey.pk]), **(htmx if as_htmx else {}))
    assert response.status_code == 200
    assert "FULL-BACKUP-raw-counts" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["backup"]["kind"] == "full backup" and "OWNERS ONLY" in document["backup"]["notice"]
    assert [(m["entered"], m["progressed"]) for m in document["stage_metrics"]] == [(7, 4)]
    # The ordinary JSON export of the same map still leaves them out.
    ordinary = json.loads(EXPORT_FORMATS["json"].render(journey.pk))
    assert [(m["entered"], m["progressed"]) for m in ordinary["stage_metrics"]] == [(None, None)]
    assert "backup" not in ordinary
    [change] = WorkspaceChange.objects.filter(workspace=journey.workspace, entity="backup")
    assert (change.action, change.actor, change.entity_id, change.label) == ("exported", owner, journey.pk,
                                                                           journey.title)
    page = owner_client.get(reverse("workspaces:activity", args=[journey.workspace.slug])).content.decode()
    assert "backup" in page.lower() and journey.title in page


@BOTH
def test_editors_and_viewers_get_403_and_nothing_is_recorded(journey, editor_client, viewer_client, small, htmx,
                                                             as_htmx):
    for client in (editor_client, viewer_client):
        response = client.post(reverse("interchange:backup", args=[journey.pk]), **(htmx if as_htmx else {}))
        assert response.status_code == 403
        assert b'"entered": 7' not in response.content
    assert not WorkspaceChange.objects.filter(entity="backup").exists()


def test_another_workspace_gets_404_and_a_get_is_refused(other_journey, journey, owner_client, small):
    assert owner_client.post(reverse("interchange:backup", args=[other_journey.pk])).status_code == 404
    assert owner_client.get(reverse("interchange:backup", args=[journey.pk])).status_code == 405
    assert not WorkspaceChange.objects.filter(entity="backup").exists()


@BOTH
def test_only_owners_are_offered_the_backup(journey, owner_client, editor_client, htmx, as_htmx):
    url = reverse("interchange:exports", args=[journey.pk])
    headers = htmx if as_htmx else {}
    assert "Full backup (owners only)" in owner_client.get(url, **headers).content.decode()
    assert "Full backup" not in editor_client.get(url, **headers).content.decode()


def test_a_backup_imports_back_as_a_map(journey, owner, owner_client, workspace, small):
    from interchange.services import map_file_import

    data = owner_client.post(reverse("interchange:backup", args=[journey.pk])).content
    result = map_file_import(actor=owner, workspace=workspace, data=data, filename="backup.json")
    assert result.journey.stages.count() == journey.stages.count()
