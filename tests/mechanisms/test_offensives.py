"""Properties of each mechanism on small hand-made worlds."""
import numpy as np

from sim.data.vocabulary import ALLIED, HOSTILE, NEUTRAL
from sim.mechanisms import offensives


def _line_world(n=3):
    adjacency = np.zeros((n, n), dtype=bool)
    for i in range(n - 1):
        adjacency[i, i + 1] = adjacency[i + 1, i] = True
    return adjacency


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
