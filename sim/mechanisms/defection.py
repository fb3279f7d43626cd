"""Bandwagoning defections: outmatched garrisons bought over by a stronger neighbour.

Local commanders in Afghanistan changed sides for money when a stronger force stood at
their door; much of the Taliban's advance in 1994-95 came this way (Rashid 2000;
Giustozzi 2009). Modelled as bandwagoning under threat (Walt 1987) with control following
local military balance (Kalyvas 2006, *The Logic of Violence in Civil War*): each month a
territory's holder may lose it to an enemy neighbour with probability

    p = defection_rate * (1 - cohesion of holder) * affinity * r / (1 + r),

where r is the enemy's strength in reach over the holder's defence and affinity the share
of the territory's people who would support the buyer; the buyer pays ``bribe`` per
fighter bought (garrison and levies) and must have the money. Fighters who defect join
the buyer.

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
    fighters: float
    price: float


def defect(garrison: np.ndarray, control: np.ndarray, resources: np.ndarray,
           fights: np.ndarray, threat: np.ndarray, defence: np.ndarray,
           affinity: np.ndarray, cohesion: np.ndarray, buyers: np.ndarray,
           levies: np.ndarray, rate: float, bribe: float, rng: np.random.Generator
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[Defection]]:
    """Apply the month's defections; return new (garrison, control, resources, list).

    Args:
        threat: [F, T] strength each faction has in reach of each territory.
        defence: [T] holder's own defence strength in t (garrison plus levies).
        affinity: [F, T] share of t's people who support f.
        cohesion: [F] 0..1.
        buyers: [F] bool: factions that buy commanders (in the war, offensive posture).
        levies: [T] fighters of the local levies, bought with the garrison.
    """
    n_t = garrison.shape[1]
    draws = rng.random(n_t)  # one draw per territory, used or not: keeps the stream aligned
    cols = np.arange(n_t)
    holder = np.maximum(control, 0)
    fighters = garrison[holder, cols] + levies
    price = bribe * fighters
    ratio = threat / np.maximum(defence, 1e-9)[None, :]
    able = (buyers[:, None] & fights[:, holder] & (threat > defence[None, :])
            & (resources[:, None] >= price[None, :]) & (control >= 0)[None, :])
    score = np.where(able, ratio, -1.0)
    buyer = score.argmax(axis=0)
    r = ratio[buyer, cols]
    p = rate * (1.0 - cohesion[holder]) * affinity[buyer, cols] * r / (1.0 + r)
    success = able.any(axis=0) & (draws < p)
    done: list[Defection] = []
    if not success.any():
        return garrison, control, resources, done
    garrison, control, resources = garrison.copy(), control.copy(), resources.copy()
    for t in np.nonzero(success)[0]:
        b, g = int(buyer[t]), int(holder[t])
        if resources[b] < price[t]:  # spent on an earlier territory this month
            continue
        control[t] = b
        garrison[b, t] += garrison[g, t]
        garrison[g, t] = 0.0
        resources[b] -= price[t]
        done.append(Defection(int(t), g, b, float(fighters[t]), float(price[t])))
    return garrison, control, resources, done
