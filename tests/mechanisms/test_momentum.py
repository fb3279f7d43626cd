"""Momentum: net ground taken lately makes a faction's offers to commanders likelier and
cheaper; standing fronts and losses give none."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms import momentum

F, T = 3, 6
CONTROL = arrays(np.int64, (T,), elements=st.integers(-1, F - 1))


def test_net_taken_counts_gains_minus_losses_of_every_kind():
    before = np.array([0, 0, 1, -1, 2, 2])
    after = np.array([1, 0, 1, 1, -1, 0])     # 1 takes from 0 and no one; 2 loses two
    assert momentum.net_taken(before, after, 3).tolist() == [0.0, 2.0, -2.0]


@given(CONTROL, CONTROL)
def test_net_taken_sums_to_the_change_in_held_territories(before, after):
    held = lambda c: np.bincount(c[c >= 0], minlength=F)   # noqa: E731
    assert np.array_equal(momentum.net_taken(before, after, F), held(after) - held(before))


def test_momentum_averages_recent_gains_and_halves_with_the_halflife():
    m = momentum.update(np.zeros(1), np.array([4.0]), halflife=1.0)
    assert m[0] == pytest.approx(2.0)                       # half of this month's 4
    m = momentum.update(m, np.zeros(1), halflife=1.0)
    assert m[0] == pytest.approx(1.0)                       # a quiet month halves it
    steady = np.zeros(1)
    for _ in range(200):
        steady = momentum.update(steady, np.array([3.0]), halflife=3.0)
    assert steady[0] == pytest.approx(3.0)                  # a steady pace is the pace


@given(st.floats(0.0, 5.0), arrays(float, (F,), elements=st.floats(-50.0, 50.0)))
def test_bandwagon_factor_is_one_without_weight_or_gains_and_never_below_one(weight, m):
    factor = momentum.bandwagon(m, weight)
    assert np.all(factor >= 1.0)
    assert np.all(factor[m <= 0] == 1.0)
    assert np.all(momentum.bandwagon(m, 0.0) == 1.0)


def test_the_core_force_is_each_holders_largest_garrison_and_is_not_swayed():
    garrison = np.array([[5.0, 50.0, 0.0, 0.0],      # faction 0's core: territory 1
                         [0.0, 0.0, 30.0, 40.0]])    # faction 1's core: territory 3
    control = np.array([0, 0, 1, -1])                # 3 held by no one: nobody's core
    core = momentum.core_garrisons(garrison, control)
    assert core.tolist() == [False, True, False, False]
    factor = momentum.offer_factor(np.array([2.0, 0.0]), 1.0, core)
    assert factor[:, 1].tolist() == [1.0, 1.0]               # the core force: no momentum
    assert factor[0, [0, 2, 3]].tolist() == [3.0, 3.0, 3.0]   # local commanders: 1 + 1 * 2


@given(arrays(float, (F, T), elements=st.floats(0.0, 1e4)), CONTROL)
def test_a_faction_has_at_most_one_core_force_and_only_where_it_holds(garrison, control):
    core = momentum.core_garrisons(garrison, control)
    assert np.all(control[core] >= 0)
    assert np.bincount(control[core], minlength=F).max(initial=0) <= 1
