"""The fast evaluator of sweeps and calibration gives the numbers of the full scorer."""

import numpy as np
import pytest
from conftest import SCENARIO_DIR

import sim
from sim.analysis.evaluate import Evaluator
from sim.analysis.scores import Scorer
from sim.experiments.simulate import simulate_controls


def test_fast_evaluator_equals_the_full_scorer():
    sc = sim.load(SCENARIO_DIR)
    ens = sim.Ensemble(sc, replicates=5, seed=4).run()
    scores = Scorer(sc, ens.control, ens.alliances, "recorded").scores()
    controls = simulate_controls(sc.drivers, ens.params, ens.seeds)
    out = Evaluator(sc).outputs(controls)
    assert out["holdout_accuracy"] == pytest.approx(scores["holdout"]["model"]["accuracy"])
    assert out["holdout_mean_prob"] == pytest.approx(scores["holdout"]["model"]["mean_prob"])
    assert 1 - out["calibration_loss"] == pytest.approx(scores["calibration"]["model"]["mean_prob"])
    assert out["calibration_accuracy"] == pytest.approx(scores["calibration"]["model"]["accuracy"])
    assert out["holdout_skill"] == pytest.approx(
        scores["holdout"]["skill_vs_persistence"]["accuracy"])
    f = ens.factions
    last = f[(f["date"] == f["date"].max()) & (f["faction"] == sc.focus_faction)]
    assert out["focus_provinces_end"] == pytest.approx(last["provinces"].mean())


def test_capital_fall_month_counts_never_as_one_past_the_end(tmp_path):
    sc = sim.load(SCENARIO_DIR)
    ev = Evaluator(sc)
    months = sc.end - sc.start + 1
    controls = np.zeros((3, months, len(sc.drivers.territory_ids)), dtype=int)
    kabul = sc.drivers.territory_ids.index(sc.capital)
    taker = sc.drivers.faction_ids.index(sc.focus_faction)
    controls[0, 10:, kabul] = taker
    controls[1, 20:, kabul] = taker
    assert ev.outputs(controls)["capital_fall_month"] == 20      # median of 10, 20, never
