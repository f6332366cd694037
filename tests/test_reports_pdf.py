"""The manager's PDF report: read back as text (pypdf) and as pictures (pdftoppm)."""

import io
import subprocess

import pytest
from django.core.management import call_command
from PIL import Image
from pypdf import PdfReader

from compliance.health import health_check
from diagnostics.selectors import weakest_transition
from maps import services as map_services
from maps.models import Journey, LaneKind
from reports.content import report_content
from reports.pdf import render_pdf

from . import factories

SECTIONS = ["Summary", "Weakest transitions", "Top friction", "Open compliance work", "Top fixes", "The map",
            "Confidence curve", "Funnel and drop-off per stage", "Friction by stage and owner team",
            "Stakeholder sub-maps", "Compliance register", "Health check findings", "Ranked fix list"]


def pdf_text(data: bytes) -> tuple[list[str], str]:
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return pages, " ".join(" ".join(pages).split())  # whitespace folded: table cells wrap anywhere


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return {j.title: j for j in Journey.objects.all()}


def test_the_report_of_a_clinic_rollout_has_every_section_and_its_facts(demo):
    journey = demo["Remote patient monitoring: clinic rollout"]
    content = report_content(journey_id=journey.pk)
    pages, text = pdf_text(render_pdf(journey.pk))

    assert 6 <= len(pages) <= 30
    nothing_to_draw = {"Funnel and drop-off per stage", "Friction by stage and owner team", "Ranked fix list"}
    assert not content.fixes and content.funnel.figure is None and content.heatmap.figure is None
    for section in SECTIONS:
        assert (section in text) is (section not in nothing_to_draw), section
    assert journey.title in pages[0]
    assert f"{health_check(journey=journey).score} Map health score" in " ".join(pages[0].split())
    assert f"Page 2 of {len(pages)}" in pages[1]
    for stage in content.stages:
        assert stage.name in text
    assert content.checkpoints and content.open_checkpoints
    for checkpoint in content.checkpoints:
        assert checkpoint.title in text, checkpoint.title
    for lane in content.swimlanes.lanes:  # every stakeholder sub-map is drawn
        assert str(lane.track) in text
    assert f"{len(content.open_checkpoints)} of {len(content.checkpoints)} checkpoints still open" in text


def test_the_report_names_the_weakest_transition_its_friction_and_the_first_fix(demo):
    journey = demo["Telehealth patient journey"]
    pages, text = pdf_text(render_pdf(journey.pk))

    weakest = weakest_transition(journey=journey)
    assert weakest.stage.name in pages[1] and weakest.to_stage.name in pages[1]  # the summary page
    assert "Fix first" in pages[1]
    assert "Waiting room shows no estimate" in text  # a high-severity structural friction of the demo
    ranked = text[text.index("Ranked fix list"):]
    assert "1 Rewrite the intake reminder with the remaining step" in ranked  # impact 3 × confidence 4 ÷ effort 1
    assert "Funnel and drop-off per stage" in text and "Measured on the observed journey" in text


def test_hostile_card_titles_come_out_as_text(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="<script>alert('x')</script> Broken step")
    factories.make_card(journey, owner, kind=LaneKind.OPPORTUNITIES, title='=HYPERLINK("http://evil.test","fix")')

    _pages, text = pdf_text(render_pdf(journey.pk))

    assert "<script>alert('x')</script> Broken step" in text
    assert '=HYPERLINK("http://evil.test","fix")' in text


def test_a_wide_map_continues_its_grid_on_later_pages_and_nothing_crosses_the_page_edges(journey, owner, tmp_path):
    for n in range(7, 10):
        map_services.stage_create(actor=owner, journey=journey, data={"name": f"Extra stage {n}"})
    long_title = "A very long card title that keeps going " * 4 + "Unbreakable" + "x" * 80
    last_of_first_table = journey.stages.all()[3]  # its cards sit right beside the page's margin
    factories.make_card(journey, owner, kind=LaneKind.ACTIONS, stage=last_of_first_table, title=long_title[:200])

    data = render_pdf(journey.pk)
    _pages, text = pdf_text(data)

    assert "Stages 1–4 of 9" in text and "Stages 5–8 of 9" in text and "Stage 9 of 9" in text
    assert "Extra stage 9" in text
    # The page margins (12 mm left and right) stay blank on every page: no table or diagram runs into them.
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-", str(tmp_path / "page")], input=data, check=True)
    margin = round(10 / 25.4 * 40)  # 10 mm at 40 dpi
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == len(PdfReader(io.BytesIO(data)).pages)
    for path in images:
        image = Image.open(path).convert("L")
        width, height = image.size
        for box in [(0, 0, margin, height), (width - margin, 0, width, height)]:
            assert image.crop(box).getextrema()[0] > 245, f"{path.name}: something reaches the page edge"



def test_the_report_is_a_tagged_pdf_ua_document(demo):
    """PDF/UA-1: marked content, a structure tree, the title shown as the window's title, the language."""
    journey = demo["Telehealth patient journey"]
    reader = PdfReader(io.BytesIO(render_pdf(journey.pk)))
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    structure = catalog["/StructTreeRoot"].get_object()
    assert structure["/K"]  # the tagged content: headings, paragraphs, tables
    assert catalog["/Lang"] == "en"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()
    assert reader.metadata.title == f"{journey.title} · Journey report"


def test_the_fix_list_gives_each_fix_a_line_and_a_section_with_nothing_in_it_is_left_out(demo, journey):
    """The fix list's text column is wide enough for a title on one line (it was one word wide), and
    a section with nothing to show takes no page: a brand-new map's report has the cover, the summary
    and the (empty) map, not a page that says "No stakeholder sub-maps on this map yet"."""
    telehealth = demo["Telehealth patient journey"]
    pages, _text = pdf_text(render_pdf(telehealth.pk))
    fix_lines = next(page for page in pages if "Open fixes ranked by" in page).splitlines()
    for fix in report_content(journey_id=telehealth.pk).fixes:  # the old column broke every title a word a line
        assert any(f"{fix.rank} {fix.opportunity.title}" in line for line in fix_lines), fix.opportunity.title
    assert any(line.startswith("# Fix Stage Repairs Owner Impact Effort Confidence Score") for line in fix_lines)

    pages, text = pdf_text(render_pdf(journey.pk))
    for absent in ["Confidence curve", "Funnel and drop-off per stage", "Friction by stage and owner team",
                   "Stakeholder sub-maps", "Compliance register", "Health check findings", "Ranked fix list"]:
        assert absent not in text, absent
    assert "No health score yet" in pages[0]
    assert len(pages) == 4, [page[:80] for page in pages]  # cover, summary, the grid in two parts
