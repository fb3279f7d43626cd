"""Heavy weapons that change hands: the victor takes part of the loser's.

Each faction has an armament ``a`` (heavy weapons per fighter, starting at its documented
rating); a fighter's strength is ``1 + firepower_weight · (min(a, 1) + air_power)``. A garrison
carries its faction's armament. When a garrison is beaten and its territory taken, a share
``capture_share`` of the weapons it carried goes to the victor; a garrison bought over takes
all its weapons with it; a garrison that withdraws keeps them. Weapons are conserved in every
transfer: the loser's stock ``a · fighters`` falls by exactly what the victor's rises. Losses
and desertion take their share of weapons with them (the armament stays); recruits and
volunteers come armed at the documented rating.

The record's instances: "Hekmatyar was forced to abandon his artillery positions at Charasiab
due to the advance of the Taliban, who were, therefore, able to take control of this weaponry"
and "the Taliban hijacked a Russian cargo aircraft in Kandahar and captured weapons intended
for Rabbani"; Shura-e Nazar "was able to immediately benefit from heavy weapons left by fleeing
or defecting government forces". Captured materiel as a source of battlefield momentum: Biddle
(2004, *Military Power*); for Afghanistan, Giustozzi (2009, *Koran, Kalashnikov and Laptop*).

Shapes: F factions. Pure functions.
"""

from __future__ import annotations

import numpy as np


def strength_per_fighter(armament: np.ndarray, air_power: np.ndarray,
                         firepower_weight: float) -> np.ndarray:
    """[F] strength of one fighter: ``1 + weight · (min(armament, 1) + air_power)``."""
    return 1.0 + firepower_weight * (np.clip(armament, 0.0, 1.0) + air_power)


def capture(armament: np.ndarray, fighters: np.ndarray, loser: int, winner: int,
            carried_by: float, capture_share: float) -> tuple[np.ndarray, float]:
    """The victor takes ``capture_share`` of the weapons a beaten garrison of ``carried_by``
    fighters carried. Returns the new armament [F] and the weapons moved (stock units);
    ``armament · fighters`` summed over the two factions is unchanged."""
    if loser == winner or fighters[loser] <= 0 or fighters[winner] <= 0:
        return armament, 0.0
    stock_l = armament[loser] * fighters[loser]
    moved = min(max(capture_share, 0.0) * armament[loser] * max(carried_by, 0.0), stock_l)
    if moved <= 0:
        return armament, 0.0
    out = armament.copy()
    out[loser] = (stock_l - moved) / fighters[loser]
    out[winner] = (armament[winner] * fighters[winner] + moved) / fighters[winner]
    return out, float(moved)


def arm_recruits(armament: np.ndarray, fighters: np.ndarray, recruits: np.ndarray,
                 rating: np.ndarray) -> np.ndarray:
    """Armament after ``recruits`` [F] join ``fighters`` [F], armed at ``rating`` [F]."""
    total = fighters + recruits
    mixed = np.divide(armament * fighters + rating * recruits, total,
                      out=rating.astype(float).copy(), where=total > 0)
    return np.where(recruits > 0, mixed, armament)
