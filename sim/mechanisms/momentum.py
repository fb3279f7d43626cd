"""Momentum: commanders go over to a faction that is seen to be winning.

Local commanders bandwagon with the side they expect to win, and what they see of that is
who has been taking ground lately, not who holds most (Walt 1987 on bandwagoning; Kalyvas
2006: collaboration follows the expected course of control; Christia 2012: Afghan groups
switched to the side gaining relative power). The source: the Taliban, "promising to 'rid
Afghanistan of warlords and criminals'", took Kandahar "and soon went on to capture most of
the south"; in September 1996 Jalalabad, Laghman, Kunar and Sarobi fell within two weeks.
A faction's momentum is its net number of territories taken per month, averaged
exponentially over the last months (half-life ``halflife``); it makes the faction's offers
to the commanders in its reach ``1 + weight * max(momentum, 0)`` times likelier to be taken
and as many times cheaper (:mod:`sim.mechanisms.defection`) — local commanders only: a
faction's core force (its largest garrison, under the leader's own command) does not
recalculate who is winning; the source has Massoud's main force at Kabul repulse the Taliban
in March 1995 and withdraw intact in September 1996 (Giustozzi 2009 on commanders and the
core forces of Afghan factions). A faction whose fronts stand
still has none, whatever its size; losing ground never makes a faction's offers less
attractive than without the mechanism.

Shapes: F factions, T territories. Pure functions.
"""

from __future__ import annotations

import numpy as np


def net_taken(before: np.ndarray, after: np.ndarray, n_factions: int) -> np.ndarray:
    """[F] territories each faction took this month minus those it lost (any way: battle,
    withdrawal, defection). ``before``, ``after``: [T] holder index, -1 for no one."""
    changed = before != after
    won = after[changed]
    lost = before[changed]
    return (np.bincount(won[won >= 0], minlength=n_factions)
            - np.bincount(lost[lost >= 0], minlength=n_factions)).astype(float)


def update(momentum: np.ndarray, net: np.ndarray, halflife: float) -> np.ndarray:
    """[F] momentum after this month: an exponential average of ``net`` (territories per
    month) whose weight on a month halves every ``halflife`` months."""
    keep = 0.5 ** (1.0 / halflife)
    return keep * momentum + (1.0 - keep) * net


def bandwagon(momentum: np.ndarray, weight: float) -> np.ndarray:
    """[F] factor by which a faction's offers to commanders are likelier and cheaper (>= 1;
    exactly 1 at weight 0 or without recent net gains)."""
    return 1.0 + weight * np.maximum(momentum, 0.0)


def core_garrisons(garrison: np.ndarray, control: np.ndarray) -> np.ndarray:
    """[T] True where a territory's holder keeps its largest garrison: its core force, under
    the leader's own command, not a local commander weighing who is winning."""
    held = control >= 0
    holder = np.where(held, control, 0)
    largest = garrison.argmax(axis=1)                                   # [F]
    cols = np.arange(garrison.shape[1])
    return held & (largest[holder] == cols) & (garrison[holder, cols] > 0)


def offer_factor(momentum: np.ndarray, weight: float, core: np.ndarray) -> np.ndarray:
    """[F, T] :func:`bandwagon` of each buyer towards each territory's commander; 1 towards a
    holder's core force (``core``: [T] bool)."""
    factor = bandwagon(momentum, weight)
    return np.where(core[None, :], 1.0, factor[:, None])
