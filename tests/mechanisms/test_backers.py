"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms import backers


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


def test_volunteers_go_to_the_proxys_main_front_or_else_to_its_border():
    # the proxy (faction 0) holds territories 0 (on the backer's border, 50 fighters),
    # 1 (rear, 500) and 2 and 3 (fronts, 80 and 120); faction 1 holds 4
    garrisons = np.array([[50.0, 500.0, 80.0, 120.0, 0.0], [0.0, 0.0, 0.0, 0.0, 300.0]])
    control = np.array([0, 0, 0, 0, 1])
    border = np.array([True, False, False, False, False])
    front = np.array([[False, False, True, True, True], [False, False, True, True, True]])
    assert backers.volunteer_destinations(garrisons, control, border)[0] == 0
    assert backers.volunteer_destinations(garrisons, control, border, front)[0] == 3
    assert backers.volunteer_destinations(garrisons, control, border, ~front)[0] == 0
    no_front = np.zeros_like(front)
    assert backers.volunteer_destinations(garrisons, control, border, no_front)[0] == 0
    nowhere = np.vstack([garrisons, np.zeros(5)])              # a faction with no forces
    assert backers.volunteer_destinations(nowhere, control, border, np.vstack([front, front[:1]]))[2] == -1


def test_volunteers_going_home_leave_the_garrisons_in_proportion():
    garrisons = np.array([[300.0, 100.0, 0.0], [50.0, 0.0, 50.0]])
    serving = np.array([200.0, 0.0])
    out, left = backers.volunteers_go_home(garrisons, serving, garrisons.sum(axis=1), 0.25)
    assert left[0] == pytest.approx(150.0)                       # a quarter of 200 went home
    assert garrisons.sum() - out.sum() == pytest.approx(50.0)    # exactly those left the army
    assert out[0, 0] / out[0, 1] == pytest.approx(3.0)           # from every garrison alike
    assert (out[1] == garrisons[1]).all()                        # no volunteers, nobody leaves


def test_volunteers_share_the_armys_losses_but_not_its_recruits():
    serving = np.array([400.0])
    lost_half = np.array([[500.0]])                              # the army was 1000 when counted
    _, left = backers.volunteers_go_home(lost_half, serving, np.array([1000.0]), 0.0)
    assert left[0] == pytest.approx(200.0)
    grown = np.array([[3000.0]])                                 # recruits are not volunteers
    _, left = backers.volunteers_go_home(grown, serving, np.array([1000.0]), 0.0)
    assert left[0] == pytest.approx(400.0)


@given(rate=st.floats(0, 1), months=st.integers(1, 24),
       garrison=st.floats(1, 1e5), share=st.floats(0, 1))
def test_serving_volunteers_decay_geometrically_and_never_exceed_the_army(rate, months, garrison,
                                                                          share):
    g = np.array([[garrison]])
    serving = np.array([share * garrison])
    start = serving[0]
    for _ in range(months):
        counted = g.sum(axis=1)
        g, serving = backers.volunteers_go_home(g, serving, counted, rate)
        assert 0 <= serving[0] <= g.sum() + 1e-6
    assert serving[0] == pytest.approx(start * (1 - rate) ** months, rel=1e-9, abs=1e-9)
    assert g.sum() == pytest.approx(garrison - start * (1 - (1 - rate) ** months), rel=1e-9)
