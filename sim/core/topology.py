"""Where forces can go on the territory graph: helpers shared by the mechanisms.

Pure functions of plain arrays (shapes: F factions, T territories).
"""

from __future__ import annotations

import numpy as np


def fall_back(faction: int, territory: int, control: np.ndarray, allied: np.ndarray,
              adjacency: np.ndarray, garrison: np.ndarray) -> int:
    """Neighbour of ``territory`` a beaten or withdrawing garrison goes to, or -1 (it disperses).

    A territory held by the faction or an ally; the one where it is strongest, ties to the
    lowest index.
    """
    holders = control[adjacency[territory]]
    nbrs = np.nonzero(adjacency[territory])[0]
    friendly = (holders == faction) | ((holders >= 0) & allied[faction, np.maximum(holders, 0)])
    if not friendly.any():
        return -1
    options = nbrs[friendly]
    return int(options[np.argmax(garrison[faction, options])])


def neighbour_share(control: np.ndarray, adjacency: np.ndarray, n_factions: int) -> np.ndarray:
    """[F, T] share of each territory's neighbours that each faction holds."""
    held = (control[None, :] == np.arange(n_factions)[:, None]).astype(float)   # [F, T]
    degree = np.maximum(adjacency.sum(axis=1), 1.0)
    return (held @ adjacency) / degree[None, :]


def hostile_share(control: np.ndarray, fights: np.ndarray, adjacency: np.ndarray) -> np.ndarray:
    """[T] share of each territory's neighbours held by a faction at war with its holder
    (0 for a territory nobody holds)."""
    n_f = fights.shape[0]
    share = neighbour_share(control, adjacency, n_f)                           # [F, T]
    held = control >= 0
    holder = np.where(held, control, 0)
    enemies = fights[holder].astype(float)                                      # [T, F]
    return np.where(held, (enemies * share.T).sum(axis=1), 0.0)


def hostile_share_of(territory: int, control: np.ndarray, fights: np.ndarray,
                     adjacency: np.ndarray) -> float:
    """:func:`hostile_share` of one territory (what a defender sees, cheaply)."""
    holder = int(control[territory])
    nbrs = np.flatnonzero(adjacency[territory])
    if holder < 0 or nbrs.size == 0:
        return 0.0
    holders = control[nbrs]
    held = holders >= 0
    return float((fights[holder, np.where(held, holders, 0)] & held).sum() / nbrs.size)
