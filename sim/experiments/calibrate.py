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
from sim.data.params import Params, check_bounds
from sim.data.specfile import SpecFile
from sim.experiments.executor import imap
from sim.experiments.simulate import evaluate
from sim.model import AfsimModel

SPEC_KEYS = ("scenario", "parameters", "trials", "replicates", "seed", "startup_trials",
             "holdout_replicates")
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
    spec_file = SpecFile(path, SPEC_KEYS, "calibration spec")
    data = spec_file.data
    _, scenario_path = spec_file.scenario_folder()
    params: dict[str, tuple[float, float]] = {}
    raw = data.get("parameters")
    if not isinstance(raw, dict) or not raw:
        spec_file.add(("parameters",), "parameters: a mapping of name: [low, high] is required")
        raw = {}
    for name, bounds in raw.items():
        checked, problem = check_bounds(name, bounds)
        if problem:
            spec_file.add(("parameters", name), problem)
        else:
            params[name] = checked
    spec = CalibrationSpec(
        path=spec_file.path, scenario=scenario_path or Path("."), parameters=params,
        trials=spec_file.integer("trials", 100, 1), replicates=spec_file.integer("replicates", 4, 1),
        seed=spec_file.integer("seed", 0, 0), startup_trials=spec_file.integer("startup_trials", 10, 1),
        holdout_replicates=spec_file.integer("holdout_replicates", 50, 1))
    spec_file.raise_if_any()
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
