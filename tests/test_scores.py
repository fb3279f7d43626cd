"""Scores and baselines on hand-made records, answers worked out by hand in the comments."""

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis import scores
from sim.cli.main import main
from sim.data import load
from sim.experiments.ensemble import run_ensemble

sys.path.insert(0, str(Path(__file__).parent))
from tiny import write_tiny  # noqa: E402

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


def test_map_metrics_by_hand():
    prob = np.array([[[0.75, 0.25], [0.5, 0.5]]])       # 1 month, 2 territories, 2 factions
    truth = np.array([[0, 1]])
    m = scores.map_metrics(prob, truth)
    assert m["accuracy"] == pytest.approx(0.5)           # the tie goes to faction 0: wrong
    assert m["mean_prob"] == pytest.approx(0.625)        # (0.75 + 0.5) / 2
    assert m["brier"] == pytest.approx(0.3125)           # (0.0625*2 + 0.25*2) / 2


def test_skill_by_hand():
    assert scores.skill(0.8, 0.6, True) == pytest.approx(0.5)     # 0.2 / 0.4
    assert scores.skill(0.1, 0.2, False) == pytest.approx(0.5)    # 0.1 / 0.2
    assert scores.skill(0.9, 1.0, True) is None                   # nothing to beat
    assert scores.skill(None, 0.5, True) is None


def test_change_hits_and_timing_by_hand():
    held = np.array([[0, 0, 1, 1], [0, 0, 0, 0]], dtype=float)
    assert scores.change_hits(held, 1, slack=1) == 0.5             # months 0..2: 1 and 0
    assert scores.change_hits(held, 1, slack=0) == 0.0
    held = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]], dtype=float)
    assert scores.timing_error(held, 1) == 0.5                     # errors +1 and 0
    assert scores.timing_error(np.zeros((2, 4)), 1) is None


def test_diffusion_forecast_by_hand():
    adjacency = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    out = scores.diffusion_forecast(np.array([0, 1, 1]), adjacency, np.array([True, False]), 0.5, 3, 2)
    assert out[0, 1].tolist() == [0.0, 1.0]
    # territory 1 has one red neighbour of two: hazard 0.5 * 1/2
    assert out[1, 1].tolist() == pytest.approx([0.25, 0.75])
    assert out[1, 2].tolist() == [0.0, 1.0]             # no red neighbour yet
    assert np.allclose(out.sum(axis=2), 1.0)


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


def test_ensemble_files_do_not_depend_on_the_number_of_workers(tmp_path):
    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "afghanistan_1992_1996"
    for k in (1, 2):
        run_ensemble(tmp_path / f"w{k}", scenario, replicates=6, root_seed=3, workers=k,
                     end="1993-06", progress=False)
    for name in ("control", "factions", "alliances", "battles"):
        assert (tmp_path / "w1" / f"{name}.csv").read_bytes() == (tmp_path / "w2" / f"{name}.csv").read_bytes()
    control = pd.read_csv(tmp_path / "w1" / "control.csv")
    assert sorted(control["replicate"].unique()) == list(range(6))


def test_score_cli_writes_scores_json(tmp_path, capsys):
    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "afghanistan_1992_1996"
    out = tmp_path / "ens"
    assert main(["ensemble", str(scenario), "--replicates", "3", "--seed", "1", "--out", str(out),
                 "--workers", "1", "--quiet"]) == 0
    assert main(["score", str(out)]) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "scores.json").read_text())
    for window in ("calibration", "holdout"):
        for key in ("model", "persistence", "diffusion", "skill_vs_persistence", "skill_vs_diffusion"):
            assert "accuracy" in data[window][key]
    assert data["capital_fall"]["recorded"] == "1996-09"
    assert f"{data['holdout']['model']['accuracy']:.3f}" in printed


def test_score_refuses_an_unfinished_directory(tmp_path, capsys):
    (tmp_path / "control.csv").write_text("replicate,date,territory,controller\n")
    assert main(["score", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
