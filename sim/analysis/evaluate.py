"""Fast summary outputs of a parameter set: the figures sweeps and calibration work on.

Scores replicates' control arrays against the record with the same definitions as
:mod:`sim.analysis.scores` (which reads run directories and is the reference; a test checks
they agree), on arrays straight from the models, with no files and no pandas. Free runs only.
Outputs (map scores on known province cells, weighted by confidence):

* ``calibration_loss``: 1 - mean probability given to the recorded holder over the
  calibration window;
* ``calibration_accuracy``, ``holdout_accuracy``, ``holdout_mean_prob``, ``holdout_brier``;
* ``holdout_skill``: skill of ``holdout_accuracy`` over persistence from the start map;
* ``capital_fall_share``: share of replicates in which the record's last new holder of the
  scenario's ``capital`` takes it; ``capital_fall_month``: median month (from the start)
  among those replicates, NaN when none does (censored, never coded as a number);
* ``focus_provinces_end``: mean provinces the scenario's ``focus_faction`` holds in the last
  month.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.metrics import cell_scores, skill, weighted_mean
from sim.analysis.record import Record, as_record_codes, build_record
from sim.data import Scenario

OUTPUTS = ("calibration_loss", "calibration_accuracy", "holdout_accuracy", "holdout_mean_prob",
           "holdout_brier", "holdout_skill", "capital_fall_share", "capital_fall_month",
           "focus_provinces_end")
NAN = float("nan")


class Evaluator:
    """Scores replicates of one scenario; build once, call :meth:`outputs` per parameter set.

    Args:
        scenario: the scenario (its record is the truth).
        end: the runs' last month (index); default the scenario's end.
    """

    def __init__(self, scenario: Scenario, end: int | None = None):
        self.scenario = scenario
        d = scenario.drivers
        self.end = d.end if end is None else end
        self.start = d.start
        self.record: Record = build_record(scenario)
        self.n_codes = self.record.n_codes
        self.truth = self.record.holder                                          # [M, T]
        self.weight = self.record.weight * self.record.province[None, :]         # [M, T]
        self.cal = self.record.window(scenario.calibration.start, scenario.calibration.end)
        self.hold = self.record.window(scenario.holdout.start, scenario.holdout.end)
        start = np.zeros((len(d.territory_ids), self.n_codes))
        start[np.arange(start.shape[0]), self.truth[0]] = 1.0
        persistence = cell_scores(np.broadcast_to(start, (self.hold.stop - self.hold.start,
                                                          *start.shape)), self.truth[self.hold])
        self.persistence_accuracy = weighted_mean(persistence["accuracy"], self.weight[self.hold])
        self.capital, self.capital_taker, self.capital_row = None, None, None
        capital = scenario.capital
        if capital in d.territory_ids:
            t = d.territory_ids.index(capital)
            rows = np.nonzero(self.record.change[:, t])[0]
            if rows.size:
                self.capital, self.capital_row = t, int(rows[-1])
                self.capital_taker = int(self.truth[rows[-1], t])
        f_index = {f: i for i, f in enumerate(d.faction_ids)}
        self.focus = f_index.get(scenario.focus_faction)

    def probabilities(self, controls: np.ndarray) -> np.ndarray:
        """[M, T, F+1] share of replicates per holder from record codes [R, M, T]."""
        r, m, t = controls.shape
        cell = np.arange(m * t).reshape(m, t) * self.n_codes                    # [M, T]
        counts = np.bincount((cell[None] + controls).ravel(), minlength=m * t * self.n_codes)
        return (counts / r).reshape(m, t, self.n_codes)

    def _window(self, prob: np.ndarray, rows: slice) -> dict[str, float]:
        cells = cell_scores(prob[rows], self.truth[rows])
        return {k: (weighted_mean(v, self.weight[rows]) or NAN) for k, v in cells.items()}

    def outputs(self, controls: np.ndarray) -> dict[str, float]:
        """The summary outputs of replicates' model controls [R, M, T] (months from the
        start; contested as the model codes it)."""
        codes = as_record_codes(controls, self.n_codes - 1)
        months = codes.shape[1]
        prob = self.probabilities(codes[:, :self.truth.shape[0]])
        # a run that stops inside the calibration window is scored on the months it has
        cal = self._window(prob, slice(self.cal.start, min(self.cal.stop, prob.shape[0])))
        out = {"calibration_loss": 1.0 - cal["mean_prob"], "calibration_accuracy": cal["accuracy"]}
        if months >= self.hold.stop:
            hold = self._window(prob, self.hold)
            out["holdout_accuracy"] = hold["accuracy"]
            out["holdout_mean_prob"] = hold["mean_prob"]
            out["holdout_brier"] = hold["brier"]
            value = skill(hold["accuracy"], self.persistence_accuracy, True)
            out["holdout_skill"] = NAN if value is None else value
        else:
            for key in ("holdout_accuracy", "holdout_mean_prob", "holdout_brier", "holdout_skill"):
                out[key] = NAN
        out["capital_fall_share"] = out["capital_fall_month"] = NAN
        if self.capital is not None:
            held = codes[:, :, self.capital] == self.capital_taker                # [R, M]
            took = held[:, 1:] & ~held[:, :-1]
            fell = took.any(axis=1)
            out["capital_fall_share"] = float(fell.mean())
            if fell.any():
                out["capital_fall_month"] = float(np.median(took[fell].argmax(axis=1) + 1))
        out["focus_provinces_end"] = NAN
        if self.focus is not None:
            last = codes[:, -1][:, self.record.province]
            out["focus_provinces_end"] = float((last == self.focus).sum(axis=1).mean())
        return out
