"""Morale: strength per fighter scaled by the faction's cohesion."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import write_tiny

from sim.data import load
from sim.data.params import Params
from sim.mechanisms import combat, morale
from sim.model import AfsimModel


def test_zero_weight_is_the_strength_before_bit_for_bit():
    per = np.array([1.3, 1.7, 1.0])
    out = morale.fighting_strength(per, np.array([0.2, 0.9, 0.5]), 0.0)
    assert out is per


def test_full_weight_makes_a_faction_fight_at_its_cohesion():
    out = morale.fighting_strength(np.array([2.0, 2.0]), np.array([0.2, 0.9]), 1.0)
    assert out == pytest.approx([0.4, 1.8])


@settings(max_examples=60, deadline=None)
@given(c1=st.floats(0, 1), c2=st.floats(0, 1), weight=st.floats(0, 1))
def test_morale_is_bounded_and_a_more_cohesive_force_is_never_weaker(c1, c2, weight):
    m = morale.morale(np.array([c1, c2]), weight)
    assert (m >= 1 - weight - 1e-12).all() and (m <= 1 + 1e-12).all()
    if c1 >= c2:
        assert m[0] >= m[1] - 1e-12
    # the same fighters against the same defence: the more cohesive attacker's chance is higher
    per = morale.fighting_strength(np.array([1.5, 1.5]), np.array([c1, c2]), weight)
    p = combat.win_probability(1000 * per, 800.0, 1.5, 1.2)
    if c1 >= c2:
        assert p[0] >= p[1] - 1e-12


def test_a_divided_defender_loses_more_fighters_to_the_same_attack():
    # aimed fire in strength units; fighters lost = strength lost / strength per fighter
    attack = 1000.0
    cohesive, divided = morale.fighting_strength(np.array([1.0, 1.0]), np.array([0.9, 0.3]), 1.0)
    _, lost_c = combat.lanchester_losses(attack, 500 * cohesive, 1.0, 0.1)
    _, lost_d = combat.lanchester_losses(attack, 500 * divided, 1.0, 0.1)
    assert lost_d / divided > lost_c / cohesive


def test_in_the_model_zero_is_the_model_before_and_morale_changes_the_war(tmp_path):
    sc = load(write_tiny(tmp_path / "tiny"))
    base = AfsimModel(sc, seed=5, params=Params.make({"attack_threshold": 0.3})).run()
    zero = AfsimModel(sc, seed=5, params=Params.make({"cohesion_weight": 0.0,
                                                      "attack_threshold": 0.3})).run()
    assert (base.state.garrison == zero.state.garrison).all()
    moved = AfsimModel(sc, seed=5, params=Params.make({"cohesion_weight": 1.0,
                                                       "attack_threshold": 0.3})).run()
    assert (moved.state.garrison != base.state.garrison).any()
    assert (moved.state.garrison >= 0).all()
