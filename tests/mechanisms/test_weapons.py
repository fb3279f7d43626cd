"""Captured weapons: conserved in every transfer; recruits come armed at the rating."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms import weapons


@given(a=st.lists(st.floats(0, 1), min_size=2, max_size=2),
       f=st.lists(st.floats(1, 1e5), min_size=2, max_size=2),
       carried=st.floats(0, 1e5), share=st.floats(0, 1))
def test_captured_weapons_are_conserved(a, f, carried, share):
    armament, fighters = np.array(a), np.array(f)
    out, moved = weapons.capture(armament, fighters, 0, 1, carried, share)
    assert (out * fighters).sum() == pytest.approx((armament * fighters).sum())
    assert moved >= 0 and out[0] >= -1e-12 and out[1] >= armament[1] - 1e-12
    assert moved <= armament[0] * fighters[0] + 1e-9


def test_capture_by_hand():
    # loser: 0.5 per fighter x 1000 fighters; a beaten garrison of 200 carried 100 units;
    # the victor (2000 fighters at 0.2) takes 30% of them: 30 units
    out, moved = weapons.capture(np.array([0.5, 0.2]), np.array([1000.0, 2000.0]), 0, 1, 200.0, 0.3)
    assert moved == pytest.approx(30.0)
    assert out.tolist() == pytest.approx([470 / 1000, 430 / 2000])


def test_strength_and_recruits():
    s = weapons.strength_per_fighter(np.array([0.5, 2.0]), np.array([0.0, 0.5]), 0.5)
    assert s.tolist() == pytest.approx([1.25, 1.75])                  # armament capped at 1
    mixed = weapons.arm_recruits(np.array([1.0, 0.3]), np.array([100.0, 0.0]),
                                 np.array([100.0, 50.0]), np.array([0.0, 0.6]))
    assert mixed.tolist() == pytest.approx([0.5, 0.6])
