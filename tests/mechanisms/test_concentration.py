"""Concentration of force: garrisons close up on the faction's main effort."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import write_tiny

from sim.core.world import _shortest_paths
from sim.data import load
from sim.data.params import Params
from sim.mechanisms import concentration
from sim.model import AfsimModel


def _line(n=5):
    adjacency = (np.eye(n, k=1) + np.eye(n, k=-1)).astype(bool)
    distance, next_hop = _shortest_paths(adjacency)
    return distance, next_hop


def _world():
    # 0 - 1 - 2 - 3 - 4: faction 0 holds 0..2, faction 1 holds 3 and 4
    distance, next_hop = _line()
    control = np.array([0, 0, 0, 1, 1])
    garrison = np.array([[4000.0, 3000.0, 100.0, 0, 0], [0, 0, 0, 1000.0, 500.0]])
    fights = np.array([[False, True], [True, False]])
    value = np.array([[1.0, 1.0, 1.0, 2.0, 9.0], [1.0, 1.0, 3.0, 1.0, 1.0]])
    return distance, next_hop, control, garrison, fights, value


def _effort(garrison, control, fights, value, distance, threshold=0.6, may=(True, True)):
    defence = np.zeros_like(garrison)
    defence[0] = [0, 0, 0, garrison[1, 3], garrison[1, 4]]
    defence[1] = [garrison[0, 0], garrison[0, 1], garrison[0, 2], 0, 0]
    return concentration.main_effort(garrison, control, fights, defence, value,
                                     np.array(may), distance, np.ones(5), np.ones(2),
                                     0.6, 1.0, threshold)


def test_the_main_effort_is_the_best_blow_all_forces_within_two_steps_could_strike():
    distance, _, control, garrison, fights, value = _world()
    # 0 could bring 0.6 x 3,100 to 3 (p = 1,860 / 2,860) and 0.6 x 100 to 4 (p 0.11):
    # 4 is worth more but out of its power, so 3 it is
    assert _effort(garrison, control, fights, value, distance)[0] == 3
    # no blow reaches the threshold: no main effort
    assert _effort(garrison, control, fights, value, distance, threshold=0.9)[0] == -1
    # a faction without an offensive posture makes none
    assert _effort(garrison, control, fights, value, distance, may=(False, True))[0] == -1
    # not at war: no main effort
    assert (_effort(garrison, control, np.zeros((2, 2), bool), value, distance) == -1).all()


def test_garrisons_two_steps_away_close_up_through_own_ground_only():
    distance, next_hop, control, garrison, _, _ = _world()
    out = concentration.close_up(garrison, control, np.array([3, -1]), distance, next_hop, 0.5)
    # territory 1 is two steps from 3: half its men step to 2; 0 (three steps) stays
    assert out[0].tolist() == [4000.0, 1500.0, 1600.0, 0, 0]
    assert (out[1] == garrison[1]).all()
    # a main effort whose approach runs through enemy ground moves no one
    enemy = np.array([0, 0, 1, 1, 1])
    assert (concentration.close_up(garrison, enemy, np.array([3, -1]), distance, next_hop, 0.5)
            == garrison).all()
    assert (concentration.close_up(garrison, control, np.array([3, -1]), distance, next_hop,
                                   0.0) == garrison).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.0, 5000.0), min_size=5, max_size=5), st.floats(0.0, 1.0),
       st.integers(0, 4))
def test_closing_up_conserves_fighters_and_moves_them_one_step_nearer(men, rate, target):
    distance, next_hop, control, garrison, _, _ = _world()
    garrison[0] = men
    out = concentration.close_up(garrison, control, np.array([target, -1]), distance,
                                 next_hop, rate)
    assert out.sum() == pytest.approx(garrison.sum())
    assert (out >= 0).all()
    # the force-weighted distance to the main effort never grows
    d = distance[:, target]
    assert out[0] @ d <= garrison[0] @ d + 1e-6


def test_in_the_model_zero_is_the_model_before_and_closing_up_changes_the_war(tmp_path):
    sc = load(write_tiny(tmp_path / "tiny"))
    base = AfsimModel(sc, seed=5, params=Params.make({"attack_threshold": 0.3})).run()
    zero = AfsimModel(sc, seed=5, params=Params.make({"mass_rate": 0.0, "attack_threshold": 0.3})).run()
    assert (base.state.garrison == zero.state.garrison).all()
    moved = AfsimModel(sc, seed=5, params=Params.make({"mass_rate": 1.0, "attack_threshold": 0.3})).run()
    assert (moved.state.garrison != base.state.garrison).any()
    assert (moved.state.garrison >= 0).all()
