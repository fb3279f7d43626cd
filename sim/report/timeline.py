"""The war's tempo for the report: simulated battles, bombardments (when the model has any) and
defections per month, by the faction that attacked, shelled or bought, under the scenario's
driver events (everything but notes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.data.dates import format_month
from sim.report.canvas import Windows, mark_windows, month_axis, save, styled
from sim.report.entries import FigureEntry
from sim.report.rundata import RunData
from sim.report.style import faction_colour, faction_name

SHOWN_KINDS_EXCLUDED = ("note",)  # notes are context, not drivers of the model


@styled
def tempo(path: str | Path, windows: Windows, battles: dict[str, np.ndarray],
          defections: dict[str, np.ndarray], events: list[tuple[int, str]],
          bombardments: dict[str, np.ndarray] | None = None) -> Path:
    """Stacked bars of battles (top), bombardments (if any: a panel of their own, since a
    siege's monthly shelling would dwarf the offensives) and defections per replicate and
    month by faction; the driver events as labelled ticks (bottom)."""
    months = list(windows.months)
    x = np.arange(len(months))
    panels = [(battles, "offensives")]
    if bombardments:
        panels.append((bombardments, "bombardments"))
    panels.append((defections, "territories bought"))
    fig = Figure(figsize=(13, 7.2 + 2.0 * (len(panels) - 2)))
    *axes, low = fig.subplots(len(panels) + 1, 1, sharex=True,
                              height_ratios=[3, *[2] * (len(panels) - 1), 2.2])
    top = axes[0]
    for ax, (series, what) in zip(axes, panels, strict=True):
        bottom = np.zeros(len(months))
        for faction, values in series.items():
            ax.bar(x, values, bottom=bottom, width=0.85, color=faction_colour(faction),
                   label=faction_name(faction), linewidth=0)
            bottom += values
        ax.set_ylabel(f"{what}\nper replicate")
        ax.grid(axis="y", alpha=0.3)
        mark_windows(ax, windows)
    handles, labels = top.get_legend_handles_labels()
    for ax in axes[1:]:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    top.legend(handles, labels,
               ncol=1, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.005, 1.0))
    low.set_ylim(0, 1)
    low.set_yticks([])
    for spine in ("left", "right", "top"):
        low.spines[spine].set_visible(False)
    for i, (position, label) in enumerate(events):
        low.axvline(position, color="#777777", lw=0.6)
        low.text(position + 0.15, 0.95 - 0.16 * (i % 6), label, fontsize=7, va="top",
                 ha="left", color="#222222")
    low.set_ylabel("driver events")
    month_axis(low, months)
    fig.suptitle("The war's tempo: what the simulation does each month, and the drivers",
                 fontsize=13)
    fig.tight_layout()
    return save(fig, path)


def monthly_counts(battles: pd.DataFrame, months: list[str], factions: tuple[str, ...],
                   kinds: tuple[str, ...], replicates: int) -> dict[str, np.ndarray]:
    """Per faction that has any, [months] of rows of ``battles.csv`` of these ``kinds`` it
    started (as attacker or buyer), per replicate."""
    index = {m: i for i, m in enumerate(months)}
    rows = battles[battles["kind"].isin(kinds) & battles["date"].isin(index)]
    out = {}
    for faction in factions:
        mine = rows[rows["attacker"] == faction]
        if mine.empty:
            continue
        counts = np.zeros(len(months))
        np.add.at(counts, mine["date"].map(index).to_numpy(dtype=np.int64), 1.0)
        out[faction] = counts / replicates
    return out


def tempo_figure(run: RunData, out: Path) -> FigureEntry:
    months = list(run.months)
    index = {m: i for i, m in enumerate(months)}

    def per_month(*kinds: str) -> dict[str, np.ndarray]:
        return monthly_counts(run.tables["battles"], months, run.factions, kinds,
                              run.replicates)

    places = {t.id: t.name for t in run.scenario.drivers.territories}

    def named(target: str) -> str:
        return places.get(target) or faction_name(target)

    events = [(index[format_month(e.date)],
               f"{format_month(e.date)} {e.kind.replace('_', ' ')}: {faction_name(e.actor)}"
               + (f" → {named(e.target)}" if e.target else ""))
              for e in run.scenario.drivers.events
              if e.kind not in SHOWN_KINDS_EXCLUDED and format_month(e.date) in index]
    file = "tempo.png"
    windows = Windows(months, format_month(run.scenario.holdout.start))
    shelled = per_month("bombardment")
    tempo(out / file, windows, per_month("battle", "withdrawal"), per_month("defection"), events,
          shelled)
    return FigureEntry("The war's tempo: battles, defections and driver events", (
        "Top: offensives each faction launched (battles, and attacks before which an "
        "encircled defender withdrew), per replicate and month (the mean over replicates), "
        "stacked; "
        + ("then the territories each faction shelled without trying to take them "
           "(bombardments); " if shelled else "")
        + "then territories each faction bought without a battle "
        "(defections); bottom: the scenario's driver events (entries, backing, ceasefires, "
        "blockades, leaders killed; notes left out), which are all the model is told. The "
        "record is not drawn here: compare with the maps and the change-timing chart."),
        ((file, ""),))
