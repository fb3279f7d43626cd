"""Reference forecasts the model is judged against (Makridakis-style baselines).

Persistence freezes the recorded map at a window's start (it lives in the scorer, a one-liner
over the record); diffusion spreads expanding factions to adjacent territories at a fitted
rate.
"""

from __future__ import annotations

import numpy as np

# rates tried when fitting: fine where records change slowly (a few provinces a year)
DIFFUSION_RATES = np.round(np.concatenate([np.arange(0.0, 0.05, 0.0025),
                                           np.arange(0.05, 0.5001, 0.01)]), 4)


def diffusion_forecast(start_map: np.ndarray, adjacency: np.ndarray, expanding: np.ndarray,
                       rate: float, months: int, n_factions: int) -> np.ndarray:
    """[months, T, F] probabilities of the diffusion baseline (mean-field, per territory).

    Each month territory t falls to expanding faction f with hazard
    ``rate * (expected share of t's neighbours f holds)``.
    """
    t = start_map.shape[0]
    p = np.zeros((t, n_factions))
    p[np.arange(t), start_map] = 1.0
    degree = np.maximum(adjacency.sum(axis=1), 1)[:, None]
    out = np.empty((months, t, n_factions))
    for m in range(months):
        out[m] = p
        hazard = rate * (adjacency @ p) / degree * expanding[None, :]
        hazard = hazard * (1.0 - p)                # no hazard from oneself
        total = hazard.sum(axis=1, keepdims=True)
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-12), 1.0)
        hazard *= scale
        p = p * (1.0 - hazard.sum(axis=1, keepdims=True)) + hazard
    return out
