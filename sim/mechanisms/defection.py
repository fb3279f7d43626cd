"""Bandwagoning defections: outmatched garrisons bought over by a stronger neighbour.

Local commanders in Afghanistan changed sides for money when a stronger force stood at
their door; much of the Taliban's advance in 1994-95 came this way (Rashid 2000;
Giustozzi 2009). Modelled as bandwagoning under threat (Walt 1987) with control following
local military balance (Kalyvas 2006, *The Logic of Violence in Civil War*), and as a cascade:
the more of a territory's neighbours have already gone over to the buyer, the likelier and
cheaper the next commander (threshold models of collective behaviour, Granovetter 1978;
cascades of switching sides, Kuran 1989). Each month a territory's holder may lose it to an
enemy neighbour with probability

    p = min(1, defection_rate * (1 - cohesion of holder) * affinity * r / (1 + r) * (1 + c s) * b),

where r is the enemy's strength in reach over the holder's defence, affinity the share of the
territory's people who would support the buyer, s the share of the territory's neighbours the
buyer holds, c the ``cascade`` weight and b the buyer's momentum factor
(:mod:`sim.mechanisms.momentum`, 1 without it); the buyer pays ``bribe / ((1 + c s) b)`` per fighter
bought (garrison and levies) and must have the money. Fighters who defect join the buyer.

A commander's loyalty is kept by pay (:func:`loyalty`): the cohesion of a holder that cannot
pay its fighters this month falls with the unpaid share, so a faction that loses its income
or its backer sees its commanders go over. Patronage held Afghan factions together and its end
broke them: Najibullah's militias in 1992 when Soviet money stopped (Rubin 2002; Giustozzi
2000); Hekmatyar's positions in 1995 once Pakistan "turned towards a new force: the Taliban"
(the source: he "was forced to abandon his artillery positions at Charasiab due to the advance
of the Taliban"); commanders' allegiance as bought patronage (Giustozzi 2009).

Shapes: F factions, T territories. Pure function; the generator is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Defection:
    territory: int
    old: int
    new: int
    fighters: float      # garrison and levies bought
    price: float
    garrison: float = 0.0  # of which the holder's garrison (they bring their weapons)


def loyalty(cohesion: np.ndarray, unpaid: np.ndarray, weight: float) -> np.ndarray:
    """[F] cohesion that holds a faction's commanders this month: ``cohesion * (1 - weight *
    unpaid)``, ``unpaid`` [F] the share of the month's upkeep a faction could not pay
    (:func:`sim.mechanisms.economy.pay_upkeep`), ``weight`` in 0..1 (0: pay does not matter)."""
    return cohesion * (1.0 - weight * np.clip(unpaid, 0.0, 1.0))


def defect(garrison: np.ndarray, control: np.ndarray, resources: np.ndarray,
           fights: np.ndarray, threat: np.ndarray, defence: np.ndarray,
           affinity: np.ndarray, cohesion: np.ndarray, buyers: np.ndarray,
           levies: np.ndarray, rate: float, bribe: float, rng: np.random.Generator,
           neighbours: np.ndarray | None = None, cascade: float = 0.0,
           bandwagon: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Defection]]:
    """Apply the month's defections; return new (garrison, control, resources, list).

    Args:
        threat: [F, T] strength each faction has in reach of each territory.
        defence: [T] or [F, T] holder's own defence strength in t (garrison plus the levies
            that turn out against each buyer).
        affinity: [F, T] share of t's people who support f.
        cohesion: [F] 0..1.
        buyers: [F] bool: factions that buy commanders (in the war, offensive posture).
        levies: [T] fighters of the local levies, bought with the garrison.
        neighbours: [F, T] share of each territory's neighbours each faction holds (the
            cascade's s); None for no cascade.
        cascade: weight c of the cascade.
        bandwagon: [F, T] factor >= 1 by which each buyer's offer to each territory's
            commander is likelier and cheaper (:mod:`sim.mechanisms.momentum`); None for 1.
    """
    n_t = garrison.shape[1]
    draws = rng.random(n_t)  # one draw per territory, used or not: keeps the stream aligned
    cols = np.arange(n_t)
    holder = np.maximum(control, 0)
    fighters = garrison[holder, cols] + levies
    boost = 1.0 + cascade * (neighbours if neighbours is not None else np.zeros_like(threat))
    if bandwagon is not None:
        boost = boost * bandwagon
    price = bribe * fighters[None, :] / boost                            # [F, T]
    defence = np.broadcast_to(defence, threat.shape)
    ratio = threat / np.maximum(defence, 1e-9)
    able = (buyers[:, None] & fights[:, holder] & (threat > defence)
            & (resources[:, None] >= price) & (control >= 0)[None, :])
    score = np.where(able, ratio, -1.0)
    buyer = score.argmax(axis=0)
    r = ratio[buyer, cols]
    p = np.minimum(1.0, rate * (1.0 - cohesion[holder]) * affinity[buyer, cols] * r / (1.0 + r)
                   * boost[buyer, cols])
    success = able.any(axis=0) & (draws < p)
    done: list[Defection] = []
    if not success.any():
        return garrison, control, resources, done
    garrison, control, resources = garrison.copy(), control.copy(), resources.copy()
    for t in np.nonzero(success)[0]:
        b, g = int(buyer[t]), int(holder[t])
        cost = price[b, t]
        if resources[b] < cost:  # spent on an earlier territory this month
            continue
        control[t] = b
        bought = float(garrison[g, t])
        garrison[b, t] += bought
        garrison[g, t] = 0.0
        resources[b] -= cost
        done.append(Defection(int(t), g, b, float(fighters[t]), float(cost), bought))
    return garrison, control, resources, done
