"""Scores and baselines on hand-made records, answers worked out by hand in the comments."""

import numpy as np
import pytest

from sim.analysis import baselines


def test_diffusion_forecast_by_hand():
    adjacency = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=float)
    out = baselines.diffusion_forecast(np.array([0, 1, 1]), adjacency, np.array([True, False]), 0.5, 3, 2)
    assert out[0, 1].tolist() == [0.0, 1.0]
    # territory 1 has one red neighbour of two: hazard 0.5 * 1/2
    assert out[1, 1].tolist() == pytest.approx([0.25, 0.75])
    assert out[1, 2].tolist() == [0.0, 1.0]             # no red neighbour yet
    assert np.allclose(out.sum(axis=2), 1.0)
