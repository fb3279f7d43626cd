"""Foreign backers: sharing a budget among proxies and shifting it to the effective one.

Principal-agent view of state sponsorship (Salehyan 2010; Byman 2005): a backer funds
the proxies it may back in a month, in proportion to its preference for each, and moves
its preference towards the proxy whose holdings grew (a linear-operator learning rule,
Bush & Mosteller 1955). Pakistan's turn from Hekmatyar to the Taliban is what this rule
can produce; it is not scripted.

Shapes: B backers, F factions. Pure functions.
"""

from __future__ import annotations

import numpy as np


def allocate(budget: np.ndarray, preference: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """[B, F] support this month; each row sums to the budget, or 0 with no eligible proxy.

    Args:
        budget: [B] k$ per month.
        preference: [B, F] non-negative weights.
        eligible: [B, F] bool: inside a proxy window and the faction is in the war.
    """
    weights = np.where(eligible, np.maximum(preference, 0.0), 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    # equal shares where every eligible weight is zero
    fallback = eligible / np.maximum(eligible.sum(axis=1, keepdims=True), 1)
    shares = np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), fallback)
    return shares * budget[:, None]


def update_preference(
    preference: np.ndarray, eligible: np.ndarray, gains: np.ndarray, learning: float
) -> np.ndarray:
    """Move each backer's preference towards the eligible proxies that gained ground.

    Args:
        preference: [B, F] current weights (each eligible row is renormalised to sum 1).
        eligible: [B, F] bool.
        gains: [F] non-negative measure of recent success (strategic value gained).
        learning: 0..1 share of the way moved towards the success shares each month.
    """
    pref = np.where(eligible, np.maximum(preference, 0.0), 0.0)
    total = pref.sum(axis=1, keepdims=True)
    pref = np.divide(pref, total, out=np.zeros_like(pref), where=total > 0)
    success = np.where(eligible, np.maximum(gains, 0.0)[None, :], 0.0)
    s_total = success.sum(axis=1, keepdims=True)
    target = np.divide(success, s_total, out=pref.copy(), where=s_total > 0)
    updated = (1.0 - learning) * pref + learning * target
    return np.where(eligible, updated, preference)


def volunteer_destinations(
    garrisons: np.ndarray, control: np.ndarray, borders_backer: np.ndarray,
    front: np.ndarray | None = None,
) -> np.ndarray:
    """[F] territory where a faction receives foreign volunteers, or -1 if it has no forces.

    With ``front`` ([F, T] bool: an enemy holds or has fighters in t or next to it), the
    territory at a front where the faction has its largest garrison: backers sent fighters to
    where their proxy fought ("the Inter-Services Intelligence helped Hekmatyar by sending
    hundreds of trucks loaded with weapons and fighters to the southern part of Kabul").
    Otherwise, or without a front, a territory it holds or has forces in that borders the
    backer's country (``borders_backer``: [T] bool), the one with its largest garrison; else
    its largest garrison anywhere.
    """
    n_f = garrisons.shape[0]
    present = (garrisons > 0) | (control[None, :] == np.arange(n_f)[:, None])
    score = np.where(present, garrisons + 1.0, -1.0)
    score = score + np.where(present & borders_backer[None, :], 1e9, 0.0)
    if front is not None:
        score = score + np.where(present & front, 2e9, 0.0)
    best = score.argmax(axis=1)
    return np.where(present.any(axis=1), best, -1)


def volunteers_go_home(garrisons: np.ndarray, serving: np.ndarray, counted_army: np.ndarray,
                       rate: float) -> tuple[np.ndarray, np.ndarray]:
    """(new [F, T] garrisons, [F] volunteers still serving) after this month's departures.

    Foreign volunteers serve a tour and go home: the source's "between 1994 and 1999, an
    estimated 80,000 to 100,000 Pakistanis trained and fought in Afghanistan on the side of the
    Taliban" counts everyone who served in five years, a flow, not a standing force; the
    "impoverished young students from Pakistani religious schools chartered as volunteer
    fighters" went back to their schools (Rashid 2000). A share ``rate`` of those serving
    leaves each month (a mean tour of 1 / rate months), taken from every garrison of the
    faction in proportion. Volunteers share the faction's losses: if its army (``counted_army``
    when ``serving`` was counted, [F]) has shrunk, those serving shrink in the same ratio
    (growth since then is recruits and defectors, not volunteers).
    """
    total = garrisons.sum(axis=1)
    kept = np.divide(total, counted_army, out=np.ones_like(total), where=counted_army > 0)
    serving = np.minimum(serving * np.minimum(kept, 1.0), total)
    leaving = rate * serving
    scale = np.divide(total - leaving, total, out=np.ones_like(total), where=total > 0)
    return garrisons * scale[:, None], serving - leaving
