"""The report's figure sections: each draws its PNGs with :mod:`sim.report.figures` and returns
a :class:`FigureEntry` (heading, caption, files) for the page."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analysis.metrics import WINDOW_SLACK
from sim.data.dates import format_month
from sim.data.vocabulary import UNKNOWN
from sim.report import figures as plots
from sim.report.rundata import (
    RunData,
    agreement_table,
    change_timings,
    map_dates,
    modal_control,
    province_change_cells,
    recorded_provinces,
    recorded_relations,
    simulated_provinces,
    simulated_relations,
)
from sim.report.style import CONTESTED, faction_name

# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureEntry:
    """A section of the page: a heading, how to read its figures, and the figures."""

    heading: str
    caption: str                          # HTML
    files: tuple[tuple[str, str], ...]    # (PNG file name, short label or "")


def render_figures(run: RunData, out: Path) -> list[FigureEntry]:
    """Draw every figure into ``out``; return the sections in page order."""
    maps = [_map_figures(run, out)] if run.scenario.map_file else []
    return [*maps, _provinces_figure(run, out), _agreement_figure(run, out),
            _changes_figure(run, out), _alliances_figure(run, out)]


MAP_CAPTION = (
    "Left of each pair: each territory in the colour of the faction holding it in the most "
    "replicates at the end of the month; the paler the colour, the fewer replicates agree on "
    "that holder (full colour: all of them), and a province fewer than half agree on is also "
    "dotted. Right: the holder in the record. Provinces are "
    "filled; circles are sub-nodes, parts of a province that change hands on their own "
    "({subnodes}). The box around the province with most sub-nodes is enlarged at the lower "
    "right, where its neighbours are named."
)


def _map_figures(run: RunData, out: Path) -> FigureEntry:
    dates = map_dates(run.months, [format_month(m) for m in run.scenario.map_months])
    modal = {date: modal_control(run, date) for date in dates}
    shown = {f for date in dates for f in modal[date][0].values()}
    shown |= {run.record.at[date, t] for date in dates for t in run.territories}
    shown.discard(UNKNOWN)  # drawn as "no data": the source does not place the holder
    legend = [f for f in (*run.factions, CONTESTED) if f in shown]
    files = []
    for date in dates:
        file = f"map_{date}.png"
        controllers, share = modal[date]
        plots.control_map_pair(out / file, date, controllers, share,
                               {t: h for t, h in run.record.loc[date].items() if h != UNKNOWN},
                               run.scenario.drivers.territories,
                               legend, run.replicates, run.scenario.map_file)
        files.append((file, f"End of {date}"))
    subnodes = ", ".join(tr.name for tr in run.scenario.drivers.territories if not tr.is_province)
    return FigureEntry("Who holds what: maps", MAP_CAPTION.format(subnodes=subnodes or "none"),
                       tuple(files))


def _single(file: str, heading: str, caption: str) -> FigureEntry:
    return FigureEntry(heading, caption, ((file, ""),))


def _provinces_figure(run: RunData, out: Path) -> FigureEntry:
    simulated, recorded = simulated_provinces(run), recorded_provinces(run)
    held = [f for f in run.factions if simulated[f].max() > 0 or np.nanmax(recorded[f]) > 0]
    file = "provinces.png"
    plots.provinces_over_time(out / file, run.windows, {f: simulated[f] for f in held},
                              {f: recorded[f] for f in held})
    return _single(file, "Provinces held per faction", (
        "For each faction that holds a province at some point, the number of the 34 provinces "
        "it holds each month: solid line, the median over replicates; band, 10–90% of "
        "replicates; dashed line, the record. Scales differ between panels. The dotted line "
        "separates the calibration window (left) from the hold-out window (right)."))


def _agreement_figure(run: RunData, out: Path) -> FigureEntry:
    file = "agreement.png"
    plots.agreement_heatmap(out / file, run.windows, agreement_table(run),
                            province_change_cells(run))
    return _single(file, "Agreement with the record, province by month", (
        "Each cell is the share of replicates in which the province's holder that month is the "
        "recorded one: bright yellow, all replicates agree with the record; dark blue, none "
        "does. Circles mark the months in which the record changes a province's holder; a "
        "dark stretch after a circle is a change the simulation misses or makes late, a dark "
        "stretch with no circle a change the simulation makes and the record does not. Light "
        "grey: the record does not know the holder (an unknown stretch, or past the record's "
        "end when the run goes on)."))


def _changes_figure(run: RunData, out: Path) -> FigureEntry:
    file = "changes.png"
    plots.change_timing(out / file, run.windows, change_timings(run), WINDOW_SLACK)
    return _single(file, "Recorded changes and their simulated timing", (
        "One row per recorded change of holder (provinces and sub-nodes), as scored in "
        "scores.json. Diamond: the recorded month, filled black for a hit (the new holder "
        f"holds the territory within ±{WINDOW_SLACK} months, the outlined box, in at least half the "
        "replicates), hollow orange for a miss. Bar: for the replicates in which the new holder "
        "takes the territory at all, the 10–90% range of the simulated take nearest the recorded "
        "month, in the new holder's colour; tick: its median. Right: the share of replicates "
        "in which the new holder holds it within the box (the hit share of scores.json), then "
        "the replicates in which the new holder never holds it and those in which it holds it "
        "from the first month (so there is no take to time)."))


def _alliances_figure(run: RunData, out: Path) -> FigureEntry:
    recorded, simulated = recorded_relations(run), simulated_relations(run)
    pairs = [p for p in recorded
             if any(r != "hostile" for r in (*recorded[p], *simulated.get(p, ())))]
    agree = np.mean([a == b for p in recorded for a, b in
                     zip(recorded[p], simulated.get(p, recorded[p]), strict=True)])
    if run.alliance_mode == "recorded":
        note = (f"alliances replayed from the record (mode: recorded), so simulated equals "
                f"recorded: {agree:.0%} of pair-months agree")
    else:
        note = (f"alliances decided by the model (mode: {run.alliance_mode}); the modal "
                f"relation over {run.replicates} replicates is the recorded one in {agree:.0%} "
                "of pair-months")
    file = "alliances.png"
    plots.alliance_timeline(out / file, run.windows, {p: recorded[p] for p in pairs},
                            {p: simulated.get(p, recorded[p]) for p in pairs}, note)
    return _single(file, "Alliances", (
        "For every pair of factions that is allied or neutral at some point, in the record or "
        "in the simulation, the relation month by month: upper bar (rec) the record, lower bar "
        "(sim) the relation in most replicates. Pairs hostile throughout are left out. "
        + html.escape(note[0].upper() + note[1:]) + "."))


def capital_name(run: RunData) -> str:
    capital = run.scenario.capital
    names = {tr.id: tr.name for tr in run.scenario.drivers.territories}
    return names.get(capital, capital or "the capital")


def capital_figure(run: RunData, out: Path) -> FigureEntry | None:
    fall = run.scores.get("capital_fall") or {}
    if not fall.get("recorded"):
        return None
    file = "capital.png"
    who = fall.get("faction", "")
    name = capital_name(run)
    plots.capital_fall(out / file, run.windows, fall.get("months") or {}, run.replicates,
                       fall["recorded"], who, name)
    return _single(file, f"When {name} falls", (
        f"For each month, the share of replicates in which {html.escape(faction_name(who))} "
        f"first holds {html.escape(name)} that month; the vertical line is the recorded month. "
        f"Replicates in which it never takes {html.escape(name)} are not drawn."))
