"""The report's interactive page, ``report/explore.html``: a month slider over the whole run
(simulated modal holder, shaded by agreement, beside the record) and a province picker (the
share of replicates each faction holds it, month by month, with the recorded holder and the
battles fought there). One self-contained file: plotly.js is written into it, nothing is
fetched when it is opened.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from matplotlib.colors import to_hex
from plotly.subplots import make_subplots

from sim.data.vocabulary import UNKNOWN
from sim.report.maps import fill_colour, load_map
from sim.report.rundata import RunData, modal_control
from sim.report.style import faction_colour, faction_name

PAGE = "explore.html"


def _rings(path) -> tuple[list, list]:
    """A matplotlib path as lon/lat lists, rings separated by None (plotly fills each)."""
    lon, lat = [], []
    for (x, y), code in zip(path.vertices, path.codes if path.codes is not None
                             else [2] * len(path.vertices), strict=True):
        if code == 1 and lon:  # MOVETO: a new ring
            lon.append(None)
            lat.append(None)
        if code != 79:  # CLOSEPOLY carries no point
            lon.append(float(x))
            lat.append(float(y))
    return lon, lat


def _colour(holder: str | None, share: float | None = None) -> str:
    return to_hex(fill_colour(None if holder == UNKNOWN else holder, share))


def map_figure(run: RunData) -> go.Figure:
    m = load_map(run.scenario.map_file)
    provinces = [t for t in run.territories if t in m.provinces]
    fig = make_subplots(1, 2, subplot_titles=("Simulated: modal holder (paler: fewer "
                                              "replicates agree)", "Recorded"),
                        horizontal_spacing=0.02)
    first = run.months[0]
    for side in (1, 2):
        for t in provinces:
            lon, lat = _rings(m.provinces[t].path)
            fig.add_trace(go.Scatter(x=lon, y=lat, fill="toself", mode="lines",
                                     line={"color": "#4D4D4D", "width": 0.6},
                                     name=m.provinces[t].name,  # fill: the first frame
                                     hoverinfo="text", showlegend=False), 1, side)
    frames, steps = [], []
    for month in run.months:
        modal, agree = modal_control(run, month)
        sim_colours, sim_text, rec_colours, rec_text = [], [], [], []
        for t in provinces:
            holder = modal[t] if agree[t] > 0 else None
            sim_colours.append(_colour(holder, agree[t]))
            sim_text.append(f"{m.provinces[t].name}: {faction_name(holder) if holder else '—'}"
                            f" in {agree[t]:.0%} of replicates")
            recorded = run.record.at[month, t]
            rec_colours.append(_colour(recorded))
            rec_text.append(f"{m.provinces[t].name}: "
                            f"{'not known' if recorded == UNKNOWN else faction_name(recorded)}")
        data = ([{"fillcolor": c, "text": x} for c, x in zip(sim_colours, sim_text, strict=True)]
                + [{"fillcolor": c, "text": x} for c, x in zip(rec_colours, rec_text, strict=True)])
        frames.append(go.Frame(name=month, data=data))
        steps.append({"label": month, "method": "animate",
                      "args": [[month], {"mode": "immediate", "frame": {"duration": 0,
                                                                         "redraw": True},
                                         "transition": {"duration": 0}}]})
        if month == first:
            for trace, update in zip(fig.data, data, strict=True):
                trace.update(update)
    fig.frames = frames
    for axis in ("xaxis", "xaxis2"):
        fig.layout[axis].update(visible=False)
    for axis, anchor in (("yaxis", "x"), ("yaxis2", "x2")):
        fig.layout[axis].update(visible=False, scaleanchor=anchor, scaleratio=1.0)
    legend = [f for f in run.factions if (run.shares[..., run.factions.index(f)] > 0).any()]
    for f in legend:  # a legend of factions: invisible points
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=faction_name(f),
                                 marker={"color": faction_colour(f), "size": 12,
                                         "symbol": "square"}), 1, 1)
    fig.update_layout(height=620, margin={"l": 10, "r": 10, "t": 60, "b": 10},
                      plot_bgcolor="#E6E6E6", legend={"orientation": "h", "y": -0.02},
                      sliders=[{"active": 0, "steps": steps, "currentvalue":
                                {"prefix": "end of "}, "pad": {"t": 75}}],
                      title="Who holds what, month by month (move the slider)")
    return fig


def province_figure(run: RunData) -> go.Figure:
    """Holder shares of one province over the run, with the record and the battles fought
    there; a menu picks the province."""
    months = list(run.months)
    battles = run.tables["battles"]
    battles = battles[battles["date"].isin(months)]
    fig = make_subplots(2, 1, shared_xaxes=True, row_heights=[0.75, 0.25],
                        vertical_spacing=0.05)
    owners, buttons = [], []
    provinces = sorted(run.scenario.provinces, key=lambda p: p.name)
    for p in provinces:
        ti = run.territories.index(p.id)
        start = len(fig.data)
        for fi, f in enumerate(run.factions):
            series = run.shares[:, ti, fi]
            if not series.any():
                continue
            fig.add_trace(go.Scatter(x=months, y=series, mode="lines", name=faction_name(f),
                                     line={"color": faction_colour(f), "width": 2},
                                     legendgroup=f, visible=False), 1, 1)
        recorded = run.record[p.id].to_numpy()
        known = recorded != UNKNOWN
        fig.add_trace(go.Scatter(
            x=np.array(months)[known], y=np.full(known.sum(), 1.06), mode="markers",
            marker={"color": [_colour(r) for r in recorded[known]], "symbol": "square",
                    "size": 9, "line": {"color": "#333333", "width": 0.5}},
            text=[faction_name(r) for r in recorded[known]], hoverinfo="text+x",
            name="recorded holder (squares)", visible=False), 1, 1)
        here = battles[battles["territory"] == p.id]
        counts = here.groupby("date").size().reindex(months, fill_value=0) / run.replicates
        fig.add_trace(go.Bar(x=months, y=counts.to_numpy(), marker={"color": "#777777"},
                             name="battles and defections there, per replicate",
                             visible=False), 2, 1)
        owners.append((start, len(fig.data)))
    for i, p in enumerate(provinces):
        visible = [owners[i][0] <= k < owners[i][1] for k in range(len(fig.data))]
        buttons.append({"label": p.name, "method": "update", "args": [{"visible": visible}]})
    for k in range(*owners[0]):
        fig.data[k].visible = True
    fig.update_yaxes(range=[0, 1.12], title_text="share of replicates", row=1, col=1)
    fig.update_yaxes(title_text="per replicate", row=2, col=1)
    fig.update_layout(height=560, margin={"l": 60, "r": 10, "t": 90, "b": 40},
                      title="One province's story: who holds it in how many replicates",
                      updatemenus=[{"buttons": buttons, "direction": "down", "x": 0.55,
                                    "xanchor": "left", "y": 1.12, "yanchor": "bottom",
                                    "showactive": True}],
                      legend={"orientation": "h", "y": -0.12})
    return fig


def write_explorer_page(run: RunData, out: Path) -> Path:
    """``out/explore.html``, self-contained; returns its path."""
    maps = map_figure(run).to_html(full_html=False, include_plotlyjs=True, auto_play=False)
    story = province_figure(run).to_html(full_html=False, include_plotlyjs=False)
    title = html.escape(f"{run.scenario.title}: month by month, province by province")
    page = (f"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{title}</title>\n<style>body {{ font-family: 'DejaVu Sans', Helvetica, "
            "Arial, sans-serif; max-width: 1300px; margin: 1.5em auto; padding: 0 1em; "
            "color: #222; }}</style>\n</head>\n<body>\n"
            f"<h1>{title}</h1>\n<p>{run.replicates} replicates of <code>{html.escape(run.scenario.name)}"
            "</code>; the whole run, beyond the record's end where it goes on (grey: the record "
            "does not know the holder). Back to the <a href=\"index.html\">report</a>.</p>\n"
            f"{maps}\n{story}\n</body>\n</html>\n")
    path = out / PAGE
    path.write_text(page, encoding="utf-8")
    return path
