"""The board and chart diagrams as SVG and PNG, and the formats they are exported as."""

import io
import re
import struct
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.management import call_command

from core.errors import NotFound
from interchange.formats import export_format_get
from maps.models import Journey, LaneKind

from . import factories

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == f"{SVG}svg"
    return [element.text or "" for element in root.iter(f"{SVG}text")]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # the IHDR chunk's width and height


def test_every_diagram_format_is_registered():
    for name in ["pdf", "svg", "png", "svg-curve", "png-curve", "svg-funnel", "png-funnel", "svg-heatmap",
                 "png-heatmap"]:
        assert export_format_get(name).name == name
    assert export_format_get("png").content_type == "image/png"
    assert export_format_get("svg").extension == "svg"


def test_the_board_svg_names_every_stage_lane_and_card(journey, owner):
    card = factories.make_card(journey, owner, kind=LaneKind.FRICTION, title="Nobody explains the wait")

    texts = svg_texts(export_format_get("svg").render(journey.pk))

    joined = " ".join(texts)
    for stage in journey.stages.all():
        assert stage.name in joined
    for lane in journey.lanes.all():
        assert lane.name in joined
    assert card.title in joined
    assert "Medium · Structural · Open" in texts  # the friction's severity, kind and status under its title


def test_the_board_png_is_the_svg_at_twice_its_size(journey, owner):
    factories.make_card(journey, owner, kind=LaneKind.USER_STATE, title="Lost", confidence=-3)
    root = ET.fromstring(export_format_get("svg").render(journey.pk))

    width, height = png_size(export_format_get("png").render(journey.pk))

    assert (width, height) == (2 * int(root.get("width")), 2 * int(root.get("height")))


def test_hostile_titles_stay_text_in_the_svg(journey, owner):
    title = "<script>alert(1)</script>=cmd|' /C calc'!A0"
    factories.make_card(journey, owner, kind=LaneKind.TOUCHPOINTS, title=title)

    data = export_format_get("svg").render(journey.pk)

    root = ET.fromstring(data)
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in {"script", "foreignObject"}]
    assert b"<script>" not in data
    assert any("<script>alert(1)</script>" in text for text in svg_texts(data))  # drawn, wrapped over two lines


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    return Journey.objects.get(title="Telehealth patient journey")


def test_the_charts_of_the_demo_map(demo):
    curve = svg_texts(export_format_get("svg-curve").render(demo.pk))
    funnel = svg_texts(export_format_get("svg-funnel").render(demo.pk))
    heatmap = svg_texts(export_format_get("svg-heatmap").render(demo.pk))

    assert {"Acquisition", "Consultation", "Re-engagement"} <= set(curve)
    assert {"+2", "-3"} <= set(curve)  # the demo's most and least confident stages
    assert "Acquisition" in funnel and any(re.fullmatch(r"[\d,]+ · \d+% of previous", t) for t in funnel)
    assert "Structural (the process)" in heatmap and "Waiting for a clinician" not in heatmap
    assert png_size(export_format_get("png-funnel").render(demo.pk))[0] > 0


def test_an_empty_chart_says_so(journey):
    assert svg_texts(export_format_get("svg-heatmap").render(journey.pk)) == ["No open friction points on this map."]


def test_an_unknown_map_is_not_found(db):
    with pytest.raises(NotFound):
        export_format_get("svg").render(987654)


def test_the_app_and_the_report_use_the_same_vendored_font():
    static = settings.BASE_DIR / "static"
    fonts = {}
    for sheet in ["css/app.css", "css/report.css"]:
        css = (static / sheet).read_text()
        fonts[sheet] = set(re.findall(r'url\("\.\./(vendor/fonts/[^"]+)"\)', css))
        assert 'font-family: "Inter"' in css
    assert fonts["css/app.css"] == fonts["css/report.css"] and len(fonts["css/app.css"]) == 4
    for path in fonts["css/app.css"]:
        assert (static / path).read_bytes()[:4] == b"wOF2"
    assert "SIL Open Font License" in (static / "vendor/fonts/inter/LICENSE").read_text()
