"""Redeployment: rear garrisons move one step a month towards the nearest front.

A frontier-seeking rule of the kind used in agent-based models of territorial conflict
(Cederman 1997, *Emergent Actors in World Politics*: states shift resources to their
fronts): a faction's fighters in territories with no enemy in or next to them move a
share ``redeploy_rate`` one step along a shortest path towards the nearest territory
where it faces an enemy. Factions with a defensive posture stay where they are.

Shapes: F factions, T territories. Pure function.
"""

from __future__ import annotations

import numpy as np


def enemy_near(garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
               adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """([F, T] an enemy of f holds or has fighters in t, [F, T] ... in t or a neighbour)."""
    n_f = garrison.shape[0]
    present = (garrison > 0) | (control[None, :] == np.arange(n_f)[:, None])
    enemy_in = (fights.astype(float) @ present) > 0
    near = enemy_in | ((enemy_in.astype(float) @ adjacency) > 0)
    return enemy_in, near


def redeploy(garrison: np.ndarray, control: np.ndarray, fights: np.ndarray,
             adjacency: np.ndarray, distance: np.ndarray, next_hop: np.ndarray,
             mobile: np.ndarray, rate: float) -> np.ndarray:
    """New [F, T] garrisons after the month's moves.

    Args:
        garrison: [F, T] fighters.
        control: [T] holder index.
        fights: [F, F] bool: at war this month.
        adjacency: [T, T] float or bool.
        distance, next_hop: [T, T] hop distances and next hops (see :mod:`sim.core.world`).
        mobile: [F] bool: factions that redeploy.
        rate: share of a rear garrison moved per month.
    """
    adjacency = adjacency if adjacency.dtype == float else adjacency.astype(float)
    _, near = enemy_near(garrison, control, fights, adjacency)
    n_f, n_t = garrison.shape
    own = (garrison > 0) | (control[None, :] == np.arange(n_f)[:, None])
    front = own & near
    has_front = front.any(axis=1) & mobile
    rear = (garrison > 0) & ~near & has_front[:, None]
    movers = np.nonzero(rear.any(axis=1))[0]
    if movers.size == 0:
        return garrison.copy()
    # nearest front of each (moving faction, territory), ties to the lowest index
    far = np.where(front[movers][:, None, :], distance[None, :, :], np.iinfo(distance.dtype).max)
    nearest = far.argmin(axis=2)                                        # [F', T]
    step = next_hop[np.arange(n_t)[None, :], nearest]                  # [F', T]
    moved = np.where(rear[movers], rate * garrison[movers], 0.0)
    out = garrison.copy()
    out[movers] -= moved
    rows = np.repeat(movers, n_t)
    np.add.at(out, (rows, step.ravel()), moved.ravel())
    return out
