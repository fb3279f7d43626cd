"""Fast summary outputs of a parameter set: the figures sweeps and calibration work on.

Runs a few replicates in process and scores them against the record with the same
definitions as :mod:`sim.analysis.scores` (which reads run directories and is the reference), but
on arrays straight from the models, with no files and no pandas. Outputs:

* ``calibration_loss``: 1 - mean probability given to the recorded controller over the
  calibration window's province-months (what calibration minimises);
* ``calibration_accuracy``, ``holdout_accuracy``, ``holdout_mean_prob``;
* ``holdout_skill``: skill of ``holdout_accuracy`` over persistence;
* ``capital_fall_month``: median over replicates of the months from the start until the
  record's last new holder of the scenario's ``capital`` takes it (a replicate where it
  never does counts as one month after the run's end);
* ``focus_provinces_end``: mean provinces the scenario's ``focus_faction`` holds in the
  last month.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.metrics import map_metrics, skill
from sim.analysis.record import record_table, recorded_changes
from sim.data import Scenario

OUTPUTS = ("calibration_loss", "calibration_accuracy", "holdout_accuracy", "holdout_mean_prob",
           "holdout_skill", "capital_fall_month", "focus_provinces_end")


class Evaluator:
    """Scores replicates of one scenario; build once, call :meth:`run` per parameter set."""

    def __init__(self, scenario: Scenario, end: int | None = None):
        self.scenario = scenario
        d = scenario.drivers
        self.end = d.end if end is None else end
        self.factions = d.faction_ids
        f_index = {f: i for i, f in enumerate(self.factions)}
        record = record_table(scenario)
        self.truth = record.apply(lambda col: col.map(f_index)).to_numpy()      # [M, T]
        self.province = np.array([t.is_province for t in d.territories])
        self.start = d.start
        self.cal = slice(scenario.calibration.start - d.start, scenario.calibration.end - d.start + 1)
        self.hold = slice(scenario.holdout.start - d.start, scenario.holdout.end - d.start + 1)
        frozen = self.truth[self.hold.start - 1]
        hits = (self.truth[self.hold] == frozen[None, :])[:, self.province]
        self.persistence_accuracy = float(hits.mean())
        changes = recorded_changes(scenario)
        capital = scenario.capital
        falls = changes[changes["territory"] == capital]
        self.capital = d.territory_ids.index(capital) if capital in d.territory_ids else None
        taker = falls.iloc[-1]["new"] if len(falls) else None
        self.capital_taker = f_index.get(taker)
        self.focus = f_index.get(scenario.focus_faction)

    def probabilities(self, controls: np.ndarray) -> np.ndarray:
        """[M, T, F] share of replicates per controller from controls [R, M, T]."""
        r, m, t = controls.shape
        n_f = len(self.factions)
        cell = np.arange(m * t).reshape(m, t) * n_f                      # [M, T]
        counts = np.bincount((cell[None] + controls).ravel(), minlength=m * t * n_f)
        return (counts / r).reshape(m, t, n_f)

    def outputs(self, controls: np.ndarray) -> dict[str, float]:
        """The summary outputs of replicates' controls [R, M, T] (months from the start)."""
        months = controls.shape[1]
        prob = self.probabilities(controls[:, :self.truth.shape[0]])
        # a run that stops inside the calibration window is scored on the months it has
        cal_window = slice(self.cal.start, min(self.cal.stop, prob.shape[0]))
        cal = map_metrics(prob[cal_window][:, self.province], self.truth[cal_window][:, self.province])
        out = {"calibration_loss": 1.0 - cal["mean_prob"], "calibration_accuracy": cal["accuracy"]}
        if controls.shape[1] >= self.hold.stop:
            hold = map_metrics(prob[self.hold][:, self.province], self.truth[self.hold][:, self.province])
            out["holdout_accuracy"] = hold["accuracy"]
            out["holdout_mean_prob"] = hold["mean_prob"]
            out["holdout_skill"] = skill(hold["accuracy"], self.persistence_accuracy, True)
        else:
            out["holdout_accuracy"] = out["holdout_mean_prob"] = out["holdout_skill"] = float("nan")
        if self.capital is not None and self.capital_taker is not None:
            held = controls[:, :, self.capital] == self.capital_taker             # [R, M]
            first = np.where(held.any(axis=1), held.argmax(axis=1), months)
            out["capital_fall_month"] = float(np.median(first))
        else:
            out["capital_fall_month"] = float("nan")
        if self.focus is not None:
            last = controls[:, -1][:, self.province]
            out["focus_provinces_end"] = float((last == self.focus).sum(axis=1).mean())
        else:
            out["focus_provinces_end"] = float("nan")
        return out
