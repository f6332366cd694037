"""Hostile text saved through every field people fill stays inert on every page, fragment and export.

One map is filled from a corpus of hostile strings (markup, event handlers, htmx attributes, javascript:
URLs, template syntax, SQL, right-to-left overrides, CSV formula starters); every page and export that
shows it is then parsed and must contain the strings only as text. Add a field to `hostile_map` and a
page to PAGES to cover something new."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from api.services import api_token_create
from comments.services import comment_create
from compliance.services import checkpoint_create, failure_mode_create, safety_loop_set, touchpoint_access_set
from interchange.formats import export_format_get
from maps import services as map_services
from maps.models import Card, LaneKind, Touchpoint
from stakeholders.models import Stakeholder
from stakeholders.services import intersection_create, stakeholder_create, step_create, track_create
from workshop.selectors import share_link_token
from workshop.services import share_link_create
from workspaces.services import team_create

from . import factories
from .api import client_for

SCRIPT = "<script>alert(1)</script>"
EVENT_HANDLER = "<img src=x onerror=alert(1)>"
HTMX_BREAKOUT = '" hx-get="/x" hx-trigger="load'
TEMPLATE = "{{7*7}}"
RTL_OVERRIDE = "\u202e"
# Fits 200-character fields; starts with a formula so a CSV cell holding it must be neutralised.
HOSTILE = (f'=HYPERLINK("javascript:alert(1)"){SCRIPT}{EVENT_HANDLER}{HTMX_BREAKOUT} {TEMPLATE}{{% debug %}}'
           f"'; DROP TABLE maps_card; --{RTL_OVERRIDE}")
SHORT = f"@{SCRIPT}{EVENT_HANDLER}{HTMX_BREAKOUT} {TEMPLATE}{RTL_OVERRIDE}"  # fits 100-character fields
TINY = f'-{EVENT_HANDLER}{TEMPLATE}" hx-get="/x"{RTL_OVERRIDE}'  # fits 60-character fields
JAVASCRIPT_URL = "javascript:alert(1)"
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_TITLES = ["+SUM(1,1)", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1", '=HYPERLINK("http://x.test","go")']
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "hx-get", "hx-post", "hx-put",
                  "hx-patch", "hx-delete"}

assert len(HOSTILE) <= 200 and len(SHORT) <= 100 and len(TINY) <= 60


class _Inspector(HTMLParser):
    """Collects every element and attribute the browser would build, and the text it would show."""

    def __init__(self, nonce: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.findings: list[str] = []
        self.text: list[str] = []
        self.json_blocks: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # A JSON data block is never run; its text must stay inside it (checked as JSON in `json_blocks`).
        self._in_json = tag == "script" and values.get("type") == "application/json"
        if self._in_json:
            self.json_blocks.append("")
        elif tag == "script" and (self.nonce is None or values.get("nonce") != self.nonce):
            self.findings.append(f"<script> without the page nonce: {attrs}")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.findings.append(f"event handler {name}={value!r} on <{tag}>")
            if name.startswith("hx-") and value == "/x":
                self.findings.append(f"htmx attribute from the corpus {name}={value!r} on <{tag}>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.findings.append(f"javascript: URL {name}={value!r} on <{tag}>")
            if name == "src" and value == "x":
                self.findings.append(f"element from the corpus <{tag} src=x>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_json = False

    def handle_endtag(self, tag: str) -> None:
        self._in_json = False

    def handle_data(self, data: str) -> None:
        if self._in_json:
            self.json_blocks[-1] += data
        else:
            self.text.append(data)


def assert_inert_html(response, *, shows: str | None = EVENT_HANDLER) -> None:
    """The page parses to no element or attribute from the corpus, and shows the corpus as text."""
    assert response.status_code == 200, response.status_code
    nonce = re.search(r"'nonce-([^']+)'", response.get("Content-Security-Policy", ""))
    inspector = _Inspector(nonce.group(1) if nonce else None)
    inspector.feed(response.content.decode())
    inspector.close()
    assert not inspector.findings, inspector.findings
    data_blocks = [json.loads(block) for block in inspector.json_blocks]
    text = "".join(inspector.text) + json.dumps(data_blocks, ensure_ascii=False)
    if shows is not None:
        assert shows in text, "the hostile text is not on the page, so this check proves nothing"
        assert TEMPLATE in text  # shown as typed: user text is never rendered as a template


@pytest.fixture
def hostile_map(journey, owner, workspace):
    """A map whose every free-text field holds hostile text, saved through the real services."""
    team = team_create(actor=owner, workspace=workspace, name=TINY)
    map_services.journey_update(actor=owner, journey=journey, version=journey.version,
                                data={"title": HOSTILE, "persona": HOSTILE, "description": HOSTILE})
    journey.refresh_from_db()
    stage = journey.stages.first()
    map_services.stage_update(actor=owner, stage=stage, version=stage.version,
                              data={"name": SHORT, "description": HOSTILE})
    lanes = list(journey.lanes.all())
    notes = lanes[-1]
    map_services.lane_update(actor=owner, lane=notes, version=notes.version, data={"name": SHORT, "kind": notes.kind})
    stage.refresh_from_db()
    kind_fields = {
        LaneKind.TOUCHPOINTS: {"expectation": HOSTILE, "experience": HOSTILE},
        LaneKind.USER_STATE: {field: HOSTILE for field in ("doing", "thinking", "feeling", "needing", "questioning")},
        LaneKind.FRICTION: {"evidence": HOSTILE},
    }
    made = {lane.kind: factories.make_card(journey, owner, kind=lane.kind, stage=stage, title=HOSTILE, body=HOSTILE,
                                           owner_team=team, **kind_fields.get(lane.kind, {})) for lane in lanes}
    for title in FORMULA_TITLES:
        factories.make_card(journey, owner, kind=notes.kind, stage=stage, title=title)
    touchpoint = made[LaneKind.TOUCHPOINTS]
    touchpoint_access_set(actor=owner, touchpoint=touchpoint, version=None,
                          data={"access_roles": HOSTILE, "access_verification": HOSTILE})
    checkpoint_create(actor=owner, journey=journey, data={
        "type": "consent", "title": HOSTILE, "description": HOSTILE, "touchpoint": touchpoint,
        "evidence": f"{JAVASCRIPT_URL} {HOSTILE}", "notes": HOSTILE})
    stakeholder = stakeholder_create(actor=owner, workspace=workspace,
                                     data={"role": SHORT, "group": "clinical", "concerns": HOSTILE})
    track = track_create(actor=owner, journey=journey, stakeholder=stakeholder, title=HOSTILE)
    other = track_create(actor=owner, journey=journey, stakeholder=Stakeholder.objects.exclude(
        pk=stakeholder.pk).filter(workspace=workspace).first() or stakeholder_create(
        actor=owner, workspace=workspace, data={"role": "Nurse", "group": "clinical"}))
    step = step_create(actor=owner, track=track, data={
        "stage": stage, "title": HOSTILE, "body": HOSTILE, "ehr_notes": HOSTILE, "access_roles": HOSTILE,
        "access_verification": HOSTILE})
    other_step = step_create(actor=owner, track=other, data={"stage": stage, "title": "Nurse step"})
    intersection_create(actor=owner, journey=journey, steps=[step, other_step],
                        data={"stage": stage, "title": HOSTILE, "description": HOSTILE})
    failure_mode_create(actor=owner, journey=journey, data={
        "step": step, "title": HOSTILE, "description": HOSTILE, "safeguard": HOSTILE})
    safety_loop_set(actor=owner, journey=journey, version=None,
                    data={"collection_point": HOSTILE, "communication_channel": HOSTILE, "stage": stage})
    colleague = factories.add_member(workspace)
    comment_create(actor=colleague, journey=journey, target=touchpoint, body=f"@{owner.username} {HOSTILE}")
    comment_create(actor=owner, journey=journey, target=stage, body=HOSTILE)
    link = share_link_create(actor=owner, journey=journey, label=SHORT)
    api_token_create(user=owner, name=SHORT)
    journey.refresh_from_db()
    return {"journey": journey, "stage": stage, "card": touchpoint, "link": link, "workspace": workspace}


def _pages(m: dict) -> list[tuple[str, str]]:
    """(url, text every one of them must show); the board and its fragments, detail pages and panels."""
    j, ws, card, stage = m["journey"].pk, m["workspace"].slug, m["card"].pk, m["stage"].pk
    return [
        (reverse("maps:list"), EVENT_HANDLER),
        (reverse("maps:board", args=[j]), EVENT_HANDLER),
        (reverse("maps:journey_edit", args=[j]), EVENT_HANDLER),
        (reverse("maps:activity", args=[j]), EVENT_HANDLER),
        (reverse("maps:card_detail", args=[j, card]), EVENT_HANDLER),
        (reverse("maps:card_edit", args=[j, card]), EVENT_HANDLER),
        (reverse("comments:open_list", args=[j]), EVENT_HANDLER),
        (reverse("comments:panel", args=[j, "card", card]), EVENT_HANDLER),
        (reverse("comments:panel", args=[j, "stage", stage]), EVENT_HANDLER),
        (reverse("comments:mentions"), EVENT_HANDLER),
        (reverse("workshop:present", args=[j]), EVENT_HANDLER),
        (reverse("workshop:facilitate", args=[j]), EVENT_HANDLER),
        (reverse("workshop:share_links", args=[j]), EVENT_HANDLER),
        (reverse("stakeholders:registry", args=[ws]), EVENT_HANDLER),
        (reverse("stakeholders:swimlanes", args=[j]), EVENT_HANDLER),
        (reverse("compliance:register", args=[ws]), EVENT_HANDLER),
        (reverse("compliance:health_panel", args=[j]), EVENT_HANDLER),
        (reverse("compliance:safety", args=[j]), EVENT_HANDLER),
        (reverse("diagnostics:panel", args=[j]), EVENT_HANDLER),
        (reverse("diagnostics:metrics", args=[j]), EVENT_HANDLER),
        (reverse("diagnostics:compare", args=[j]), EVENT_HANDLER),
        (reverse("diagnostics:fixes", args=[j]), EVENT_HANDLER),
        (reverse("diagnostics:charts", args=[j]), EVENT_HANDLER),
        (reverse("interchange:exports", args=[j]), EVENT_HANDLER),
        (reverse("reports:exports", args=[j]), EVENT_HANDLER),
        (reverse("workspaces:members", args=[ws]), EVENT_HANDLER),
        (reverse("workspaces:activity", args=[ws]), EVENT_HANDLER),
        (reverse("api_tokens:list"), EVENT_HANDLER),
    ]


def test_every_page_and_fragment_shows_hostile_text_as_text(hostile_map, owner_client, htmx):
    for url, shows in _pages(hostile_map):
        for headers in ({}, htmx):
            response = owner_client.get(url, follow=True, **headers)
            try:
                # Some fragments (a vote form, a counter) show none of it: they must still be inert.
                assert_inert_html(response, shows=None if headers else shows)
            except AssertionError as failure:
                raise AssertionError(f"{url} {'(htmx)' if headers else ''}: {failure}") from None


def test_the_share_view_shows_hostile_text_as_text(hostile_map):
    token = share_link_token(link=hostile_map["link"])
    assert_inert_html(Client().get(reverse("workshop:share_present", args=[token])))


def _csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) for cell in row]


def test_csv_exports_neutralise_formula_starters(hostile_map, owner_client):
    j = hostile_map["journey"].pk
    urls = [reverse("interchange:table", args=[j, table]) for table in ("cards", "checkpoints", "fixes")]
    urls += [reverse("interchange:download", args=[j, "csv"]), reverse("diagnostics:metrics_export", args=[j])]
    seen = []
    for url in urls:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        data = b"".join(response.streaming_content) if response.streaming else response.content
        if data.startswith(b"PK"):  # the full CSV export is a zip of the tables
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                cells = [c for name in archive.namelist() for c in _csv_cells(archive.read(name))]
        else:
            cells = _csv_cells(data)
        dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTERS)]
        assert dangerous == [], f"{url}: {dangerous}"
        seen += cells
    assert any(SCRIPT in cell for cell in seen) and any("SUM(1,1)" in cell for cell in seen)


def _strings(value) -> list[str]:
    """Every string inside a decoded JSON document."""
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_json_exports_and_the_api_return_hostile_text_as_json_strings(hostile_map, owner, owner_client):
    j = hostile_map["journey"].pk
    for format_name in ("json", "ojf"):
        response = owner_client.get(reverse("interchange:download", args=[j, format_name]))
        assert response.status_code == 200
        document = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
        assert HOSTILE in _strings(document)
    api = client_for(owner)
    for url in (reverse("api:map_list"), reverse("api:map_detail", args=[j])):
        response = api.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        assert HOSTILE in _strings(response.json())


def test_the_pdf_report_carries_hostile_text_as_text(hostile_map):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(
        export_format_get("pdf").render(hostile_map["journey"].pk))).pages)
    assert "onerror=alert(1)" in text.replace("\n", "")


@pytest.mark.parametrize("format_name", ["svg", "svg-curve", "svg-funnel", "svg-heatmap"])
def test_svg_diagrams_have_no_script_handler_or_javascript_link(hostile_map, format_name):
    data = export_format_get(format_name).render(hostile_map["journey"].pk)
    root = ET.fromstring(data)
    for element in root.iter():
        assert element.tag.rsplit("}", 1)[-1] != "script"
        for name, value in element.attrib.items():
            assert not name.rsplit("}", 1)[-1].startswith("on"), (element.tag, name)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, name, value)
    if format_name == "svg":
        assert EVENT_HANDLER in "".join(root.itertext())


@pytest.mark.parametrize("title", ["Before\x00after", "x" * 1_000_000], ids=["null-byte", "one-megabyte"])
@pytest.mark.parametrize("through", ["form", "api"])
def test_unstorable_text_is_refused_with_a_message_not_a_server_error(journey, owner, owner_client, title, through):
    lane, stage = factories.lane_of(journey), journey.stages.first()
    before = Card.objects.count()
    if through == "form":
        response = owner_client.post(reverse("maps:card_create", args=[journey.pk]),
                                     {"lane": lane.pk, "stage": stage.pk, "title": title, "body": title})
        assert response.status_code == 422
    else:
        response = client_for(owner).post(reverse("api:card_create", args=[journey.pk]),
                                          {"kind": lane.kind, "lane": lane.pk, "stage": stage.pk,
                                                                   "title": title, "body": title})
        assert 400 <= response.status_code < 500, response.status_code
    assert Card.objects.count() == before
    assert re.search(rb"(?i)nul{1,2} characters|at most|larger than", response.content), response.content[:500]


def test_hostile_text_typed_into_the_forms_comes_back_inert(journey, owner_client, htmx):
    """The same corpus through the views people use: forms save it as typed and every answer is inert."""
    lane, stage = factories.lane_of(journey), journey.stages.first()
    choices = {field: Touchpoint._meta.get_field(field).default
               for field in ("channel", "data_classification", "communication_sensitivity")}
    saved = owner_client.post(reverse("maps:card_create", args=[journey.pk]), choices | {
        "lane": lane.pk, "stage": stage.pk, "title": HOSTILE, "body": HOSTILE, "expectation": HOSTILE}, **htmx)
    assert_inert_html(saved)
    assert_inert_html(owner_client.post(reverse("maps:stage_create", args=[journey.pk]),
                                        {"name": SHORT, "description": HOSTILE}, follow=True))
    card = Card.objects.get(journey=journey, title=HOSTILE)
    assert card.body == HOSTILE
    commented = owner_client.post(reverse("comments:create", args=[journey.pk, "card", card.pk]),
                                  {"body": HOSTILE}, **htmx)
    assert_inert_html(commented)
    assert_inert_html(owner_client.get(reverse("maps:board", args=[journey.pk])))
    assert_inert_html(owner_client.get(reverse("comments:panel", args=[journey.pk, "card", card.pk]), **htmx))
