"""Scores on the tiny hand-made scenario, every answer worked out by hand in the comments.

The record (A, B, C): 2000-01 (red, blue, blue); B goes red in 02; C goes red in 05. Windows:
calibration 01..03, hold-out 04..06. Replicate 0 follows the record exactly; replicate 1
never changes the start map.
"""

import numpy as np
import pandas as pd
import pytest
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.analysis.record import build_record
from sim.analysis.scores import Scorer
from sim.data import load

MONTHS = ["2000-01", "2000-02", "2000-03", "2000-04", "2000-05", "2000-06"]
RECORD = {
    "2000-01": ("red", "blue", "blue"), "2000-02": ("red", "red", "blue"),
    "2000-03": ("red", "red", "blue"), "2000-04": ("red", "red", "blue"),
    "2000-05": ("red", "red", "red"), "2000-06": ("red", "red", "red"),
}
FROZEN = {m: ("red", "blue", "blue") for m in MONTHS}


def control_frame(replicates: dict[int, dict[str, tuple]]) -> pd.DataFrame:
    rows = [(r, m, t, c) for r, table in replicates.items() for m in MONTHS
            for t, c in zip(("AF-AAA", "AF-BBB", "AF-CCC"), table[m], strict=True)]
    return pd.DataFrame(rows, columns=["replicate", "date", "territory", "controller"])


def scorer_for(folder, origin=None) -> Scorer:
    return Scorer(load(folder), {"control": control_frame({0: RECORD, 1: FROZEN})}, origin=origin)


@pytest.fixture
def folder(tmp_path):
    return write_tiny(tmp_path / "tiny")


def test_free_run_scores_by_hand(folder):
    s = scorer_for(folder).scores()
    assert s["kind"] == "free_run" and s["baseline_start"] == "2000-01"
    hold = s["windows"]["holdout"]["all"]
    # model: A red always; B red/blue half and half from 02; C half red from 05. Ties go to
    # the first faction (red), so every modal holder is right.
    assert hold["model"]["accuracy"] == pytest.approx(1.0)
    assert hold["model"]["mean_prob"] == pytest.approx(6.5 / 9)       # A 3, B 1.5, C 1+.5+.5
    assert hold["model"]["brier"] == pytest.approx(2.5 / 9)           # B 3 x .5, C 2 x .5
    # persistence frozen at the start map (red, blue, blue): B wrong thrice, C in 05 and 06
    assert hold["persistence"]["accuracy"] == pytest.approx(4 / 9)
    assert hold["persistence"]["brier"] == pytest.approx(10 / 9)      # 5 wrong cells x 2
    assert hold["skill_vs_persistence"]["accuracy"]["value"] == pytest.approx(1.0)
    assert hold["skill_vs_persistence"]["mean_prob"]["value"] == pytest.approx(0.5)
    assert hold["skill_vs_persistence"]["brier"]["value"] == pytest.approx(0.75)
    # the model is right in every resample of provinces: the interval is the point
    acc = hold["skill_vs_persistence"]["accuracy"]
    assert acc["low"] == pytest.approx(1.0) and acc["high"] == pytest.approx(1.0)
    low, high = (hold["skill_vs_persistence"]["mean_prob"][k] for k in ("low", "high"))
    assert low <= 0.5 <= high
    # change cells of the hold-out: C in 05 alone; model .5 on red, persistence 0
    changes = hold["change_cells"]
    assert changes["cells"] == 1
    assert changes["model"]["mean_prob"] == pytest.approx(0.5)
    assert changes["persistence"]["accuracy"] == 0.0
    assert changes["skill_vs_persistence"]["brier"]["value"] == pytest.approx(0.75)  # (2-.5)/2
    assert s["windows"]["holdout"]["changes"]["hit_rate"] == 1.0      # half take C in 05
    assert s["windows"]["holdout"]["changes"]["persistence_hit_rate"] == 0.0


def test_forecast_baselines_start_from_the_map_before_the_origin(folder):
    s = scorer_for(folder, origin=24000 + 3).scores()                 # origin 2000-04
    assert s["kind"] == "forecast" and s["baseline_start"] == "2000-03"
    assert set(s["windows"]) == {"forecast", "holdout"}
    hold = s["windows"]["forecast"]["all"]
    # persistence frozen at 2000-03 (red, red, blue): C wrong in 05 and 06
    assert hold["persistence"]["accuracy"] == pytest.approx(7 / 9)
    assert hold["skill_vs_persistence"]["mean_prob"]["value"] == pytest.approx(-0.25)  # (6.5-7)/2
    assert hold["skill_vs_persistence"]["brier"]["value"] == pytest.approx(0.375)      # (4-2.5)/4


def test_unknown_cells_are_excluded_carried_cells_count_and_low_confidence_weighs_less(folder):
    ed = ScenarioEditor(folder)
    ed.set_cell("observations.csv", ed.find_row("observations.csv", territory="AF-BBB"),
                "confidence", "low")
    ed.insert_line("observations.csv", 3, "2000-04,,AF-CCC,unknown,low,,approx: test")
    record = build_record(load(folder))
    assert record.status[:, 2].tolist() == [2, 1, 1, 0, 2, 1]          # C: unknown in 04
    assert record.status[:, 1].tolist() == [2, 2, 1, 1, 1, 1]          # B: carried after 02
    assert record.change[:, 2].tolist() == [False] * 6                 # out of unknown: no change
    s = scorer_for(folder).scores()
    hold = s["windows"]["holdout"]
    assert hold["cells"] == {"observed": 1, "carried": 7, "unknown": 1, "high_confidence": 5}
    # all cells: A 3 x 1.0, B 3 x 0.3 (low), C 05-06 x 1.0 (its 05 row is high)
    assert hold["all"]["model"]["mean_prob"] == pytest.approx((3 + 0.3 * 1.5 + 1.0) / (3 + 0.9 + 2))
    # high-confidence cells only: A and C in 05, 06
    assert hold["high"]["model"]["mean_prob"] == pytest.approx((3 + 1.0) / 5)
    assert hold["changes"]["changes"] == 0


def test_totals_are_scored_as_patterns(folder):
    ScenarioEditor(folder).replace(
        "scenario.yaml", "parameters: {}\n",
        'parameters: {}\ntotals:\n  - {date: "2000-06", faction: red, min: 3, source: "approx: test"}\n'
        '  - {date: "2000-02", faction: blue, provinces: 2, source: "approx: test"}\n')
    s = scorer_for(folder).scores()
    red, blue = s["totals"]
    assert red["share"] == 0.5 and red["median"] == 2.0 and red["recorded"] == 3
    assert blue["share"] == 0.5 and blue["recorded"] == 1               # frozen run has 2


def test_a_coalition_total_counts_its_members_together(folder):
    ScenarioEditor(folder).replace(
        "scenario.yaml", "parameters: {}\n",
        'parameters: {}\ntotals:\n  - {date: "2000-02", faction: [red, blue], provinces: 3, '
        'source: "approx: test"}\n')
    (both,) = scorer_for(folder).scores()["totals"]
    # every province is red or blue in both replicates and in the record
    assert both["faction"] == "red+blue" and both["share"] == 1.0 and both["recorded"] == 3


def test_capital_fall_is_censored_when_it_does_not_happen(folder):
    ScenarioEditor(folder).replace("scenario.yaml", "parameters: {}\n", "parameters: {}\ncapital: AF-CCC\n")
    k = scorer_for(folder).scores()["capital_fall"]
    assert k["recorded"] == "2000-05" and k["faction"] == "red"
    assert k["fell_share"] == 0.5 and k["months"] == {"2000-05": 1}
    assert k["median"] is None and k["censored"]          # only half fall: no median month
    assert k["near_share"] == 0.5 and k["median_error_months"] == 0.0


def test_diffusion_rate_is_fitted_on_the_calibration_window(folder):
    scorer = scorer_for(folder)
    rate = scorer.fit_diffusion_rate(scorer.rows(scorer.scenario.calibration))
    # by hand, one month ahead (Brier, 6 cells): from 2000-01 every faction expands, so A
    # (only neighbour blue) goes blue with r: 2r^2; B (half its neighbours red) goes red with
    # r/2, right: 2(1 - r/2)^2; from 2000-02 only red expands: C (neighbour B red) goes red
    # with r, wrong: 2r^2. The sum 4r^2 + 2(1 - r/2)^2 is least at r = 2/9 ~ 0.22
    assert rate == pytest.approx(0.22)
    base = scorer.baselines(2, slice(3, 6), 0.5)
    # from the 2000-03 map (red, red, blue) only red grew in the year before: C's only
    # neighbour B is red, so in 2000-04 C falls with hazard 0.5
    assert base["diffusion"][0, 2, :2].tolist() == pytest.approx([0.5, 0.5])
    assert np.allclose(base["persistence"][:, 2, 1], 1.0)
