"""The record: who held each territory at the end of each month, by the sources, and how
well the sources know it.

``initial_control.csv`` carried forward through ``observations.csv`` (rows of one month in
file order; the last gives the holder at the end of the month). Every cell (month,
territory) has a status:

* *observed*: a row of that month names the holder;
* *carried*: carried forward from an earlier row (the initial map counts as rows);
* *unknown*: a row with controller ``unknown`` says the holder changed at an unplaced time;
  carrying the previous holder forward would be no evidence, until the next row.

and the confidence of the row it comes from (``high``, ``medium``, ``low``). Scores use
observed and carried cells, weighted by :data:`CONFIDENCE_WEIGHTS`, and say how many are
unknown. This is the only module besides the loader that reads observations; the model never
imports it.

Codes: holders are faction indices ``0..F-1``; ``F`` is *contested* (no one holds it);
:data:`UNKNOWN_CODE` (-1) marks an unknown cell. A model's control array uses ``NO_ONE``
(-1) for contested: :func:`as_record_codes` converts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.data import Scenario
from sim.data.dates import format_month
from sim.data.vocabulary import CONTESTED, NO_ONE, UNKNOWN

# How much a cell counts in a score by the confidence of its row: a low-confidence row (an
# implied holder, a general-knowledge date) is evidence, but weaker. A modelling convention,
# stated in docs/ODD.md; every score is also given on high-confidence cells alone.
CONFIDENCE_WEIGHTS = {"high": 1.0, "medium": 0.6, "low": 0.3}
UNKNOWN_CODE = -1
STATUS_UNKNOWN, STATUS_CARRIED, STATUS_OBSERVED = 0, 1, 2
STATUS_NAMES = ("unknown", "carried", "observed")


@dataclass(frozen=True)
class Record:
    """The record as arrays over months [M] (the scenario's window) and territories [T]."""

    months: tuple[str, ...]            # YYYY-MM
    territories: tuple[str, ...]
    factions: tuple[str, ...]          # holder codes index this, then contested (code F)
    holder: np.ndarray                 # [M, T] int: faction code, F contested, -1 unknown
    status: np.ndarray                 # [M, T] int8: STATUS_*
    confidence: np.ndarray             # [M, T] <U6: high / medium / low ("" where unknown)
    province: np.ndarray               # [T] bool

    @property
    def n_codes(self) -> int:
        """Faction codes plus contested: the width of a probability array."""
        return len(self.factions) + 1

    @property
    def known(self) -> np.ndarray:
        """[M, T] observed or carried."""
        return self.status != STATUS_UNKNOWN

    @property
    def weight(self) -> np.ndarray:
        """[M, T] weight of each cell in a score: its confidence weight, 0 where unknown."""
        w = np.zeros(self.holder.shape)
        for name, value in CONFIDENCE_WEIGHTS.items():
            w[self.confidence == name] = value
        return w * self.known

    @property
    def high(self) -> np.ndarray:
        """[M, T] known cells whose row is of high confidence."""
        return self.known & (self.confidence == "high")

    @property
    def change(self) -> np.ndarray:
        """[M, T] cells where the known holder differs from the previous month's known one."""
        out = np.zeros(self.holder.shape, dtype=bool)
        out[1:] = (self.known[1:] & self.known[:-1] & (self.holder[1:] != self.holder[:-1]))
        return out

    def index(self, month: str) -> int:
        return self.months.index(month)

    def window(self, start: int, end: int) -> slice:
        """Rows of the months ``start..end`` (month indices), clipped to the record."""
        first, n = _month_number(self.months[0]), len(self.months)
        lo = min(max(start - first, 0), n)
        hi = min(max(end - first + 1, 0), n)
        return slice(lo, max(hi, lo))

    def names(self) -> np.ndarray:
        """[M, T] holder names (a faction id, ``contested`` or ``unknown``)."""
        labels = np.array([*self.factions, CONTESTED, UNKNOWN], dtype=object)
        return labels[np.where(self.holder == UNKNOWN_CODE, len(self.factions) + 1, self.holder)]

    def counts(self, rows: slice, provinces_only: bool = True) -> dict[str, int]:
        """How many cells of ``rows`` are observed, carried, unknown, high-confidence."""
        cols = self.province if provinces_only else np.ones_like(self.province)
        status = self.status[rows][:, cols]
        return {"observed": int((status == STATUS_OBSERVED).sum()),
                "carried": int((status == STATUS_CARRIED).sum()),
                "unknown": int((status == STATUS_UNKNOWN).sum()),
                "high_confidence": int(self.high[rows][:, cols].sum())}


def _month_number(text: str) -> int:
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def build_record(scenario: Scenario, before: int | None = None) -> Record:
    """The record of ``scenario``; with ``before`` (a month index), only rows dated before it
    are read (what a forecast from that origin may know), the later months left as carried
    from them."""
    d = scenario.drivers
    months = list(range(d.start, d.end + 1))
    tids = d.territory_ids
    f_index = {f: i for i, f in enumerate(d.faction_ids)}
    f_index[CONTESTED] = len(d.faction_ids)
    f_index[UNKNOWN] = UNKNOWN_CODE
    current = [f_index[d.initial_control[t]] for t in tids]
    conf = [scenario.initial_confidence.get(t, "high") for t in tids]
    t_index = {t: i for i, t in enumerate(tids)}
    by_month: dict[int, list] = {}
    for obs in scenario.observations:
        if before is None or obs.date < before:
            by_month.setdefault(obs.date, []).append(obs)
    holder = np.zeros((len(months), len(tids)), dtype=np.int64)
    status = np.zeros(holder.shape, dtype=np.int8)
    confidence = np.empty(holder.shape, dtype="<U6")
    for m, month in enumerate(months):
        seen = set()
        for obs in by_month.get(month, ()):
            t = t_index[obs.territory]
            current[t] = f_index[obs.controller]
            conf[t] = obs.confidence
            seen.add(t)
        holder[m] = current
        for t in range(len(tids)):
            if current[t] == UNKNOWN_CODE:
                status[m, t] = STATUS_UNKNOWN
            else:
                status[m, t] = STATUS_OBSERVED if (t in seen or m == 0) else STATUS_CARRIED
        confidence[m] = [c if h != UNKNOWN_CODE else "" for c, h in zip(conf, current, strict=True)]
    return Record(months=tuple(format_month(m) for m in months), territories=tids,
                  factions=d.faction_ids, holder=holder, status=status, confidence=confidence,
                  province=np.array([t.is_province for t in d.territories]))


def as_record_codes(control: np.ndarray, n_factions: int) -> np.ndarray:
    """A model's control codes (``NO_ONE`` for contested) as record codes (``F``)."""
    return np.where(control == NO_ONE, n_factions, control)


def record_table(scenario: Scenario, end: int | None = None) -> pd.DataFrame:
    """Months (``YYYY-MM`` index) × territories (columns) of recorded holder names
    (a faction id, ``contested``, or ``unknown``)."""
    record = build_record(scenario)
    table = pd.DataFrame(record.names(), index=list(record.months), columns=list(record.territories))
    if end is not None:
        table = table.loc[:format_month(end)]
    return table


def recorded_changes(scenario: Scenario) -> pd.DataFrame:
    """One row per recorded change of holder between two known months: date, territory, old,
    new, confidence.

    Confirmations (a row that leaves the holder unchanged) are not changes; when one month has
    several rows for a territory only the end-of-month holder counts; a change into or out of
    an unknown stretch is not placed, so it is not a change either.
    """
    record = build_record(scenario)
    names = record.names()
    rows = []
    change = record.change
    for m, t in zip(*np.nonzero(change), strict=True):
        rows.append((record.months[m], record.territories[t], names[m - 1, t], names[m, t],
                     record.confidence[m, t]))
    rows.sort(key=lambda r: (r[0], record.territories.index(r[1])))
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
    """[M, T, F] share of replicates in which holder f holds territory t in month m.

    ``factions`` lists the holder names to count (e.g. the faction ids and ``contested``);
    a control value outside it is not counted.
    """
    f_index = {f: i for i, f in enumerate(factions)}
    t_index = {t: i for i, t in enumerate(territories)}
    m_index = {m: i for i, m in enumerate(months)}
    c = control[control["date"].isin(m_index) & control["controller"].isin(f_index)]
    counts = np.zeros((len(months), len(territories), len(factions)))
    np.add.at(counts, tuple(c[col].map(index).to_numpy(dtype=np.int64) for col, index in
                            (("date", m_index), ("territory", t_index), ("controller", f_index))),
              1.0)
    replicates = max(int(control["replicate"].nunique()), 1)
    return counts / replicates
