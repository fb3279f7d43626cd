"""Forecasts from an origin month: replicates conditioned on the record before the origin by a
particle filter, then run free.

Data assimilation by sequential importance resampling (Ward, Evans & Malleson 2016, "Dynamic
calibration of agent-based models using data assimilation", *R. Soc. Open Sci.* 3:150703;
Malleson et al. 2020): ``particles`` runs start together; at the end of every month before
the origin each is weighted by the likelihood of the recorded holders that month and the set
is resampled (systematic resampling, its uniform drawn from the seed), each copy going on with
random streams of its own (:meth:`sim.model.AfsimModel.fork`). From the origin on they run
free. Only rows dated before the origin are read (:func:`sim.analysis.record.build_record`
with ``before``): a forecast never sees an observation at or after its origin.

The likelihood of a particle's map given a month of the record: every known cell agrees, or
the record is wrong with probability :data:`MISS_PROBABILITY` of its row's confidence. A
high-confidence row is taken as exact, so a particle that contradicts one gets weight zero
whenever another particle does not; when every particle contradicts some, the fewest
contradictions win (weights are compared lexicographically: contradictions of
high-confidence rows, then the likelihood of the rest).

The origin is the first forecast month: ``--origin 1995-07`` is the forecast issued at the
end of 1995-06, scored on 1995-07 onwards against baselines started from the recorded map of
1995-06.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.analysis.comparison import HorizonTable
from sim.analysis.record import Record, as_record_codes, build_record
from sim.analysis.scores import Scorer, fit_diffusion_rate, run_modes
from sim.core.streams import replicate_seeds
from sim.core.world import build_world
from sim.data import Params, Scenario
from sim.data.dates import format_month, to_month
from sim.data.rundir import TABLES, RunDirectory, csv_text, manifest, read_tables
from sim.experiments.parameters import ParameterChoice
from sim.experiments.run import resolve_scenario
from sim.model import AfsimModel, tables_of

# The chance that a row of the record names a holder the true map does not have, by the
# row's confidence: high rows are taken as exact; implied or general-knowledge rows may be
# wrong. A modelling convention (docs/ODD.md), not fitted.
MISS_PROBABILITY = {"high": 0.0, "medium": 0.2, "low": 0.4}


def log_weights(codes: np.ndarray, record: Record, row: int,
                miss_probability: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(contradictions of cells taken as exact [P], log-likelihood of the other cells [P]) of
    particles' maps ``codes`` [P, T] (record codes) against the record's row ``row``.

    ``miss_probability``: by confidence, the chance the record is wrong (default
    :data:`MISS_PROBABILITY`); a confidence with 0 is taken as exact."""
    probabilities = MISS_PROBABILITY if miss_probability is None else miss_probability
    known = record.known[row]
    truth = record.holder[row]
    miss = (codes != truth[None, :]) & known[None, :]
    conf = record.confidence[row]
    missing = {str(c) for c in conf[known]} - set(probabilities)
    if missing:  # a known cell no probability covers would silently count for nothing
        raise ValueError(f"miss_probability has no value for confidence {sorted(missing)}")
    hard = np.zeros(codes.shape[0], dtype=int)
    soft = np.zeros(codes.shape[0])
    for name, p in probabilities.items():
        cols = known & (conf == name)
        misses = (miss & cols[None, :]).sum(axis=1)
        if p <= 0:
            hard += misses
            continue
        hits = cols.sum() - misses
        soft += misses * np.log(p) + hits * np.log1p(-p)
    return hard, soft


def normalised_weights(hard: np.ndarray, soft: np.ndarray) -> np.ndarray:
    """Weights summing to 1: zero for particles with more hard contradictions than the best."""
    best = hard == hard.min()
    top = soft[best].max()
    w = np.where(best, np.exp(soft - top), 0.0)
    return w / w.sum()


def systematic_resample(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices of the particles kept (systematic resampling: one uniform, evenly spaced)."""
    n = weights.size
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, positions, side="right").clip(0, n - 1)


def _generator(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _child_seed(seed: int, month: int, particle: int) -> int:
    state = np.random.SeedSequence(seed, spawn_key=(zlib.crc32(b"particles"), month, particle))
    return int(state.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def assimilate(scenario: Scenario, choice: ParameterChoice, origin: int, particles: int,
               seed: int, end: int, progress: bool = False,
               miss_probability: dict[str, float] | None = None) -> tuple[list[AfsimModel], dict]:
    """Run ``particles`` runs to ``end``, filtered on the record before ``origin``; return the
    finished models and a summary of the filter (effective sample sizes, contradictions).

    Each particle's parameters are drawn by its seed (from the posterior, if the scenario has
    one) and stay with its copies: the filter weighs parameter sets along with states."""
    if not scenario.start < origin <= end:
        raise ValueError(f"--origin {format_month(origin)} must be after the scenario's start "
                         f"{format_month(scenario.start)} and not after the end {format_month(end)}")
    record = build_record(scenario, before=origin)
    n_factions = len(scenario.drivers.faction_ids)
    models = [AfsimModel(scenario.drivers, seed=s, end=end, params=choice.for_seed(s),
                         collect=False)
              for s in replicate_seeds(seed, particles)]
    ancestor = np.arange(particles)  # which of the particles drawn at the start each descends from
    summary = {"months": [], "ess": [], "contradictions": [], "ancestors": []}
    bar = tqdm(total=origin - scenario.start - 1, unit="month", disable=not progress,
               file=sys.stderr, desc="assimilate")
    for month in range(scenario.start + 1, origin):
        for model in models:
            model.step()
        row = month - scenario.start
        codes = np.stack([as_record_codes(m.state.control, n_factions) for m in models])
        hard, soft = log_weights(codes, record, row, miss_probability)
        weights = normalised_weights(hard, soft)
        kept = systematic_resample(weights, _generator(seed, zlib.crc32(b"filter"), month))
        models = [models[i].fork(_child_seed(seed, month, j)) for j, i in enumerate(kept)]
        ancestor = ancestor[kept]
        summary["months"].append(format_month(month))
        summary["ess"].append(round(float(1.0 / (weights ** 2).sum()), 2))
        summary["contradictions"].append(int(hard.min()))
        summary["ancestors"].append(int(np.unique(ancestor).size))
        bar.update(1)
    bar.close()
    for model in models:
        model.run()
    return models, summary


class Forecast:
    """An ensemble conditioned on the record before ``origin``, then free.

    Args:
        scenario: a :class:`Scenario` or a scenario folder.
        origin: the first forecast month (``YYYY-MM`` or index).
        particles: runs in the filter (the replicates of the forecast).
        seed: root seed of the particles' seeds and of the resampling.
        miss_high: the chance, in 0..1, that a high-confidence row of the record is wrong
            (default :data:`MISS_PROBABILITY`'s: exact).
        end, params, defaults, **overrides: as for :class:`~sim.experiments.run.Run`.
    """

    def __init__(self, scenario: Scenario | str | Path, origin: int | str, particles: int = 100,
                 seed: int = 0, *, end: int | str | None = None,
                 params: Params | dict | None = None, defaults: bool = False,
                 miss_high: float | None = None, **overrides: Any):
        if not isinstance(particles, int) or isinstance(particles, bool) or particles < 1:
            raise ValueError(f"--particles must be at least 1, got {particles!r}")
        if miss_high is not None and not 0.0 <= miss_high < 1.0:
            raise ValueError(f"--miss-high must be in [0, 1), got {miss_high!r}")
        self.miss_probability = dict(MISS_PROBABILITY)
        if miss_high is not None:
            self.miss_probability["high"] = float(miss_high)
        self.scenario = resolve_scenario(scenario)
        self.choice = ParameterChoice.of(self.scenario, params, defaults, overrides)
        self.params = self.choice.base()
        self.origin = to_month(origin, self.scenario.end)
        self.particles = particles
        self.seed = seed
        self.end = to_month(end, self.scenario.end)
        if not self.scenario.start < self.origin <= self.end:
            raise ValueError(f"--origin {format_month(self.origin)} must be after the scenario's "
                             f"start {format_month(self.scenario.start)} and not after the end "
                             f"{format_month(self.end)}")
        self.path: Path | None = None
        self.filter: dict = {}
        self._tables: dict[str, pd.DataFrame] = {}

    def run(self, out: str | Path | None = None, force: bool = False,
            progress: bool = False) -> Forecast:
        """Filter, forecast, and keep the tables (or write them to the run directory ``out``)."""
        directory = RunDirectory(out, force=force) if out is not None else None
        try:
            models, self.filter = assimilate(self.scenario, self.choice, self.origin,
                                             self.particles, self.seed, self.end, progress,
                                             self.miss_probability)
            tables = [tables_of(model, j) for j, model in enumerate(models)]
            if directory is not None:
                for t in tables:
                    directory.append_text(csv_text(t))
                directory.finish(self.manifest(models))
                self.path = directory.path
            self._tables = {name: pd.concat([t[name] for t in tables], ignore_index=True)
                            for name in TABLES}
        except BaseException:
            if directory is not None:
                directory.abort()
            raise
        return self

    def manifest(self, models: list[AfsimModel]) -> dict:
        record = manifest(self.scenario, self.params, [m.run_seed for m in models], self.end,
                          root_seed=self.seed, command="forecast")
        record |= {"origin": format_month(self.origin), "particles": self.particles,
                   "miss_probability": self.miss_probability, "filter": self.filter,
                   "parameter_origin": self.choice.manifest(
                       replicate_seeds(self.seed, self.particles))}
        return record

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        if not self._tables and self.path is not None:
            self._tables = read_tables(self.path)
        return self._tables

    def scores(self) -> dict:
        """The forecast's scores against baselines from the recorded map before the origin."""
        return Scorer(self.scenario, self.tables, run_modes(self.scenario, self.params.to_dict()),
                      origin=self.origin).scores()



def rolling_horizons(scenario: Scenario | str | Path, first: int | str, last: int | str,
                     particles: int = 50, seed: int = 0, horizons: tuple[int, ...] = (1, 3, 6, 12),
                     params: Params | dict | None = None, defaults: bool = False,
                     progress: bool = False, miss_high: float | None = None) -> dict:
    """Skill by horizon of forecasts from every origin ``first..last`` (month indices or
    ``YYYY-MM``), each scored against baselines from the recorded map before its origin.

    Each origin's forecast reads only the record before it; the diffusion rate of the
    baselines is fitted one month ahead on the months before the first origin.
    """
    scenario = resolve_scenario(scenario)
    first, last = to_month(first, scenario.end), to_month(last, scenario.end)
    record = build_record(scenario)
    adjacency = build_world(scenario.drivers).adjacency.astype(float)
    rate = fit_diffusion_rate(record, adjacency, slice(0, record.window(first, first).start))
    table = HorizonTable(record, adjacency, rate, horizons)
    origins = range(first, last + 1)
    for origin in tqdm(origins, unit="origin", disable=not progress, file=sys.stderr,
                       desc="horizons"):
        forecast = Forecast(scenario, origin, particles, seed, params=params,
                            defaults=defaults, miss_high=miss_high).run()
        prob = Scorer(scenario, forecast.tables).prob
        table.add(record.window(origin, origin).start, prob)
    return {"origins": [format_month(first), format_month(last)], "particles": particles,
            "seed": seed, "diffusion_rate": rate, "horizons": table.table()}
