"""Properties of each mechanism on small hand-made worlds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.data.vocabulary import ALLIED, HOSTILE, NEUTRAL
from sim.mechanisms import alliances, backers, combat, defection, economy, movement, offensives

strength = st.floats(0.0, 1e5, allow_nan=False)
positive = st.floats(1.0, 1e5, allow_nan=False)


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

    class Draw:
        def random(self):
            return 0.0 if won_draw else 1.0 - 1e-12

    return combat.fight(off, garrison, control, fights, allied, np.ones(n_f),
                        np.zeros(n_t) if militia is None else militia, np.ones(n_t), approach,
                        adjacency, 1.5, 0.1, Draw())


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


def test_offensives_only_against_enemies_and_above_the_threshold():
    n_t = 3
    adjacency = _line_world(n_t)
    reach = adjacency + np.eye(n_t)
    garrison = np.array([[5000.0, 0.0, 0.0], [0.0, 100.0, 100.0], [0.0, 0.0, 0.0]])
    control = np.array([0, 1, 2])
    relation = np.full((3, 3), HOSTILE)
    relation[0, 2] = relation[2, 0] = NEUTRAL
    np.fill_diagonal(relation, ALLIED)
    fights = relation == HOSTILE
    allied = np.zeros((3, 3), dtype=bool)
    per_fighter = np.ones(3)
    defence = offensives.defence_strength(garrison, control, fights, allied, per_fighter, np.zeros(n_t))
    chosen = offensives.choose(garrison, control, fights, defence, np.ones((3, n_t)),
                               np.array([True, True, True]), reach, reach, np.ones(n_t), per_fighter,
                               0.6, 1.5, 0.55, np.random.default_rng(0))
    targets = {(o.attacker, o.target) for o in chosen}
    assert (0, 1) in targets                     # 3000 against 100: certain
    assert all(fights[a, control[t]] for a, t in targets)
    assert (1, 0) not in targets                 # 60 against 5000: hopeless
    for o in chosen:                             # never commits more than it has
        assert all(x <= garrison[o.attacker, s] + 1e-9 for s, x in zip(o.sources, o.fighters, strict=True))


def test_defence_counts_the_holders_allies_only_when_at_war_with_the_attacker():
    garrison = np.array([[0.0], [100.0], [50.0]])
    control = np.array([1])
    per_fighter = np.ones(3)
    allied = np.zeros((3, 3), dtype=bool)
    allied[1, 2] = allied[2, 1] = True
    fights = np.ones((3, 3), dtype=bool)
    np.fill_diagonal(fights, False)
    assert offensives.defence_strength(garrison, control, fights, allied, per_fighter, np.zeros(1))[0, 0] == 150
    fights[0, 2] = fights[2, 0] = False        # the ally is neutral towards the attacker
    assert offensives.defence_strength(garrison, control, fights, allied, per_fighter, np.array([7.0]))[0, 0] == 107


@given(budget=st.lists(st.floats(0, 1e4), min_size=1, max_size=4),
       data=st.data())
def test_backer_support_never_exceeds_its_budget(budget, data):
    b = len(budget)
    pref = np.array(data.draw(st.lists(st.lists(st.floats(0, 5), min_size=3, max_size=3), min_size=b, max_size=b)))
    eligible = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=3, max_size=3), min_size=b, max_size=b)))
    given_ = backers.allocate(np.array(budget), pref, eligible)
    assert (given_ >= 0).all()
    assert (given_.sum(axis=1) <= np.array(budget) + 1e-6).all()
    assert (given_[~eligible] == 0).all()


def test_backer_shifts_towards_the_proxy_that_gains_ground():
    pref = np.array([[1.0, 1.0]])
    eligible = np.array([[True, True]])
    new = backers.update_preference(pref, eligible, np.array([0.0, 3.0]), learning=0.5)
    assert new[0, 1] > new[0, 0]
    assert new[0, 1] == pytest.approx(0.75)     # halfway from 0.5 to 1


@settings(max_examples=50)
@given(res=st.floats(-100, 1e4), fighters=st.floats(0, 1e5), upkeep=st.floats(0.001, 0.1),
       share=st.floats(0, 1))
def test_fighters_never_go_negative_in_the_economy(res, fighters, upkeep, share):
    garrison = np.array([[fighters, 0.0]])
    left, unpaid = economy.pay_upkeep(np.array([res]), garrison.sum(axis=1), upkeep)
    assert 0.0 <= unpaid[0] <= 1.0
    after = economy.desert(garrison, unpaid, share)
    assert (after >= 0).all() and after.sum() <= fighters + 1e-9
    g, r, recruits = economy.recruit(after, left, np.array([0, 0]), np.zeros((1, 2), bool),
                                     np.array([1e5, 1e5]), np.ones((1, 2)), np.ones((1, 2), bool),
                                     np.array([True]), 0.001, upkeep)
    assert (g >= after - 1e-9).all() and recruits[0] >= 0
    assert r[0] >= min(left[0], 0.0) - 1e-6       # never spends money it does not have


def test_income_weighs_ethnic_affinity_and_blockades():
    control = np.array([0, 0])
    population = np.array([100_000.0, 100_000.0])
    affinity = np.array([[1.0, 0.4]])
    open_to = np.array([[True, False]])
    got = economy.income(control, population, affinity, 0.1, open_to, np.zeros(1), np.array([5.0]))
    assert got[0] == pytest.approx(0.1 * 100 + 5.0)   # only the open territory pays


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


def test_defection_needs_money_and_a_stronger_enemy():
    garrison = np.array([[100.0], [0.0]])
    control = np.array([0])
    fights = np.array([[False, True], [True, False]])
    threat = np.array([[0.0], [1000.0]])
    defence = np.array([100.0])
    affinity = np.ones((2, 1))
    cohesion = np.array([0.0, 0.5])
    buyers = np.array([False, True])
    rng = np.random.default_rng(0)
    g, c, r, done = defection.defect(garrison, control, np.array([0.0, 1e6]), fights, threat, defence,
                                     affinity, cohesion, buyers, np.zeros(1), 1.0, 0.1, rng)
    # p = 1 * (1 - 0) * 1 * 10 / 11 = 0.909: with seed 0 the first draw (0.637) is below it
    assert c[0] == 1 and g[1, 0] == 100.0 and g[0, 0] == 0.0
    assert r[1] == pytest.approx(1e6 - 10.0) and len(done) == 1
    g, c, r, done = defection.defect(garrison, control, np.array([0.0, 5.0]), fights, threat, defence,
                                     affinity, cohesion, buyers, np.zeros(1), 1.0, 0.1,
                                     np.random.default_rng(0))
    assert c[0] == 0 and not done                   # cannot pay 10 with 5


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
