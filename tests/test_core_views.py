"""The view helpers every app shares (core.views), through the pages that use them: the versioned form page
(stakeholders, portfolio, compliance), the list-and-add page, and diagnostics' "back to the page or its region"."""

import datetime

from django.urls import reverse

from compliance import services as compliance_services
from compliance.models import SafetyLoop
from diagnostics import services as diagnostics_services
from diagnostics.models import Evidence
from maps.models import LaneKind
from portfolio import services as portfolio_services
from stakeholders.models import Stakeholder, Step

from .factories import make_card
from .healthcare import make_track


def test_a_saved_form_goes_on_by_redirect_or_for_htmx_by_a_client_navigation(owner_client, workspace, htmx):
    nurse = Stakeholder.objects.get(workspace=workspace, role="Nurse")
    url = reverse("stakeholders:edit", args=[workspace.slug, nurse.pk])
    registry = reverse("stakeholders:registry", args=[workspace.slug])
    page = owner_client.post(url, {"role": "Nurse", "group": "clinical", "concerns": "plain", "version": 1})
    assert page.status_code == 302 and page["Location"] == registry
    # htmx would put a followed redirect's whole page inside the form: it is told to navigate instead.
    fragment = owner_client.post(url, {"role": "Nurse", "group": "clinical", "concerns": "htmx", "version": 2}, **htmx)
    assert fragment.status_code == 200 and fragment["HX-Redirect"] == registry
    nurse.refresh_from_db()
    assert (nurse.concerns, nurse.version) == ("htmx", 3)


def test_the_form_page_and_its_region(owner_client, workspace, htmx):
    persona = portfolio_services.persona_create(actor=workspace.memberships.get().user, workspace=workspace,
                                                data={"name": "Sam"})
    url = reverse("portfolio:persona_edit", args=[workspace.slug, persona.pk])
    page, fragment = owner_client.get(url), owner_client.get(url, **htmx)
    assert page.status_code == fragment.status_code == 200
    assert b"<html" in page.content and b'href="/w/' in page.content and b"Personas</a>" in page.content
    assert b"<html" not in fragment.content and b'id="form-page"' in fragment.content
    refused = owner_client.post(url, {"name": "", "version": 1}, **htmx)
    assert refused.status_code == 422 and b"This field is required." in refused.content


def test_hidden_fields_the_form_lacks_travel_with_it(owner_client, journey, owner, htmx):
    track = make_track(journey, owner)
    stage = journey.stages.first()
    url = reverse("stakeholders:step_create", args=[journey.pk])
    form = owner_client.get(url + f"?track={track.pk}", **htmx).content.decode()
    assert f'name="track" value="{track.pk}"' in form
    response = owner_client.post(url, {"track": track.pk, "stage": stage.pk, "title": "Reads the referral",
                                       "time_pressure": "low", "data_classification": "none"}, **htmx)
    assert response.status_code == 200 and "#step-" in response["HX-Redirect"]
    assert Step.objects.get(title="Reads the referral").track == track


def test_a_stale_compliance_form_shows_theirs_next_to_yours_on_their_version(owner_client, editor, journey, htmx):
    url = reverse("compliance:safety_loop", args=[journey.pk])
    data = {"collection_point": "Handover", "investigate_within_days": 5, "communicate_within_days": 10}
    assert owner_client.post(url, data).status_code == 302
    loop = SafetyLoop.objects.get(journey=journey)
    compliance_services.safety_loop_set(actor=editor, journey=journey, version=loop.version,
                                        data=data | {"collection_point": "Their huddle"})
    for extra in ({}, htmx):
        stale = owner_client.post(url, data | {"collection_point": "My handover", "version": 1}, **extra)
        body = stale.content.decode()
        assert stale.status_code == 409 and "Their huddle" in body and "My handover" in body
        assert 'name="version" value="2"' in body
    assert SafetyLoop.objects.get(journey=journey).collection_point == "Their huddle"


def test_after_a_diagnostics_change_a_plain_form_goes_back_and_htmx_gets_the_region(owner_client, journey, owner,
                                                                                     htmx):
    card = make_card(journey, owner, kind=LaneKind.FRICTION, title="Long wait", severity="high")
    items = [diagnostics_services.evidence_add(actor=owner, journey=journey, card_id=card.pk, kind="metric",
                                               summary=f"Wait {n}", source="Support", observed_on=datetime.date.today())
             for n in range(2)]
    page = owner_client.post(reverse("diagnostics:evidence_delete", args=[journey.pk, items[0].pk]))
    assert page.status_code == 302 and page["Location"] == reverse("diagnostics:evidence", args=[journey.pk])
    region = owner_client.post(reverse("diagnostics:evidence_delete", args=[journey.pk, items[1].pk]), **htmx)
    assert region.status_code == 200 and b"<html" not in region.content and b"Removed." in region.content
    assert not Evidence.objects.filter(journey=journey).exists()
