"""The manager's PDF report of a map: HTML rendered by WeasyPrint with a print stylesheet.

Diagrams are inline SVG from `reports.diagrams`; the font is the app's own vendored
Inter, loaded from static/, so the report and the pages read alike.
"""

from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from maps.models import Card, Lane, Stage
from stakeholders.models import Step, Track

from . import diagrams
from .content import ReportContent, report_content

STAGES_PER_PAGE = 4  # grid columns that stay readable on A4 landscape; wider maps continue on the next pages
STYLESHEET = "css/report.css"


@dataclass
class GridCard:
    card: Card
    meta: str


@dataclass
class GridRow:
    lane: Lane
    cells: list[list[GridCard]]


@dataclass
class GridPart:
    """A slice of the board's stages: one table, its header repeated on every page it runs to."""

    first: int  # the 1-based numbers of its first and last stage
    last: int
    stages: list[Stage]
    rows: list[GridRow]


@dataclass
class SubMapRow:
    track: Track
    cells: list[list[Step]]


@dataclass
class SubMapPart:
    first: int
    last: int
    stages: list[Stage]
    rows: list[SubMapRow]


def _slices(count: int) -> list[range]:
    return [range(start, min(start + STAGES_PER_PAGE, count)) for start in range(0, count, STAGES_PER_PAGE)]


def grid_parts(content: ReportContent) -> list[GridPart]:
    board = content.board
    return [GridPart(first=part.start + 1, last=part.stop, stages=[board.stages[i] for i in part],
                     rows=[GridRow(lane=row.lane, cells=[[GridCard(card=card, meta=diagrams.card_meta(card))
                                                          for card in row.cells[i].cards] for i in part])
                           for row in board.rows])
            for part in _slices(len(board.stages))]


def submap_parts(content: ReportContent) -> list[SubMapPart]:
    swimlanes = content.swimlanes
    if not swimlanes.lanes:
        return []
    return [SubMapPart(first=part.start + 1, last=part.stop, stages=[swimlanes.stages[i] for i in part],
                       rows=[SubMapRow(track=lane.track, cells=[lane.cells[i].steps for i in part])
                             for lane in swimlanes.lanes])
            for part in _slices(len(swimlanes.stages))]


def report_html(content: ReportContent) -> str:
    # The diagrams escape every text they draw (see reports.diagrams), so they may go in as markup.
    return render_to_string("reports/report.html", {
        "report": content,
        "journey": content.journey,
        "grid_parts": grid_parts(content),
        "submap_parts": submap_parts(content),
        "curve_svg": mark_safe(diagrams.curve_svg(content.board.curve, [s.name for s in content.stages])),
        "funnel_svg": mark_safe(diagrams.funnel_svg(content.funnel)),
        "heatmap_svg": mark_safe(diagrams.heatmap_svg(content.heatmap)),
    })


def render_pdf(journey_id: int) -> bytes:
    """The full report of one map as PDF bytes."""
    html = report_html(report_content(journey_id=journey_id))
    stylesheet = finders.find(STYLESHEET)
    fonts = FontConfiguration()
    # base_url: the stylesheet's url(...) of the vendored fonts resolve against static/.
    # PDF/UA-1: a tagged PDF (headings, tables, reading order, the document's title and language),
    # which screen readers and reflowing viewers need.
    return HTML(string=html, base_url=stylesheet).write_pdf(
        stylesheets=[CSS(filename=stylesheet, font_config=fonts)], font_config=fonts, pdf_variant="pdf/ua-1")
