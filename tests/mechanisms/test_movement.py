"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest

from sim.mechanisms import movement


def _line_world(n=3):
    adjacency = np.zeros((n, n), dtype=bool)
    for i in range(n - 1):
        adjacency[i, i + 1] = adjacency[i + 1, i] = True
    return adjacency


def test_movement_conserves_fighters_and_moves_towards_the_front():
    n_t = 4
    adjacency = _line_world(n_t)
    from sim.core.world import _shortest_paths
    distance, next_hop = _shortest_paths(adjacency)
    garrison = np.array([[1000.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 500.0]])
    control = np.array([0, 0, 0, 1])
    fights = np.array([[False, True], [True, False]])
    out = movement.redeploy(garrison, control, fights, adjacency, distance, next_hop,
                            np.array([True, True]), 0.3)
    assert out.sum() == pytest.approx(garrison.sum())
    assert out[0, 1] == pytest.approx(300.0) and out[0, 0] == pytest.approx(700.0)
    assert out[1, 3] == 500.0                       # already at the front
