"""A scored run directory as the report reads it, and the data its figures are drawn from.

Reads result tables, ``manifest.json``, ``scores.json`` and the scenario (for the record); never
the model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.metrics import nearest_takes
from sim.analysis.record import record_table, recorded_changes, relation_table, shares
from sim.analysis.scores import alliance_mode, load_run_scenario
from sim.data import Scenario
from sim.data.dates import format_month, parse_month
from sim.data.rundir import read_manifest, read_tables
from sim.data.vocabulary import RELATION_NAMES, UNKNOWN
from sim.report import figures as plots
from sim.report import style
from sim.report.canvas import Windows
from sim.report.style import faction_name

MAP_COUNT = 7  # maps drawn when the scenario names no map_months


class ScoresMissing(FileNotFoundError):
    """The run directory has not been scored yet."""


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class RunData:
    """A scored run directory, the scenario it came from, and what the figures share."""

    path: Path
    manifest: dict
    scores: dict
    scenario: Scenario
    tables: dict[str, pd.DataFrame]
    months: list[str]           # run months inside the scenario's window (the record's)
    record: pd.DataFrame        # months × territories: recorded holder
    shares: np.ndarray          # [M, T, F]: share of replicates in which f holds t

    @property
    def replicates(self) -> int:
        return int(self.manifest["replicates"])

    @property
    def factions(self) -> tuple[str, ...]:
        return self.scenario.drivers.faction_ids

    @property
    def territories(self) -> tuple[str, ...]:
        return self.scenario.drivers.territory_ids

    @property
    def windows(self) -> Windows:
        return Windows(self.months, format_month(self.scenario.holdout.start))

    @property
    def alliance_mode(self) -> str:
        return alliance_mode(self.scenario, self.manifest["parameters"])


def load_run(run_dir: str | Path) -> RunData:
    """Everything the report needs from ``run_dir``; refuses one without ``scores.json``."""
    path = Path(run_dir)
    tables = read_tables(path)
    scores_file = path / "scores.json"
    if not scores_file.is_file():
        raise ScoresMissing(f"{path}: no scores.json; run `afsim score {path}` first")
    manifest = read_manifest(path)
    scores = json.loads(scores_file.read_text(encoding="utf-8"))
    scenario = load_run_scenario(path, manifest)
    style.register(scenario.drivers.factions)
    d = scenario.drivers
    # The whole run; beyond the scenario's end the record knows nothing (unknown cells)
    months = sorted(m for m in tables["control"]["date"].unique() if d.start <= parse_month(m))
    record = record_table(scenario).reindex(months, fill_value=UNKNOWN)
    return RunData(path, manifest, scores, scenario, tables, months, record,
                   shares(tables["control"], d.faction_ids, d.territory_ids, months))


# --------------------------------------------------------------------------- derived data


def modal_control(run: RunData, month: str) -> tuple[dict[str, str], dict[str, float]]:
    """Per territory: the holder in most replicates at ``month``, and its share."""
    s = run.shares[run.months.index(month)]                         # [T, F]
    best = s.argmax(axis=1)
    return ({t: run.factions[best[i]] for i, t in enumerate(run.territories)},
            {t: float(s[i, best[i]]) for i, t in enumerate(run.territories)})


def map_dates(months: Sequence[str], chosen: Sequence[str] = (),
              count: int = MAP_COUNT) -> list[str]:
    """The scenario's map months that the run covers, else ``count`` evenly spaced ones."""
    fixed = [m for m in chosen if m in months]
    if len(fixed) >= 2:
        return fixed
    picks = np.unique(np.linspace(0, len(months) - 1, count).round().astype(int))
    return [months[i] for i in picks]


def simulated_provinces(run: RunData) -> dict[str, np.ndarray]:
    """Per faction: [replicates, months] of provinces held."""
    table = run.tables["factions"]
    table = table[table["date"].isin(run.months)]
    return {f: table[table["faction"] == f].pivot(index="replicate", columns="date",
                                                  values="provinces")[run.months].to_numpy()
            for f in run.factions}


def recorded_provinces(run: RunData) -> dict[str, np.ndarray]:
    """Per faction: [months] of provinces held in the record."""
    provinces = [t.id for t in run.scenario.provinces]
    held = run.record[provinces]
    beyond = np.array([parse_month(m) > run.scenario.end for m in run.months])
    # past the record's end: no line (NaN), not a fall to zero
    return {f: np.where(beyond, np.nan, (held == f).sum(axis=1).to_numpy()) for f in run.factions}


def agreement_table(run: RunData) -> pd.DataFrame:
    """Provinces (by name, sorted) × months: share of replicates holding as recorded."""
    f_index = {f: i for i, f in enumerate(run.factions)}
    rows = {}
    for t in sorted(run.scenario.provinces, key=lambda p: p.name):
        ti = run.territories.index(t.id)
        recorded = run.record[t.id].to_numpy()
        rows[t.name] = [run.shares[m, ti, f_index[r]] if r in f_index else np.nan
                        for m, r in enumerate(recorded)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=run.months)


def province_change_cells(run: RunData) -> list[tuple[str, str]]:
    """(month, province name) of every recorded change of holder of a province."""
    names = {t.id: t.name for t in run.scenario.provinces}
    changes = recorded_changes(run.scenario)
    return [(c.date, names[c.territory]) for c in changes.itertuples() if c.territory in names]


def change_timings(run: RunData) -> list[plots.ChangeTiming]:
    """One row per scored recorded change (from ``scores.json``), in date order."""
    changes = run.scores.get("changes") or []
    if not changes:  # an older or partial scores.json: recompute the list, unscored
        changes = [dict(c._asdict(), hit=None, share=None)
                   for c in recorded_changes(run.scenario).itertuples(index=False)]
    control = run.tables["control"]
    control = control[control["date"].isin(run.months)]
    names = {t.id: t.name for t in run.scenario.drivers.territories}
    rows = []
    for c in changes:
        if c["date"] not in run.months:
            continue
        table = control[control["territory"] == c["territory"]].pivot(
            index="replicate", columns="date", values="controller")[run.months]
        held = (table.to_numpy() == c["new"]).astype(int)
        label = (f"{c['date']}  {names.get(c['territory'], c['territory'])}: "
                 f"{faction_name(c['old'])} → {faction_name(c['new'])}")
        takes = nearest_takes(held, run.months.index(c["date"]))
        # Without a take, a replicate either never gives it to `new` or gave it from the start.
        never = float((held.max(axis=1) == 0).mean())
        rows.append(plots.ChangeTiming(
            label, run.months.index(c["date"]), takes, never,
            float(np.isnan(takes).mean()) - never, c["new"], c.get("hit"), c.get("share")))
    return rows


def recorded_relations(run: RunData) -> dict[tuple[str, str], list[str]]:
    d = run.scenario.drivers
    changes = pd.DataFrame([(format_month(a.date), a.a, a.b, a.relation) for a in d.alliances],
                           columns=["date", "a", "b", "relation"])
    return relation_table(changes, d.faction_ids, run.months, d.default_relation)


def simulated_relations(run: RunData) -> dict[tuple[str, str], list[str]]:
    """Per pair and month, the relation in most replicates (ties: the more hostile)."""
    counts: dict[tuple[str, str], np.ndarray] = {}
    code = {r: i for i, r in enumerate(RELATION_NAMES)}
    for _, group in run.tables["alliances"].groupby("replicate"):
        table = relation_table(group, run.factions, run.months,
                               run.scenario.drivers.default_relation)
        for pair, series in table.items():
            tally = counts.setdefault(pair, np.zeros((len(run.months), len(RELATION_NAMES))))
            tally[np.arange(len(series)), [code[r] for r in series]] += 1
    return {pair: [RELATION_NAMES[i] for i in tally.argmax(axis=1)]
            for pair, tally in counts.items()}
