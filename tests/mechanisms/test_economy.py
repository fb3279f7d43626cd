"""Properties of each mechanism on small hand-made worlds."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.mechanisms import economy


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


@settings(max_examples=50)
@given(income=st.floats(0, 1e4), share=st.floats(0, 1))
def test_the_purse_is_a_share_of_income_and_nothing_is_lost(income, share):
    army, purse = economy.set_aside(np.array([income]), np.zeros(1), share, 0.0)
    assert np.isclose(army[0] + purse[0], income)
    assert np.isclose(purse[0], share * income) and army[0] >= -1e-9


@settings(max_examples=50)
@given(taxes=st.floats(0, 1e4), support=st.floats(0, 1e4), share=st.floats(0, 1),
       earmark=st.floats(0, 1))
def test_an_earmark_keeps_a_share_of_backers_money_and_nothing_is_lost(taxes, support, share,
                                                                      earmark):
    income = np.array([taxes + support])
    army, purse = economy.set_aside(income, np.array([support]), share, earmark)
    assert np.isclose(army[0] + purse[0], income[0])
    assert np.isclose(purse[0], share * income[0] + earmark * (1 - share) * support)
    assert army[0] >= -1e-6 * max(1.0, income[0])


def test_without_backers_an_earmark_keeps_nothing():
    army, purse = economy.set_aside(np.array([100.0, 50.0]), np.array([0.0, 20.0]), 0.0, 0.5)
    assert purse.tolist() == [0.0, 10.0] and army.tolist() == [100.0, 40.0]


@settings(max_examples=50)
@given(purse=st.floats(0, 1e3), resources=st.floats(0, 1e3), spent=st.floats(0, 1))
def test_purchases_are_paid_from_the_purse_first(purse, resources, spent):
    spent = spent * (purse + resources)            # never more than the buyer has
    funds = purse + resources
    p, r = economy.pay_from_purse(np.array([purse]), np.array([funds]),
                                  np.array([funds - spent]))
    assert p[0] >= 0 and r[0] >= -1e-9
    assert np.isclose(p[0] + r[0], purse + resources - spent)
    # the army's money only once the purse is empty
    assert np.isclose(r[0], resources) or p[0] == 0


def test_an_empty_purse_leaves_the_army_what_purchases_left_to_the_bit():
    left = np.array([0.1 + 0.2, 7.3])
    p, r = economy.pay_from_purse(np.zeros(2), left + 1.0, left)
    assert p.tolist() == [0.0, 0.0] and r.tolist() == left.tolist()


def test_a_purse_buys_what_the_army_account_alone_cannot():
    p, r = economy.pay_from_purse(np.array([30.0, 0.0]), np.array([35.0, 10.0]),
                                  np.array([15.0, 6.0]))
    assert p.tolist() == [10.0, 0.0] and r.tolist() == [5.0, 6.0]
