"""Encirclement and withdrawal: a garrison that is nearly cut off and outmatched leaves before
the battle instead of fighting to destruction.

When an offensive arrives, the holder compares its prospects: if the attacker's chance of
taking the territory (the contest success function that would decide the battle) reaches
``withdraw_threshold`` and the territory is (nearly) encircled — the share of its neighbours
held by factions at war with the holder reaches ``encirclement_share`` — the defending
garrisons leave intact for the friendly neighbour where each is strongest, and the attacker
occupies without a battle. A garrison with no friendly neighbour cannot withdraw and fights.

This is the breakpoint view of how battles end (Helmbold 1964; Dupuy 1987, *Understanding
War*): forces break off when the odds turn against them, and whether they can depends on an
open line of retreat. The record's instance: on 26 September 1996 Massoud "concluded that his
and President Rabbani's interim government's forces had been encircled, and decided to
quickly evacuate or withdraw those forces to the north, to avoid destruction".

Shapes: F factions, T territories. Pure functions; no randomness.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.topology import fall_back


@dataclass(frozen=True)
class Withdrawal:
    """An encircled garrison that left before a battle."""

    target: int
    attacker: int
    holder: int
    chance: float          # the attacker's chance had they fought
    attackers: float       # fighters who move in
    defenders: float       # fighters who withdrew (or dispersed, with nowhere to go)


def decides_to_withdraw(chance: float, encirclement: float, threshold: float,
                        encirclement_share: float) -> bool:
    """Whether a defender leaves: it expects to lose and is (nearly) cut off."""
    return chance >= threshold and encirclement >= encirclement_share


def withdraw(offensive, garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
             allied: np.ndarray, adjacency: np.ndarray, chance: float
             ) -> tuple[np.ndarray, np.ndarray, Withdrawal | None]:
    """Apply a withdrawal before ``offensive``'s battle: defenders leave, the attacker moves
    in with the fighters it sent. Returns the inputs unchanged and ``None`` when no defender
    has a friendly neighbour to go to (it must fight)."""
    f, t = offensive.attacker, offensive.target
    holder = int(control[t])
    n_f = garrison.shape[0]
    on_side = (np.arange(n_f) == holder) | allied[:, holder]
    defending = np.nonzero(on_side & fights[:, f] & (garrison[:, t] > 0))[0]
    routes = {int(g): fall_back(int(g), t, control, allied, adjacency, garrison) for g in defending}
    if any(to < 0 for to in routes.values()):
        return garrison, control, None
    garrison, control = garrison.copy(), control.copy()
    left = float(garrison[defending, t].sum())
    for g, to in routes.items():
        garrison[g, to] += garrison[g, t]
        garrison[g, t] = 0.0
    sources = np.array(offensive.sources, dtype=int)
    sent = np.minimum(np.array(offensive.fighters), garrison[f, sources])
    moving = sources != t
    garrison[f, sources[moving]] -= sent[moving]
    garrison[f, t] += sent[moving].sum()
    control[t] = f
    return garrison, control, Withdrawal(int(t), int(f), holder, float(chance),
                                         float(sent.sum()), left)
