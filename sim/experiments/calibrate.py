"""Calibration on the calibration window only, with Optuna, resumable.

The objective is ``calibration_loss`` of :mod:`sim.analysis.evaluate` (1 - mean probability given
to the recorded controller over the calibration window's province-months), from runs
that stop at the calibration window's end: the hold-out months are never simulated while
fitting, so they cannot leak into the fit. Every trial uses the same replicate seeds
(common random numbers), so trials differ by their parameters only. Replicates are run one
at a time and the running loss is reported to Optuna, whose median pruner stops hopeless
trials early.

The study lives in ``DIR/study.journal`` (Optuna's journal file storage, safe for
parallel worker processes, unlike SQLite on a shared file system); running the same
command again resumes it up to its trial budget. The best parameter set is then run on the
whole window and written with its provenance to ``DIR/calibrated.yaml`` (and, with
``--save``, to ``calibration/``).
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
import yaml

from sim._version import __version__
from sim.analysis.evaluate import Evaluator
from sim.core.streams import replicate_seeds
from sim.data import Scenario, load
from sim.data.params import BY_NAME, Params
from sim.data.problems import Problems
from sim.data.yamlio import line_of, load_yaml
from sim.experiments.executor import imap
from sim.experiments.simulate import evaluate
from sim.model import AfsimModel

SPEC_KEYS = {"scenario", "parameters", "trials", "replicates", "seed", "startup_trials",
             "holdout_replicates", "workers"}
STUDY = "afsim-calibration"


@dataclass(frozen=True)
class CalibrationSpec:
    path: Path
    scenario: Path
    parameters: dict[str, tuple[float, float]]
    trials: int
    replicates: int
    seed: int
    startup_trials: int
    holdout_replicates: int


def load_spec(path: str | Path) -> CalibrationSpec:
    """Read and check a calibration spec; every problem as ``file:line: message``."""
    path = Path(path)
    problems = Problems()
    if not path.is_file():
        problems.add(path.name, 0, "file is missing")
        problems.raise_if_any()
    data, lines = load_yaml(path.read_text(encoding="utf-8"), path.name, problems)
    problems.raise_if_any()
    if not isinstance(data, dict):
        problems.add(path.name, 1, "expected a mapping of keys")
        problems.raise_if_any()
    for key in data:
        if key not in SPEC_KEYS:
            problems.add(path.name, line_of(lines, (key,)),
                         f"unknown key {key!r}; expected one of {', '.join(sorted(SPEC_KEYS))}")

    def integer(key, default, low):
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            problems.add(path.name, line_of(lines, (key,)), f"{key} must be an integer >= {low}, got {value!r}")
            return default
        return value

    scenario = data.get("scenario")
    scenario_path = None
    if not isinstance(scenario, str):
        problems.add(path.name, line_of(lines, ("scenario",)), "scenario: a scenario folder is required")
    else:
        for candidate in (path.parent / scenario, Path(scenario)):
            if (candidate / "scenario.yaml").is_file():
                scenario_path = candidate
                break
        else:
            problems.add(path.name, line_of(lines, ("scenario",)), f"scenario folder {scenario!r} not found")
    params: dict[str, tuple[float, float]] = {}
    raw = data.get("parameters")
    if not isinstance(raw, dict) or not raw:
        problems.add(path.name, line_of(lines, ("parameters",)),
                     "parameters: a mapping of name: [low, high] is required")
        raw = {}
    for name, bounds in raw.items():
        line = line_of(lines, ("parameters", name))
        spec = BY_NAME.get(name)
        if spec is None or not spec.numeric:
            problems.add(path.name, line, f"unknown or non-numeric parameter {name!r}; valid names: "
                         + ", ".join(n for n, p in BY_NAME.items() if p.numeric))
            continue
        if (not isinstance(bounds, list) or len(bounds) != 2
                or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)):
            problems.add(path.name, line, f"{name}: expected [low, high], got {bounds!r}")
            continue
        low, high = float(bounds[0]), float(bounds[1])
        if low >= high:
            problems.add(path.name, line, f"{name}: low {low:g} must be below high {high:g}")
        elif low < spec.low or high > spec.high:
            problems.add(path.name, line, f"{name}: [{low:g}, {high:g}] leaves the plausible range "
                         f"{spec.low:g}..{spec.high:g}")
        else:
            params[name] = (low, high)
    spec = CalibrationSpec(path=path, scenario=scenario_path or Path("."), parameters=params,
                           trials=integer("trials", 100, 1), replicates=integer("replicates", 4, 1),
                           seed=integer("seed", 0, 0), startup_trials=integer("startup_trials", 10, 1),
                           holdout_replicates=integer("holdout_replicates", 50, 1))
    problems.raise_if_any()
    return spec


def _storage(out: Path) -> optuna.storages.JournalStorage:
    from optuna.storages.journal import JournalFileBackend
    return optuna.storages.JournalStorage(JournalFileBackend(str(out / "study.journal")))


def _objective(spec: CalibrationSpec, scenario: Scenario, base: Params):
    cal_end = scenario.calibration.end
    evaluator = Evaluator(scenario, end=cal_end)
    seeds = replicate_seeds(spec.seed, spec.replicates)

    def objective(trial: optuna.Trial) -> float:
        values = {name: trial.suggest_float(name, low, high)
                  for name, (low, high) in spec.parameters.items()}
        params = base.replace(**values)
        controls = []
        loss = float("nan")
        for i, seed in enumerate(seeds):
            model = AfsimModel(scenario, seed=seed, end=cal_end, params=params, collect=False).run()
            controls.append(np.stack(model.history.control))
            loss = evaluator.outputs(np.stack(controls))["calibration_loss"]
            trial.report(loss, i)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    return objective


def _study(spec: CalibrationSpec, out: Path, seed_offset: int = 0) -> optuna.Study:
    sampler = optuna.samplers.TPESampler(seed=spec.seed + seed_offset,
                                         n_startup_trials=spec.startup_trials)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=spec.startup_trials, n_warmup_steps=0)
    return optuna.create_study(study_name=STUDY, storage=_storage(out), direction="minimize",
                               sampler=sampler, pruner=pruner, load_if_exists=True)


def _finished(study: optuna.Study) -> int:
    states = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    return sum(t.state in states for t in study.trials)


def _worker(ctx: tuple[CalibrationSpec, Scenario, Path], index: int, trials: int) -> int:
    spec, scenario, out = ctx
    study = _study(spec, out, seed_offset=index)
    study.optimize(_objective(spec, scenario, Params.make()), n_trials=trials)
    return trials


def calibrate(spec_path: str | Path, out: str | Path, workers: int = 1, save: Path | None = None,
              progress: bool = True) -> dict:
    """Run (or resume) the study, then evaluate and write the best set; return its record.

    The fit starts from the registry defaults, not from the scenario's current parameter
    set, so a calibration never feeds on an earlier one. With one worker the study is
    reproducible from its seed; with several it is not (trials interleave), but each
    trial's own evaluation still is.
    """
    spec = load_spec(spec_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    scenario = load(spec.scenario)
    info_path = out / "calibration.json"
    info = {"spec": str(spec.path), "scenario_hash": scenario.drivers.hash}
    if info_path.is_file():
        previous = json.loads(info_path.read_text())
        if previous.get("scenario_hash") != scenario.drivers.hash:
            raise ValueError(f"{out}: the study was made with another version of the scenario; "
                             "use a new --out directory")
    info_path.write_text(json.dumps(info, indent=2) + "\n")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = _study(spec, out)
    remaining = max(spec.trials - _finished(study), 0)
    if remaining and workers <= 1:
        study.optimize(_objective(spec, scenario, Params.make()), n_trials=remaining,
                       show_progress_bar=progress)
    elif remaining:
        shares = [remaining // workers + (i < remaining % workers) for i in range(workers)]
        tasks = [(i, n) for i, n in enumerate(shares) if n]
        for _ in imap(_worker, tasks, (spec, scenario, out), workers=len(tasks)):
            pass
        study = _study(spec, out)
    return _write_result(spec, scenario, study, out, save)


def _number(value: float | None) -> float | None:
    """A score for YAML: rounded, and ``None`` where undefined (NaN or no value)."""
    if value is None or value != value:
        return None
    return round(float(value), 4)


def _write_result(spec: CalibrationSpec, scenario: Scenario, study: optuna.Study, out: Path,
                  save: Path | None) -> dict:
    best = study.best_trial
    defaults = Params.make()
    calibrated = defaults.replace(**best.params)
    evaluator = Evaluator(scenario)
    seeds = replicate_seeds(spec.seed + 1, spec.holdout_replicates)  # fresh seeds for the check
    scores = {"default": evaluate(evaluator, defaults, seeds), "calibrated": evaluate(evaluator, calibrated, seeds)}
    record = {
        "parameters": {k: round(float(v), 6) for k, v in best.params.items()},
        "provenance": {
            "scenario": scenario.name,
            "scenario_drivers_hash": scenario.drivers.hash,
            "fitted_on": str(scenario.calibration),
            "objective": "calibration_loss = 1 - mean probability of the recorded controller, "
                         "calibration window, province-months",
            "budget": {"trials": spec.trials, "finished": _finished(study),
                       "pruned": sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials),
                       "replicates_per_trial": spec.replicates},
            "seed": spec.seed,
            "ranges": {k: list(v) for k, v in spec.parameters.items()},
            "best_trial": best.number,
            "best_calibration_loss": round(float(best.value), 6),
            "check_replicates": spec.holdout_replicates,
            "scores": {k: {o: _number(v) for o, v in s.items()} for k, s in scores.items()},
            "date": _dt.date.today().isoformat(),
            "version": __version__,
        },
    }
    text = ("# Calibrated parameter set: written by `afsim calibrate`; do not edit by hand.\n"
            + yaml.safe_dump(record, sort_keys=False))
    (out / "calibrated.yaml").write_text(text)
    if save is not None:
        save.parent.mkdir(parents=True, exist_ok=True)
        tmp = save.with_suffix(".partial")
        tmp.write_text(text)
        tmp.replace(save)
    return record
