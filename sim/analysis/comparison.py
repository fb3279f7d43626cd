"""One comparison: a probabilistic map forecast against the record on a window, beside the
baselines that know exactly what the forecast knew.

Cells are province-months (sub-nodes count only as recorded changes). Each score is given
twice: on all known cells weighted by the confidence of their row (``all``) and on
high-confidence cells alone (``high``); unknown cells are counted, never scored. For each
baseline: skill = (model - baseline) / (1 - baseline) for scores where 1 is perfect,
(baseline - model) / baseline for errors (Brier), with a paired bootstrap interval that
resamples provinces, overall and on *change cells* (province-months where the record's
holder changes).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.baselines import diffusion_forecast
from sim.analysis.metrics import (
    HIGHER_IS_BETTER,
    WINDOW_SLACK,
    bootstrap_skill,
    cell_scores,
    change_hits,
    provinces_rmse,
    skill,
    timing_error,
    weighted_mean,
)
from sim.analysis.record import UNKNOWN_CODE, Record

BOOTSTRAP_DRAWS = 1000
INTERVAL = 0.9
NEAR = 2  # months either side for the narrower "near" share of a recorded change


def start_map(record: Record, row: int) -> np.ndarray:
    """[T] the recorded holder at ``row``, an unknown cell taking the last known holder before
    it (what someone standing at that month would say; the initial map is always known)."""
    holder = record.holder[row].copy()
    for t in np.nonzero(holder == UNKNOWN_CODE)[0]:
        known = np.nonzero(record.holder[:row + 1, t] != UNKNOWN_CODE)[0]
        holder[t] = record.holder[known[-1], t]
    return holder


def persistence(start: np.ndarray, months: int, n_codes: int) -> np.ndarray:
    """[months, T, F+1] the map ``start`` frozen."""
    frozen = np.zeros((start.size, n_codes))
    frozen[np.arange(start.size), start] = 1.0
    return np.broadcast_to(frozen, (months, *frozen.shape)).copy()


def expanding(record: Record, row: int) -> np.ndarray:
    """[F+1] holders whose recorded territories grew in the 12 months before ``row`` (every
    faction when there is no such history, as at a scenario's start); never contested."""
    counts = [np.bincount(np.maximum(record.holder[r], 0), minlength=record.n_codes)
              for r in (max(row - 12, 0), row)]
    grew = counts[1] > counts[0]
    grew[-1] = False
    if not grew.any():
        grew = np.ones(record.n_codes, dtype=bool)
        grew[-1] = False
    return grew


def baseline_paths(record: Record, adjacency: np.ndarray, from_row: int,
                   rate: float) -> dict[str, np.ndarray]:
    """Persistence and diffusion started from the recorded map at ``from_row``, for every row
    from it to the end: [M - from_row, T, F+1] each (index 0 is the start map itself)."""
    months = len(record.months) - from_row
    start = start_map(record, from_row)
    return {"persistence": persistence(start, months, record.n_codes),
            "diffusion": diffusion_forecast(start, adjacency, expanding(record, from_row), rate,
                                            months, record.n_codes)}


class Comparison:
    """Scores forecasts [m, T, F+1] of the record's rows ``rows`` (a slice)."""

    def __init__(self, record: Record, rows: slice, seed: int = 0):
        self.record = record
        self.rows = rows
        self.truth = record.holder[rows]
        province = record.province[None, :]
        self.weights = {"all": record.weight[rows] * province,
                        "high": record.high[rows] * province * 1.0}
        change = record.change[rows] & province
        self.change_weights = {k: w * change for k, w in self.weights.items()}
        self.seed = seed

    def _summary(self, cells: dict[str, np.ndarray], weight: np.ndarray) -> dict:
        return {k: weighted_mean(v, weight) for k, v in cells.items()}

    def _skills(self, model: dict, base: dict, weight: np.ndarray, summary_m: dict,
                summary_b: dict, salt: int) -> dict:
        out = {}
        for key, higher in HIGHER_IS_BETTER.items():
            rng = np.random.default_rng([self.seed, salt, len(out)])
            low, high = bootstrap_skill(model[key], base[key], weight, higher, rng,
                                        BOOTSTRAP_DRAWS, INTERVAL)
            out[key] = {"value": skill(summary_m[key], summary_b[key], higher),
                        "low": low, "high": high}
        return out

    def score(self, model: np.ndarray, baselines: dict[str, np.ndarray]) -> dict:
        """The window's scores of ``model`` beside each baseline (same shapes)."""
        cells = {"model": cell_scores(model, self.truth)}
        cells |= {name: cell_scores(prob, self.truth) for name, prob in baselines.items()}
        result = {"cells": self.record.counts(self.rows)}
        for which, weight in self.weights.items():
            entry = {name: self._summary(c, weight) for name, c in cells.items()}
            change_w = self.change_weights[which]
            changes = {"cells": int((change_w > 0).sum())}
            changes |= {name: self._summary(c, change_w) for name, c in cells.items()}
            for salt, name in enumerate(baselines, start=1):
                entry[f"skill_vs_{name}"] = self._skills(
                    cells["model"], cells[name], weight, entry["model"], entry[name], salt)
                changes[f"skill_vs_{name}"] = self._skills(
                    cells["model"], cells[name], change_w, changes["model"], changes[name],
                    salt + 100)
            entry["change_cells"] = changes
            result[which] = entry
        return result

    def provinces(self, model: np.ndarray, baselines: dict[str, np.ndarray]) -> dict:
        """RMSE of the expected provinces per faction against the recorded counts (known
        province cells only; unknown provinces count for no one)."""
        truth = np.where(self.record.known[self.rows], self.truth, -1)[:, self.record.province]
        codes = np.arange(self.record.n_codes)
        recorded = (truth[:, :, None] == codes[None, None, :]).sum(axis=1)      # [m, F+1]
        out = {}
        for name, prob in {"model": model, **baselines}.items():
            expected = prob[:, self.record.province].sum(axis=1)
            out[name] = provinces_rmse(expected, recorded)
        for name in baselines:
            out[f"skill_vs_{name}"] = skill(out["model"], out[name], False)
        return out


def change_details(record: Record, rows: slice, held: callable, baselines: dict) -> list[dict]:
    """One entry per recorded change inside ``rows``: whether the new holder holds the
    territory within ±WINDOW_SLACK months in at least half the replicates (``hit``), the share
    that do (and within ±NEAR months), the median timing error, and each baseline's share.

    ``held(t, code)`` gives [R, M] (whole record) 0/1 per replicate; ``baselines`` maps a name
    to its [m, T, F+1] probabilities over ``rows``.
    """
    details = []
    names = record.names()
    for m, t in zip(*np.nonzero(record.change[rows]), strict=True):
        row = rows.start + m
        code = record.holder[row, t]
        series = held(t, code)
        entry = {"date": record.months[row], "territory": record.territories[t],
                 "old": names[row - 1, t], "new": names[row, t],
                 "confidence": record.confidence[row, t],
                 "share": round(change_hits(series, row, WINDOW_SLACK), 4),
                 "share_near": round(change_hits(series, row, NEAR), 4)}
        err = timing_error(series, row)
        entry["timing_error"] = None if err is None else round(err, 1)
        entry["hit"] = entry["share"] >= 0.5
        for name, prob in baselines.items():
            full = np.zeros((1, len(record.months)))
            full[0, rows] = prob[:, t, code]
            entry[f"{name}_share"] = round(change_hits(full, row, WINDOW_SLACK), 4)
        details.append(entry)
    return details


def hit_summary(details: list[dict], baselines: list[str]) -> dict:
    """Hit rate and mean absolute timing error of the changes of a window, and each
    baseline's hit rate (a baseline "hits" with probability >= 0.5)."""
    out = {"changes": len(details),
           "hit_rate": float(np.mean([d["hit"] for d in details])) if details else None}
    errors = [abs(d["timing_error"]) for d in details if d["timing_error"] is not None]
    out["timing_mae"] = float(np.mean(errors)) if errors else None
    for name in baselines:
        out[f"{name}_hit_rate"] = (float(np.mean([d[f"{name}_share"] >= 0.5 for d in details]))
                                   if details else None)
    return out


class HorizonTable:
    """Skill by forecast horizon over rolling origins: each forecast adds its cells at ``h``
    months after its origin (h = 1 is the origin month), beside persistence and diffusion
    started from the recorded map just before that origin."""

    def __init__(self, record: Record, adjacency: np.ndarray, rate: float,
                 horizons: tuple[int, ...] = (1, 3, 6, 12)):
        self.record, self.adjacency, self.rate, self.horizons = record, adjacency, rate, horizons
        self.sums = {h: {} for h in horizons}
        self.origins = {h: 0 for h in horizons}

    def add(self, origin_row: int, prob: np.ndarray) -> None:
        """``prob``: [M, T, F+1] the forecast's probabilities over the whole record."""
        base = baseline_paths(self.record, self.adjacency, origin_row - 1, self.rate)
        weight = self.record.weight * self.record.province[None, :]
        for h in self.horizons:
            row = origin_row + h - 1
            if row >= len(self.record.months):
                continue
            self.origins[h] += 1
            truth = self.record.holder[row:row + 1]
            w = weight[row:row + 1]
            for name, p in (("model", prob[row:row + 1]), ("persistence", base["persistence"][h:h + 1]),
                            ("diffusion", base["diffusion"][h:h + 1])):
                for key, values in cell_scores(p, truth).items():
                    total = self.sums[h].setdefault(name, {}).setdefault(key, [0.0, 0.0])
                    total[0] += float((values * w).sum())
                    total[1] += float(w.sum())

    def table(self) -> list[dict]:
        rows = []
        for h in self.horizons:
            if not self.origins[h]:
                continue
            means = {name: {k: v[0] / v[1] if v[1] else None for k, v in metrics.items()}
                     for name, metrics in self.sums[h].items()}
            entry = {"horizon": h, "origins": self.origins[h], **means}
            for base in ("persistence", "diffusion"):
                entry[f"skill_vs_{base}"] = {
                    k: skill(means["model"][k], means[base][k], higher)
                    for k, higher in HIGHER_IS_BETTER.items()}
            rows.append(entry)
        return rows
