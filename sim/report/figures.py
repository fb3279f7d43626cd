"""The figures of the comparison report, one function per figure.

Each function takes data that is already summarised (arrays, dicts, DataFrames: see
:mod:`sim.report.page` for how they are derived from a run directory), writes one PNG to
``path`` and returns the path. Months are ``YYYY-MM`` strings; on time axes they are
drawn at their position in the list of run months, so a month is one unit wide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from sim.data.schema import Territory
from sim.data.vocabulary import RELATION_NAMES
from sim.report.canvas import (
    HOLDOUT_LINE,
    Windows,
    mark_windows,
    month_axis,
    save,
    styled,
)
from sim.report.maps import SHARE_FLOOR, UNCERTAIN, UNCERTAIN_HATCH, draw_map, load_map
from sim.report.style import CONTESTED, RELATION_COLOURS, faction_colour, faction_name, shade

_OUTLINE = [patheffects.withStroke(linewidth=2.6, foreground="#333333")]


def _bottom_legend(fig: Figure, handles: list, ncol: int, rows: int = 1) -> tuple[float, ...]:
    """A legend along the bottom of the figure; returns the tight_layout rect that leaves
    room for it (about 0.3 inch per legend row)."""
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
               frameon=False)
    height = fig.get_figheight()
    return (0.0, min(0.3 * rows + 0.1, height / 3) / height, 1.0, 1.0)


def faction_handles(factions: Sequence[str]) -> list[Patch]:
    handles = []
    for f in factions:
        if f == CONTESTED:
            handles.append(Patch(facecolor="white", edgecolor="#777777", hatch="////",
                                 label=faction_name(f)))
        else:
            handles.append(Patch(facecolor=faction_colour(f), edgecolor="#333333",
                                 linewidth=0.5, label=faction_name(f)))
    return handles


# --------------------------------------------------------------------------- maps


@styled
def control_map_pair(path: str | Path, date: str, simulated: Mapping[str, str],
                     simulated_share: Mapping[str, float], recorded: Mapping[str, str],
                     territories: Sequence[Territory], legend_factions: Sequence[str],
                     replicates: int, map_file: str | Path) -> Path:
    """Simulated (modal holder, shaded by its share of replicates) next to recorded control."""
    m = load_map(map_file)
    fig = Figure(figsize=(15, 7.2))
    left, right = fig.subplots(1, 2)
    # the final layout before drawing: sub-node names are placed where they will stand
    fig.subplots_adjust(left=0.005, right=0.995, top=0.92, bottom=0.13, wspace=0.03)
    draw_map(left, simulated, simulated_share,
             f"Simulated: modal holder across {replicates} replicates",
             territories=territories, map_data=m)
    draw_map(right, recorded, None, "Recorded", territories=territories, map_data=m)
    fig.suptitle(f"Who holds what at the end of {date}", fontsize=14, y=0.99)
    fig.legend(handles=_share_key(), loc="lower left", bbox_to_anchor=(0.005, 0.0), ncol=3,
               frameon=False, fontsize=9, title_fontsize=9, alignment="left",
               title="left map: share of replicates with the modal holder (dotted: under half)")
    fig.legend(handles=faction_handles(legend_factions), loc="lower right",
               bbox_to_anchor=(0.995, 0.0), ncol=-(-len(legend_factions) // 2), frameon=False,
               fontsize=10)
    return save(fig, path)


def _share_key() -> list[Patch]:
    """Swatches of the shading of simulated maps (in a neutral grey: not a faction)."""
    base = "#555555"
    return [Patch(facecolor=shade(base, SHARE_FLOOR + (1 - SHARE_FLOOR) * s),
                  edgecolor="#333333", linewidth=0.5, label=f"{s:.0%}",
                  hatch=UNCERTAIN_HATCH if s < UNCERTAIN else None)
            for s in (1.0, 0.6, 0.2)]


# --------------------------------------------------------------------------- time series


@styled
def provinces_over_time(path: str | Path, windows: Windows,
                        simulated: Mapping[str, np.ndarray],
                        recorded: Mapping[str, np.ndarray]) -> Path:
    """One panel per faction: simulated median and 10-90% band against the recorded count.

    ``simulated[f]`` is ``[replicates, months]`` of provinces held; ``recorded[f]`` is
    ``[months]``. Factions are drawn in the order given.
    """
    factions = list(simulated)
    months = list(windows.months)
    x = np.arange(len(months))
    cols = 2 if len(factions) > 1 else 1
    rows = -(-len(factions) // cols)
    fig = Figure(figsize=(13, 1.9 * rows + 1.0))
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
    for ax, f in zip(axes.flat, factions, strict=False):
        colour = faction_colour(f)
        low, mid, high = np.percentile(simulated[f], [10, 50, 90], axis=0)
        ax.fill_between(x, low, high, step="mid", color=colour, alpha=0.25, linewidth=0)
        ax.step(x, mid, where="mid", color=colour, linewidth=2.0, path_effects=_OUTLINE)
        ax.step(x, recorded[f], where="mid", color=colour, linewidth=2.0, linestyle="--",
                path_effects=_OUTLINE)
        ax.set_title(faction_name(f), loc="left", fontsize=10.5, pad=3)
        top = max(float(np.max(high)), float(np.max(recorded[f])), 1.0)
        ax.set_ylim(0, top * 1.15 + 0.5)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
        if windows.boundary is not None:
            ax.axvline(windows.boundary, **HOLDOUT_LINE)
        month_axis(ax, months, every=12)
    for ax in axes.flat[len(factions):]:
        ax.set_visible(False)
    for ax in axes.flat[len(factions) - cols:len(factions)]:  # bottom panel of each column
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in axes[:, 0]:
        ax.set_ylabel("provinces")
    key = [Line2D([], [], color="#555555", linewidth=2, label="simulated median"),
           Patch(facecolor="#555555", alpha=0.25, label="simulated 10–90% of replicates"),
           Line2D([], [], color="#555555", linewidth=2, linestyle="--", label="recorded"),
           Line2D([], [], **HOLDOUT_LINE, label="calibration | hold-out")]
    fig.tight_layout()
    fig.legend(handles=key, loc="lower center", ncol=4, frameon=False,
               bbox_to_anchor=(0.5, 1.0))
    fig.suptitle("Provinces held per faction (of 34), simulated against recorded",
                 fontsize=13, y=1.0 + 0.45 / fig.get_figheight(), va="bottom")
    return save(fig, path)


@styled
def agreement_heatmap(path: str | Path, windows: Windows, agreement: pd.DataFrame,
                      changes: Sequence[tuple[str, str]] = ()) -> Path:
    """Share of replicates agreeing with the record, provinces (rows) × months (columns).

    ``agreement`` is indexed by province name with the run's months as columns (NaN
    where the record has no faction, e.g. contested). ``changes`` are (month, province
    name) cells where the record changes hands, marked with a dot.
    """
    months = list(windows.months)
    names = list(agreement.index)
    fig = Figure(figsize=(14, 0.27 * len(names) + 2.0))
    ax = fig.subplots()
    cmap = matplotlib.colormaps["cividis"].with_extremes(bad="#DDDDDD")
    image = ax.imshow(np.ma.masked_invalid(agreement.to_numpy(dtype=float)), aspect="auto",
                      cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names, fontsize=8.5)
    month_axis(ax, months)
    ax.tick_params(axis="x", labelsize=8.5)
    rows = {n: i for i, n in enumerate(names)}
    cols = {m: i for i, m in enumerate(months)}
    marks = [(cols[m], rows[n]) for m, n in changes if m in cols and n in rows]
    rect = (0.0, 0.0, 1.0, 1.0)
    if marks:
        mx, my = zip(*marks, strict=True)
        ax.scatter(mx, my, s=22, facecolor="none", edgecolor="#D55E00", linewidth=1.4, zorder=4)
        rect = _bottom_legend(fig, [Line2D([], [], marker="o", linestyle="", markersize=5,
                                           markerfacecolor="none", markeredgecolor="#D55E00",
                                           markeredgewidth=1.4,
                                           label="recorded change of holder")], 1)
    mark_windows(ax, windows)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(image, ax=ax, fraction=0.025, pad=0.01, aspect=50)
    bar.set_label("share of replicates whose holder is the recorded one")
    ax.set_title("Agreement with the record, province by month", fontsize=13, pad=18)
    fig.tight_layout(rect=rect)
    return save(fig, path)


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class ChangeTiming:
    """One recorded change and when, in each replicate, ``new`` takes the territory."""

    label: str
    recorded: int            # position of the recorded month in the run's months
    takes: np.ndarray        # per replicate: position of the take nearest it, NaN: no take
    never: float             # share of replicates in which ``new`` never holds it
    from_start: float        # share in which ``new`` holds it from the first month (no take)
    new: str
    hit: bool | None         # from scores.json; None when not scored
    share: float | None


@styled
def change_timing(path: str | Path, windows: Windows, rows: Sequence[ChangeTiming],
                  slack: int) -> Path:
    """One row per recorded change: the recorded month (with the ±``slack`` months that
    count as a hit) against the simulated months of the nearest take."""
    months = list(windows.months)
    fig = Figure(figsize=(13.5, 0.3 * len(rows) + 2.2))
    ax = fig.subplots()
    for y, row in enumerate(rows):
        _draw_change_row(ax, y, row, slack)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r.label for r in rows], fontsize=8.5)
    for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
        if row.hit is False:
            tick.set_color("#8A3B00")
    ax.set_ylim(len(rows) - 0.4, -0.6)
    month_axis(ax, months)
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    mark_windows(ax, windows)
    ax.set_xlabel("month")
    key = [Line2D([], [], marker="D", linestyle="", markersize=7, markerfacecolor="black",
                  markeredgecolor="black", label="recorded month: hit"),
           Line2D([], [], marker="D", linestyle="", markersize=7, markerfacecolor="white",
                  markeredgecolor="#D55E00", markeredgewidth=1.6, label="recorded month: miss"),
           Patch(facecolor="none", edgecolor="#999999", label=f"±{slack} months: counts as hit"),
           Line2D([], [], color="#888888", linewidth=6, alpha=0.55,
                  label="simulated take nearest the record: 10–90% of replicates"),
           Line2D([], [], marker="|", color="#333333", linestyle="", markersize=10,
                  markeredgewidth=2, label="its median")]
    rect = _bottom_legend(fig, key, ncol=5)
    ax.text(1.01, 1.0, "hit share (scores);\nreplicates where the new\nholder never holds it /\n"
            "holds it from the start", transform=ax.transAxes, fontsize=8, ha="left",
            va="bottom", color="#444444")
    ax.set_title("Recorded changes of holder against their simulated timing", fontsize=13,
                 pad=22)
    fig.tight_layout(rect=rect)
    return save(fig, path)


def _draw_change_row(ax, y: int, row: ChangeTiming, slack: int) -> None:
    happened = row.takes[~np.isnan(row.takes)]
    colour = faction_colour(row.new)
    ax.add_patch(Rectangle((row.recorded - slack - 0.5, y - 0.4), 2 * slack + 1, 0.8,
                           facecolor="none", edgecolor="#999999", linewidth=0.8, zorder=1))
    if len(happened):
        low, mid, high = np.percentile(happened, [10, 50, 90])
        ax.plot([low - 0.4, high + 0.4], [y, y], color=colour, linewidth=7, alpha=0.55,
                solid_capstyle="butt", zorder=2)
        ax.plot([mid, mid], [y - 0.32, y + 0.32], color="#333333", linewidth=2, zorder=3)
    miss = row.hit is False
    ax.plot(row.recorded, y, marker="D", markersize=7, zorder=4,
            markerfacecolor="white" if miss else "black",
            markeredgecolor="#D55E00" if miss else "black", markeredgewidth=1.6 if miss else 1)
    note = "—" if row.share is None else f"{row.share:.2f}"
    for share, text in ((row.never, "never"), (row.from_start, "from start")):
        if share >= 0.005:
            note += f"  {text} {share:.0%}"
    ax.annotate(note, (1.01, y), xycoords=("axes fraction", "data"), fontsize=8,
                va="center", color="#8A3B00" if miss else "#333333")


# --------------------------------------------------------------------------- alliances


@styled
def alliance_timeline(path: str | Path, windows: Windows,
                      recorded: Mapping[tuple[str, str], Sequence[str]],
                      simulated: Mapping[tuple[str, str], Sequence[str]], note: str) -> Path:
    """Per faction pair, the relation month by month: recorded bar above simulated bar."""
    months = list(windows.months)
    pairs = list(recorded)
    code = {r: i for i, r in enumerate(RELATION_NAMES)}
    # Three rows per pair: recorded, simulated, a blank gap (NaN, drawn transparent).
    grid = np.full((3 * len(pairs), len(months)), np.nan)
    for i, pair in enumerate(pairs):
        grid[3 * i] = [code[r] for r in recorded[pair]]
        grid[3 * i + 1] = [code[r] for r in simulated[pair]]
    fig = Figure(figsize=(13.5, 0.36 * len(pairs) + 1.8))
    ax = fig.subplots()
    cmap = ListedColormap([RELATION_COLOURS[r] for r in RELATION_NAMES])
    cmap = cmap.with_extremes(bad=(1, 1, 1, 0))  # the gap rows
    ax.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, vmin=-0.5,
              vmax=len(RELATION_NAMES) - 0.5, interpolation="nearest")
    ax.set_yticks([3 * i + 0.5 for i in range(len(pairs))])
    ax.set_yticklabels([f"{faction_name(a)} – {faction_name(b)}" for a, b in pairs],
                       fontsize=8.5)
    ax.tick_params(axis="y", length=0)
    side = ax.secondary_yaxis("right")
    side.set_yticks([3 * i + k for i in range(len(pairs)) for k in (0, 1)])
    side.set_yticklabels(["rec", "sim"] * len(pairs), fontsize=6.5, color="#666666")
    side.tick_params(length=0)
    side.spines["right"].set_visible(False)
    month_axis(ax, months)
    ax.set_ylim(3 * len(pairs) - 1.5, -0.5)
    for i in range(len(pairs)):  # keeps identical rec and sim bars visibly two bars
        ax.axhline(3 * i + 0.5, color="white", linewidth=0.8)
    mark_windows(ax, windows)
    for spine in ax.spines.values():
        spine.set_visible(False)
    key = [Patch(facecolor=RELATION_COLOURS[r], label=r) for r in reversed(RELATION_NAMES)]
    rect = _bottom_legend(fig, key, ncol=3)
    ax.set_title(f"Relations between factions: recorded (upper bar) and simulated (lower bar)\n"
                 f"{note}", fontsize=12, pad=20)
    fig.tight_layout(rect=rect)
    return save(fig, path)


# --------------------------------------------------------------------------- the capital


@styled
def capital_fall(path: str | Path, windows: Windows, counts: Mapping[str, int],
                 replicates: int, recorded: str | None, faction: str, capital: str) -> Path:
    """Histogram of the month ``faction`` first holds ``capital``, with the recorded month."""
    months = list(windows.months)
    marked = [months.index(m) for m in (*counts, recorded) if m in months]
    # At least two years before the end, so a lone bar is seen in its context.
    first = min([*marked, len(months) - 24])
    shown = months[max(0, first - 3):]
    x = np.arange(len(shown))
    heights = np.array([counts.get(m, 0) for m in shown]) / max(replicates, 1)
    fig = Figure(figsize=(11, 3.6))
    ax = fig.subplots()
    ax.bar(x, heights, width=0.85, color=faction_colour(faction), alpha=0.85,
           edgecolor="#333333", linewidth=0.5,
           label=f"simulated: share of replicates in which {faction_name(faction)} "
                 f"first holds {capital} that month")
    if recorded in shown:
        ax.axvline(shown.index(recorded), color="#D55E00", linewidth=2,
                   label=f"recorded fall ({recorded})")
    month_axis(ax, shown, every=3)
    ax.tick_params(axis="x", labelsize=8.5)
    ax.set_ylabel("share of replicates")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, max(float(heights.max(initial=0)) * 1.2, 0.05))
    ax.legend(loc="upper left", frameon=False)
    fell = sum(counts.values()) / max(replicates, 1)
    if not counts:
        ax.text(0.5, 0.5, f"{faction_name(faction)} takes {capital} in none of the replicates",
                transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#555555")
    ax.set_title(f"When {capital} falls to {faction_name(faction)}: in {fell:.0%} of "
                 f"{replicates} replicates", fontsize=12)
    fig.tight_layout()
    return save(fig, path)
