"""The explorer: Mesa's browser app (SolaraViz) over the model, or a replay of a run directory.

Start it with ``afsim explore [SCENARIO | OVERLAY.yaml | RUN_DIR]``, which serves this module
with ``solara run`` (the target travels in the environment variable ``AFSIM_EXPLORE``).

- A scenario or overlay: one seed run live. Step, play and reset in the sidebar; a scenario
  picker (the folders beside the target, and overlays in ``overlays/`` there); a seed; a
  slider for every numeric parameter of the registry over its range, starting at the
  scenario's own values (its posterior's weighted median). The main view, in Mesa's grid of
  cards: the simulated map of the current month, the record's beside it, and the provinces
  each faction has held so far.
- A run directory: a month slider over the run, the modal holder across replicates (shaded by
  their agreement) beside the record, and the provinces held per faction (median and 10–90%).

The record is shown, never read by the model.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.analysis.record import record_table, shares
from sim.data import Scenario, load
from sim.data import params as registry
from sim.data.dates import format_month
from sim.data.rundir import read_manifest, read_tables
from sim.data.vocabulary import UNKNOWN
from sim.experiments.parameters import ParameterChoice
from sim.model.model import AfsimModel
from sim.report import style
from sim.report.maps import draw_map, load_map
from sim.report.style import CONTESTED, faction_name

TARGET_ENV = "AFSIM_EXPLORE"
DEFAULT_TARGET = "scenarios/afghanistan_1992_1996"
SLIDER_STEPS = 100


def target() -> Path:
    return Path(os.environ.get(TARGET_ENV) or DEFAULT_TARGET).resolve()


def is_run_directory(path: Path) -> bool:
    return path.is_dir() and (path / "manifest.json").is_file()


@lru_cache(maxsize=8)
def scenario_at(path: str) -> Scenario:
    scenario = load(path)
    style.register(scenario.drivers.factions)
    return scenario


def scenario_choices(first: Path) -> list[str]:
    """The target, then the scenario folders beside it and the overlays in ``overlays/``."""
    root = first.parent
    found = [first]
    for p in sorted(root.iterdir()) if root.is_dir() else []:
        if p.is_dir() and (p / "scenario.yaml").is_file() and p not in found:
            found.append(p)
    found += sorted((root / "overlays").glob("*.yaml")) if (root / "overlays").is_dir() else []
    return [os.path.relpath(p) for p in found]


class ExplorerModel(AfsimModel):
    """The model with keyword arguments only, as SolaraViz rebuilds it on reset: a scenario's
    path, a seed, and parameter values on top of the scenario's own."""

    def __init__(self, scenario: str = DEFAULT_TARGET, seed: int = 1, **kwargs):
        # **kwargs, by that name: Mesa's SolaraViz accepts parameters it cannot see only so
        sc = scenario_at(str(scenario))
        base = ParameterChoice.of(sc).base()
        super().__init__(sc, seed=int(seed), params=base, **kwargs)
        self.scenario = sc


def parameter_inputs(scenario: Scenario) -> dict:
    """A slider per numeric registry parameter with a range, at the scenario's value."""
    base = ParameterChoice.of(scenario).base().to_dict()
    inputs = {}
    for p in registry.REGISTRY:
        if not p.numeric or p.low is None or p.high is None:
            continue
        integer = isinstance(p.default, int) and not isinstance(p.default, bool)
        span = float(p.high) - float(p.low)
        inputs[p.name] = {
            "type": "SliderInt" if integer else "SliderFloat",
            "value": base[p.name], "label": f"{p.name} ({p.unit})" if p.unit else p.name,
            "min": p.low, "max": p.high,
            "step": max(1, round(span / SLIDER_STEPS)) if integer else span / SLIDER_STEPS,
        }
    return inputs


# ---------------------------------------------------------------------------- drawing


Panel = tuple[dict[str, str], "dict[str, float] | None", str]  # holders, agreement, title


def record_panels(scenario: Scenario, month: str) -> list[Panel]:
    """The record's map of ``month`` as a panel, or none where the record does not cover it."""
    record = record_table(scenario)
    if month not in record.index:
        return []
    return [({t: h for t, h in record.loc[month].items() if h != UNKNOWN}, None, "Recorded")]


def map_figure(scenario: Scenario, month: str, panels: list[Panel]) -> Figure:
    """The maps of ``month``, side by side (e.g. the simulated one and the record's)."""
    fig = Figure(figsize=(6 * len(panels) + 0.5, 5.6))
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    m = load_map(scenario.map_file)
    for ax, (holders, agreement, title) in zip(axes, panels, strict=True):
        draw_map(ax, holders, agreement, title, map_data=m,
                 territories=scenario.drivers.territories)
    fig.suptitle(f"Who holds what at the end of {month}", fontsize=13)
    fig.subplots_adjust(left=0.01, right=0.99, top=0.9, bottom=0.02, wspace=0.03)
    return fig


def provinces_figure(months: list[str], held: dict[str, np.ndarray],
                     band: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
                     size: tuple[float, float] = (12, 3.4)) -> Figure:
    fig = Figure(figsize=size)
    ax = fig.subplots()
    x = np.arange(len(months))
    for faction, series in held.items():
        if not np.any(series):
            continue
        colour = style.faction_colour(faction)
        ax.plot(x, series, color=colour, label=faction_name(faction), lw=2)
        if band:
            ax.fill_between(x, *band[faction], color=colour, alpha=0.2, lw=0)
    step = max(1, len(months) // 10)
    ax.set_xticks(x[::step], months[::step], fontsize=8)
    ax.set_ylabel("provinces held")
    # below the axes, where it hides no line (the largest faction's runs along the top)
    ax.legend(fontsize=8, ncol=4 if size[0] >= 10 else 3, frameon=False, loc="upper center",
              bbox_to_anchor=(0.5, -0.12))
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def _status(scenario: Scenario, month: str, holders: dict[str, str]) -> str:
    capital = scenario.capital
    names = {t.id: t.name for t in scenario.drivers.territories}
    text = f"**Month {month}**"
    if capital in holders:
        text += (f" · {names.get(capital, capital)} held by "
                 f"{faction_name(holders[capital]) if holders[capital] != CONTESTED else 'no one'}")
    return text


# ----------------------------------------------------------------------- live model


def _holders(model: AfsimModel) -> dict[str, str]:
    names = [*model.world.faction_ids, CONTESTED]
    return {t: names[c] for t, c in zip(model.world.territory_ids, model.state.control,
                                         strict=True)}


def _provinces_held(model: AfsimModel) -> tuple[list[str], dict[str, np.ndarray]]:
    provinces = np.array([t.is_province for t in model.scenario.drivers.territories])
    control = np.stack(model.history.control)[:, provinces]            # [M, P]
    held = {f: (control == i).sum(axis=1) for i, f in enumerate(model.world.faction_ids)}
    return [format_month(m) for m in model.history.months], held


# Mesa's grid gives each component half the width: the simulated map, the record's beside
# it, and the provinces held below, each drawn for a half-width card.
@solara.component
def SimulatedMap(model: ExplorerModel):
    """The current month and the capital's holder, over the simulated map."""
    update_counter.get()
    month = format_month(model.state.month)
    holders = _holders(model)
    solara.Markdown(_status(model.scenario, month, holders))
    solara.FigureMatplotlib(map_figure(model.scenario, month,
                                       [(holders, None, f"Simulated: seed {model.run_seed}")]),
                            format="png")


@solara.component
def RecordedMap(model: ExplorerModel):
    """The record's map of the current month (shown, never read by the model)."""
    update_counter.get()
    month = format_month(model.state.month)
    panels = record_panels(model.scenario, month)
    if not panels:
        solara.Markdown(f"The record does not cover {month}.")
        return
    solara.Markdown(f"**Recorded** · {month}")
    solara.FigureMatplotlib(map_figure(model.scenario, month, panels), format="png")


@solara.component
def ProvincesHeld(model: ExplorerModel):
    """The provinces each faction has held so far in this run."""
    update_counter.get()
    months, held = _provinces_held(model)
    solara.FigureMatplotlib(provinces_figure(months, held, size=(7, 4.2)), format="png")


def live_page(path: Path):
    scenario = scenario_at(str(path))
    model_params = {
        "scenario": {"type": "Select", "value": os.path.relpath(path), "label": "scenario or overlay",
                     "values": scenario_choices(path)},
        "seed": {"type": "SliderInt", "value": 1, "label": "seed", "min": 0, "max": 999,
                 "step": 1},
        **parameter_inputs(scenario),
    }
    model = solara.use_memo(lambda: ExplorerModel(os.path.relpath(path), 1), [])
    return SolaraViz(model, components=[SimulatedMap, RecordedMap, ProvincesHeld], model_params=model_params,
                     name=f"afsim explorer: {scenario.title}", play_interval=400)


# -------------------------------------------------------------------------- replay


@lru_cache(maxsize=2)
def replay_data(path: str) -> tuple[Scenario, pd.DataFrame, int]:
    manifest = read_manifest(path)
    scenario = scenario_at(manifest["scenario"]["path"])
    control = read_tables(path)["control"]
    return scenario, control, int(manifest["replicates"])


def modal(scenario: Scenario, control: pd.DataFrame, month: str) -> tuple[dict, dict]:
    """The holder in most replicates of each territory at ``month`` (contested counts as one),
    and its share."""
    d = scenario.drivers
    holders = (*d.faction_ids, CONTESTED)
    s = shares(control, holders, d.territory_ids, [month])[0]             # [T, F + 1]
    best = s.argmax(axis=1)
    return ({t: holders[best[i]] for i, t in enumerate(d.territory_ids)},
            {t: float(s[i, best[i]]) for i, t in enumerate(d.territory_ids)})


@solara.component
def Replay(path: str):
    scenario, control, replicates = replay_data(path)
    months = sorted(control["date"].unique())
    index = solara.use_reactive(0)
    month = months[index.value]
    holders, share = modal(scenario, control, month)
    with solara.AppBar():
        solara.AppBarTitle(f"afsim explorer: {path}")
    with solara.Sidebar(), solara.Card("Month"):
        solara.SliderInt("month", value=index, min=0, max=len(months) - 1)
        with solara.Row():
            solara.Button("◀ month", on_click=lambda: index.set(max(0, index.value - 1)))
            solara.Button("month ▶", on_click=lambda: index.set(min(len(months) - 1,
                                                                     index.value + 1)))
    solara.Markdown(_status(scenario, month, holders) + f" · {replicates} replicates")
    label = f"Simulated: modal holder across {replicates} replicates"
    solara.FigureMatplotlib(map_figure(scenario, month, [(holders, share, label),
                                                         *record_panels(scenario, month)]),
                            format="png")
    provinces = {t.id for t in scenario.drivers.territories if t.is_province}
    c = control[control["territory"].isin(provinces)]
    per = c.groupby(["date", "replicate", "controller"]).size().unstack(fill_value=0)
    per = per.reindex(pd.MultiIndex.from_product([months, sorted(c["replicate"].unique())]),
                      fill_value=0)
    grouped = per.groupby(level=0)
    median, low, high = grouped.median(), grouped.quantile(0.1), grouped.quantile(0.9)
    factions = [f for f in scenario.drivers.faction_ids if f in per.columns]
    solara.FigureMatplotlib(provinces_figure(
        months, {f: median[f].to_numpy() for f in factions},
        {f: (low[f].to_numpy(), high[f].to_numpy()) for f in factions}), format="png")


@solara.component
def Page():
    path = target()
    if is_run_directory(path):
        Replay(str(path))
    else:
        live_page(path)
