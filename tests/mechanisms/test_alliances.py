"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest
from hypothesis import strategies as st

from sim.data.vocabulary import ALLIED, HOSTILE, NEUTRAL
from sim.mechanisms import alliances

strength = st.floats(0.0, 1e5, allow_nan=False)


def test_alliances_balance_against_the_strongest_and_remember_betrayals():
    ethnic = np.array([0, 1, 2])
    sect = np.array(["sunni", "sunni", "sunni"])
    static = alliances.affinity(ethnic, sect, np.zeros((3, 3), bool))
    strength = np.array([10.0, 1.0, 1.0])
    relation = np.full((3, 3), NEUTRAL)
    np.fill_diagonal(relation, ALLIED)
    active = np.ones(3, bool)
    new, betrayals, commitment = alliances.endogenous_step(
        relation, static, strength, active, np.zeros((3, 3)), np.zeros((3, 3)),
        balance_weight=2.0, betrayal_weight=0.5, inertia=0.1, halflife=12.0)
    assert new[1, 2] == ALLIED                       # the weak ally against the strong
    assert new[0, 1] == HOSTILE and new[0, 2] == HOSTILE
    assert (new == new.T).all()
    # an alliance that turns to war is remembered, and the memory fades
    old = np.full((3, 3), ALLIED)
    _, b, _ = alliances.endogenous_step(old, static, strength, active, np.zeros((3, 3)),
                                        np.zeros((3, 3)), 2.0, 0.5, 0.1, 12.0)
    assert b[0, 1] == 1.0 and b[1, 2] == 0.0
    faded, _ = alliances.remember(new, new, b, np.zeros((3, 3)), halflife=12.0)
    assert faded[0, 1] == pytest.approx(0.5 ** (1 / 12))


def test_recorded_alliances_replay_symmetrically():
    relation = np.full((3, 3), HOSTILE)
    out = alliances.apply_recorded(relation, [(0, 2, ALLIED), (2, 1, NEUTRAL)])
    assert out[2, 0] == ALLIED and out[1, 2] == NEUTRAL and relation[0, 2] == HOSTILE
