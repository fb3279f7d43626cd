"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest

from sim.mechanisms import defection


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


def outmatched(n_t: int = 200) -> tuple:
    """``defect``'s arguments up to the bribe: faction 1 holds n_t territories with 100
    fighters each, faction 0 (rich, half as cohesive) has three times that in reach of each."""
    garrison = np.vstack([np.zeros(n_t), np.full(n_t, 100.0)])
    fights = np.array([[False, True], [True, False]])
    threat = np.vstack([np.full(n_t, 300.0), np.zeros(n_t)])
    return (garrison, np.ones(n_t, dtype=int), np.array([1e6, 1e6]), fights, threat,
            np.full(n_t, 100.0), np.ones((2, n_t)), np.array([0.5, 0.5]),
            np.array([True, True]), np.zeros(n_t), 0.3, 0.05)


def test_a_cascade_makes_defection_likelier_and_cheaper_and_never_to_oneself():
    n_t = 200
    runs = {}
    for share in (0.0, 1.0):
        neighbours = np.vstack([np.full(n_t, share), np.zeros(n_t)])
        g, c, r, done = defection.defect(*outmatched(n_t), np.random.default_rng(4), neighbours,
                                         cascade=2.0)
        runs[share] = done
        assert all(d.old != d.new for d in done)
    assert len(runs[1.0]) > len(runs[0.0])                            # 3x likelier with s = 1
    assert runs[1.0][0].price == pytest.approx(0.05 * 100 / 3)        # 3x cheaper


def test_a_faction_with_momentum_buys_more_commanders_more_cheaply():
    from sim.mechanisms import momentum
    n_t = 200
    done = {}
    for m in (0.0, 2.0):
        factor = momentum.offer_factor(np.array([m, 0.0]), 1.0, np.zeros(n_t, bool))  # 1 or 3
        *_, done[m] = defection.defect(*outmatched(n_t), np.random.default_rng(4),
                                       bandwagon=factor)
    assert len(done[2.0]) > 2 * len(done[0.0])                        # p three times as high
    assert done[2.0][0].price == pytest.approx(0.05 * 100 / 3)        # three times cheaper
    assert done[0.0][0].price == pytest.approx(0.05 * 100)


def test_loyalty_falls_with_the_unpaid_share_and_only_then():
    cohesion = np.array([0.8, 0.5, 0.0])
    unpaid = np.array([0.0, 0.5, 1.0])
    assert np.array_equal(defection.loyalty(cohesion, unpaid, 0.0), cohesion)   # pay ignored
    assert np.array_equal(defection.loyalty(cohesion, np.zeros(3), 1.0), cohesion)  # all paid
    assert defection.loyalty(cohesion, unpaid, 1.0) == pytest.approx([0.8, 0.25, 0.0])
    assert defection.loyalty(cohesion, np.array([2.0, -1.0, 0.5]), 0.5) == pytest.approx(
        [0.4, 0.5, 0.0])                                    # shares are clipped to 0..1
    more = defection.loyalty(cohesion, unpaid + 0.2, 0.7)
    assert np.all(more <= defection.loyalty(cohesion, unpaid, 0.7))  # more unpaid, less loyal


def test_an_unpaid_holder_loses_more_commanders_to_the_same_offers():
    args = list(outmatched())
    done = {}
    for unpaid in (0.0, 1.0):
        args[7] = defection.loyalty(np.array([0.5, 0.5]), np.array([0.0, unpaid]), 1.0)
        *_, done[unpaid] = defection.defect(*args, np.random.default_rng(4))
    # p = 0.3 * (1 - 0.5) * 0.75 = 0.11 paid, 0.3 * 1 * 0.75 = 0.225 unpaid
    assert len(done[1.0]) > 1.5 * len(done[0.0])
    assert all(d.new == 0 for d in done[1.0])
