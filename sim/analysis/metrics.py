"""Metrics of a probabilistic map forecast against the record, and skill over a baseline.

Forecasts are probabilities [M, T, F] (share of replicates giving faction f territory t in
month m); the record gives one holder index per cell [M, T]. Pure functions of arrays.
"""

from __future__ import annotations

import math

import numpy as np

WINDOW_SLACK = 3  # months either side for a recorded change to count as reproduced


def skill(model: float | None, base: float | None, higher_is_better: bool) -> float | None:
    """Skill of ``model`` over ``base``; ``None`` where undefined (perfect baseline)."""
    if model is None or base is None:
        return None
    if higher_is_better:
        return None if math.isclose(base, 1.0) else (model - base) / (1.0 - base)
    return None if math.isclose(base, 0.0) else (base - model) / base


def map_metrics(prob: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """accuracy, mean_prob, brier of probabilities [M, T, F] against true indices [M, T]."""
    m, t, f = prob.shape
    onehot = np.zeros_like(prob)
    onehot[np.arange(m)[:, None], np.arange(t)[None, :], truth] = 1.0
    modal = prob.argmax(axis=2)
    return {
        "accuracy": float((modal == truth).mean()),
        "mean_prob": float((prob * onehot).sum(axis=2).mean()),
        "brier": float(((prob - onehot) ** 2).sum(axis=2).mean()),
    }


def provinces_rmse(expected_held: np.ndarray, recorded_held: np.ndarray) -> float:
    """RMSE of [M, F] expected provinces per faction against the recorded counts."""
    return float(np.sqrt(np.mean((expected_held - recorded_held) ** 2)))


def change_hits(held_new: np.ndarray, rec_index: int, slack: int = WINDOW_SLACK) -> float:
    """Share (or probability) that the new holder holds it within ±slack of ``rec_index``.

    ``held_new``: [R, M] 0/1 per replicate (or [1, M] probabilities); returns the mean over
    rows of the maximum over the months in reach.
    """
    lo, hi = max(rec_index - slack, 0), min(rec_index + slack, held_new.shape[1] - 1)
    if lo > hi:
        return 0.0
    return float(held_new[:, lo:hi + 1].max(axis=1).mean())


def nearest_takes(held: np.ndarray, rec_index: int) -> np.ndarray:
    """Per replicate, the month (position) of the take nearest ``rec_index``; NaN if none.

    ``held`` is [R, M] 0/1. A take is a month the holder holds it and did not the month
    before (holding it from the first month is not a take).
    """
    took = np.diff(held.astype(int), axis=1, prepend=held[:, :1].astype(int)) > 0
    out = np.full(held.shape[0], np.nan)
    for r, row in enumerate(took):
        months = np.nonzero(row)[0]
        if months.size:
            out[r] = months[np.argmin(np.abs(months - rec_index))]
    return out


def timing_error(held_new: np.ndarray, rec_index: int) -> float | None:
    """Median over replicates of the signed months from the recorded change to the nearest
    simulated change to the new holder; ``None`` if no replicate makes it."""
    takes = nearest_takes(held_new, rec_index)
    made = takes[~np.isnan(takes)]
    return float(np.median(made - rec_index)) if made.size else None
