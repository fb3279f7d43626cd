"""Income, upkeep, desertion and recruitment of factions.

A faction lives on the population it holds and on its backers. The resource-based
account follows the "greed and grievance" tradition of civil-war economics (Collier &
Hoeffler 2004): rebellion scales with what can be extracted and whom it can enlist; here
extraction and enlistment both weigh ethnic affinity (the share of a territory's
population of the faction's ethnic base), as in Cederman, Gleditsch & Buhaug (2013).
Fighters who cannot be paid desert.

A faction may keep a purse for buying commanders apart from its army's pay
(:func:`set_aside`, :func:`pay_from_purse`): without one, every month's money goes into
recruits until the army eats the whole income, and a commander's price is never in hand.

All functions are pure: arrays in, new arrays out. Shapes: F factions, T territories.
"""

from __future__ import annotations

import numpy as np

RECRUIT_COST_MONTHS = 3.0  # a recruit costs three months of upkeep (arms, training)


def held_mask(control: np.ndarray, n_factions: int) -> np.ndarray:
    """[F, T] True where faction f controls territory t (contested counts for no one)."""
    return control[None, :] == np.arange(n_factions)[:, None]


def income(
    control: np.ndarray,
    population: np.ndarray,
    affinity: np.ndarray,
    tax_per_capita: float,
    open_to: np.ndarray,
    state_revenue: np.ndarray,
    support: np.ndarray,
) -> np.ndarray:
    """[F] resources gained this month (k$).

    Args:
        control: [T] controller index per territory (-1 contested).
        population: [T] persons.
        affinity: [F, T] share of the population that pays the faction.
        tax_per_capita: k$ per 1000 persons per month.
        open_to: [F, T] False where a blockade cuts the faction off from a territory.
        state_revenue: [F] k$ per month for the head of state.
        support: [F] k$ per month from backers.
    """
    held = held_mask(control, affinity.shape[0]) & open_to
    taxed = (held * affinity) @ population / 1000.0
    return tax_per_capita * taxed + state_revenue + support


def pay_upkeep(
    resources: np.ndarray, fighters: np.ndarray, upkeep_per_fighter: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pay the month's upkeep; return (resources left, unpaid share of fighters in 0..1)."""
    cost = upkeep_per_fighter * fighters
    paid = np.minimum(np.maximum(resources, 0.0), cost)
    unpaid = np.where(cost > 0, 1.0 - paid / np.where(cost > 0, cost, 1.0), 0.0)
    return resources - paid, unpaid


def desert(garrisons: np.ndarray, unpaid_share: np.ndarray, desertion_share: float) -> np.ndarray:
    """[F, T] garrisons after a share of the unpaid fighters leave."""
    keep = 1.0 - desertion_share * np.clip(unpaid_share, 0.0, 1.0)
    return garrisons * keep[:, None]


def recruit(
    garrisons: np.ndarray,
    resources: np.ndarray,
    control: np.ndarray,
    home: np.ndarray,
    population: np.ndarray,
    affinity: np.ndarray,
    open_to: np.ndarray,
    active: np.ndarray,
    recruit_rate: float,
    upkeep_per_fighter: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Enlist fighters where a faction holds ground or has its home, as far as it can pay.

    Returns:
        (garrisons, resources, recruits per faction [F]). Recruits join the garrison of
        the territory they come from, in proportion to its willing population.
    """
    n_f = garrisons.shape[0]
    base = (held_mask(control, n_f) | home) & open_to & active[:, None]
    pool = base * affinity * population[None, :] * recruit_rate          # [F, T]
    potential = pool.sum(axis=1)
    price = RECRUIT_COST_MONTHS * upkeep_per_fighter
    affordable = np.maximum(resources, 0.0) / price
    recruits = np.minimum(potential, affordable)
    share = np.divide(pool, potential[:, None], out=np.zeros_like(pool),
                      where=potential[:, None] > 0)
    return garrisons + share * recruits[:, None], resources - recruits * price, recruits


def set_aside(income: np.ndarray, support: np.ndarray, share: float,
              earmark: float) -> tuple[np.ndarray, np.ndarray]:
    """Split the month's income [F] into (the army's account, the purse for buying
    commanders): ``share`` of all of it, in 0..1, and ``earmark`` of the part of it that
    came from backers (``support`` [F]), in 0..1, go to the purse."""
    kept = income * share + support * earmark * (1.0 - share)
    return income - kept, kept


def pay_from_purse(purse: np.ndarray, funds: np.ndarray,
                   left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of ``funds`` [F] (the purse and the army's account together), ``left`` is what the
    month's purchases did not spend; they are paid from the purse first. Return (purse, the
    army's account). Splitting what is left, not subtracting what was spent, keeps an empty
    purse exact: the army's account is then ``left`` to the bit."""
    purse = purse - np.minimum(purse, funds - left)
    return purse, left - purse
