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
    scores = Scorer(sc, ens.tables).scores()["windows"]
    # each replicate runs on its own draw from the posterior
    controls = np.concatenate([simulate_controls(sc.drivers, ens.choice.for_seed(s), [s])
                               for s in ens.seeds])
    out = Evaluator(sc).outputs(controls)
    hold, cal = scores["holdout"]["all"], scores["calibration"]["all"]
    assert out["holdout_accuracy"] == pytest.approx(hold["model"]["accuracy"])
    assert out["holdout_mean_prob"] == pytest.approx(hold["model"]["mean_prob"])
    assert out["holdout_brier"] == pytest.approx(hold["model"]["brier"])
    assert 1 - out["calibration_loss"] == pytest.approx(cal["model"]["mean_prob"])
    assert out["calibration_accuracy"] == pytest.approx(cal["model"]["accuracy"])
    assert out["holdout_skill"] == pytest.approx(hold["skill_vs_persistence"]["accuracy"]["value"])
    f = ens.factions
    last = f[(f["date"] == f["date"].max()) & (f["faction"] == sc.focus_faction)]
    assert out["focus_provinces_end"] == pytest.approx(last["provinces"].mean())


def test_capital_fall_is_a_share_and_a_month_among_those_that_fall(tmp_path):
    sc = sim.load(SCENARIO_DIR)
    ev = Evaluator(sc)
    months = sc.end - sc.start + 1
    controls = np.zeros((3, months, len(sc.drivers.territory_ids)), dtype=int)
    kabul = sc.drivers.territory_ids.index(sc.capital)
    taker = sc.drivers.faction_ids.index(sc.focus_faction)
    controls[0, 10:, kabul] = taker
    controls[1, 20:, kabul] = taker
    out = ev.outputs(controls)
    assert out["capital_fall_share"] == pytest.approx(2 / 3)    # the third never falls
    assert out["capital_fall_month"] == 15                        # median of 10 and 20 only
