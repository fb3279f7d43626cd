"""Calibration: a posterior over the parameters from the patterns of the calibration window,
by approximate Bayesian computation with sequential Monte Carlo (ABC-SMC; Toni et al. 2009;
Beaumont et al. 2009), with pyabc (Schälte et al. 2022).

Each particle is a parameter set drawn from the prior (later: perturbed from the last
population), run ``replicates`` times (the spec's key; 1 by default) to the end of the
calibration window, and reduced to the mean of its runs' distances to the window's patterns
(:class:`sim.analysis.fit.PatternFit`: the control record, the timing of recorded changes,
the totals, the concentration of the fighting). The distances are combined in a 2-norm, each
divided by its spread in the prior sample (pyabc's adaptive p-norm, Prangle 2017) or, with
``scales: persistence``, by persistence's distance to the same pattern; the acceptance
threshold is the median distance of the previous generation; particles are perturbed with a
local covariance (pyabc's LocalTransition), mixed with a share of the prior with ``defensive``
(:mod:`sim.experiments.defensive`). Runs never reach a hold-out month and the fit reads no
hold-out observation.

The study lives in ``DIR/abc.db`` (pyabc's SQLite history). With one worker it is reproducible
from the spec's seed (pyabc and the runs draw from numpy's global generator, seeded once); the
same command run again resumes from the last finished generation (the resumed study is valid
but not identical to an uninterrupted one: pyabc refits its adaptive distance on resuming).
The result, ``DIR/posterior.yaml`` (and with ``--save`` the scenario's own file), holds the
last population's parameter sets and weights with the study's provenance; ensembles draw
each replicate's parameters from it.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from tqdm import tqdm

from sim._version import __version__
from sim.analysis.fit import DISTANCES, RECORD_CELLS, PatternFit
from sim.data import Params, Scenario, load
from sim.data.params import check_bounds
from sim.data.specfile import SpecFile, is_number
from sim.model import AfsimModel

SPEC_KEYS = ("scenario", "parameters", "bounds", "population", "generations", "min_epsilon",
             "max_simulations", "seed", "check_replicates", "replicates", "scales",
             "defensive", "record_cells")
SCALES = ("prior", "persistence")  # how the patterns' distances are made comparable
OUT_OF_BOUNDS = 1e6  # a run outside a pattern's bound is this far plus its excess: above any
# in-bounds distance, so the quantile thresholds first close in on the bounds, then fit within
PROGRESS: list = [None]  # the progress bar of the study running in this process, if any
SCALE_FLOOR = 0.01  # distances are shares in 0..1: a spread below 1% is no spread
LIMIT_SHARE = 0.05  # a marginal within 5% of a range end at its 10th/90th percentile "piles up"


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: uniform on [low, high], or triangular with a ``mode`` (where the
    literature gives an order of magnitude)."""

    name: str
    low: float
    high: float
    mode: float | None = None

    def rv(self):
        import pyabc
        if self.mode is None:
            return pyabc.RV("uniform", self.low, self.high - self.low)
        c = (self.mode - self.low) / (self.high - self.low)
        return pyabc.RV("triang", c, self.low, self.high - self.low)

    def to_spec(self):
        return ([self.low, self.high] if self.mode is None
                else {"low": self.low, "high": self.high, "mode": self.mode})


@dataclass(frozen=True)
class CalibrationSpec:
    path: Path
    scenario: Path
    priors: tuple[Prior, ...]
    population: int
    generations: int
    min_epsilon: float
    max_simulations: int
    seed: int
    check_replicates: int
    bounds: tuple[tuple[str, float], ...] = ()
    replicates: int = 1  # runs per particle; the particle's distances are their means
    scales: str = "prior"  # "prior": spread in the prior sample; "persistence": its miss
    defensive: float = 0.0  # the prior's share of the proposals (sim.experiments.defensive)
    record_cells: str = "provinces"  # the cells the record pattern counts (PatternFit)

    def hash(self) -> str:
        data = {"priors": [(p.name, p.to_spec()) for p in self.priors],
                "population": self.population, "seed": self.seed}
        if self.bounds:  # absent from older studies' hashes, which stay valid
            data["bounds"] = [list(b) for b in self.bounds]
        if self.replicates != 1:  # likewise
            data["replicates"] = self.replicates
        if self.scales != "prior":  # likewise
            data["scales"] = self.scales
        if self.defensive:  # likewise
            data["defensive"] = self.defensive
        if self.record_cells != "provinces":  # likewise
            data["record_cells"] = self.record_cells
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration spec; every problem as ``file:line: message``."""
    spec_file = SpecFile(path, SPEC_KEYS, "calibration spec")
    data = spec_file.data
    _, scenario_path = spec_file.scenario_folder()
    priors = []
    raw = data.get("parameters")
    if not isinstance(raw, dict) or not raw:
        spec_file.add(("parameters",), "parameters: a mapping of name: [low, high] (or "
                      "{low, high, mode}) is required")
        raw = {}
    for name, entry in raw.items():
        mode = None
        bounds = entry
        if isinstance(entry, dict):
            extra = set(entry) - {"low", "high", "mode"}
            if extra or "low" not in entry or "high" not in entry:
                spec_file.add(("parameters", name), f"parameter {name!r}: expected [low, high] "
                              "or {low, high, mode}")
                continue
            bounds, mode = [entry["low"], entry["high"]], entry.get("mode")
        checked, problem = check_bounds(name, bounds)
        if problem:
            spec_file.add(("parameters", name), problem)
            continue
        if mode is not None and not (is_number(mode) and checked[0] < mode < checked[1]):
            spec_file.add(("parameters", name), f"parameter {name!r}: mode must lie strictly "
                          f"between low and high, got {mode!r}")
            continue
        priors.append(Prior(name, checked[0], checked[1], None if mode is None else float(mode)))
    bounds = []
    raw_bounds = data.get("bounds", {})
    if not isinstance(raw_bounds, dict):
        spec_file.add(("bounds",), "bounds: a mapping of pattern: largest distance accepted")
        raw_bounds = {}
    for name, bound in raw_bounds.items():
        if name not in DISTANCES:
            spec_file.add(("bounds", name), f"bounds: unknown pattern {name!r}; the patterns "
                          f"are {', '.join(DISTANCES)}")
        elif not (is_number(bound) and np.isfinite(bound) and bound > 0):
            spec_file.add(("bounds", name), f"bounds: {name} must be a number > 0, got {bound!r}")
        else:
            bounds.append((name, float(bound)))
    scales = data.get("scales", "prior")
    if scales not in SCALES:
        spec_file.add(("scales",), f"scales must be one of {', '.join(SCALES)}, got {scales!r}")
        scales = "prior"
    record_cells = data.get("record_cells", "provinces")
    if record_cells not in RECORD_CELLS:
        spec_file.add(("record_cells",), f"record_cells must be one of {', '.join(RECORD_CELLS)}"
                      f", got {record_cells!r}")
        record_cells = "provinces"
    defensive = data.get("defensive", 0.0)
    if not (is_number(defensive) and 0.0 <= defensive < 1.0):
        spec_file.add(("defensive",), "defensive: the prior's share of the proposals must be a "
                      f"number in [0, 1), got {defensive!r}")
        defensive = 0.0
    min_eps = data.get("min_epsilon", 0.0)
    if not is_number(min_eps) or not np.isfinite(min_eps) or min_eps < 0:
        spec_file.add(("min_epsilon",), f"min_epsilon must be a number >= 0, got {min_eps!r}")
        min_eps = 0.0
    spec = CalibrationSpec(
        path=spec_file.path, scenario=scenario_path or Path("."), priors=tuple(priors),
        population=spec_file.integer("population", 200, 10),
        generations=spec_file.integer("generations", 8, 1), min_epsilon=float(min_eps),
        max_simulations=spec_file.integer("max_simulations", 20000, 1),
        seed=spec_file.integer("seed", 0, 0),
        check_replicates=spec_file.integer("check_replicates", 100, 1), bounds=tuple(bounds),
        replicates=spec_file.integer("replicates", 1, 1), scales=scales,
        defensive=float(defensive), record_cells=record_cells)
    spec_file.raise_if_any()
    return spec


class Simulator:
    """pyabc's model: parameters -> the mean distances of ``replicates`` runs to the
    calibration patterns.

    One run per particle accepts parameter sets for a lucky run: the accepted distances are
    then better than what runs drawn from the posterior give (for posterior v3, record 0.087
    accepted against 0.111 drawn). The mean over several runs is an estimate of the expected
    distance, which is what an ensemble drawn from the posterior is scored on (the mean
    record distance of its runs is 1 − its mean probability of the recorded holder).

    The runs' seeds come from numpy's global generator, which the calibration seeds per
    generation (pyabc samples its particles from it too)."""

    def __init__(self, scenario: Scenario, base: Params, replicates: int = 1,
                 record_cells: str = "provinces"):
        if replicates < 1:
            raise ValueError(f"replicates must be >= 1, got {replicates}")
        self.scenario = scenario
        self.base = base
        self.replicates = replicates
        self.fit = PatternFit(scenario, record_cells)

    def distances(self, params: Params, seed: int) -> dict[str, float]:
        return self.score(self.run(params, seed))

    def run(self, params: Params, seed: int) -> AfsimModel:
        """One run over the calibration window."""
        sc = self.scenario
        return AfsimModel(sc.drivers, seed=seed, end=sc.calibration.end, params=params,
                          collect=False).run()

    def score(self, model: AfsimModel) -> dict[str, float]:
        """The fit's distances of a run of :meth:`run`."""
        sc = self.scenario
        battles = [(m - sc.start, b.target) for m, b in model.history.battles]
        battles += [(m - sc.start, w.target) for m, w in model.history.withdrawals]
        battles += [(m - sc.start, b.target) for m, b in model.history.bombardments]
        return self.fit.distances(np.stack(model.history.control), battles)

    def __call__(self, pars: dict) -> dict[str, float]:
        # pyabc draws from numpy's global generator; so must the runs, to be reproducible
        seeds = [int(np.random.randint(0, 2**31 - 1)) for _ in range(self.replicates)]  # noqa: NPY002
        params = self.base.replace(**{k: float(v) for k, v in pars.items()})
        runs = [self.distances(params, seed) for seed in seeds]
        return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}  # one run: its own


def persistence_weights(fit: PatternFit) -> dict[str, float]:
    """Each pattern's weight: 1 / the distance of persistence (floored), so a run's distance
    to a pattern counts in units of what "nothing changes" misses of it, whatever the prior's
    ranges (the project's scores are skills against that baseline)."""
    return {k: 1.0 / max(v, SCALE_FLOOR) for k, v in fit.persistence().items()}


def floored_mad(*, samples: np.ndarray, **_) -> np.ndarray:
    """The median absolute deviation of each distance, at least ``SCALE_FLOOR``: a pattern
    every run meets (spread 0) then weighs like any other instead of breaking the scaling."""
    from pyabc.distance.scale import median_absolute_deviation
    return np.maximum(median_absolute_deviation(samples=samples), SCALE_FLOOR)


class _Counted:
    """A pyabc model that advances this process's progress bar on each run."""

    def __init__(self, model):
        self.model = model

    def __call__(self, pars: dict) -> dict[str, float]:
        if PROGRESS[0] is not None:
            PROGRESS[0].update(1)
        return self.model(pars)


def _bounded(base: type, bounds: dict[str, float]) -> type:
    """``base`` (a pyabc distance class) under which a run outside a bound is at
    OUT_OF_BOUNDS plus its summed excess (a lexicographic distance: bounds first)."""
    if not bounds:
        return base

    class Bounded(base):
        def __call__(self, x, x_0, t=None, par=None):
            excess = sum(max(0.0, x[name] - bound) for name, bound in bounds.items())
            if excess > 0:
                return OUT_OF_BOUNDS + excess
            return super().__call__(x, x_0, t, par)

    return Bounded


def run_abc(model, priors: tuple[Prior, ...], distances: tuple[str, ...], db: Path,
            population: int, generations: int, min_epsilon: float, max_simulations: int,
            seed: int, workers: int = 1, progress: bool = False,
            bounds: tuple[tuple[str, float], ...] = (), weights: dict[str, float] | None = None,
            defensive: float = 0.0):
    """Run (or resume) an ABC-SMC study of ``model`` (parameters -> distances, all observed
    at 0) in the SQLite file ``db``; return pyabc's history. ``bounds``: patterns used as
    filters (Grimm et al. 2005): a run over a bound is farther than any run within all of
    them, so once a generation's threshold falls below OUT_OF_BOUNDS only runs within the
    bounds are accepted. ``weights``: fixed weights of the distances in the 2-norm; without
    them each is divided by its spread in the prior sample. ``defensive``: the prior's share
    of the proposals (0: none), which bounds every importance weight
    (:mod:`sim.experiments.defensive`)."""
    import pyabc
    for name in list(logging.root.manager.loggerDict):  # pyabc reports every generation
        if name.startswith("ABC"):
            logging.getLogger(name).setLevel(logging.WARNING)
    prior = pyabc.Distribution(**{p.name: p.rv() for p in priors})
    # scales fitted once, on the prior sample: later generations then shrink a fixed distance
    # (refitting them each generation made the thresholds rise and fall)
    if weights is None:
        distance = _bounded(pyabc.distance.AdaptivePNormDistance, dict(bounds))(
            p=2, max_scale_weight_ratio=20, scale_function=floored_mad, fit_scale_ixs={0})
    else:
        distance = _bounded(pyabc.distance.PNormDistance, dict(bounds))(
            p=2, fixed_weights=dict(weights))
    sampler = (pyabc.sampler.SingleCoreSampler() if workers <= 1
               else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers))
    # a local covariance per particle: a better proposal than one global normal in 13 dimensions
    kernel = pyabc.transition.LocalTransition(k_fraction=0.25)
    if defensive:
        from sim.experiments.defensive import DefensiveTransition
        kernel = DefensiveTransition(kernel, prior, defensive)
    abc = pyabc.ABCSMC(_Counted(model), prior, distance, population_size=population,
                       sampler=sampler, eps=pyabc.epsilon.QuantileEpsilon(alpha=0.5),
                       transitions=kernel)
    url = "sqlite:///" + str(db.resolve())
    if db.is_file():
        abc.load(url, 1)
    else:
        abc.new(url, {name: 0.0 for name in distances})
    history = abc.history
    done = history.max_t + 1
    if generations - done > 0 and history.total_nr_simulations < max_simulations:
        bar = tqdm(total=max_simulations, initial=int(history.total_nr_simulations),
                   unit="particle", disable=not progress or workers > 1, file=sys.stderr,
                   desc="ABC-SMC particles (at most)")
        PROGRESS[0] = bar
        np.random.seed([seed, done])  # noqa: NPY002 - pyabc samples from the global one
        try:
            abc.run(max_nr_populations=generations - done, minimum_epsilon=min_epsilon,
                    max_total_nr_simulations=max_simulations)
        finally:
            PROGRESS[0] = None
            bar.close()
    return abc.history


def calibration_base(spec: CalibrationSpec, scenario: Scenario) -> Params:
    """The values every particle's runs share: the registry defaults with the scenario's fixed
    ``parameters:``, which ensembles apply over every posterior draw, so the fit must run the
    same model. A parameter both fitted by the spec and fixed by the scenario would be fitted
    and then overridden: refused, naming the spec's line."""
    fixed = dict(scenario.drivers.parameters)
    clash = [p.name for p in spec.priors if p.name in fixed]
    if clash:
        lines = Path(spec.path).read_text().splitlines()
        where = next((i + 1 for i, line in enumerate(lines)
                      if line.strip().startswith(f"{clash[0]}:")), 0)
        raise ValueError(f"{spec.path}:{where}: parameter {clash[0]!r} is fitted here but fixed "
                         f"in the scenario's scenario.yaml (parameters: {clash[0]}: "
                         f"{fixed[clash[0]]}); fit it or fix it, not both")
    return Params.make(fixed)


def calibrate(spec_path: str | Path, out: str | Path, workers: int = 1, save: Path | None = None,
              progress: bool = True) -> dict:
    """Run (or resume) the study, then write the posterior; return its record.

    The fit starts from the registry defaults and the scenario's fixed ``parameters:`` (what
    every run drawn from the posterior is given too; never from an earlier fit). With one
    worker the study is reproducible from its seed; with several, faster but not bit-for-bit.
    """
    spec = load_spec(spec_path)
    scenario = load(spec.scenario)
    base = calibration_base(spec, scenario)
    out = Path(out)
    if save is not None and save.is_dir():
        raise ValueError(f"--save {save}: is a directory; give the posterior file's path")
    out.mkdir(parents=True, exist_ok=True)
    info_path = out / "calibration.json"
    info = {"spec_hash": spec.hash(), "scenario_drivers_hash": scenario.drivers.hash,
            "spec": str(spec.path)}
    if info_path.is_file():
        previous = json.loads(info_path.read_text())
        if (previous.get("spec_hash"), previous.get("scenario_drivers_hash")) != (
                info["spec_hash"], info["scenario_drivers_hash"]):
            raise ValueError(f"{out}: a study with another spec or scenario lives here; use a "
                             "new --out directory (studies are never mixed)")
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    simulator = Simulator(scenario, base, spec.replicates, spec.record_cells)
    history = run_abc(simulator, spec.priors, DISTANCES,
                      out / "abc.db", spec.population, spec.generations, spec.min_epsilon,
                      spec.max_simulations, spec.seed, workers, progress, spec.bounds,
                      persistence_weights(simulator.fit) if spec.scales == "persistence" else None,
                      spec.defensive)
    return write_posterior(spec, scenario, history, out, save)


def _summary(values: np.ndarray, weights: np.ndarray, prior: Prior) -> dict:
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    q = {p: float(values[order[min(np.searchsorted(cum, p), len(cum) - 1)]])
         for p in (0.05, 0.1, 0.5, 0.9, 0.95)}
    span = prior.high - prior.low
    at_low = q[0.9] <= prior.low + LIMIT_SHARE * span
    at_high = q[0.1] >= prior.high - LIMIT_SHARE * span
    return {"mean": round(float(np.sum(values * weights)), 6), "median": round(q[0.5], 6),
            "p5": round(q[0.05], 6), "p95": round(q[0.95], 6),
            "range": [prior.low, prior.high],
            "limit": "low" if at_low else ("high" if at_high else None)}


def posterior_samples(weights: np.ndarray, values: np.ndarray) -> list[list[float]]:
    """``[[weight, value, ...], ...]`` as written: weights to 8 decimals, values to 6; a
    particle whose weight rounds to 0 (under 5e-9 of the mass) is left out, since the file
    format admits only positive weights."""
    return [[round(float(w), 8), *(round(float(v), 6) for v in row)]
            for w, row in zip(weights, values, strict=True) if round(float(w), 8) > 0]


def write_posterior(spec: CalibrationSpec, scenario: Scenario, history, out: Path,
                    save: Path | None) -> dict:
    """The last population as ``posterior.yaml`` with its provenance."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    names = [p.name for p in spec.priors]
    values = frame[names].to_numpy(dtype=float)
    weights = np.asarray(weights, dtype=float)
    weights = weights / weights.sum()
    populations = history.get_all_populations()
    stats = history.get_weighted_sum_stats(t=history.max_t)
    dist = {k: float(np.sum(stats[0] * np.array([s[k] for s in stats[1]])))
            for k in DISTANCES} if stats[1] else {}
    record = {
        "parameters": names,
        "samples": posterior_samples(weights, values),
        "provenance": {
            "method": "ABC-SMC (pyabc): 2-norm distance over the calibration patterns, each "
                      + ("scaled by its spread in the prior sample"
                         if spec.scales == "prior" else "in units of persistence's distance")
                      + ", median epsilon, uniform or triangular priors",
            **({"bounds": dict(spec.bounds)} if spec.bounds else {}),
            "runs_per_particle": spec.replicates,
            "scales": spec.scales,
            "prior_share_of_proposals": spec.defensive,
            "scenario": scenario.name, "scenario_drivers_hash": scenario.drivers.hash,
            "fitted_on": str(scenario.calibration),
            "patterns": list(DISTANCES),
            "record_cells": spec.record_cells,
            "priors": {p.name: p.to_spec() for p in spec.priors},
            "population": spec.population, "generations": int(history.max_t + 1),
            "simulations": int(history.total_nr_simulations),
            "epsilons": [round(float(e), 5) for e in populations["epsilon"].iloc[1:]]
            if len(populations) > 1 else [],
            "seed": spec.seed,
            "final_distances": {k: round(v, 5) for k, v in dist.items()},
            "effective_sample_size": round(float(1.0 / np.sum(weights ** 2)), 1),
            "marginals": {p.name: _summary(values[:, i], weights, p)
                          for i, p in enumerate(spec.priors)},
            "date": _dt.date.today().isoformat(), "version": __version__,
        },
    }
    text = ("# Posterior of the calibrated parameters: written by `afsim calibrate`; do not edit.\n"
            + yaml.safe_dump(record, sort_keys=False, width=120))
    (out / "posterior.yaml").write_text(text)
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        tmp = save.with_name(save.name + ".partial")
        tmp.write_text(text)
        tmp.replace(save)
    return record


def combined_distance(distances: dict[str, float], weights: dict[str, float]) -> float:
    """The 2-norm of the weighted distances: a particle's distance in the fit."""
    return float(np.sqrt(sum((weights[k] * distances[k]) ** 2 for k in weights)))


def check_posterior(scenario: Scenario, draws: int, seed: int = 0,
                    record_cells: str = "provinces") -> dict[str, float]:
    """Mean calibration-window distances of ``draws`` runs drawn from the scenario's posterior
    (or with its parameters): how well the fit reproduces the patterns it was fitted to; and
    ``combined``, those means combined in units of persistence's miss (a frozen map is at 2),
    which compares studies whatever their priors. ``record_cells``: as the spec's key."""
    from sim.core.streams import replicate_seeds
    from sim.experiments.parameters import ParameterChoice
    simulator = Simulator(scenario, Params.make(), record_cells=record_cells)
    choice = ParameterChoice.of(scenario)
    rows = [simulator.distances(choice.for_seed(s), s) for s in replicate_seeds(seed, draws)]
    return {k: round(v, 4) for k, v in mean_distances(rows, simulator.fit).items()}


def mean_distances(rows: list[dict[str, float]], fit: PatternFit) -> dict[str, float]:
    """The runs' mean distance per pattern and ``combined``, those means combined in units of
    persistence's miss."""
    means = {k: float(np.mean([r[k] for r in rows])) for k in DISTANCES}
    means["combined"] = combined_distance(means, persistence_weights(fit))
    return means

