"""Choice of offensives: each faction attacks where the expected gain is highest.

A rational-choice account of campaign choice: a faction weighs the value of a territory
(its strategic weight, Kabul's above all, and the share of its people who would support
the faction) by its chance of taking it, estimated with the same contest success function
that decides battles (Hirshleifer 1989; the expected-utility theory of war, Bueno de
Mesquita 1981). It attacks a territory held by a faction it is at war with, from inside it
or from a neighbour, and only when that chance reaches ``attack_threshold``. Forces
committed to one offensive are not available for another in the same month.

Shapes: F factions, T territories. Pure functions: the random generator (the order in
which factions choose) is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms.combat import win_probability, win_probability_scalar


@dataclass(frozen=True)
class Offensive:
    """One faction's attack on one territory: the fighters it brings from each source."""

    attacker: int
    target: int
    sources: tuple[int, ...]
    fighters: tuple[float, ...]


def defence_strength(garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
                     allied: np.ndarray, per_fighter: np.ndarray,
                     militia: np.ndarray) -> np.ndarray:
    """[F, T] effective strength that would defend territory t against attacker f.

    Defenders are the holder's garrison and the garrisons of the holder's allies present
    in t, each only if at war with f (a neutral ally stands aside), plus the holder's
    local levies ``militia`` that turn out against f ([F, T], or [T] for every attacker alike;
    fighter-strength units; :mod:`sim.mechanisms.levies`).
    """
    n_f, n_t = garrison.shape
    held = control >= 0
    holder = np.where(held, control, 0)
    on_side = (np.arange(n_f)[:, None] == holder[None, :]) | allied[:, holder]
    on_side &= held[None, :]
    contribution = garrison * per_fighter[:, None] * on_side          # [G, T]
    defence = fights.astype(float) @ contribution                      # [F, T]
    holder_fights = fights[:, holder] & held[None, :]                  # [F, T]
    return defence + holder_fights * np.broadcast_to(militia, holder_fights.shape)


def attack_reach(available: np.ndarray, reach: np.ndarray, reach_weighted: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Fighters able to strike each territory and their approach advantage for the defender.

    Args:
        available: [F, T] fighters free to attack.
        reach: [T, T] 1 where s can strike t (s == t or adjacent), else 0.
        reach_weighted: [T, T] ``reach`` times the defender's multiplier of the approach.

    Returns:
        ([F, T] fighters in reach, [F, T] force-weighted approach multiplier >= 1).
    """
    in_reach = available @ reach
    weighted = available @ reach_weighted
    approach = np.divide(weighted, in_reach, out=np.ones_like(in_reach), where=in_reach > 0)
    return in_reach, approach


def choose(available: np.ndarray, control: np.ndarray, fights: np.ndarray, defence: np.ndarray,
           value: np.ndarray, may_attack: np.ndarray, reach: np.ndarray,
           reach_weighted: np.ndarray, ground: np.ndarray, per_fighter: np.ndarray,
           commit_share: float, exponent: float, threshold: float,
           rng: np.random.Generator) -> list[Offensive]:
    """The month's offensives, faction by faction in a random order.

    Each faction takes its candidates in decreasing expected value ``p * value`` and
    launches every one whose chance ``p`` (recomputed with the forces it still has
    free) reaches ``threshold``, committing ``commit_share`` of each source garrison.

    Args:
        available: [F, T] fighters free to attack (not modified).
        control: [T] holder index per territory.
        fights: [F, F] bool, at war this month (hostile and no truce).
        defence: [F, T] from :func:`defence_strength`.
        value: [F, T] worth of each territory to each faction.
        may_attack: [F] bool: in the war with an offensive posture.
        reach, reach_weighted: as in :func:`attack_reach`.
        ground: [T] defender's terrain multiplier.
        per_fighter: [F] strength per fighter.
    """
    free = available.copy()
    in_reach, approach = attack_reach(free, reach, reach_weighted)
    held = control >= 0
    holder = np.where(held, control, 0)
    # a contested territory (nobody holds it) is open to everyone
    target_ok = (fights[:, holder] | ~held[None, :]) & may_attack[:, None]
    attack = commit_share * in_reach * per_fighter[:, None]
    p = win_probability(attack, defence, ground[None, :] * approach, exponent)
    candidate = target_ok & (in_reach > 0) & (p >= threshold)
    chosen: list[Offensive] = []
    for f in rng.permutation(available.shape[0]):
        targets = np.nonzero(candidate[f])[0]
        if targets.size == 0:
            continue
        order = targets[np.argsort(-(p[f, targets] * value[f, targets]), kind="stable")]
        for t in order:
            sources = np.nonzero(reach[:, t] * free[f] > 0)[0]
            if sources.size == 0:
                continue
            sent = commit_share * free[f, sources]
            total = float(sent.sum())
            adv = float(ground[t] * (sent @ reach_weighted[sources, t]) / total)
            chance = win_probability_scalar(total * per_fighter[f], float(defence[f, t]), adv,
                                            exponent)
            if chance < threshold:
                continue
            free[f, sources] -= sent
            chosen.append(Offensive(int(f), int(t), tuple(int(s) for s in sources),
                                    tuple(float(x) for x in sent)))
    return chosen
