"""Goodness of fit of one run to the patterns of the calibration window.

Pattern-oriented modelling (Grimm et al. 2005, *Science* 310:987): a model is fitted to
several independent patterns at once, each of which a wrong model can miss. For one run that
stops at the end of the calibration window, each pattern gives a distance in 0..1 (0: the run
reproduces it):

* ``record``: 1 − the confidence-weighted share of known province-months whose holder the run
  gets right (the control record); with ``record_cells="all"`` the sub-nodes' months count
  too, at their confidence weight (Hekmatyar's Charasiab, Sarobi, the sectors of Kabul: the
  record's 1992-94 war is fought over them; docs/model-log.md entry 18);
* ``changes``: 1 − the share of the window's recorded changes of holder (any territory) that
  the run makes within ±3 months (their timing);
* ``totals``: the mean, over the window's ``totals:`` statements, of how far the run's count
  lies outside the stated bounds (in provinces, /10, at most 1);
* ``battle_share``: for each ``patterns:`` entry of that kind inside the window, how far the
  share of the run's battles fought in the listed territories lies outside its bounds,
  relative to the bound (e.g. the 1992-94 fighting over Kabul).

Only rows, totals and patterns dated inside the calibration window are read: a hold-out
observation never reaches the fit (a test plants one and checks).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.metrics import WINDOW_SLACK
from sim.analysis.record import NO_ONE, as_record_codes, build_record
from sim.data import Scenario

DISTANCES = ("record", "changes", "totals", "battle_share")
RECORD_CELLS = ("provinces", "all")  # which known cells the ``record`` pattern counts


class PatternFit:
    """The calibration window's patterns of ``scenario``, ready to score runs."""

    def __init__(self, scenario: Scenario, record_cells: str = "provinces"):
        if record_cells not in RECORD_CELLS:
            raise ValueError(f"record_cells must be one of {', '.join(RECORD_CELLS)}, "
                             f"got {record_cells!r}")
        self.scenario = scenario
        self.record_cells = record_cells
        cal = scenario.calibration
        d = scenario.drivers
        # the record as known at the end of the calibration window: nothing later is read
        record = build_record(scenario, before=cal.end + 1)
        self.rows = record.window(cal.start, cal.end)
        self.months = self.rows.stop
        self.truth = record.holder[:self.months]
        counted = record.province if record_cells == "provinces" else np.ones_like(record.province)
        self.weight = (record.weight * counted[None, :])[:self.months]
        self.weight[:self.rows.start] = 0.0
        self.n_factions = len(d.faction_ids)
        # the start map in model codes (contested is NO_ONE there, F in the record)
        self.start_map = np.where(record.holder[0] == self.n_factions, NO_ONE, record.holder[0])
        self.province = record.province
        change = record.change[:self.months].copy()
        change[:max(self.rows.start, 1)] = False
        self.changes = [(int(m), int(t), int(record.holder[m, t]))
                        for m, t in zip(*np.nonzero(change), strict=True)]
        f_index = {f: i for i, f in enumerate(d.faction_ids)}
        self.totals = [(t.date - d.start, [f_index[f] for f in t.factions], t.low, t.high)
                       for t in scenario.totals if cal.start <= t.date <= cal.end]
        t_index = {t: i for i, t in enumerate(d.territory_ids)}
        self.battle_patterns = [
            (p.start - d.start, p.end - d.start, {t_index[x] for x in p.territories}, p.low, p.high)
            for p in scenario.patterns
            if p.kind == "battle_share" and cal.start <= p.start and p.end <= cal.end]

    def persistence(self) -> dict[str, float]:
        """The distances of persistence: the start map frozen over the window, no battles
        (the baseline every score of the project is a skill against)."""
        return self.distances(np.tile(self.start_map, (self.months, 1)), [])

    def distances(self, control: np.ndarray, battles: list[tuple[int, int]]) -> dict[str, float]:
        """Distances of one run: ``control`` [M, T] (model codes, months from the start, at
        least the calibration window) and ``battles`` as (month index, target) pairs."""
        codes = as_record_codes(control[:self.months], self.n_factions)
        match = (codes == self.truth) * self.weight
        out = {"record": 1.0 - float(match.sum() / self.weight.sum())}
        hits = []
        for m, t, new in self.changes:
            lo, hi = max(m - WINDOW_SLACK, 0), min(m + WINDOW_SLACK, self.months - 1)
            hits.append(bool((codes[lo:hi + 1, t] == new).any()))
        out["changes"] = 1.0 - float(np.mean(hits)) if hits else 0.0
        misses = []
        for m, f, low, high in self.totals:
            held = int(np.isin(codes[m][self.province], f).sum())
            gap = max((low - held) if low is not None else 0, (held - high) if high is not None else 0, 0)
            misses.append(min(gap / 10.0, 1.0))
        out["totals"] = float(np.mean(misses)) if misses else 0.0
        gaps = []
        for first, last, places, low, high in self.battle_patterns:
            inside = [t for m, t in battles if first <= m <= last]
            if not inside:
                gaps.append(1.0)
                continue
            share = sum(t in places for t in inside) / len(inside)
            gap = 0.0
            if low is not None and share < low:
                gap = (low - share) / low
            if high is not None and share > high:
                gap = (share - high) / (1.0 - high) if high < 1 else 0.0
            gaps.append(gap)
        out["battle_share"] = float(np.mean(gaps)) if gaps else 0.0
        return out
