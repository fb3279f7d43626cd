"""Scores and baselines on hand-made records, answers worked out by hand in the comments."""

import numpy as np
import pytest

from sim.analysis import metrics


def test_map_metrics_by_hand():
    prob = np.array([[[0.75, 0.25], [0.5, 0.5]]])       # 1 month, 2 territories, 2 factions
    truth = np.array([[0, 1]])
    m = metrics.map_metrics(prob, truth)
    assert m["accuracy"] == pytest.approx(0.5)           # the tie goes to faction 0: wrong
    assert m["mean_prob"] == pytest.approx(0.625)        # (0.75 + 0.5) / 2
    assert m["brier"] == pytest.approx(0.3125)           # (0.0625*2 + 0.25*2) / 2


def test_skill_by_hand():
    assert metrics.skill(0.8, 0.6, True) == pytest.approx(0.5)     # 0.2 / 0.4
    assert metrics.skill(0.1, 0.2, False) == pytest.approx(0.5)    # 0.1 / 0.2
    assert metrics.skill(0.9, 1.0, True) is None                   # nothing to beat
    assert metrics.skill(None, 0.5, True) is None


def test_change_hits_and_timing_by_hand():
    held = np.array([[0, 0, 1, 1], [0, 0, 0, 0]], dtype=float)
    assert metrics.change_hits(held, 1, slack=1) == 0.5             # months 0..2: 1 and 0
    assert metrics.change_hits(held, 1, slack=0) == 0.0
    held = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]], dtype=float)
    assert metrics.timing_error(held, 1) == 0.5                     # errors +1 and 0
    assert metrics.timing_error(np.zeros((2, 4)), 1) is None
