"""Bombardment: fighting that does not aim at ground.

The 1992-94 war over Kabul was shelling and rocket fire from positions no side could take
("In May 1992 Hekmatyar started a bombardment campaign against the capital, firing
thousands of rockets supplied by Pakistan"), not a contest for ground: a siege of
attrition. An offensive (:mod:`sim.mechanisms.offensives`) is launched only where the
attacker expects to win, so without this rule a stalemate is a war in which nobody fights
(docs/model-log.md entry 18). Each month, a faction with an offensive posture that launched
no offensive bombards the hostile-held territory in its reach that is worth most to it,
with ``commit_share`` of the fighters in reach. Both sides lose strength by Lanchester's
aimed-fire law (Lanchester 1916), as in a battle but scaled by ``intensity`` (0: no
bombardment), and nobody's holding changes. The defender's losses fall on the holder's
garrison in the territory (levies and allies' men are not counted), the attacker's on its
garrisons in reach in proportion to them.

Shapes: F factions, T territories. Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms.combat import lanchester_losses


@dataclass(frozen=True)
class Bombardment:
    """One month's bombardment of one territory (fighters, not strength)."""

    target: int
    attacker: int
    holder: int
    attackers: float
    attacker_lost: float
    defender_lost: float


def targets(in_reach: np.ndarray, control: np.ndarray, fights: np.ndarray, value: np.ndarray,
            may_attack: np.ndarray, attacked: np.ndarray) -> np.ndarray:
    """[F] the territory each faction bombards this month, -1 for none.

    Args:
        in_reach: [F, T] fighters able to strike each territory.
        control: [T] holder index (-1: nobody; nobody's ground is taken, not shelled).
        fights: [F, F] at war this month.
        value: [F, T] worth of each territory to each faction.
        may_attack: [F] in the war with an offensive posture.
        attacked: [F] launched an offensive this month (then it does not bombard).
    """
    held = control >= 0
    holder = np.where(held, control, 0)
    ok = fights[:, holder] & held[None, :] & (in_reach > 0)
    ok &= (may_attack & ~attacked)[:, None]
    worth = np.where(ok, value, -np.inf)
    best = worth.argmax(axis=1)
    return np.where(ok.any(axis=1), best, -1)


def bombard(garrison: np.ndarray, control: np.ndarray, reach: np.ndarray,
            attacker: int, target: int, defence: float, advantage: float,
            per_fighter: np.ndarray, commit_share: float, attrition_rate: float,
            intensity: float) -> tuple[np.ndarray, Bombardment]:
    """New [F, T] garrisons after ``attacker`` shells ``target`` for a month, and the record.

    ``defence``: the strength firing back (as an offensive would meet it); ``advantage``: the
    defender's multiplier of ground and approach. Nothing is created: losses are capped at
    what each side has there, and control is not touched.
    """
    holder = int(control[target])
    sources = reach[:, target] > 0
    present = np.where(sources, garrison[attacker], 0.0)
    committed = commit_share * float(present.sum())
    a_loss, d_loss = lanchester_losses(committed * per_fighter[attacker], defence, advantage,
                                       intensity * attrition_rate)
    out = garrison.copy()
    a_fighters = min(a_loss / per_fighter[attacker], committed)
    if committed > 0:
        out[attacker] -= present * (a_fighters / float(present.sum()))
    d_fighters = min(d_loss / per_fighter[holder], float(garrison[holder, target]))
    out[holder, target] -= d_fighters
    return out, Bombardment(int(target), int(attacker), holder, committed, a_fighters, d_fighters)
