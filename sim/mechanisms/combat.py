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

from sim.core.topology import fall_back


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


@dataclass(frozen=True)
class Assessment:
    """An offensive about to be fought: who defends, with what, and the attacker's chance."""

    sources: np.ndarray       # [S] territories the attackers come from
    sent: np.ndarray          # [S] fighters from each
    defending: np.ndarray     # [F] bool: garrisons that defend
    def_strength: np.ndarray  # [F] strength of each defending garrison
    defence: float            # total defence, levies included
    attack: float
    advantage: float          # defender's multiplier (ground x approach)
    chance: float             # the attacker's chance of taking the territory


def assess(offensive, garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
           allied: np.ndarray, per_fighter: np.ndarray, militia: np.ndarray,
           ground: np.ndarray, approach: np.ndarray, exponent: float) -> Assessment | None:
    """The battle ``offensive`` would be, against the territory's current holder; ``None``
    when the holder is no longer at war with the attacker (an earlier battle this month
    changed hands) or the attacking forces are gone.

    ``approach``: [T, T] defender's multiplier for an attack from s on t (1 from inside). A
    contested territory (nobody holds it) is defended by whoever is there and at war with the
    attacker, without levies.
    """
    f, t = offensive.attacker, offensive.target
    holder = int(control[t])
    if holder >= 0 and not fights[f, holder]:
        return None
    sources = np.array(offensive.sources, dtype=int)
    sent = np.minimum(np.array(offensive.fighters), garrison[f, sources])
    if sent.sum() <= 0:
        return None
    n_f = garrison.shape[0]
    if holder >= 0:
        on_side = (np.arange(n_f) == holder) | allied[:, holder]
        # levies per attacker ([F, T]) or the same against all ([T])
        levies = float(np.broadcast_to(militia, garrison.shape)[f, t]) if fights[holder, f] else 0.0
    else:
        on_side = np.ones(n_f, dtype=bool)
        levies = 0.0
    defending = on_side & fights[:, f] & (garrison[:, t] > 0)
    def_strength = garrison[:, t] * per_fighter * defending               # [F]
    defence = float(def_strength.sum() + levies)
    attack = float(sent.sum() * per_fighter[f])
    advantage = float(ground[t] * (sent @ approach[sources, t]) / sent.sum())
    chance = win_probability_scalar(attack, defence, advantage, exponent)
    return Assessment(sources, sent, defending, def_strength, defence, attack, advantage, chance)


def fight(offensive, garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
          allied: np.ndarray, per_fighter: np.ndarray, militia: np.ndarray,
          ground: np.ndarray, approach: np.ndarray, adjacency: np.ndarray,
          exponent: float, attrition_rate: float, draw: float,
          assessment: Assessment | None = None
          ) -> tuple[np.ndarray, np.ndarray, Battle | None]:
    """Fight one offensive against the territory's current holder.

    Returns new (garrison [F, T], control [T]) and the :class:`Battle`, or the inputs
    unchanged and ``None`` when :func:`assess` finds no battle to fight. The winner is drawn
    with :func:`win_probability`; the attacker occupies a territory it takes, the defenders'
    survivors fall back (:func:`~sim.core.topology.fall_back`); a beaten attacker's survivors
    stay where they came from. ``draw``: a uniform in [0, 1) (the model draws one per faction
    and territory each month, used or not, so that a battle fought or not elsewhere does not
    shift later draws: common random numbers across variants). ``assessment``: the one already
    made for this offensive.
    """
    a = assessment or assess(offensive, garrison, control, fights, allied, per_fighter,
                             militia, ground, approach, exponent)
    if a is None:
        return garrison, control, None
    f, t = offensive.attacker, offensive.target
    holder = int(control[t])
    sources, sent, defending, def_strength = a.sources, a.sent, a.defending, a.def_strength
    won = bool(draw < a.chance)
    lost_a, lost_d = lanchester_losses(a.attack, a.defence, a.advantage, attrition_rate)
    garrison = garrison.copy()
    control = control.copy()
    att_lost = min(lost_a / per_fighter[f], sent.sum())
    garrison[f, sources] -= sent * (att_lost / sent.sum())
    survivors = sent * (1.0 - att_lost / sent.sum())
    def_fighters = garrison[:, t] * defending
    share = np.divide(def_strength, a.defence, out=np.zeros_like(def_strength),
                      where=a.defence > 0)
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
    battle = Battle(int(t), int(f), holder, a.chance, float(sent.sum()), float(def_fighters.sum()),
                    float(att_lost), float(def_lost.sum()), won)
    return garrison, control, battle
