"""Alliances between factions: replayed from the record, or formed by rules.

Relations are a symmetric [F, F] matrix of codes HOSTILE, NEUTRAL, ALLIED (diagonal
ALLIED). Two modes:

* recorded: the rows of ``alliances.csv`` dated this month set their pairs.
* endogenous: each month every pair's propensity to ally is

      P = ethnic + sect + shared backer + balance - betrayals + commitment - 1

  after Axelrod & Bennett's landscape theory of aggregation (1993): pairwise propensities
  from affinity (same ethnic base +1; same sect +0.5, different -0.5; a backer funding
  both +1) and from balancing (Walt 1987) against the strongest faction: its share s of
  all fighting strength is added to every pair that excludes it and taken from every
  pair that includes it, weighted by ``balance_weight``. A trust memory lowers P by
  ``betrayal_weight`` per remembered betrayal (an alliance turned to war), halved every
  ``trust_halflife`` months; a commitment in 0..1 that grows while a pair stays allied
  and fades otherwise raises it, as commitments do in Axelrod's tribute model (1997).
  The pair is allied above 0, hostile below -0.5, neutral between; it only leaves its
  current relation when P passes the boundary by ``alliance_inertia``.

Pure functions; no randomness.
"""

from __future__ import annotations

import numpy as np

from sim.data.vocabulary import ALLIED, HOSTILE, NEUTRAL

ALLY_ABOVE = 0.0
HOSTILE_BELOW = -0.5


def apply_recorded(relation: np.ndarray, changes: list[tuple[int, int, int]]) -> np.ndarray:
    """New relation matrix with ``(a, b, code)`` changes applied in order."""
    out = relation.copy()
    for a, b, code in changes:
        out[a, b] = out[b, a] = code
    return out


def affinity(ethnic: np.ndarray, sect: np.ndarray, shared_backer: np.ndarray) -> np.ndarray:
    """[F, F] static part of the propensity: ethnic, sectarian and backer ties, minus 1."""
    same_ethnic = (ethnic[:, None] == ethnic[None, :]).astype(float)
    sect_term = np.where(sect[:, None] == sect[None, :], 0.5, -0.5)
    return same_ethnic + sect_term + shared_backer.astype(float) - 1.0


def balance(strength: np.ndarray, active: np.ndarray, weight: float) -> np.ndarray:
    """[F, F] balancing term against the strongest active faction."""
    n = strength.shape[0]
    s = np.where(active, np.maximum(strength, 0.0), 0.0)
    total = s.sum()
    out = np.zeros((n, n))
    if total <= 0:
        return out
    k = int(np.argmax(s))
    share = s[k] / total
    out[:, :] = weight * share
    out[k, :] = out[:, k] = -weight * share
    return out


def propensity(static: np.ndarray, strength: np.ndarray, active: np.ndarray,
               betrayals: np.ndarray, commitment: np.ndarray, balance_weight: float,
               betrayal_weight: float) -> np.ndarray:
    """[F, F] the pairwise propensity P of the module docstring."""
    return (static + balance(strength, active, balance_weight)
            - betrayal_weight * betrayals + commitment)


def decide(relation: np.ndarray, p: np.ndarray, inertia: float) -> np.ndarray:
    """New relations from propensities, keeping the current one within ``inertia``."""
    up = ALLY_ABOVE + np.where(relation == ALLIED, -inertia, inertia)
    down = HOSTILE_BELOW + np.where(relation == HOSTILE, inertia, -inertia)
    out = np.where(p > up, ALLIED, np.where(p < down, HOSTILE, NEUTRAL)).astype(relation.dtype)
    np.fill_diagonal(out, ALLIED)
    return out


def remember(old: np.ndarray, new: np.ndarray, betrayals: np.ndarray, commitment: np.ndarray,
             halflife: float) -> tuple[np.ndarray, np.ndarray]:
    """Update the trust memory and commitments after a month's relations are set."""
    keep = 0.5 ** (1.0 / halflife)
    betrayed = (old == ALLIED) & (new == HOSTILE)
    betrayals = betrayals * keep + betrayed
    allied = new == ALLIED
    commitment = commitment * keep + (1.0 - keep) * allied
    return betrayals, commitment


def endogenous_step(relation: np.ndarray, static: np.ndarray, strength: np.ndarray,
                    active: np.ndarray, betrayals: np.ndarray, commitment: np.ndarray,
                    balance_weight: float, betrayal_weight: float, inertia: float,
                    halflife: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One month of the alliance rules: (relation, betrayals, commitment).

    Factions not yet in the war keep their relations unchanged.
    """
    p = propensity(static, strength, active, betrayals, commitment, balance_weight,
                   betrayal_weight)
    new = decide(relation, p, inertia)
    both = active[:, None] & active[None, :]
    new = np.where(both, new, relation)
    betrayals, commitment = remember(relation, new, betrayals, commitment, halflife)
    return new, betrayals, commitment
