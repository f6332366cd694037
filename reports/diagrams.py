"""Server-side SVG diagrams of a map: the board, the confidence curve, the funnel and the
friction heatmap. The PDF report embeds them (Plotly only draws in a browser), and the
`svg`/`png` exports serve them as files.

Every piece of text from the map goes through `_text`, so a card titled `<script>` is
drawn as those characters and never becomes markup.
"""

import textwrap
from collections.abc import Iterable
from xml.sax.saxutils import escape

from core.text import without_control_characters
from diagnostics.charts import Chart
from maps.curve import COLUMN_WIDTH as CURVE_COLUMN_WIDTH
from maps.curve import HEIGHT as CURVE_HEIGHT
from maps.curve import Curve
from maps.models import Card, LaneKind
from maps.selectors import Board

FONT_FAMILY = "Inter, 'DejaVu Sans', Arial, sans-serif"  # Inter is vendored; the others stand in where it is missing
INK, MUTED, LINE, SURFACE, BG, ACCENT = "#1d2430", "#5d6878", "#dde1e7", "#ffffff", "#f5f6f8", "#2457c5"
DANGER, OK = "#b42318", "#18794e"
# The board's lane colours (static/css/app.css): stripe and soft fill per card kind.
KIND_COLOURS = {
    LaneKind.USER_STATE: ("#6941c6", "#f4f0fd"),
    LaneKind.TOUCHPOINTS: ("#2457c5", "#eef3fd"),
    LaneKind.FRICTION: ("#c4320a", "#fdf0ea"),
    LaneKind.OPPORTUNITIES: ("#18794e", "#ecf7f1"),
    LaneKind.HANDOFFS: ("#b54708", "#fdf4e8"),
}
DEFAULT_COLOURS = ("#667085", "#f2f4f7")
# A bold character's mean advance in ems, wide enough for DejaVu Sans too (what a PNG is drawn in where
# Inter is not installed): text is wrapped before it can overflow its box.
CHAR_WIDTH = 0.62


def _text(value: object) -> str:
    """Text as SVG (XML) can hold it: escaped, and without control characters stored before they were refused."""
    return escape(without_control_characters(str(value)), {'"': "&quot;"})


def _wrap(text: str, *, width_px: float, font_size: float, max_lines: int) -> list[str]:
    """`text` in lines that fit `width_px`; what does not fit in `max_lines` ends in an ellipsis."""
    chars = max(4, int(width_px / (font_size * CHAR_WIDTH)))
    lines = textwrap.wrap(" ".join(str(text).split()), width=chars, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "…"
    return lines


def _lines(lines: Iterable[str], *, x: float, y: float, size: float, leading: float, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_text(v)}"' for k, v in attrs.items())
    return "".join(f'<text x="{x:g}" y="{y + i * leading:g}" font-size="{size:g}"{extra}>{_text(line)}</text>'
                   for i, line in enumerate(lines))


def _svg(width: float, height: float, title: str, body: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" font-family="{_text(FONT_FAMILY)}" fill="{INK}">'
            f"<title>{_text(title)}</title>{body}</svg>")


# --- the board --------------------------------------------------------------------------

LANE_WIDTH, STAGE_WIDTH, HEADER_HEIGHT, CURVE_ROW = 150, 210, 48, 96
CARD_HEIGHT, CARD_GAP, CELL_PAD = 50, 6, 8


def card_meta(card: Card) -> str:
    """The one fact per kind a reader of the board needs beside the title."""
    if card.kind == LaneKind.USER_STATE:
        return f"Confidence {card.confidence:+d}"
    if card.kind == LaneKind.TOUCHPOINTS:
        return card.get_channel_display() + (f" · {card.owner_team}" if card.owner_team else "")
    if card.kind == LaneKind.FRICTION:
        return f"{card.get_severity_display()} · {card.get_friction_kind_display()} · {card.get_status_display()}"
    if card.kind == LaneKind.OPPORTUNITIES:
        return f"Score {card.score:g} · {card.get_status_display()}"
    if card.kind == LaneKind.HANDOFFS:
        teams = " → ".join(str(t) for t in (card.from_team, card.to_team) if t)
        return teams or f"{card.get_risk_display()} risk · no teams named"
    return str(card.owner_team or "")


def _card(card: Card, x: float, y: float) -> str:
    stripe, fill = KIND_COLOURS.get(card.kind, DEFAULT_COLOURS)
    width = STAGE_WIDTH - 2 * CELL_PAD
    title = _wrap(card.title, width_px=width - 14, font_size=11, max_lines=2)
    return (f'<g><rect x="{x:g}" y="{y:g}" width="{width:g}" height="{CARD_HEIGHT}" rx="5" fill="{fill}" '
            f'stroke="{LINE}"/><rect x="{x:g}" y="{y:g}" width="4" height="{CARD_HEIGHT}" rx="2" fill="{stripe}"/>'
            + _lines(title, x=x + 10, y=y + 15, size=11, leading=13, font_weight="600")
            + _lines(_wrap(card_meta(card), width_px=width - 14, font_size=9.5, max_lines=1), x=x + 10,
                     y=y + CARD_HEIGHT - 8, size=9.5, leading=11, fill=MUTED)
            + "</g>")


def board_svg(board: Board) -> str:
    """The whole board as one diagram: stages across, lanes down, the confidence curve under the headers."""
    columns = max(1, len(board.stages))
    width = LANE_WIDTH + columns * STAGE_WIDTH
    heights = [max([len(c.cards) for c in row.cells] + [1]) * (CARD_HEIGHT + CARD_GAP) - CARD_GAP + 2 * CELL_PAD
               for row in board.rows]
    height = HEADER_HEIGHT + CURVE_ROW + sum(heights)
    parts = [f'<rect width="{width}" height="{height}" fill="{SURFACE}"/>',
             f'<rect width="{width}" height="{HEADER_HEIGHT}" fill="{BG}"/>',
             _lines(_wrap(board.journey.title, width_px=LANE_WIDTH - 20, font_size=11, max_lines=2),
                    x=10, y=17, size=11, leading=13, font_weight="700"),
             _lines([f"{board.card_count} cards"], x=10, y=HEADER_HEIGHT - 6, size=9, leading=10, fill=MUTED)]
    for index, stage in enumerate(board.stages):
        x = LANE_WIDTH + index * STAGE_WIDTH
        parts.append(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="{LINE}"/>')
        parts.append(_lines(_wrap(stage.name, width_px=STAGE_WIDTH - 20, font_size=13, max_lines=2),
                            x=x + 10, y=20, size=13, leading=15, font_weight="700", class_="stage"))
    parts.append(_curve_row(board.curve, top=HEADER_HEIGHT))
    y = HEADER_HEIGHT + CURVE_ROW
    for row, row_height in zip(board.rows, heights, strict=True):
        stripe, _fill = KIND_COLOURS.get(row.lane.kind, DEFAULT_COLOURS)
        parts.append(f'<line x1="0" y1="{y}" x2="{width}" y2="{y}" stroke="{LINE}"/>')
        parts.append(f'<rect x="0" y="{y}" width="4" height="{row_height}" fill="{stripe}"/>')
        parts.append(_lines(_wrap(row.lane.name, width_px=LANE_WIDTH - 24, font_size=12, max_lines=3),
                            x=14, y=y + 20, size=12, leading=14, font_weight="600", class_="lane"))
        if row.lane.get_kind_display() != row.lane.name:
            parts.append(_lines([row.lane.get_kind_display()], x=14, y=y + row_height - 10, size=9.5, leading=11,
                                fill=MUTED))
        for index, cell in enumerate(row.cells):
            x = LANE_WIDTH + index * STAGE_WIDTH + CELL_PAD
            for number, card in enumerate(cell.cards):
                parts.append(_card(card, x, y + CELL_PAD + number * (CARD_HEIGHT + CARD_GAP)))
        y += row_height
    parts.append(f'<rect x=".5" y=".5" width="{width - 1}" height="{height - 1}" fill="none" stroke="{LINE}"/>')
    return _svg(width, height, f"The map “{board.journey.title}”", "".join(parts))


def _curve_row(curve: Curve, *, top: float) -> str:
    """The board's own curve (maps.curve), rescaled from its column width to the diagram's."""
    scale_x, scale_y = STAGE_WIDTH / CURVE_COLUMN_WIDTH, (CURVE_ROW - 12) / CURVE_HEIGHT

    def at(x: float, y: float) -> tuple[float, float]:
        return LANE_WIDTH + x * scale_x, top + 6 + y * scale_y

    parts = [_lines(["Confidence"], x=14, y=top + 20, size=12, leading=14, font_weight="600"),
             _lines(["+5 top, −5 bottom"], x=14, y=top + 36, size=9.5, leading=11, fill=MUTED)]
    zero = at(0, curve.zero_y)[1]
    parts.append(f'<line x1="{LANE_WIDTH}" y1="{zero:g}" x2="{LANE_WIDTH + curve.width * scale_x:g}" y2="{zero:g}" '
                 f'stroke="#98a2b3" stroke-dasharray="4 4"/>')
    points = [at(p.x, p.y) for p in curve.points]
    if points:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="2.5"/>')
    for point, (x, y) in zip(curve.points, points, strict=True):
        colour = DANGER if point.confidence < 0 else OK
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
        parts.append(_lines([f"{point.confidence:+g}"], x=x + 8, y=y - 6, size=10, leading=12, fill=colour))
    return "".join(parts)


# --- the confidence curve on its own ------------------------------------------------------

CURVE_STAGE_WIDTH, CURVE_PLOT_HEIGHT, CURVE_LEFT, CURVE_TOP = 120, 220, 56, 16


def curve_svg(curve: Curve, stage_names: list[str]) -> str:
    """The confidence curve with its scale and stage names, for the report and the `svg-curve` export."""
    columns = max(1, len(stage_names))
    width = CURVE_LEFT + columns * CURVE_STAGE_WIDTH + 16
    height = CURVE_TOP + CURVE_PLOT_HEIGHT + 48

    def y_of(confidence: float) -> float:
        return CURVE_TOP + (5 - confidence) / 10 * CURVE_PLOT_HEIGHT

    parts = [f'<rect width="{width}" height="{height}" fill="{SURFACE}"/>']
    for level in range(-5, 6):
        y = y_of(level)
        stroke = 'stroke="#98a2b3" stroke-width="1.5"' if level == 0 else 'stroke="#eaecf0"'  # zero stands out
        parts.append(f'<line x1="{CURVE_LEFT}" y1="{y:g}" x2="{width - 16}" y2="{y:g}" {stroke}/>')
        if level % 5 == 0:
            parts.append(_lines([f"{level:+d}" if level else "0"], x=CURVE_LEFT - 10, y=y + 4, size=11, leading=12,
                                text_anchor="end", fill=MUTED))
    for index, name in enumerate(stage_names):
        x = CURVE_LEFT + index * CURVE_STAGE_WIDTH + CURVE_STAGE_WIDTH / 2
        parts.append(_lines(_wrap(name, width_px=CURVE_STAGE_WIDTH - 8, font_size=10.5, max_lines=2), x=x,
                            y=CURVE_TOP + CURVE_PLOT_HEIGHT + 18, size=10.5, leading=12, text_anchor="middle",
                            class_="stage"))
    points = [(CURVE_LEFT + p.x / CURVE_COLUMN_WIDTH * CURVE_STAGE_WIDTH, y_of(p.confidence), p) for p in curve.points]
    if points:
        path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _p) in enumerate(points))
        parts.append(f'<path d="{path}" fill="none" stroke="{ACCENT}" stroke-width="3"/>')
    else:
        parts.append(_lines(["No user state has a confidence score yet."], x=width / 2, y=y_of(0) - 10, size=13,
                            leading=14, text_anchor="middle", fill=MUTED))
    for x, y, point in points:
        colour = DANGER if point.confidence < 0 else OK
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}"/>')
        parts.append(_lines([f"{point.confidence:+g}"], x=x, y=y - 11, size=11, leading=12, text_anchor="middle",
                            font_weight="600", fill=colour))
    return _svg(width, height, "Confidence curve: " + curve.summary, "".join(parts))


# --- the funnel and the heatmap (diagnostics' chart data, drawn here) -----------------------------


def _empty(chart: Chart, width: float = 640, height: float = 90) -> str:
    body = (f'<rect width="{width}" height="{height}" fill="{BG}" stroke="{LINE}" rx="8"/>'
            + _lines([chart.empty], x=width / 2, y=height / 2 + 5, size=13, leading=14, text_anchor="middle",
                     fill=MUTED))
    return _svg(width, height, chart.title, body)


FUNNEL_LABEL, FUNNEL_BAR, FUNNEL_ROW = 200, 520, 44


def funnel_svg(chart: Chart) -> str:
    """People entering each stage as centred bars, each with its share of the stage before."""
    if chart.figure is None:
        return _empty(chart)
    trace = chart.figure["data"][0]
    names, entered = trace["y"], trace["x"]
    top = max(entered) or 1
    width, height = FUNNEL_LABEL + FUNNEL_BAR + 20, len(names) * FUNNEL_ROW + 10
    parts = [f'<rect width="{width}" height="{height}" fill="{SURFACE}"/>']
    centre = FUNNEL_LABEL + FUNNEL_BAR / 2
    for index, (name, value) in enumerate(zip(names, entered, strict=True)):
        y = 5 + index * FUNNEL_ROW
        bar = max(2.0, FUNNEL_BAR * value / top)
        parts.append(f'<rect x="{centre - bar / 2:.1f}" y="{y}" width="{bar:.1f}" height="{FUNNEL_ROW - 8}" rx="4" '
                     f'fill="{ACCENT}"/>')
        parts.append(_lines(_wrap(name, width_px=FUNNEL_LABEL - 16, font_size=12, max_lines=2), x=FUNNEL_LABEL - 12,
                            y=y + 16, size=12, leading=13, text_anchor="end", class_="stage"))
        share = "" if index == 0 or not entered[index - 1] else f" · {value / entered[index - 1]:.0%} of previous"
        label = f"{value:,}{share}"
        inside = bar > len(label) * 11 * CHAR_WIDTH + 16
        parts.append(_lines([label], x=centre if inside else centre + bar / 2 + 8, y=y + 23, size=11, leading=12,
                            text_anchor="middle" if inside else "start", fill=SURFACE if inside else INK,
                            font_weight="600"))
    return _svg(width, height, chart.title, "".join(parts))


HEAT_LABEL, HEAT_CELL, HEAT_ROW, HEAT_TOP, HEAT_GAP = 170, 46, 28, 120, 30


def _heat_colour(value: int, top: int) -> str:
    if not value:
        return "#f8f9fb"
    low, high = (0xFE, 0xE4, 0xE2), (0xB4, 0x23, 0x18)  # diagnostics' colour scale, light to dark red
    share = value / max(top, 1)
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high, strict=True))


def heatmap_svg(chart: Chart) -> str:
    """Open friction per stage (rows) and owner team (columns): structural on the left, communication on the right."""
    if chart.figure is None:
        return _empty(chart)
    traces = chart.figure["data"]
    teams, stages = traces[0]["x"], traces[0]["y"]
    top = max((v for t in traces for row in t["z"] for v in row), default=1)
    grid = len(teams) * HEAT_CELL
    width = HEAT_LABEL + len(traces) * grid + (len(traces) - 1) * HEAT_GAP + 10
    height = HEAT_TOP + len(stages) * HEAT_ROW + 10
    parts = [f'<rect width="{width}" height="{height}" fill="{SURFACE}"/>']
    for row, stage in enumerate(stages):
        parts.append(_lines(_wrap(stage, width_px=HEAT_LABEL - 14, font_size=11, max_lines=1), x=HEAT_LABEL - 8,
                            y=HEAT_TOP + row * HEAT_ROW + 18, size=11, leading=12, text_anchor="end", class_="stage"))
    for number, trace in enumerate(traces):
        left = HEAT_LABEL + number * (grid + HEAT_GAP)
        parts.append(_lines([trace["name"]], x=left, y=14, size=12, leading=13, font_weight="700"))
        for column, team in enumerate(teams):
            x = left + column * HEAT_CELL + HEAT_CELL / 2
            label = _wrap(team, width_px=120, font_size=10.5, max_lines=1)[0]
            parts.append(f'<text x="{x:g}" y="{HEAT_TOP - 8}" font-size="10.5" text-anchor="start" '
                         f'transform="rotate(-50 {x:g} {HEAT_TOP - 8})">{_text(label)}</text>')
        for row, values in enumerate(trace["z"]):
            for column, value in enumerate(values):
                x, y = left + column * HEAT_CELL, HEAT_TOP + row * HEAT_ROW
                parts.append(f'<rect x="{x + 1.5:g}" y="{y + 1.5:g}" width="{HEAT_CELL - 3}" height="{HEAT_ROW - 3}" '
                             f'rx="3" fill="{_heat_colour(value, top)}"/>')
                if value:
                    ink = SURFACE if value / max(top, 1) > 0.5 else INK
                    parts.append(_lines([str(value)], x=x + HEAT_CELL / 2, y=y + 18, size=12, leading=12,
                                        text_anchor="middle", font_weight="600", fill=ink))
    return _svg(width, height, chart.title, "".join(parts))
