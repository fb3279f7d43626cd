"""The record: who held each territory at the end of each month, by the sources.

``initial_control.csv`` carried forward through ``observations.csv`` (rows of one month
in file order; the last gives the holder at the end of the month). This is the only
module besides the loader that reads observations, and the model never imports it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.data import Scenario
from sim.data.dates import format_month


def record_table(scenario: Scenario, end: int | None = None) -> pd.DataFrame:
    """Months (``YYYY-MM`` index) × territories (columns) of recorded controller ids."""
    d = scenario.drivers
    last = d.end if end is None else end
    months = list(range(d.start, last + 1))
    current = dict(d.initial_control)
    by_month: dict[int, list] = {}
    for obs in scenario.observations:
        by_month.setdefault(obs.date, []).append(obs)
    rows = []
    for month in months:
        for obs in by_month.get(month, ()):
            current[obs.territory] = obs.controller
        rows.append([current[t] for t in d.territory_ids])
    return pd.DataFrame(rows, index=[format_month(m) for m in months], columns=list(d.territory_ids))


def recorded_changes(scenario: Scenario) -> pd.DataFrame:
    """One row per recorded change of holder: date, territory, old, new, confidence.

    Consecutive observations that leave the holder unchanged (confirmations) are dropped;
    when one month has several rows for a territory only the end-of-month holder counts.
    """
    table = record_table(scenario)
    rows = []
    prev = table.iloc[0]
    for date, row in table.iloc[1:].iterrows():
        for territory in table.columns[(row != prev).to_numpy()]:
            conf = [o.confidence for o in scenario.observations
                    if format_month(o.date) == date and o.territory == territory]
            rows.append((date, territory, prev[territory], row[territory],
                         conf[-1] if conf else "high"))
        prev = row
    return pd.DataFrame(rows, columns=["date", "territory", "old", "new", "confidence"])


def relation_table(changes: pd.DataFrame, factions: tuple[str, ...], months: list[str],
                   default: str = "hostile") -> dict[tuple[str, str], list[str]]:
    """Relation of every pair in every month from change rows ``date,a,b,relation``.

    Pairs are keyed with the faction that comes first in ``factions`` first.
    """
    order = {f: i for i, f in enumerate(factions)}
    pairs = [(a, b) for i, a in enumerate(factions) for b in factions[i + 1:]]
    state = {p: default for p in pairs}
    by_month: dict[str, list] = {}
    for row in changes.itertuples(index=False):
        a, b = (row.a, row.b) if order[row.a] < order[row.b] else (row.b, row.a)
        by_month.setdefault(row.date, []).append(((a, b), row.relation))
    out = {p: [] for p in pairs}
    for month in months:
        for pair, relation in by_month.get(month, ()):
            state[pair] = relation
        for p in pairs:
            out[p].append(state[p])
    return out


def shares(control: pd.DataFrame, factions: tuple[str, ...], territories: tuple[str, ...],
           months: list[str]) -> np.ndarray:
    """[M, T, F] share of replicates in which faction f holds territory t in month m."""
    f_index = {f: i for i, f in enumerate(factions)}
    t_index = {t: i for i, t in enumerate(territories)}
    m_index = {m: i for i, m in enumerate(months)}
    keep = control["date"].isin(m_index)
    c = control[keep]
    counts = np.zeros((len(months), len(territories), len(factions)))
    np.add.at(counts, (c["date"].map(m_index).to_numpy(), c["territory"].map(t_index).to_numpy(),
                       c["controller"].map(f_index).to_numpy()), 1.0)
    n = counts.sum(axis=2, keepdims=True)
    return np.divide(counts, n, out=np.zeros_like(counts), where=n > 0)
