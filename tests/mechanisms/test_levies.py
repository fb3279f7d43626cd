"""Local levies turn out against attackers their people support less than the holder."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.levies import turnout

F, T = 3, 4
AFFINITY = arrays(float, (F, T), elements=st.floats(0.05, 1.0))
BASE = arrays(float, (F, T), elements=st.floats(0.0, 1e4))
CONTROL = arrays(np.int64, (T,), elements=st.integers(-1, F - 1))


def test_levies_stay_home_against_a_co_ethnic_attacker_and_fight_an_outsider():
    base = np.array([[100.0], [0.0], [0.0]])             # faction 0 holds the one territory
    affinity = np.array([[0.8], [0.8], [0.2]])           # 1 as popular as the holder, 2 less
    out = turnout(base, np.array([0]), affinity, partisanship=1.0)
    assert out[1, 0] == 0.0                              # the people's own: nobody turns out
    assert out[2, 0] == 100.0 * (1 - 0.2 / 0.8)          # an outsider: three quarters do
    half = turnout(base, np.array([0]), affinity, partisanship=0.5)
    assert half[1, 0] == 50.0


@given(BASE, CONTROL, AFFINITY)
def test_without_partisanship_every_attacker_meets_the_holders_levies(base, control, affinity):
    out = turnout(base, control, affinity, 0.0)
    expected = np.where(control >= 0, base[np.maximum(control, 0), np.arange(T)], 0.0)
    assert np.array_equal(out, np.broadcast_to(expected, (F, T)))


@given(BASE, CONTROL, AFFINITY, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_turnout_is_bounded_and_falls_with_partisanship(base, control, affinity, a, b):
    low, high = sorted((a, b))
    more, less = turnout(base, control, affinity, low), turnout(base, control, affinity, high)
    assert np.all(less <= more + 1e-9)
    assert np.all(less >= 0.0)
    own = np.where(control >= 0, base[np.maximum(control, 0), np.arange(T)], 0.0)
    assert np.all(more <= own[None, :] + 1e-9)
    assert np.all(more[:, control < 0] == 0.0)           # nobody holds it: no levies


def test_the_holders_kin_defend_it_in_a_province_whose_shares_favour_the_attacker():
    from sim.mechanisms.levies import kinship
    kin = kinship(np.array([0, 1, 0]), ethnic_affinity=0.6)   # factions 0 and 2 share a base
    assert kin[2, 0] == 1.0 and kin[1, 0] == pytest.approx(0.4) and kin[0, 0] == 1.0
    base = np.array([[100.0], [0.0], [0.0]])                  # faction 0 holds the territory
    affinity = np.array([[0.5], [0.9], [0.5]])                # its shares favour faction 1
    by_shares = turnout(base, np.array([0]), affinity, 1.0)
    assert by_shares[1, 0] == 0.0                             # territory-wide: nobody turns out
    by_kin = turnout(base, np.array([0]), affinity, 1.0, kin, kin_weight=1.0)
    assert by_kin[1, 0] == pytest.approx(60.0)                # the holder's kin: 1 - 0.4
    assert by_kin[2, 0] == 0.0                                # a co-ethnic rival: they stay home
    half = turnout(base, np.array([0]), affinity, 1.0, kin, kin_weight=0.5)
    assert half[1, 0] == pytest.approx(30.0)                  # the blend
    assert np.array_equal(turnout(base, np.array([0]), affinity, 1.0, kin, 0.0), by_shares)


@given(BASE, CONTROL, AFFINITY, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_kin_turnout_stays_within_the_holders_levies(base, control, affinity, p, k):
    from sim.mechanisms.levies import kinship
    kin = kinship(np.array([0, 1, 0]), 0.6)
    out = turnout(base, control, affinity, p, kin, k)
    own = np.where(control >= 0, base[np.maximum(control, 0), np.arange(T)], 0.0)
    assert np.all(out >= -1e-9) and np.all(out <= own[None, :] + 1e-9)
