"""Concentration of force: garrisons two steps from a faction's main effort close up.

An offensive (:mod:`sim.mechanisms.offensives`) draws only on garrisons in or next to its
target, and redeployment (:mod:`sim.mechanisms.movement`) moves only rear garrisons, so an
army in a territory whose every neighbour is a front never marches on to the next town
(docs/model-log.md entry 20: the Taliban's army sat in its base while the next city was
out of reach). The rule is the principle of concentration (Clausewitz, *On War*, book III
ch. 11, "the assembly of forces in space"; with a contest success function whose exponent
exceeds 1 numbers count more than proportionally, as in Lanchester's square law, Lanchester
1916) and the campaign of the source ("Jalalabad fell to the Taliban, who then marched on
Sarobi").

Each month a faction with an offensive posture picks its main effort: the hostile-held
territory ``t`` with the highest ``p * value`` where ``p`` is its chance of taking ``t``
with ``commit_share`` of all its fighters within two steps of ``t``, among those where that
chance reaches ``attack_threshold`` (concentration is for a blow that can succeed). A share
``rate`` of each of its garrisons exactly two steps from ``t`` moves one step towards it, into
a territory the faction holds (an army does not march through enemy ground). 0 moves nobody.

Shapes: F factions, T territories. Pure functions.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.combat import win_probability


def main_effort(garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
                defence: np.ndarray, value: np.ndarray, may_attack: np.ndarray,
                distance: np.ndarray, ground: np.ndarray, per_fighter: np.ndarray,
                commit_share: float, exponent: float, threshold: float) -> np.ndarray:
    """[F] each faction's main-effort territory, -1 for none.

    Args:
        garrison: [F, T] fighters.
        control: [T] holder index (-1: nobody's).
        fights: [F, F] bool, at war this month.
        defence: [F, T] from :func:`sim.mechanisms.offensives.defence_strength`.
        value: [F, T] worth of each territory to each faction.
        may_attack: [F] bool: in the war with an offensive posture.
        distance: [T, T] hop distances.
        ground: [T] defender's terrain multiplier.
        per_fighter: [F] strength per fighter.
    """
    held = control >= 0
    holder = np.where(held, control, 0)
    within = (distance <= 2).astype(float)
    massed = commit_share * (garrison @ within) * per_fighter[:, None]        # [F, T]
    p = win_probability(massed, defence, np.broadcast_to(ground, massed.shape), exponent)
    ok = fights[:, holder] & held[None, :] & may_attack[:, None] & (massed > 0)
    ok &= p >= threshold
    score = np.where(ok, p * value, -np.inf)
    best = score.argmax(axis=1)                                      # ties: the lowest index
    return np.where(ok.any(axis=1), best, -1)


def close_up(garrison: np.ndarray, control: np.ndarray, effort: np.ndarray,
             distance: np.ndarray, next_hop: np.ndarray, rate: float) -> np.ndarray:
    """New [F, T] garrisons: ``rate`` of each garrison two steps from its faction's
    main effort moves one step towards it, if that step is the faction's own ground.

    Args:
        effort: [F] from :func:`main_effort` (-1: the faction stays).
        next_hop: [T, T] next_hop[s, t] is s's neighbour on a shortest path to t.
    """
    out = garrison.copy()
    if rate <= 0:
        return out
    for f in np.nonzero(effort >= 0)[0]:
        t = int(effort[f])
        sources = np.nonzero((distance[:, t] == 2) & (garrison[f] > 0))[0]
        steps = next_hop[sources, t]
        keep = control[steps] == f
        sources, steps = sources[keep], steps[keep]
        moved = rate * garrison[f, sources]
        out[f, sources] -= moved
        np.add.at(out[f], steps, moved)
    return out
