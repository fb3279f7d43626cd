"""Bombardment: fire that takes no ground, on a hand-made line of territories."""

import numpy as np
import pytest
from conftest import ScenarioEditor
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny import write_tiny

from sim.data import load
from sim.data.params import Params
from sim.mechanisms import bombardment
from sim.model import AfsimModel


def _line():
    # 0 - 1 - 2 - 3: faction 0 holds 0, faction 1 holds 1 and 2, faction 2 holds 3
    reach = np.eye(4) + np.eye(4, k=1) + np.eye(4, k=-1)
    fights = np.array([[False, True, False], [True, False, True], [False, True, False]])
    control = np.array([0, 1, 1, 2])
    garrison = np.array([[3000.0, 0, 0, 0], [0, 800.0, 200.0, 0], [0, 0, 0, 500.0]])
    value = np.array([[1.0, 2.0, 5.0, 9.0], [1.0, 1.0, 1.0, 3.0], [1.0, 1.0, 4.0, 1.0]])
    return reach, fights, control, garrison, value


def test_each_faction_shells_the_hostile_territory_in_reach_worth_most_to_it():
    reach, fights, control, garrison, value = _line()
    in_reach = garrison @ reach
    go = np.ones(3, dtype=bool)
    aims = bombardment.targets(in_reach, control, fights, value, go, np.zeros(3, dtype=bool))
    # 0 reaches only 1 (2 is worth more but out of reach); 1 shells 0 (value 1) or 3 (3): 3;
    # 2 is at war with 1 only and reaches 2
    assert aims.tolist() == [1, 3, 2]
    # a faction that launched an offensive, or may not attack, does not shell
    assert bombardment.targets(in_reach, control, fights, value, go,
                               np.array([True, False, False])).tolist() == [-1, 3, 2]
    assert bombardment.targets(in_reach, control, fights, value,
                               np.array([True, True, False]), np.zeros(3, bool)).tolist() == [1, 3, -1]
    # nobody's ground is not shelled (0 and 2 have only that in reach); 1 still shells 3
    nobody = np.array([0, -1, -1, 2])
    assert bombardment.targets(in_reach, nobody, fights, value, go,
                               np.zeros(3, dtype=bool)).tolist() == [-1, 3, -1]


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 1.0), st.floats(1.0, 5000.0), st.floats(0.0, 5000.0), st.floats(1.0, 4.0))
def test_shelling_takes_no_ground_creates_no_one_and_spares_third_parties(
        intensity, attackers, defenders, advantage):
    reach, fights, control, garrison, _ = _line()
    garrison[0, 0], garrison[1, 1] = attackers, defenders
    per_fighter = np.array([1.5, 1.2, 1.0])
    out, shelled = bombardment.bombard(garrison, control, reach, 0, 1, defenders * 1.2,
                                       advantage, per_fighter, 0.6, 0.08, intensity)
    assert (out >= 0).all()
    assert shelled.attacker_lost <= shelled.attackers + 1e-9 and shelled.attackers == \
        pytest.approx(0.6 * attackers)
    assert shelled.defender_lost <= defenders + 1e-9
    assert garrison.sum() - out.sum() == pytest.approx(shelled.attacker_lost + shelled.defender_lost)
    assert (out[2] == garrison[2]).all() and (out[1, 2] == garrison[1, 2])   # others untouched
    assert shelled.holder == 1 and shelled.target == 1


def test_losses_are_a_battles_aimed_fire_scaled_by_the_intensity():
    reach, fights, control, garrison, _ = _line()
    per_fighter = np.ones(3)
    none, zero = bombardment.bombard(garrison, control, reach, 0, 1, 800.0, 1.0, per_fighter,
                                     0.5, 0.1, 0.0)
    assert (none == garrison).all() and zero.attacker_lost == zero.defender_lost == 0.0
    _, half = bombardment.bombard(garrison, control, reach, 0, 1, 800.0, 1.0, per_fighter,
                                  0.5, 0.1, 0.5)
    # 1,500 committed vs 800: each loses rate x intensity x the other's strength
    assert half.defender_lost == pytest.approx(0.05 * 1500.0)
    assert half.attacker_lost == pytest.approx(0.05 * 800.0)
    _, full = bombardment.bombard(garrison, control, reach, 0, 1, 800.0, 1.0, per_fighter,
                                  0.5, 0.1, 1.0)
    assert full.defender_lost == pytest.approx(2 * half.defender_lost)


def test_in_the_model_bombardments_are_recorded_and_never_change_a_holder(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    # blue strong enough at CCC that red's offensives fail: red shells instead
    ScenarioEditor(folder).replace("factions.yaml", "fighters: 2000", "fighters: 20000")
    sc = load(folder)
    off = AfsimModel(sc, seed=3, params=Params.make({"attack_threshold": 0.9})).run()
    on = AfsimModel(sc, seed=3, params=Params.make({"attack_threshold": 0.9,
                                                    "bombard_intensity": 0.5})).run()
    assert off.history.bombardments == []
    assert on.history.bombardments
    for month, b in on.history.bombardments:
        i = on.history.months.index(month)
        assert on.history.control[i][b.target] == b.holder          # still the holder's
        assert b.attacker != b.holder
    # the fighting costs men: both armies end smaller than without it
    assert (on.history.fighters[-1] < off.history.fighters[-1]).all()
