"""Personas, a map's personas and linked journeys, duplicate, save as template and the gallery, through the views:
every form as a full page and as HTMX with every field filled, then viewers (403) and other workspaces (404)."""

import datetime

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_create
from compliance.models import Checkpoint
from diagnostics.models import StageMetric
from diagnostics.services import stage_metric_record
from maps.models import Journey
from portfolio import services
from portfolio.models import MapPersona, MapTemplate, Persona, StageLink
from stakeholders.models import Stakeholder, Track

from .factories import make_card, make_journey
from .healthcare import make_checkpoint, make_track


def _persona_data(workspace, name: str = "Maria, returning patient") -> dict:
    nurse = Stakeholder.objects.get(workspace=workspace, role="Patient")
    return {"name": name, "summary": "Manages a chronic condition between visits",
            "goals": "Fewer trips to the clinic", "needs": "Clear next steps after each visit",
            "frustrations": "Repeating her history to every new clinician",
            "context": "Low digital literacy; uses a shared family tablet; prefers Spanish",
            "avatar": "leaf", "stakeholder": nurse.pk}


@pytest.fixture
def persona(workspace, owner):
    return services.persona_create(actor=owner, workspace=workspace, data={"name": "Sam, new member",
                                                                            "avatar": "initials"})


# --- personas ------------------------------------------------------------------------------------


def test_personas_page_and_fragment(owner_client, workspace, persona, htmx):
    url = reverse("portfolio:personas", args=[workspace.slug])
    page = owner_client.get(url)
    assert page.status_code == 200 and b"<html" in page.content and b"Sam, new member" in page.content
    assert b"Add persona" in page.content and b">SN<" in page.content  # initials stand in for a picture
    fragment = owner_client.get(url, **htmx)
    assert fragment.status_code == 200 and b"<html" not in fragment.content and b'id="personas"' in fragment.content


@pytest.mark.parametrize("as_htmx", [False, True])
def test_adding_a_persona_with_every_field(editor_client, workspace, htmx, as_htmx):
    url = reverse("portfolio:personas", args=[workspace.slug])
    response = editor_client.post(url, _persona_data(workspace), **(htmx if as_htmx else {}))
    assert response.status_code == (200 if as_htmx else 302)
    persona = Persona.objects.get(workspace=workspace)
    assert (persona.name, persona.avatar, persona.stakeholder.role) == ("Maria, returning patient", "leaf", "Patient")
    assert persona.context.startswith("Low digital literacy") and persona.frustrations and persona.goals
    if as_htmx:
        assert b"img/personas/leaf.svg" in response.content and b"<html" not in response.content


def test_a_bad_persona_is_422_and_changes_nothing(editor_client, workspace, persona, htmx):
    url = reverse("portfolio:personas", args=[workspace.slug])
    for extra in ({}, htmx):
        response = editor_client.post(url, {"name": "sam,  NEW member", "avatar": "photo"}, **extra)
        assert response.status_code == 422
        assert "already has a persona with that name" in response.content.decode()
        assert "Select a valid choice" in response.content.decode()  # no uploaded photo, only the bundled avatars
    assert Persona.objects.filter(workspace=workspace).count() == 1


def test_viewer_reads_personas_but_cannot_add_or_edit(viewer_client, workspace, persona, htmx):
    url = reverse("portfolio:personas", args=[workspace.slug])
    assert viewer_client.get(url).status_code == 200
    for extra in ({}, htmx):
        assert viewer_client.post(url, _persona_data(workspace), **extra).status_code == 403
        edit = reverse("portfolio:persona_edit", args=[workspace.slug, persona.pk])
        assert viewer_client.post(edit, _persona_data(workspace) | {"version": 1}, **extra).status_code == 403
    assert Persona.objects.filter(workspace=workspace).count() == 1


def test_personas_of_another_workspace_are_404(owner_client, other_workspace, htmx):
    theirs = Persona.objects.create(workspace=other_workspace, name="Theirs")
    for extra in ({}, htmx):
        assert owner_client.get(reverse("portfolio:personas", args=[other_workspace.slug]), **extra).status_code == 404
        assert owner_client.post(reverse("portfolio:personas", args=[other_workspace.slug]), {"name": "X"},
                                 **extra).status_code == 404
        assert owner_client.get(reverse("portfolio:persona", args=[other_workspace.slug, theirs.pk]),
                                **extra).status_code == 404
        assert owner_client.post(reverse("portfolio:persona_edit", args=[other_workspace.slug, theirs.pk]),
                                 {"name": "Mine", "avatar": "sun", "version": 1}, **extra).status_code == 404
    assert Persona.objects.get(pk=theirs.pk).name == "Theirs"


@pytest.mark.parametrize("as_htmx", [False, True])
def test_editing_a_persona_relabels_its_maps_and_a_stale_edit_is_409(owner_client, editor, workspace, journey, persona,
                                                                     htmx, as_htmx):
    services.map_personas_set(actor=editor, journey=journey, version=journey.version, primary=persona, others=[])
    url = reverse("portfolio:persona_edit", args=[workspace.slug, persona.pk])
    extra = htmx if as_htmx else {}
    assert owner_client.get(url, **extra).status_code == 200
    response = owner_client.post(url, _persona_data(workspace, "Sam, member since May") | {"version": 1}, **extra)
    assert response.status_code == (200 if as_htmx else 302)
    assert Journey.objects.get(pk=journey.pk).persona == "Sam, member since May"
    stale = owner_client.post(url, _persona_data(workspace, "Sam again") | {"version": 1}, **extra)
    assert stale.status_code == 409 and "Sam, member since May" in stale.content.decode()
    assert Persona.objects.get(pk=persona.pk).name == "Sam, member since May"


def test_a_persona_page_lists_its_maps(owner_client, owner, workspace, journey, persona):
    other = make_journey(workspace, owner, title="Refill journey")
    services.map_personas_set(actor=owner, journey=journey, version=journey.version, primary=persona, others=[])
    services.map_personas_set(actor=owner, journey=other, version=other.version, primary=None, others=[persona])
    page = owner_client.get(reverse("portfolio:persona", args=[workspace.slug, persona.pk])).content.decode()
    assert "Telehealth journey" in page and "Refill journey" in page
    assert "primary persona" in page and "also about" in page


# --- a map's personas and linked journeys ----------------------------------------------------------


@pytest.mark.parametrize("as_htmx", [False, True])
def test_naming_a_maps_primary_and_other_personas(editor_client, owner, workspace, journey, persona, htmx, as_htmx):
    second = services.persona_create(actor=owner, workspace=workspace, data={"name": "Caregiver", "avatar": "sun"})
    url = reverse("portfolio:map_personas", args=[journey.pk])
    extra = htmx if as_htmx else {}
    assert editor_client.get(reverse("portfolio:map_links", args=[journey.pk]), **extra).status_code == 200
    response = editor_client.post(url, {"primary": persona.pk, "others": [second.pk], "version": journey.version},
                                  **extra)
    assert response.status_code == (200 if as_htmx else 302)
    links = {(m.persona.name, m.is_primary) for m in MapPersona.objects.filter(journey=journey)}
    assert links == {("Sam, new member", True), ("Caregiver", False)}
    assert Journey.objects.get(pk=journey.pk).persona == "Sam, new member"
    stale = editor_client.post(url, {"primary": second.pk, "version": journey.version}, **extra)
    assert stale.status_code == 409
    assert MapPersona.objects.get(journey=journey, is_primary=True).persona == persona


def test_a_persona_of_another_workspace_cannot_be_named(editor_client, journey, other_workspace, htmx):
    theirs = Persona.objects.create(workspace=other_workspace, name="Theirs")
    response = editor_client.post(reverse("portfolio:map_personas", args=[journey.pk]),
                                  {"primary": theirs.pk, "version": journey.version}, **htmx)
    assert response.status_code == 422 and not MapPersona.objects.filter(journey=journey).exists()


@pytest.mark.parametrize("as_htmx", [False, True])
def test_a_stage_links_to_the_map_that_details_it_and_back(editor_client, owner, workspace, journey, htmx, as_htmx):
    detail = make_journey(workspace, owner, title="Intake in detail")
    stage = journey.stages.get(name="Onboarding & intake")
    url = reverse("portfolio:stage_link", args=[journey.pk, stage.pk])
    extra = htmx if as_htmx else {}
    response = editor_client.post(url, {f"stage-{stage.pk}-detail": detail.pk}, **extra)
    assert response.status_code == (200 if as_htmx else 302)
    assert StageLink.objects.get(stage=stage).detail == detail
    back = editor_client.get(reverse("portfolio:map_links", args=[detail.pk])).content.decode()
    assert "Stage “Onboarding &amp; intake” of" in back and reverse("maps:board", args=[journey.pk]) in back
    assert editor_client.post(url, {f"stage-{stage.pk}-detail": ""}, **extra).status_code == (200 if as_htmx else 302)
    assert not StageLink.objects.filter(stage=stage).exists()


def test_a_stage_cannot_link_to_its_own_map_or_another_workspaces(editor_client, journey, other_journey, htmx):
    stage = journey.stages.first()
    url = reverse("portfolio:stage_link", args=[journey.pk, stage.pk])
    for target in (journey.pk, other_journey.pk):
        assert editor_client.post(url, {f"stage-{stage.pk}-detail": target}, **htmx).status_code == 422
    assert not StageLink.objects.exists()


def test_viewers_see_links_but_cannot_change_them(viewer_client, journey, persona, htmx):
    page = viewer_client.get(reverse("portfolio:map_links", args=[journey.pk]))
    assert page.status_code == 200 and b"Save personas" not in page.content
    stage = journey.stages.first()
    for extra in ({}, htmx):
        assert viewer_client.post(reverse("portfolio:map_personas", args=[journey.pk]),
                                  {"primary": persona.pk, "version": journey.version}, **extra).status_code == 403
        assert viewer_client.post(reverse("portfolio:stage_link", args=[journey.pk, stage.pk]),
                                  {f"stage-{stage.pk}-detail": ""}, **extra).status_code == 403
        assert viewer_client.post(reverse("portfolio:duplicate", args=[journey.pk]), {"title": "X"},
                                  **extra).status_code == 403
        assert viewer_client.post(reverse("portfolio:template_save", args=[journey.pk]), {"name": "X"},
                                  **extra).status_code == 403
    assert not MapPersona.objects.exists() and Journey.objects.count() == 1 and not MapTemplate.objects.exists()


def test_another_workspaces_map_is_404_on_every_portfolio_page(owner_client, other_journey, htmx):
    stage = other_journey.stages.first()
    for extra in ({}, htmx):
        for name in ("map_links", "duplicate", "template_save"):
            assert owner_client.get(reverse(f"portfolio:{name}", args=[other_journey.pk]), **extra).status_code == 404
        assert owner_client.post(reverse("portfolio:duplicate", args=[other_journey.pk]), {"title": "Mine"},
                                 **extra).status_code == 404
        assert owner_client.post(reverse("portfolio:stage_link", args=[other_journey.pk, stage.pk]),
                                 {}, **extra).status_code == 404
    assert Journey.objects.filter(title="Mine").count() == 0


# --- duplicate -------------------------------------------------------------------------------------


@pytest.fixture
def rich_journey(journey, owner):
    """The telehealth map with a card, a sub-map, a checkpoint, a month of metrics and a comment thread."""
    card = make_card(journey, owner, title="Intake form", channel="web", data_classification="phi")
    make_track(journey, owner, group="clinical")
    make_checkpoint(journey, owner, type="consent", title="Consent recorded")
    stage = journey.stages.first()
    stage_metric_record(actor=owner, journey=journey, stage=stage, period=datetime.date(2026, 9, 1), entered=100,
                        progressed=70)
    root = comment_create(actor=owner, journey=journey, target=card, body="Is question 9 needed?")
    comment_create(actor=owner, journey=journey, target=card, body="Yes, for safety.", parent=root)
    return journey


@pytest.mark.parametrize("as_htmx", [False, True])
def test_duplicating_a_map_with_everything(editor_client, rich_journey, htmx, as_htmx):
    url = reverse("portfolio:duplicate", args=[rich_journey.pk])
    extra = htmx if as_htmx else {}
    assert editor_client.get(url, **extra).status_code == 200
    response = editor_client.post(url, {"title": "Telehealth v2", "with_healthcare": "on", "with_metrics": "on",
                                        "with_comments": "on"}, **extra)
    copy_ = Journey.objects.get(title="Telehealth v2")
    board = reverse("maps:board", args=[copy_.pk])
    assert (response.status_code, response.get("HX-Redirect") if as_htmx else response["Location"]) == (
        200 if as_htmx else 302, board)
    assert copy_.cards.get(title="Intake form").touchpoint.data_classification == "phi"
    assert Track.objects.filter(journey=copy_).count() == 1
    assert Checkpoint.objects.filter(journey=copy_, title="Consent recorded").count() == 1
    assert StageMetric.objects.get(journey=copy_).entered == 100
    thread = Comment.objects.get(journey=copy_, parent=None)
    assert thread.card.title == "Intake form" and thread.card.journey == copy_
    assert [r.body for r in thread.replies.all()] == ["Yes, for safety."]
    assert Comment.objects.filter(journey=rich_journey).count() == 2  # the source keeps its own


def test_duplicating_a_map_without_its_healthcare_layer_metrics_or_comments(editor_client, rich_journey, htmx):
    response = editor_client.post(reverse("portfolio:duplicate", args=[rich_journey.pk]),
                                  {"title": "Telehealth lean"}, **htmx)
    assert response.status_code == 200
    copy_ = Journey.objects.get(title="Telehealth lean")
    assert copy_.cards.filter(title="Intake form").exists()
    assert not Track.objects.filter(journey=copy_).exists() and not Checkpoint.objects.filter(journey=copy_).exists()
    assert not StageMetric.objects.filter(journey=copy_).exists() and not Comment.objects.filter(journey=copy_).exists()


def test_a_duplicate_needs_a_title(editor_client, journey, htmx):
    for extra in ({}, htmx):
        response = editor_client.post(reverse("portfolio:duplicate", args=[journey.pk]), {"title": ""}, **extra)
        assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert Journey.objects.count() == 1


# --- templates -------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_htmx", [False, True])
def test_saving_a_map_as_a_template_and_starting_a_map_from_it(editor_client, rich_journey, workspace, htmx,
                                                               as_htmx):
    extra = htmx if as_htmx else {}
    url = reverse("portfolio:template_save", args=[rich_journey.pk])
    assert editor_client.get(url, **extra).status_code == 200
    response = editor_client.post(url, {"name": "Our telehealth", "description": "With intake and consent"}, **extra)
    template = MapTemplate.objects.get(workspace=workspace)
    preview_url = reverse("portfolio:template", args=[workspace.slug, template.key])
    assert (response.get("HX-Redirect") if as_htmx else response["Location"]) == preview_url
    assert template.document["stage_metrics"] == []  # a starting point, not a record
    gallery = editor_client.get(reverse("portfolio:gallery", args=[workspace.slug])).content.decode()
    assert "Our telehealth" in gallery and preview_url in gallery
    preview = editor_client.get(preview_url, **extra)
    assert preview.status_code == 200 and "Intake form" in preview.content.decode()
    made = editor_client.post(preview_url, {"title": "Telehealth for Ohio"}, **extra)
    journey = Journey.objects.get(title="Telehealth for Ohio")
    assert (made.get("HX-Redirect") if as_htmx else made["Location"]) == reverse("maps:board", args=[journey.pk])
    assert journey.cards.filter(title="Intake form").exists() and journey.checkpoints.count() == 1
    again = editor_client.post(url, {"name": "our TELEHEALTH"}, **extra)
    assert again.status_code == 422 and "already has a template with that name" in again.content.decode()


def test_the_gallery_previews_each_template_before_use(owner_client, workspace, htmx):
    gallery = owner_client.get(reverse("portfolio:gallery", args=[workspace.slug])).content.decode()
    for label in ("Telehealth journey", "Healthcare product adoption", "Remote patient monitoring",
                  "Clinician onboarding", "Blank map"):
        assert label in gallery
    preview = owner_client.get(reverse("portfolio:template", args=[workspace.slug, "product-adoption"]))
    page = preview.content.decode()
    assert preview.status_code == 200 and "Everyday clinical use" in page and "Training &amp; adoption" in page
    assert "breach notification" in page and "baa" in page
    made = owner_client.post(reverse("portfolio:template", args=[workspace.slug, "remote-monitoring"]),
                             {"title": "RPM for heart failure"}, **htmx)
    assert made.status_code == 200 and Journey.objects.filter(title="RPM for heart failure").exists()


def test_templates_for_viewers_and_other_workspaces(viewer_client, owner_client, workspace, other_workspace, htmx):
    preview = viewer_client.get(reverse("portfolio:template", args=[workspace.slug, "blank"]))
    assert preview.status_code == 200 and b"Create the map" not in preview.content
    for extra in ({}, htmx):
        assert viewer_client.post(reverse("portfolio:template", args=[workspace.slug, "blank"]),
                                  {"title": "X"}, **extra).status_code == 403
        assert owner_client.get(reverse("portfolio:gallery", args=[other_workspace.slug]), **extra).status_code == 404
        assert owner_client.post(reverse("portfolio:template", args=[other_workspace.slug, "blank"]),
                                 {"title": "X"}, **extra).status_code == 404
        assert owner_client.get(reverse("portfolio:template", args=[workspace.slug, "nonsense"]),
                                **extra).status_code == 404
    theirs = MapTemplate.objects.create(workspace=other_workspace, name="Theirs", document={})
    assert owner_client.get(reverse("portfolio:template", args=[workspace.slug, theirs.key])).status_code == 404
    assert not Journey.objects.filter(title="X").exists()
