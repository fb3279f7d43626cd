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


# --------------------------------------------------------------------------- cell by cell

HIGHER_IS_BETTER = {"accuracy": True, "mean_prob": True, "brier": False}


def cell_scores(prob: np.ndarray, truth: np.ndarray) -> dict[str, np.ndarray]:
    """Per cell [M, T]: ``accuracy`` (1 if the modal holder is the recorded one), ``mean_prob``
    (probability given to the recorded holder) and ``brier`` (sum over holders of the squared
    error, 0 best, 2 worst). ``truth`` < 0 (unknown) gives 0s: mask those cells by weight.
    Rows of ``prob`` summing to less than 1 leave the rest to holders outside the columns."""
    m, t, _ = prob.shape
    known = truth >= 0
    safe = np.where(known, truth, 0)
    onehot = np.zeros_like(prob)
    onehot[np.arange(m)[:, None], np.arange(t)[None, :], safe] = known.astype(float)
    p_true = (prob * onehot).sum(axis=2)
    # mass the columns miss went to holders the record does not know (a run of another
    # scenario scored against this one): one more holder, never the recorded one
    other = prob.sum(axis=2)
    other = np.where(other < 1.0 - 1e-9, 1.0 - other, 0.0)
    return {"accuracy": (prob.argmax(axis=2) == safe) & known & (p_true > other),
            "mean_prob": p_true,
            "brier": ((prob - onehot) ** 2).sum(axis=2) + other ** 2}


def weighted_mean(values: np.ndarray, weight: np.ndarray) -> float | None:
    """Weighted mean over cells; ``None`` when no cell has weight."""
    total = float(weight.sum())
    return float((values * weight).sum() / total) if total > 0 else None


def bootstrap_skill(model: np.ndarray, base: np.ndarray, weight: np.ndarray,
                    higher_is_better: bool, rng: np.random.Generator, draws: int = 1000,
                    level: float = 0.9) -> tuple[float | None, float | None]:
    """A paired bootstrap interval of the skill of ``model`` over ``base`` (cell values
    [M, T], weights [M, T]), resampling territories (columns) with replacement: a province's
    months move together, as they are not independent. Returns the ``level`` interval."""
    num_m = (model * weight).sum(axis=0)                 # [T]
    num_b = (base * weight).sum(axis=0)
    den = weight.sum(axis=0)
    used = np.nonzero(den > 0)[0]
    if used.size == 0:
        return None, None
    picks = rng.integers(0, used.size, size=(draws, used.size))
    cols = used[picks]                                   # [draws, T']
    d = den[cols].sum(axis=1)
    sm, sb = num_m[cols].sum(axis=1) / d, num_b[cols].sum(axis=1) / d
    if higher_is_better:
        ok = ~np.isclose(sb, 1.0)
        values = (sm[ok] - sb[ok]) / (1.0 - sb[ok])
    else:
        ok = ~np.isclose(sb, 0.0)
        values = (sb[ok] - sm[ok]) / sb[ok]
    if values.size < draws // 2:  # the baseline is perfect in most resamples: no interval
        return None, None
    tail = (1.0 - level) / 2
    return float(np.quantile(values, tail)), float(np.quantile(values, 1 - tail))
