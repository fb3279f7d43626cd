"""Battle resolution: who wins a contested territory and what it costs both sides.

The winner is drawn from a ratio-form contest success function (Tullock 1980;
Hirshleifer 1989): the attacker wins with probability ``A^m / (A^m + (tau * D)^m)``
where ``tau`` is the defender's advantage from ground and approach and ``m`` the
decisiveness of warfare. Losses follow Lanchester's aimed-fire (square) law (Lanchester
1916): each side loses in proportion to the other's effective strength. The loser is the
side whose cohesion breaks; its survivors fall back.

Pure functions of plain numbers and arrays; the caller passes the random generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def strength_per_fighter(heavy_weapons: np.ndarray, air_power: np.ndarray,
                         firepower_weight: float) -> np.ndarray:
    """[F] combat strength of one fighter: ``1 + weight * (heavy_weapons + air_power)``."""
    return 1.0 + firepower_weight * (heavy_weapons + air_power)


def terrain_multiplier(terrain_code: np.ndarray, mountain_defence: float,
                       urban_defence: float) -> np.ndarray:
    """[T] defender's multiplier for the ground of each territory.

    Mountains give ``mountain_defence``, hills its square root, cities ``urban_defence``,
    plains 1.
    """
    table = np.array([1.0, math.sqrt(mountain_defence), mountain_defence, urban_defence])
    return table[terrain_code]


def link_multiplier(link_kind: np.ndarray, mountain_defence: float) -> np.ndarray:
    """Defender's multiplier for an attack arriving over a link of each kind.

    Codes as in :data:`sim.data.vocabulary.LINK_CODES` (0: from inside the territory, 1 road,
    2 pass, 3 mountain): roads 1, passes the square root, mountains ``mountain_defence``.
    """
    table = np.array([1.0, 1.0, math.sqrt(mountain_defence), mountain_defence])
    return table[link_kind]


def win_probability(attack: float | np.ndarray, defence: float | np.ndarray,
                    advantage: float | np.ndarray, exponent: float) -> np.ndarray:
    """Attacker's chance of taking the territory (contest success function).

    ``attack`` and ``defence`` are effective strengths (>= 0), ``advantage`` the
    defender's multiplier (>= 1), ``exponent`` the decisiveness m > 0. An attack on an
    undefended territory succeeds for sure; no attacker, no chance.
    """
    a = np.power(np.asarray(attack, dtype=float), exponent)
    d = np.power(np.asarray(advantage, dtype=float) * np.asarray(defence, dtype=float), exponent)
    total = a + d
    return np.divide(a, total, out=np.zeros_like(total), where=total > 0)


def win_probability_scalar(attack: float, defence: float, advantage: float,
                           exponent: float) -> float:
    """:func:`win_probability` for plain floats (the hot path of choosing offensives)."""
    a = attack ** exponent
    d = (advantage * defence) ** exponent
    return a / (a + d) if a + d > 0 else 0.0


def lanchester_losses(attack: float, defence: float, advantage: float,
                      attrition_rate: float) -> tuple[float, float]:
    """Strength lost by (attacker, defender) in one month's battle (aimed fire).

    Each side loses ``rate`` times the other's effective strength; the defender's
    advantage multiplies its fire and divides the attacker's. In strength units: divide
    by strength per fighter for fighters, and cap at what each side has.
    """
    return attrition_rate * defence * advantage, attrition_rate * attack / advantage


@dataclass(frozen=True)
class Battle:
    """What happened when one offensive was fought."""

    target: int
    attacker: int
    holder: int
    chance: float
    attackers: float
    defenders: float
    attacker_lost: float
    defender_lost: float
    won: bool


def fall_back(faction: int, territory: int, control: np.ndarray, allied: np.ndarray,
              adjacency: np.ndarray, garrison: np.ndarray) -> int:
    """Neighbour of ``territory`` a beaten garrison retreats to, or -1 (it disperses).

    A territory held by the faction or an ally; the one where it is strongest, ties to
    the lowest index.
    """
    holders = control[adjacency[territory]]
    nbrs = np.nonzero(adjacency[territory])[0]
    friendly = (holders == faction) | ((holders >= 0) & allied[faction, np.maximum(holders, 0)])
    if not friendly.any():
        return -1
    options = nbrs[friendly]
    return int(options[np.argmax(garrison[faction, options])])


def fight(offensive, garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
          allied: np.ndarray, per_fighter: np.ndarray, militia: np.ndarray,
          ground: np.ndarray, approach: np.ndarray, adjacency: np.ndarray,
          exponent: float, attrition_rate: float, rng: np.random.Generator
          ) -> tuple[np.ndarray, np.ndarray, Battle | None]:
    """Fight one offensive against the territory's current holder.

    Returns new (garrison [F, T], control [T]) and the :class:`Battle`, or the inputs
    unchanged and ``None`` when the target's holder is no longer at war with the attacker
    (an earlier battle this month changed hands) or the attacking forces are gone.

    ``approach``: [T, T] defender's multiplier for an attack from s on t (1 from inside).
    The winner is drawn with :func:`win_probability`; the attacker occupies a territory
    it takes, the defenders' survivors fall back (:func:`fall_back`); a beaten
    attacker's survivors stay where they came from.
    """
    f, t = offensive.attacker, offensive.target
    holder = int(control[t])
    if holder >= 0 and not fights[f, holder]:
        return garrison, control, None
    sources = np.array(offensive.sources, dtype=int)
    sent = np.minimum(np.array(offensive.fighters), garrison[f, sources])
    if sent.sum() <= 0:
        return garrison, control, None
    n_f = garrison.shape[0]
    if holder >= 0:
        on_side = (np.arange(n_f) == holder) | allied[:, holder]
        levies = militia[t] if fights[holder, f] else 0.0
    else:  # contested: whoever is there and at war with the attacker resists; no levies
        on_side = np.ones(n_f, dtype=bool)
        levies = 0.0
    defending = on_side & fights[:, f] & (garrison[:, t] > 0)
    def_strength = garrison[:, t] * per_fighter * defending               # [F]
    defence = def_strength.sum() + levies
    attack = sent.sum() * per_fighter[f]
    advantage = ground[t] * (sent @ approach[sources, t]) / sent.sum()
    chance = win_probability_scalar(attack, defence, advantage, exponent)
    won = bool(rng.random() < chance)
    lost_a, lost_d = lanchester_losses(attack, defence, advantage, attrition_rate)
    garrison = garrison.copy()
    control = control.copy()
    att_lost = min(lost_a / per_fighter[f], sent.sum())
    garrison[f, sources] -= sent * (att_lost / sent.sum())
    survivors = sent * (1.0 - att_lost / sent.sum())
    def_fighters = garrison[:, t] * defending
    share = np.divide(def_strength, defence, out=np.zeros_like(def_strength), where=defence > 0)
    def_lost = np.minimum(lost_d * share / per_fighter, def_fighters)
    garrison[:, t] -= def_lost
    if won:
        control[t] = f
        moving = sources != t
        garrison[f, sources[moving]] -= survivors[moving]
        garrison[f, t] += survivors[moving].sum()
        for g in np.nonzero(defending)[0]:
            left = garrison[g, t]
            garrison[g, t] = 0.0
            to = fall_back(int(g), t, control, allied, adjacency, garrison)
            if to >= 0:
                garrison[g, to] += left
    np.maximum(garrison, 0.0, out=garrison)
    battle = Battle(int(t), int(f), holder, chance, float(sent.sum()), float(def_fighters.sum()),
                    float(att_lost), float(def_lost.sum()), won)
    return garrison, control, battle
