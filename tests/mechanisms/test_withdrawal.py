"""Encirclement and withdrawal on a hand-made line of territories."""

import numpy as np
import pytest

from sim.data.vocabulary import ALLIED, HOSTILE
from sim.mechanisms import combat, offensives, withdrawal


def _setup():
    # 0 - 1 - 2: faction 0 attacks territory 1 from 0; faction 1 holds 1 and 2
    adjacency = np.zeros((3, 3), dtype=bool)
    adjacency[0, 1] = adjacency[1, 0] = adjacency[1, 2] = adjacency[2, 1] = True
    relation = np.full((2, 2), HOSTILE)
    np.fill_diagonal(relation, ALLIED)
    fights = relation == HOSTILE
    allied = np.zeros((2, 2), dtype=bool)
    garrison = np.array([[3000.0, 0.0, 0.0], [0.0, 500.0, 100.0]])
    control = np.array([0, 1, 1])
    off = offensives.Offensive(0, 1, (0,), (2000.0,))
    return adjacency, fights, allied, garrison, control, off


def test_decision_needs_both_the_odds_and_the_encirclement():
    assert withdrawal.decides_to_withdraw(0.8, 0.6, 0.7, 0.5)
    assert not withdrawal.decides_to_withdraw(0.6, 0.9, 0.7, 0.5)     # may still win
    assert not withdrawal.decides_to_withdraw(0.9, 0.4, 0.7, 0.5)     # a line of retreat is open
    assert not withdrawal.decides_to_withdraw(0.99, 1.0, 1.0, 0.5)    # threshold 1: never


def test_an_encircled_garrison_that_withdraws_loses_nothing_and_one_that_stays_does():
    adjacency, fights, allied, garrison, control, off = _setup()
    g, c, left = withdrawal.withdraw(off, garrison, control, fights, allied, adjacency, 0.9)
    assert c[1] == 0 and left.defenders == 500.0 and left.attackers == 2000.0
    assert g[1].sum() == garrison[1].sum() and g[1, 2] == 600.0        # all went to 2
    assert g[0, 1] == 2000.0 and g[0].sum() == garrison[0].sum()      # nobody lost

    approach = np.ones((3, 3))
    g2, c2, battle = combat.fight(off, garrison, control, fights, allied, np.ones(2),
                                  np.zeros(3), np.ones(3), approach, adjacency, 1.5, 0.1, 0.0)
    assert c2[1] == 0 and battle.defender_lost > 0
    assert g2[1].sum() < g[1].sum()                                   # fighting cost fighters


def test_with_nowhere_to_go_the_garrison_must_fight():
    adjacency, fights, allied, garrison, control, off = _setup()
    control = np.array([0, 1, 0])                                     # 2 is the attacker's too
    g, c, left = withdrawal.withdraw(off, garrison, control, fights, allied, adjacency, 0.9)
    assert left is None and g is garrison and c is control


def test_hostile_share_by_hand():
    from sim.core.topology import hostile_share, neighbour_share
    adjacency, fights, _, _, control, _ = _setup()
    share = neighbour_share(control, adjacency.astype(float), 2)
    assert share.tolist() == [[0.0, 0.5, 0.0], [1.0, 0.5, 1.0]]
    assert hostile_share(control, fights, adjacency.astype(float)).tolist() == pytest.approx(
        [1.0, 0.5, 0.0])
    from sim.core.topology import hostile_share_of
    assert [hostile_share_of(t, control, fights, adjacency) for t in range(3)] == [1.0, 0.5, 0.0]
