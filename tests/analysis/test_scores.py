"""Scores and baselines on hand-made records, answers worked out by hand in the comments."""

import numpy as np
import pandas as pd
import pytest
from tiny import write_tiny  # noqa: E402

from sim.analysis import scores
from sim.data import load

MONTHS = ["2000-01", "2000-02", "2000-03", "2000-04", "2000-05", "2000-06"]


RECORD = {  # the tiny record, month by month: AF-AAA, AF-BBB, AF-CCC
    "2000-01": ("red", "blue", "blue"), "2000-02": ("red", "red", "blue"),
    "2000-03": ("red", "red", "blue"), "2000-04": ("red", "red", "blue"),
    "2000-05": ("red", "red", "red"), "2000-06": ("red", "red", "red"),
}


def control_frame(replicates: dict[int, dict[str, tuple]]) -> pd.DataFrame:
    rows = [(r, m, t, c) for r, table in replicates.items() for m in MONTHS
            for t, c in zip(("AF-AAA", "AF-BBB", "AF-CCC"), table[m], strict=True)]
    return pd.DataFrame(rows, columns=["replicate", "date", "territory", "controller"])


@pytest.fixture
def scorer(tmp_path):
    # replicate 0 follows the record exactly; replicate 1 never changes the start map
    frozen = {m: ("red", "blue", "blue") for m in MONTHS}
    scenario = load(write_tiny(tmp_path / "tiny"))
    return scores.Scorer(scenario, control_frame({0: RECORD, 1: frozen}),
                         pd.DataFrame(columns=["replicate", "date", "a", "b", "relation"]), "recorded")


def test_model_scores_by_hand(scorer):
    s = scorer.scores()
    cal, hold = s["calibration"], s["holdout"]
    # calibration: every modal controller right (ties to red); B in 02, 03 gets 0.5
    assert cal["model"]["accuracy"] == pytest.approx(1.0)
    assert cal["model"]["mean_prob"] == pytest.approx(8 / 9)
    assert cal["model"]["brier"] == pytest.approx(1 / 9)
    # hold-out: B has 0.5 in 04-06, C has 0.5 in 05-06
    assert hold["model"]["mean_prob"] == pytest.approx(6.5 / 9)
    assert hold["model"]["brier"] == pytest.approx(2.5 / 9)
    assert hold["model"]["hit_rate"] == 1.0               # half the replicates take C in 05
    assert hold["model"]["timing_mae"] == 0.0
    # provinces: red expected 1.5, 2, 2 against 2, 3, 3; blue 1.5, 1, 1 against 1, 0, 0
    assert hold["model"]["provinces_rmse"] == pytest.approx(np.sqrt(0.75))
    assert hold["model"]["alliance_agreement"] is None


def test_persistence_baseline_by_hand(scorer):
    s = scorer.scores()
    hold = s["holdout"]
    # frozen at 2000-03 (red, red, blue): C wrong in 05 and 06
    assert hold["persistence"]["accuracy"] == pytest.approx(7 / 9)
    assert hold["persistence"]["brier"] == pytest.approx(4 / 9)
    assert hold["persistence"]["hit_rate"] == 0.0
    assert hold["skill_vs_persistence"]["accuracy"] == pytest.approx(1.0)
    assert hold["skill_vs_persistence"]["mean_prob"] == pytest.approx(-0.25)   # (6.5/9-7/9)/(2/9)
    assert hold["skill_vs_persistence"]["brier"] == pytest.approx(0.375)       # (4/9-2.5/9)/(4/9)
    # calibration: frozen at the first month, B wrong in 02 and 03
    assert s["calibration"]["persistence"]["accuracy"] == pytest.approx(7 / 9)


def test_diffusion_rate_is_the_best_on_the_calibration_window(scorer):
    rate = scorer.fit_diffusion_rate()
    w = scorer.window_index(scorer.scenario.calibration)

    def fit(r):
        return scores.map_metrics(scorer.diffusion(scorer.scenario.calibration, r),
                                  scorer.truth[w])["mean_prob"]
    assert all(fit(rate) >= fit(float(r)) - 1e-12 for r in scores.DIFFUSION_RATES)
    # by hand: with rate r, in 2000-02 B goes red with r/2 (gain r/2) but A, whose only
    # neighbour is blue and every faction expands in the calibration window, goes blue
    # with r (loss r): the best rate is 0
    assert rate == 0.0
    # for the hold-out only red, which grew in the 12 months before, expands
    assert scorer.expanding(scorer.scenario.holdout).tolist() == [True, False]
    hold = scorer.diffusion(scorer.scenario.holdout, 0.5)
    # from the 2000-03 map (red, red, blue), C's only neighbour B is red: in 2000-04 it
    # falls with hazard 0.5 * 1/1
    assert hold[0, 2].tolist() == pytest.approx([0.5, 0.5])


def test_capital_fall_by_hand(scorer):
    k = scorer.capital_fall("AF-CCC")
    assert k["recorded"] == "2000-05" and k["faction"] == "red"
    assert k["fell_share"] == 0.5 and k["months"] == {"2000-05": 1}
    assert k["median"] is None                 # only half the replicates: no median month
    assert k["median_error_months"] == 0.0
