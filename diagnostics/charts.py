"""Plotly figures built as plain JSON (no server-side plotting library), each with the
table that is its text alternative. Sized and coloured to stay legible on a projector;
only data that survived small-count suppression ever reaches a figure."""

from dataclasses import dataclass

from .compare import REPEAT_MARKER
from .metrics import MetricsSummary, percent

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 17, "color": "#1d2430"}
INK, ACCENT, STATE, DANGER, WARN = "#1d2430", "#2457c5", "#6941c6", "#b42318", "#b54708"


@dataclass
class Chart:
    key: str
    title: str
    figure: dict | None  # None when there is nothing true to draw
    caption: str
    headers: list[str]
    rows: list[list[str]]
    empty: str = ""

    @property
    def element_id(self) -> str:
        return f"figure-{self.key}"


def _layout(**extra) -> dict:
    return {"font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
            "margin": {"l": 20, "r": 20, "t": 20, "b": 20}, "hoverlabel": {"font": {"size": 16}}} | extra


def funnel_chart(summary: MetricsSummary, *, measured_on: str = "") -> Chart:
    """People entering each stage, over the months in which every stage's counts could be shown."""
    table = [(name, cells) for name, cells in summary.table  # stages with counts, loops aside
             if not REPEAT_MARKER.search(name) and any(cell is not None for cell in cells)]
    loops = [name for name, _ in summary.table if REPEAT_MARKER.search(name)]
    complete = [i for i, p in enumerate(summary.periods)
                if all(cells[i] is not None and cells[i].usable for _, cells in table)]
    names = [name for name, _ in table]
    entered = [sum(cells[i].entered.value for i in complete) for _, cells in table]
    progressed = [sum(cells[i].progressed.value for i in complete) for _, cells in table]
    rows = []
    for index, name in enumerate(names):
        share = progressed[index] / entered[index] if complete and entered[index] else None
        rows.append([name, f"{entered[index]:,}" if complete else "—", f"{progressed[index]:,}" if complete else "—",
                     percent(share), percent(None if share is None else 1 - share)])
    caption = (
        (f"Measured on the observed journey “{measured_on}”. " if measured_on else "")
        + f"People entering each stage, totalled over the {len(complete)} month{'s' if len(complete) != 1 else ''} "
        f"in which every stage's counts are at least {summary.threshold}. Months with a suppressed count are left out."
        + (f" Stages users loop back to ({', '.join(loops)}) are not part of the funnel." if loops else "")
    )
    if not complete:
        return Chart("funnel", "Funnel and drop-off per stage", None, caption,
                     ["Stage", "Entered", "Progressed", "Conversion", "Drop-off"], rows,
                     empty="No month has counts large enough for every stage to be shown.")
    figure = {
        "data": [{
            "type": "funnel", "y": names, "x": entered, "textposition": "inside",
            "texttemplate": "%{value:,}<br>%{percentPrevious:.0%} of previous",
            "textfont": {"size": 18, "color": "#ffffff"}, "marker": {"color": ACCENT},
            "connector": {"fillcolor": "#e8effc"}, "hovertemplate": "%{y}: %{x:,} entered<extra></extra>",
        }],
        "layout": _layout(height=90 + 70 * len(names), margin={"l": 210, "r": 30, "t": 20, "b": 30},
                          yaxis={"automargin": True}),
    }
    return Chart("funnel", "Funnel and drop-off per stage", figure, caption,
                 ["Stage", "Entered", "Progressed", "Conversion", "Drop-off"], rows)


def confidence_chart(stage_names: list[str], designed: list[float | None], observed: list[float | None] | None,
                     ) -> Chart:
    traces = [{"type": "scatter", "mode": "lines+markers", "name": "Designed", "x": stage_names, "y": designed,
               "line": {"color": ACCENT, "width": 4, "dash": "dash"}, "marker": {"size": 14},
               "connectgaps": False}]
    if observed is not None:
        traces.append({"type": "scatter", "mode": "lines+markers", "name": "Observed", "x": stage_names, "y": observed,
                       "line": {"color": DANGER, "width": 4}, "marker": {"size": 14, "symbol": "diamond"},
                       "connectgaps": False})
    has_data = any(v is not None for v in designed) or any(v is not None for v in (observed or []))
    rows = [[name, "—" if d is None else f"{d:+g}"] + ([] if observed is None else
            ["—" if o is None else f"{o:+g}", "—" if d is None or o is None else f"{o - d:+.1f}"])
            for name, d, o in zip(stage_names, designed, observed or [None] * len(designed), strict=True)]
    headers = ["Stage", "Designed"] + ([] if observed is None else ["Observed", "Difference"])
    figure = {
        "data": traces,
        "layout": _layout(height=420, yaxis={"range": [-5.5, 5.5], "dtick": 1, "zeroline": True,
                                              "zerolinecolor": "#98a2b3", "zerolinewidth": 2,
                                              "title": {"text": "Confidence (−5 to +5)"}, "gridcolor": "#eaecf0"},
                          xaxis={"automargin": True}, legend={"orientation": "h", "y": 1.12, "x": 0},
                          margin={"l": 80, "r": 20, "t": 50, "b": 40}),
    }
    return Chart("confidence", "Confidence curve: designed against observed" if observed is not None
                 else "Confidence curve", figure if has_data else None,
                 "The mean confidence of the user states at each stage, from −5 (lost) to +5 (confident).",
                 headers, rows, empty="No user state has a confidence score yet.")


def friction_heatmap(stage_names: list[str], team_names: list[str], cells: dict[tuple[str, str, str], int]) -> Chart:
    """`cells`: (kind, stage, team) -> number of open friction points."""
    teams = team_names + (["No owner"] if any(k[2] == "No owner" for k in cells) else [])
    kinds = [("structural", "Structural (the process)"), ("communication", "Communication (how it is explained)")]
    data = []
    for index, (kind, label) in enumerate(kinds):
        z = [[cells.get((kind, stage, team), 0) for team in teams] for stage in stage_names]
        text = [[str(v) if v else "" for v in row] for row in z]
        axis = "" if index == 0 else str(index + 1)
        data.append({"type": "heatmap", "name": label, "z": z, "x": teams, "y": stage_names,
                     "xaxis": f"x{axis}", "yaxis": f"y{axis}", "zmin": 0, "zmax": max(cells.values(), default=1) or 1,
                     "colorscale": [[0, "#f8f9fb"], [0.01, "#fee4e2"], [1, DANGER]], "showscale": index == 1,
                     "colorbar": {"dtick": 1, "title": {"text": "Open"}},
                     "text": text, "texttemplate": "%{text}", "textfont": {"size": 18}, "xgap": 3, "ygap": 3,
                     "hovertemplate": f"{label}<br>%{{y}} · %{{x}}: %{{z}} open<extra></extra>"})
    layout = _layout(
        height=140 + 60 * len(stage_names), margin={"l": 200, "r": 20, "t": 60, "b": 140},
        xaxis={"domain": [0, 0.47], "tickangle": -35}, xaxis2={"domain": [0.53, 1], "tickangle": -35, "anchor": "y2"},
        yaxis={"autorange": "reversed", "automargin": True},
        yaxis2={"autorange": "reversed", "anchor": "x2", "showticklabels": False},
        annotations=[{"text": f"<b>{label}</b>", "showarrow": False, "xref": "paper", "yref": "paper",
                      "x": 0.235 if i == 0 else 0.765, "xanchor": "center", "y": 1.08, "font": {"size": 17}}
                     for i, (_, label) in enumerate(kinds)],
    )
    rows = [[stage, team, str(cells.get(("structural", stage, team), 0)),
             str(cells.get(("communication", stage, team), 0))]
            for stage in stage_names for team in teams
            if cells.get(("structural", stage, team)) or cells.get(("communication", stage, team))]
    return Chart("friction", "Friction by stage and owner team", {"data": data, "layout": layout} if cells else None,
                 "Open friction points (open or investigating) per stage and owner team, structural on the left, "
                 "communication on the right.", ["Stage", "Owner team", "Structural", "Communication"], rows,
                 empty="No open friction points on this map.")


# Review states of a checkpoint as the coverage chart groups them, worst first; each is (key, label, colour).
COVERAGE_STATES = [
    ("overdue", "Overdue", DANGER),
    ("open", "Open", "#dc6803"),
    ("in_review", "In review", ACCENT),
    ("approved", "Approved or not applicable", "#18794e"),
]


def compliance_coverage_chart(stage_names: list[str], cells: dict[tuple[str, str], int]) -> Chart:
    """`cells`: (stage, state) -> number of compliance checkpoints, states as in `COVERAGE_STATES`."""
    totals = {stage: sum(cells.get((stage, key), 0) for key, _, _ in COVERAGE_STATES) for stage in stage_names}
    bare = [stage for stage in stage_names if not totals[stage]]
    data = [{"type": "bar", "orientation": "h", "name": label, "y": stage_names,
             "x": [cells.get((stage, key), 0) for stage in stage_names], "marker": {"color": colour},
             "text": [str(cells.get((stage, key)) or "") for stage in stage_names], "textposition": "inside",
             "insidetextanchor": "middle", "textfont": {"size": 18, "color": "#ffffff"},
             "hovertemplate": f"%{{y}}: %{{x}} {label.lower()}<extra></extra>"}
            for key, label, colour in COVERAGE_STATES]
    layout = _layout(
        barmode="stack", height=150 + 60 * len(stage_names), margin={"l": 210, "r": 30, "t": 60, "b": 50},
        yaxis={"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
        xaxis={"title": {"text": "Checkpoints"}, "gridcolor": "#eaecf0", "rangemode": "tozero"}
        | ({"dtick": 1} if max(totals.values(), default=0) <= 12 else {}),  # whole checkpoints, while few
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"},
        annotations=[{"text": "No checkpoint", "x": 0, "y": stage, "xref": "x", "yref": "y", "xanchor": "left",
                      "showarrow": False, "font": {"size": 16, "color": DANGER}} for stage in bare],
    )
    rows = [[stage] + [str(cells.get((stage, key), 0)) for key, _, _ in COVERAGE_STATES]
            + [str(totals[stage]) if totals[stage] else "None"] for stage in stage_names]
    caption = ("Compliance checkpoints at each stage (on the stage itself, on one of its touchpoints or on a "
               "stakeholder's step in it), by review status. Overdue: not settled and past its due date.")
    if bare and len(bare) < len(stage_names):
        caption += f" Stages with no checkpoint: {', '.join(bare)}."
    figure = {"data": data, "layout": layout} if len(bare) < len(stage_names) else None
    return Chart("compliance", "Compliance coverage per stage", figure, caption,
                 ["Stage"] + [label for _, label, _ in COVERAGE_STATES] + ["Total"], rows,
                 empty="No compliance checkpoint on this map yet.")


def flow_chart(*, stage_names: list[str], result: dict, threshold: int) -> Chart:
    """What people did, as a Sankey: the designed path forward in blue, loops back and skips in red,
    exits into one “Left” node. Suppressed transitions are not drawn (they are listed in the table)."""
    position = {name: i for i, name in enumerate(stage_names)}
    labels = stage_names + ["Left"]
    sources, targets, values, colours, rows = [], [], [], [], []
    for item in result["transitions"]:
        a, b, cases = position[item["from"]], position[item["to"]], item["cases"]
        kind = "designed" if b == a + 1 else ("loop back" if b <= a else "skip ahead")
        rows.append([f"{item['from']} → {item['to']}", kind,
                     f"fewer than {threshold}" if cases is None else f"{cases:,}"])
        if cases is None:
            continue
        sources.append(a), targets.append(b), values.append(cases)
        colours.append("rgba(36,87,197,0.45)" if kind == "designed" else "rgba(180,35,24,0.45)")
    for name, cases in result["exits"].items():
        rows.append([f"{name} → left", "exit", f"fewer than {threshold}" if cases is None else f"{cases:,}"])
        if cases is not None:
            sources.append(position[name]), targets.append(len(stage_names)), values.append(cases)
            colours.append("rgba(29,36,48,0.18)")
    figure = None
    if values:
        figure = {"data": [{"type": "sankey", "arrangement": "snap",
                            "node": {"label": labels, "pad": 18, "thickness": 18,
                                     "color": [ACCENT] * len(stage_names) + ["#98a2b3"]},
                            "link": {"source": sources, "target": targets, "value": values, "color": colours}}],
                  "layout": _layout(height=420)}
    return Chart(key="flow", title="What people did", figure=figure,
                 caption="Cases moving between stages, from the latest event log. Blue follows the designed path; "
                         "red goes back (a loop) or skips ahead; grey leaves. Returns are counted in the table below.",
                 headers=["Transition", "Kind", "Cases"], rows=rows,
                 empty="Nothing to draw: every count is below the small-count threshold.")
