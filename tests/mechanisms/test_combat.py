"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.data.vocabulary import ALLIED, HOSTILE, NEUTRAL
from sim.mechanisms import combat, offensives

strength = st.floats(0.0, 1e5, allow_nan=False)


positive = st.floats(1.0, 1e5, allow_nan=False)


def _line_world(n=3):
    adjacency = np.zeros((n, n), dtype=bool)
    for i in range(n - 1):
        adjacency[i, i + 1] = adjacency[i + 1, i] = True
    return adjacency


def _fight(garrison, control, won_draw, relation=None, militia=None):
    n_f, n_t = garrison.shape
    relation = relation if relation is not None else np.full((n_f, n_f), HOSTILE)
    np.fill_diagonal(relation, ALLIED)
    fights = relation == HOSTILE
    allied = relation == ALLIED
    np.fill_diagonal(allied, False)
    adjacency = _line_world(n_t)
    approach = combat.link_multiplier(adjacency.astype(int), 2.0) + np.eye(n_t)
    off = offensives.Offensive(0, 1, (0,), (float(garrison[0, 0]) * 0.5,))

    return combat.fight(off, garrison, control, fights, allied, np.ones(n_f),
                        np.zeros(n_t) if militia is None else militia, np.ones(n_t), approach,
                        adjacency, 1.5, 0.1, 0.0 if won_draw else 1.0 - 1e-12)


@given(a=strength, extra=st.floats(0.0, 1e5), d=positive, adv=st.floats(1.0, 5.0),
       m=st.floats(0.5, 4.0))
def test_more_attackers_never_lower_the_chance(a, extra, d, adv, m):
    assert combat.win_probability(a + extra, d, adv, m) >= combat.win_probability(a, d, adv, m) - 1e-12


@given(a=positive, d=positive, m=st.floats(0.5, 4.0))
def test_mountains_favour_the_defender(a, d, m):
    ground = combat.terrain_multiplier(np.array([0, 1, 2]), mountain_defence=2.0, urban_defence=1.5)
    plain, hills, mountain = (float(combat.win_probability(a, d, g, m)) for g in ground)
    assert mountain <= hills <= plain
    if 1e-9 < plain < 1 - 1e-9:   # strictly, unless the chance is saturated in floating point
        assert mountain < plain


def test_contest_success_function_values():
    # equal strength, no advantage: a coin toss; defender doubled by terrain at m=1: 1/3
    assert combat.win_probability(100.0, 100.0, 1.0, 1.5) == pytest.approx(0.5)
    assert combat.win_probability(100.0, 100.0, 2.0, 1.0) == pytest.approx(1 / 3)
    assert combat.win_probability(10.0, 0.0, 2.0, 1.5) == 1.0
    assert combat.win_probability(0.0, 0.0, 1.0, 1.5) == 0.0
    assert combat.win_probability_scalar(100.0, 100.0, 2.0, 1.0) == pytest.approx(1 / 3)


def test_lanchester_losses_scale_with_the_other_side():
    att, dfn = combat.lanchester_losses(attack=1000.0, defence=500.0, advantage=2.0, attrition_rate=0.1)
    assert att == pytest.approx(100.0)   # 0.1 * 500 * 2
    assert dfn == pytest.approx(50.0)    # 0.1 * 1000 / 2


def test_a_won_battle_changes_control_and_moves_the_survivors_in():
    garrison = np.array([[1000.0, 0.0, 0.0], [0.0, 200.0, 0.0]])
    control = np.array([0, 1, 1])
    g, c, battle = _fight(garrison, control, won_draw=True)
    assert battle.won and c[1] == 0
    assert g[1, 1] == 0.0 and g[1, 2] > 0         # defender fell back to its neighbour
    assert g[0, 1] == pytest.approx(500.0 - battle.attacker_lost)
    assert (g >= 0).all()
    # fighters are only lost, never created
    assert g.sum() == pytest.approx(garrison.sum() - battle.attacker_lost - battle.defender_lost)


def test_a_lost_battle_keeps_control_and_sends_the_attackers_home():
    garrison = np.array([[1000.0, 0.0, 0.0], [0.0, 200.0, 0.0]])
    control = np.array([0, 1, 1])
    g, c, battle = _fight(garrison, control, won_draw=False)
    assert not battle.won and c[1] == 1
    assert g[0, 0] == pytest.approx(1000.0 - battle.attacker_lost)


def test_no_battle_with_a_faction_one_is_not_at_war_with():
    garrison = np.array([[1000.0, 0.0, 0.0], [0.0, 200.0, 0.0]])
    relation = np.array([[ALLIED, NEUTRAL], [NEUTRAL, ALLIED]])
    g, c, battle = _fight(garrison, np.array([0, 1, 1]), True, relation=relation)
    assert battle is None and (g == garrison).all()
