"""Parameter sweeps: a design of parameter points, replicates of each, summary outputs.

A sweep is described by a YAML spec (``afsim sweep SPEC --out DIR``)::

    scenario: ../scenarios/afghanistan_1992_1996   # relative to the spec's folder, or cwd
    design: latin            # grid | latin | sobol | morris
    samples: 16              # latin: points; sobol: Saltelli base N (a power of 2);
                             # morris: trajectories (not used by grid)
    levels: 4                # morris only (even, default 4)
    replicates: 2            # runs per point
    seed: 1992               # root seed: design and replicate seeds
    end: "1994-12"           # optional last month (default: the scenario's end)
    parameters:              # registry names; ranges inside the registry's plausible range
      csf_exponent: [1.0, 3.0]
      defection_rate: {values: [0.1, 0.3]}    # grid only
    fixed: {urban_defence: 1.5}               # optional, applied to every point
    outputs: [calibration_loss, holdout_accuracy]   # default: all of sim.analysis.evaluate.OUTPUTS

Every problem in a spec is reported as ``file:line: message`` (:class:`ValidationError`).

Design: SALib's seeded samplers (``latin``, ``sobol`` with ``calc_second_order=False``, so
``N * (D + 2)`` points, and ``morris``, ``N * (D + 1)`` points), or the product of the listed
values for ``grid`` (first parameter slowest). Points are clipped to their ranges (SALib's
scaling can overshoot ``high`` by one ulp).

Runs: one task per (point, replicate). Replicate ``r`` of every point has the seed
``replicate_seeds(seed, replicates)[r]`` (common random numbers across points), and the seed
is an argument of the task, so a row depends only on its point, its seed and the code. A task
returns one row: ``run`` (``point * replicates + replicate``), ``point``, ``replicate``,
``seed``, one column per parameter, one float column per output (NaN when not computed, e.g.
the hold-out outputs of a sweep that ends before the hold-out), and ``error`` (empty, or
``"Type: message"`` when the run raised: the sweep goes on). A sweep whose ``end`` falls
inside the calibration window scores ``calibration_*`` over the calibration months it
simulates (short sweeps for tests and quick looks); ``sweep.json`` records those months.

Execution: local processes (``--workers K``, default all cores; ``--workers 1`` runs in
process), forked, with an initializer that loads the scenario and builds the
:class:`~sim.analysis.evaluate.Evaluator` once per worker; on Linux the parent builds it just before
forking, so the workers share it (the initializer finds it), and freezes its objects with
``gc.freeze`` so that the workers' garbage collections do not copy the parent's memory.
Or a dask.distributed scheduler (``--scheduler tcp://HOST:PORT``): workers load the
scenario from its path themselves, once per worker process, and check its content hash.
At most a few tasks per worker are in flight. A worker's memory stays flat: each finished
model is released from Mesa 3.3's class-level ``Agent._ids`` (which otherwise keeps every
model alive) and cyclic garbage is collected every ``COLLECT_EVERY`` runs. Rows are
written as they arrive, in batches (``--batch`` rows, or whatever arrived in
``FLUSH_SECONDS``), to ``DIR/parts/part-XXXXX.parquet``, each under a temporary name then
renamed, so a killed sweep never leaves half a part; at the end every part is combined,
sorted by run, into ``DIR/results.parquet`` (written atomically; the parts are kept).

Output directory: ``design.parquet`` (point + one column per parameter), ``sweep.json`` (the
spec, its hash, the SALib problem, the seeds, the scenario's content hash, the versions),
``parts/``, ``results.parquet``. ``--resume`` reads the parts present and runs only the
missing runs, with the saved design: the final table is identical to an uninterrupted
sweep's. It refuses a spec (anything but the scenario's path) or a scenario content that
differs from ``sweep.json``. A run that raised counts as done. A non-empty directory is
refused without ``--resume`` or ``--force``; a lock file keeps two sweeps out of one
directory.

Test hooks (environment variables read inside each task; not for normal use):

* ``AFSIM_SWEEP_FAIL_POINT=<n>``: every run of point ``n`` raises ``RuntimeError``;
* ``AFSIM_SWEEP_DELAY=<seconds>``: each task sleeps this long first (to interrupt a sweep
  part-way in a test).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import hashlib
import itertools
import json
import math
import multiprocessing as mp
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from sim import __version__
from sim.analysis.evaluate import OUTPUTS, Evaluator
from sim.data import Scenario, load
from sim.data.dates import format_month, parse_month
from sim.data.params import BY_NAME, Params, check_value, unknown_message
from sim.data.problems import Problem, Problems, ValidationError
from sim.data.yamlio import line_of, load_yaml
from sim.experiments.ensemble import default_workers, replicate_seeds
from sim.model.model import AfsimModel

DESIGNS = ("grid", "latin", "sobol", "morris")
KEYS = ("scenario", "parameters", "design", "samples", "levels", "replicates", "seed", "end",
        "fixed", "outputs")
BATCH = 250            # rows per part file at most
FLUSH_SECONDS = 10.0   # ... and a part at least this often while rows arrive
FAIL_POINT_ENV = "AFSIM_SWEEP_FAIL_POINT"
DELAY_ENV = "AFSIM_SWEEP_DELAY"


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a range ``[low, high]`` or, for a grid, a list of values."""

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()

    def to_spec(self) -> Any:
        return {"values": list(self.values)} if self.values else [self.low, self.high]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (see the module docstring for the keys)."""

    path: Path
    scenario: Path                 # the scenario folder, resolved
    scenario_text: str             # as written in the spec
    parameters: tuple[Axis, ...]
    design: str
    samples: int | None
    levels: int | None
    replicates: int
    seed: int
    end: str | None
    fixed: tuple[tuple[str, Any], ...]
    outputs: tuple[str, ...]
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.parameters)

    @property
    def n_points(self) -> int:
        d = len(self.parameters)
        if self.design == "grid":
            return math.prod(len(a.values) for a in self.parameters)
        if self.design == "latin":
            return self.samples
        if self.design == "sobol":
            return self.samples * (d + 2)
        return self.samples * (d + 1)   # morris

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    def problem(self) -> dict:
        """The SALib problem: names and bounds (a grid's bounds are its extreme values)."""
        bounds = []
        for a in self.parameters:
            if a.values:
                numeric = all(isinstance(v, float) for v in a.values)
                bounds.append([min(a.values), max(a.values)] if numeric else None)
            else:
                bounds.append([a.low, a.high])
        return {"num_vars": len(self.parameters), "names": list(self.names), "bounds": bounds}

    def to_dict(self) -> dict:
        """The spec as data, with the scenario as written (what ``sweep.json`` keeps)."""
        return {"scenario": self.scenario_text,
                "parameters": {a.name: a.to_spec() for a in self.parameters},
                "design": self.design, "samples": self.samples, "levels": self.levels,
                "replicates": self.replicates, "seed": self.seed, "end": self.end,
                "fixed": dict(self.fixed), "outputs": list(self.outputs)}

    def hash(self) -> str:
        """sha256 of what sets the results: :meth:`to_dict` without the scenario's path (its
        content hash is checked apart, so a moved spec or scenario can still be resumed); key
        order is kept, since the parameter order sets the design."""
        data = {k: v for k, v in self.to_dict().items() if k != "scenario"}
        return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec.

    Raises:
        ValidationError: every problem found, as ``file:line: message``.
    """
    path = Path(path)
    name = str(path)
    problems = Problems()
    if not path.is_file():
        problems.add(name, 0, "sweep spec not found")
        problems.raise_if_any()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(name, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        problems.raise_if_any()
    data, lines = load_yaml(text, name, problems)
    problems.raise_if_any()
    if not isinstance(data, dict):
        problems.add(name, 1, "a sweep spec is a mapping of keys: " + ", ".join(KEYS))
        problems.raise_if_any()

    def add(key_path: tuple, message: str) -> None:
        problems.add(name, line_of(lines, key_path), message)

    for key in data:
        if key not in KEYS:
            add((key,), f"unknown key {key!r}; valid keys: {', '.join(KEYS)}")
    for key in ("scenario", "design", "parameters"):
        if key not in data:
            problems.add(name, 0, f"missing key {key!r}")

    # scenario
    scenario_text, scenario = "", Path(".")
    if "scenario" in data:
        raw = data["scenario"]
        if not isinstance(raw, str) or not raw.strip():
            add(("scenario",), f"scenario must be the path of a scenario folder, got {raw!r}")
        else:
            scenario_text = raw
            for candidate in (path.parent / raw, Path(raw)):
                if (candidate / "scenario.yaml").is_file():
                    scenario = candidate.resolve()
                    break
            else:
                add(("scenario",), f"scenario folder {raw!r} not found (looked in "
                    f"{str(path.parent) or '.'!r} and the current directory)")

    # design and its sizes
    design = data.get("design")
    if "design" in data and design not in DESIGNS:
        add(("design",), f"unknown design {design!r}; valid designs: {', '.join(DESIGNS)}")
        design = None
    samples = data.get("samples")
    if design == "grid":
        if "samples" in data:
            add(("samples",), "samples is not used by design grid (the grid is the product "
                "of the listed values)")
        samples = None
    elif design is not None:
        if "samples" not in data:
            problems.add(name, 0, f"missing key 'samples' (design {design})")
        elif not _is_int(samples) or samples < 1:
            add(("samples",), f"samples must be a positive integer, got {samples!r}")
            samples = None
        elif design == "sobol" and samples & (samples - 1):
            add(("samples",), f"samples must be a power of 2 for design sobol (Saltelli base "
                f"N), got {samples}")
    levels = data.get("levels", 4 if design == "morris" else None)
    if design != "morris":
        if "levels" in data:
            add(("levels",), "levels is only used by design morris")
        levels = None
    elif not _is_int(levels) or levels < 2 or levels % 2:
        add(("levels",), f"levels must be an even integer >= 2, got {levels!r}")

    def integer(key: str, default: int, low: int) -> int:
        value = data.get(key, default)
        if not _is_int(value) or value < low:
            add((key,), f"{key} must be an integer >= {low}, got {value!r}")
            return default
        return value

    replicates = integer("replicates", 1, 1)
    seed = integer("seed", 0, 0)

    end = data.get("end")
    if end is not None:
        try:
            parse_month(end)
        except ValueError as exc:
            add(("end",), f"end: {exc}")
            end = None

    # parameters
    axes: list[Axis] = []
    raw_params = data.get("parameters")
    if "parameters" in data and (not isinstance(raw_params, dict) or not raw_params):
        add(("parameters",), "parameters must be a non-empty mapping of name: [low, high] "
            "(or {values: [...]} for design grid)")
        raw_params = {}
    for pname, entry in (raw_params or {}).items():
        axis = _axis(pname, entry, design, lines, add)
        if axis is not None:
            axes.append(axis)

    # fixed
    fixed: list[tuple[str, Any]] = []
    raw_fixed = data.get("fixed", {})
    if raw_fixed is None:
        raw_fixed = {}
    if not isinstance(raw_fixed, dict):
        add(("fixed",), f"fixed must be a mapping of name: value, got {raw_fixed!r}")
        raw_fixed = {}
    for pname, raw in raw_fixed.items():
        if isinstance(raw_params, dict) and pname in raw_params:
            add(("fixed", pname), f"parameter {pname!r} is both swept and fixed")
            continue
        value, problem = check_value(pname, raw)
        if problem:
            add(("fixed", pname), problem)
        else:
            fixed.append((pname, value))

    # outputs
    outputs: tuple[str, ...] = OUTPUTS
    if "outputs" in data:
        raw_out = data["outputs"]
        if not isinstance(raw_out, list) or not raw_out:
            add(("outputs",), f"outputs must be a non-empty list of: {', '.join(OUTPUTS)}")
        else:
            chosen = []
            for i, item in enumerate(raw_out):
                if item not in OUTPUTS:
                    add(("outputs", i), f"unknown output {item!r}; valid outputs: "
                        f"{', '.join(OUTPUTS)}")
                elif item in chosen:
                    add(("outputs", i), f"output {item!r} is listed twice")
                else:
                    chosen.append(item)
            outputs = tuple(chosen)

    problems.raise_if_any()
    top = {key: line_of(lines, (key,)) for key in data}
    return SweepSpec(path=path, scenario=scenario, scenario_text=scenario_text,
                     parameters=tuple(axes), design=design, samples=samples, levels=levels,
                     replicates=replicates, seed=seed, end=end, fixed=tuple(fixed),
                     outputs=outputs, lines=top)


def _axis(name: str, entry: Any, design: str | None, lines: dict,
          add: Callable[[tuple, str], None]) -> Axis | None:
    """One ``parameters:`` entry, or None after reporting its problems."""
    key = ("parameters", name)
    spec = BY_NAME.get(name)
    if spec is None:
        add(key, unknown_message(name))
        return None
    if isinstance(entry, dict):
        extra = [k for k in entry if k != "values"]
        if extra or "values" not in entry:
            add(key, f"parameter {name!r}: expected {{values: [...]}}, got keys "
                f"{', '.join(map(str, entry)) or 'none'}")
            return None
        if design not in (None, "grid"):
            add(key, f"parameter {name!r}: {{values: [...]}} is only for design grid; give "
                f"[low, high] for design {design}")
            return None
        values = entry["values"]
        if not isinstance(values, list) or not values:
            add(key + ("values",), f"parameter {name!r}: values must be a non-empty list")
            return None
        checked, ok = [], True
        for i, raw in enumerate(values):
            value, problem = check_value(name, raw)
            if problem:
                add(key + ("values", i), problem)
                ok = False
            elif value in checked:
                add(key + ("values", i), f"parameter {name!r}: value {raw!r} is listed twice")
                ok = False
            else:
                checked.append(value)
        return Axis(name, values=tuple(checked)) if ok else None
    if not spec.numeric:
        add(key, f"parameter {name!r} is a choice ({', '.join(spec.choices)}): sweep it with "
            "design grid and {values: [...]}")
        return None
    if not (isinstance(entry, list) and len(entry) == 2 and all(map(_is_number, entry))):
        add(key, f"parameter {name!r} must be [low, high] (or {{values: [...]}} for design "
            f"grid), got {entry!r}")
        return None
    if design == "grid":
        add(key, f"parameter {name!r}: design grid needs {{values: [...]}}, not a range")
        return None
    low, high = float(entry[0]), float(entry[1])
    if not (math.isfinite(low) and math.isfinite(high)):
        add(key, f"parameter {name!r}: bounds must be finite, got {entry!r}")
        return None
    if low >= high:
        add(key, f"parameter {name!r}: low {low:g} must be less than high {high:g}")
        return None
    if low < spec.low or high > spec.high:
        add(key, f"parameter {name!r}: range [{low:g}, {high:g}] is outside its plausible "
            f"range {spec.low:g}..{spec.high:g} ({spec.unit})")
        return None
    return Axis(name, low=low, high=high)


def _check_against_scenario(spec: SweepSpec, scenario: Scenario) -> int | None:
    """The spec's last month as an index (None: the scenario's end); checks it is after the start."""
    if spec.end is None:
        return None
    end = parse_month(spec.end)
    if end <= scenario.drivers.start:
        raise ValidationError([_problem(spec, "end", f"end {spec.end} must be after the "
                                        f"scenario's start {format_month(scenario.drivers.start)}")])
    return end


def _scored_months(scenario: Scenario, end: int | None) -> list[str]:
    """First and last month of the calibration window that a sweep ending at ``end`` scores."""
    last = scenario.calibration.end if end is None else min(end, scenario.calibration.end)
    return [format_month(scenario.calibration.start), format_month(last)]


def _problem(spec: SweepSpec, key: str, message: str) -> Problem:
    return Problem(str(spec.path), spec.lines.get(key, 0), message)


# --------------------------------------------------------------------------- the design


def make_design(spec: SweepSpec) -> pd.DataFrame:
    """The design's points: ``point`` and one column per parameter (deterministic in the seed)."""
    names = list(spec.names)
    if spec.design == "grid":
        combos = list(itertools.product(*(a.values for a in spec.parameters)))
        columns = {n: [c[i] for c in combos] for i, n in enumerate(names)}
    else:
        problem = {"num_vars": len(names), "names": names,
                   "bounds": [[a.low, a.high] for a in spec.parameters]}
        if spec.design == "latin":
            from SALib.sample import latin
            x = latin.sample(problem, spec.samples, seed=spec.seed)
        elif spec.design == "sobol":
            from SALib.sample import sobol
            x = sobol.sample(problem, spec.samples, calc_second_order=False, seed=spec.seed)
        else:
            from SALib.sample import morris
            x = morris.sample(problem, spec.samples, num_levels=spec.levels, seed=spec.seed)
        lows = np.array([a.low for a in spec.parameters])
        highs = np.array([a.high for a in spec.parameters])
        x = np.clip(np.asarray(x, dtype=float), lows, highs)
        columns = {n: x[:, i] for i, n in enumerate(names)}
    design = pd.DataFrame({"point": np.arange(spec.n_points, dtype=np.int64), **columns})
    assert len(design) == spec.n_points, (len(design), spec.n_points)
    return design


# --------------------------------------------------------------------------- one task


@dataclass(frozen=True)
class _Context:
    """What a worker needs to build its Evaluator (small, picklable, hashable)."""

    scenario: str           # absolute path of the scenario folder
    content_hash: str
    end: int | None
    fixed: tuple[tuple[str, Any], ...]
    outputs: tuple[str, ...]


_CACHE: dict[_Context, tuple[Evaluator, Params]] = {}
_CACHE_LOCK = threading.Lock()


def _evaluator(ctx: _Context, scenario: Scenario | None = None) -> tuple[Evaluator, Params]:
    """This process's Evaluator and base parameters for ``ctx``, built once (from
    ``scenario`` if it is given and loaded already, else from the scenario's path)."""
    with _CACHE_LOCK:
        hit = _CACHE.get(ctx)
        if hit is None:
            scenario = scenario if scenario is not None else load(ctx.scenario)
            if scenario.content_hash != ctx.content_hash:
                raise RuntimeError(f"{ctx.scenario}: this worker sees a scenario whose content "
                                   "hash differs from the sweep's")
            base = Params.make(scenario.drivers.parameters, dict(ctx.fixed))
            evaluator = Evaluator(scenario, end=ctx.end)
            months = evaluator.end - evaluator.start + 1
            if evaluator.cal.stop > months:  # a sweep that ends inside the calibration window
                evaluator.cal = slice(evaluator.cal.start, months)
            hit = (evaluator, base)
            if len(_CACHE) >= 4:
                _CACHE.clear()
            _CACHE[ctx] = hit
    return hit


_RUNS_SINCE_COLLECT = [0]
COLLECT_EVERY = 64


def _evaluate(evaluator: Evaluator, params: Params, seed: int) -> dict[str, float]:
    """``evaluator.run(params, [seed])``, releasing the model afterwards.

    Mesa 3.3 keeps every model alive in ``mesa.Agent._ids`` (a class-level dict keyed by
    model: Mesa issue 3179, fixed in later releases), about 0.2 MB a run here; the entry is
    dropped once the run is over, and cyclic garbage is collected every
    ``COLLECT_EVERY`` runs, so a worker's memory stays flat however many runs it does.
    """
    model = AfsimModel(evaluator.scenario, seed=seed, end=evaluator.end, params=params,
                       collect=False)
    try:
        controls = np.stack(model.run().history.control)[None]        # [1, M, T]
    finally:
        ids = getattr(mesa.Agent, "_ids", None)
        if isinstance(ids, dict):
            ids.pop(model, None)
        del model
        _RUNS_SINCE_COLLECT[0] += 1
        if _RUNS_SINCE_COLLECT[0] >= COLLECT_EVERY:
            _RUNS_SINCE_COLLECT[0] = 0
            gc.collect()
    return evaluator.outputs(controls)


def run_task(ctx: _Context, run: int, point: int, replicate: int, seed: int,
             values: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """One run of one point: its row (an exception in the run goes to ``error``)."""
    evaluator, base = _evaluator(ctx)
    row: dict[str, Any] = {"run": run, "point": point, "replicate": replicate, "seed": seed}
    row.update(values)
    outputs: dict[str, float] = {}
    error = ""
    try:
        delay = os.environ.get(DELAY_ENV)
        if delay:
            time.sleep(float(delay))
        fail = os.environ.get(FAIL_POINT_ENV)
        if fail is not None and fail.strip() == str(point):
            raise RuntimeError(f"test hook {FAIL_POINT_ENV}={point}")
        params = Params.make(base.to_dict(), dict(values))
        outputs = _evaluate(evaluator, params, seed)
    except Exception as exc:  # the sweep goes on; the row says what happened
        error = f"{type(exc).__name__}: {exc}"
    for name in ctx.outputs:
        row[name] = float(outputs.get(name, math.nan))
    row["error"] = error
    return row


# --------------------------------------------------------------------------- executors


def _die_with_parent(parent: int) -> None:
    """Linux: a worker gets SIGTERM when the sweep process dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl
        os._exit(1)


def _init_worker(ctx: _Context, parent: int) -> None:
    _die_with_parent(parent)
    _evaluator(ctx)
    gc.freeze()  # the collector never scans (and so never copies) what exists now


def _execute_local(ctx: _Context, tasks: Iterator[tuple], workers: int,
                   scenario: Scenario | None = None) -> Iterator[dict]:
    """Rows of ``tasks`` from local processes (in process for one worker), as they finish."""
    if workers <= 1:
        _evaluator(ctx, scenario)
        with _frozen():  # the periodic collections then scan only what the runs create
            for task in tasks:
                yield run_task(ctx, *task)
        return
    context = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    # Forked workers share the parent's memory until they write to it: build the scenario's
    # Evaluator here, once, so that the workers share it (their initializer finds it), and
    # freeze the parent's objects, since a garbage collection writes to every object it scans
    # (no collection first: it would leave holes that the workers' allocations would fill).
    _evaluator(ctx, scenario)
    with _frozen():
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                   initargs=(ctx, os.getpid()))
        try:
            pending = set()

            def submit() -> bool:
                task = next(tasks, None)
                if task is not None:
                    pending.add(pool.submit(run_task, ctx, *task))
                return task is not None

            for _ in range(workers * 4):  # bounded look-ahead
                if not submit():
                    break
            while pending:
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    pending.discard(future)
                    row = future.result()
                    submit()
                    yield row
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """``gc.freeze()`` for the block (left alone if the caller had frozen objects already)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _execute_dask(ctx: _Context, tasks: Iterator[tuple], address: str) -> Iterator[dict]:
    """Rows of ``tasks`` from the workers of a dask.distributed scheduler, as they finish."""
    from dask.distributed import Client, as_completed

    try:
        client = Client(address, set_as_default=False, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the dask scheduler at {address}: {exc}") from None
    with client:
        threads = sum(client.nthreads().values()) or 1
        first = [client.submit(run_task, ctx, *task, pure=False)
                 for task in itertools.islice(tasks, max(8, threads * 4))]  # bounded in flight
        futures = as_completed(first, loop=client.loop)
        del first
        for future in futures:
            row = future.result()
            future.release()
            task = next(tasks, None)
            if task is not None:
                futures.add(client.submit(run_task, ctx, *task, pure=False))
            yield row


# --------------------------------------------------------------------------- the directory


def _schema(spec: SweepSpec) -> pa.Schema:
    fields = [pa.field(n, pa.int64()) for n in ("run", "point", "replicate", "seed")]
    for axis in spec.parameters:
        numeric = BY_NAME[axis.name].numeric
        fields.append(pa.field(axis.name, pa.float64() if numeric else pa.string()))
    fields += [pa.field(n, pa.float64()) for n in spec.outputs]
    fields.append(pa.field("error", pa.string()))
    return pa.schema(fields)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_table_atomic(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    _fsync(tmp)
    os.replace(tmp, path)


def _write_text_atomic(text: str, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    _fsync(tmp)
    os.replace(tmp, path)


class _Parts:
    """Buffers rows and writes them as numbered part files, each one atomically."""

    def __init__(self, folder: Path, schema: pa.Schema, batch: int, next_index: int):
        self.folder, self.schema, self.batch = folder, schema, batch
        self.index = next_index
        self.rows: list[dict] = []
        self.last = time.monotonic()

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch or time.monotonic() - self.last >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            table = pa.Table.from_pylist(self.rows, schema=self.schema)
            _write_table_atomic(table, self.folder / f"part-{self.index:05d}.parquet")
            self.index += 1
            self.rows = []
        self.last = time.monotonic()


def _part_files(out: Path) -> list[Path]:
    return sorted((out / "parts").glob("part-*.parquet"))


def _part_index(path: Path) -> int:
    return int(path.stem.split("-")[1])


def _done_runs(out: Path, schema: pa.Schema) -> set[int]:
    done: set[int] = set()
    for part in _part_files(out):
        if not pq.read_schema(part).equals(schema):
            raise ValueError(f"{part}: its columns differ from this sweep's; cannot resume")
        done.update(pq.read_table(part, columns=["run"])["run"].to_pylist())
    return done


def _combine(out: Path, schema: pa.Schema, n_runs: int) -> Path:
    """All parts into ``results.parquet``, sorted by run (refuses missing or repeated runs)."""
    parts = _part_files(out)
    table = (pa.concat_tables([pq.read_table(p, schema=schema) for p in parts]) if parts
             else schema.empty_table())
    runs = table["run"].to_numpy()
    counts = np.bincount(runs, minlength=n_runs) if len(runs) else np.zeros(n_runs, int)
    if len(counts) > n_runs or (counts != 1).any():
        missing = int((counts[:n_runs] == 0).sum())
        repeated = int((counts > 1).sum())
        raise RuntimeError(f"{out}: parts hold {missing} missing and {repeated} repeated runs "
                           f"out of {n_runs}")
    table = table.take(pa.array(np.argsort(runs, kind="stable"))).combine_chunks()
    path = out / "results.parquet"
    _write_table_atomic(table, path)
    return path


_OUR_FILES = frozenset({"results.parquet", "results.parquet.tmp", "design.parquet",
                        "design.parquet.tmp", "sweep.json", "sweep.json.tmp", "sweep.lock",
                        "parts"})


def _has_sweep_files(out: Path) -> bool:
    """Whether ``out`` holds anything but an empty lock file (a new sweep needs it empty)."""
    if not out.is_dir():
        return False
    return any(e.name != "sweep.lock" or e.stat().st_size for e in out.iterdir())


def _foreign_files(out: Path) -> list[str]:
    """Entries of ``out`` that a sweep does not write (and a non-empty ``parts/``)."""
    names = [e.name for e in out.iterdir() if e.name not in _OUR_FILES]
    parts = out / "parts"
    if parts.is_dir() and any(parts.glob("part-*.parquet")):
        names.append("parts")
    return names


def _clear(out: Path) -> None:
    """Remove a previous sweep's files (``--force``); other files are left alone."""
    for name in _OUR_FILES - {"parts", "sweep.lock"}:
        (out / name).unlink(missing_ok=True)
    parts = out / "parts"
    if parts.is_dir():
        for p in parts.glob("part-*.parquet*"):
            p.unlink()


def _check_resume(out: Path, spec: SweepSpec, scenario: Scenario) -> pd.DataFrame:
    """The saved design, after checking ``sweep.json`` matches the spec and scenario."""
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    if meta.get("spec_hash") != spec.hash():
        raise ValueError(f"{out}: cannot resume: the spec differs from the one this sweep was "
                         "started with (sweep.json); use --force or another --out")
    if meta.get("scenario", {}).get("content_hash") != scenario.content_hash:
        raise ValueError(f"{out}: cannot resume: the scenario's content differs from the one "
                         "this sweep was started with (sweep.json); use --force or another --out")
    if meta.get("version") != __version__:
        print(f"afsim: warning: {out} was started with afsim {meta.get('version')}; this is "
              f"{__version__}", file=sys.stderr)
    design = pq.read_table(out / "design.parquet").to_pandas()
    if list(design.columns) != ["point", *spec.names] or len(design) != spec.n_points:
        raise ValueError(f"{out}/design.parquet does not match the spec; cannot resume")
    return design


def _lock(out: Path):
    """An exclusive lock on the directory for this process (released when it exits)."""
    handle = open(out / "sweep.lock", "a")  # noqa: SIM115 - held for the whole sweep
    try:
        import fcntl
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:
        pass
    except OSError:
        handle.close()
        raise FileExistsError(f"{out}: another sweep is running in this directory") from None
    return handle


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- the sweep


def run_sweep(spec_path: str | Path, out: str | Path, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              progress: bool = True, batch: int = BATCH) -> pd.DataFrame:
    """Run (or resume) the sweep of ``spec_path`` into ``out``; return the results table.

    ``workers`` local processes (default: all cores; 1 runs in this process), or the
    workers of the dask scheduler at ``scheduler`` (``tcp://HOST:PORT``). ``batch``: rows
    per part file at most. The returned table's ``attrs["sweep"]`` says how many runs this
    call ran.

    Raises:
        ValidationError: a bad spec (``file:line: message``).
        FileExistsError: ``out`` is not empty and neither ``resume`` nor ``force`` is set,
            or another sweep holds it.
        ValueError: resuming with a spec or scenario that differs from ``sweep.json``.
    """
    if resume and force:
        raise ValueError("--resume and --force exclude each other")
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    spec = load_spec(spec_path)
    scenario = load(spec.scenario)
    end = _check_against_scenario(spec, scenario)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a directory")
    schema = _schema(spec)
    seeds = replicate_seeds(spec.seed, spec.replicates)
    started = _has_sweep_files(out)
    if started and not (resume or force):
        raise FileExistsError(f"{out}: directory is not empty (use --resume to continue a "
                              "sweep or --force to start again)")
    if started and resume and not (out / "sweep.json").is_file() and _foreign_files(out):
        raise FileExistsError(f"{out}: not a sweep directory (no sweep.json); cannot resume")
    out.mkdir(parents=True, exist_ok=True)
    lock = _lock(out)
    try:
        if resume and (out / "sweep.json").is_file():
            design = _check_resume(out, spec, scenario)
        else:
            _clear(out)
            design = make_design(spec)
            (out / "parts").mkdir(exist_ok=True)
            _write_table_atomic(pa.Table.from_pandas(design, preserve_index=False),
                                out / "design.parquet")
            meta = {"spec": spec.to_dict(), "spec_hash": spec.hash(),
                    "spec_file": str(spec.path),
                    "scenario": {"path": str(spec.scenario), "name": scenario.name,
                                 "content_hash": scenario.content_hash},
                    "problem": spec.problem(), "design": spec.design, "points": spec.n_points,
                    "replicates": spec.replicates, "runs": spec.n_runs, "seeds": seeds,
                    "columns": schema.names, "calibration_months": _scored_months(
                        scenario, end), "version": __version__,
                    "salib_version": _package_version("SALib"),
                    "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
            # written last: a directory with sweep.json has its design
            _write_text_atomic(json.dumps(meta, indent=2) + "\n", out / "sweep.json")
        parts_dir = out / "parts"
        parts_dir.mkdir(exist_ok=True)
        for stale in parts_dir.glob("*.tmp"):  # a part being written when a sweep was killed
            stale.unlink()
        done = _done_runs(out, schema)
        existing = _part_files(out)
        parts = _Parts(parts_dir, schema, batch,
                       max(map(_part_index, existing), default=-1) + 1)
        columns = {n: design[n].tolist() for n in spec.names}
        points = [tuple((n, columns[n][p]) for n in spec.names) for p in range(spec.n_points)]

        def tasks() -> Iterator[tuple]:
            for point in range(spec.n_points):
                for replicate, seed in enumerate(seeds):
                    run = point * spec.replicates + replicate
                    if run not in done:
                        yield run, point, replicate, seed, points[point]

        todo = spec.n_runs - len(done)
        ctx = _Context(str(spec.scenario), scenario.content_hash, end, spec.fixed, spec.outputs)
        ran = 0
        if todo:
            rows = (_execute_dask(ctx, tasks(), scheduler) if scheduler
                    else _execute_local(ctx, tasks(), min(workers, todo), scenario))
            bar = None
            try:
                for row in rows:
                    # made after the pool has forked (no tqdm monitor thread in workers), and
                    # only when shown: tqdm's multiprocessing lock starts a resource tracker
                    if bar is None and progress:
                        bar = tqdm(total=spec.n_runs, initial=len(done), unit="run",
                                   desc="sweep", file=sys.stderr, dynamic_ncols=True)
                    parts.add(row)
                    ran += 1
                    if bar is not None:
                        bar.update(1)
            finally:
                rows.close()    # stops the workers if the sweep is interrupted
                parts.flush()   # rows that arrived are complete: keep them for --resume
                if bar is not None:
                    bar.close()
        _combine(out, schema, spec.n_runs)
    finally:
        lock.close()
    results = read_results(out)
    results.attrs["sweep"] = {"ran": ran, "resumed": len(done), "path": str(out)}
    return results


def read_results(directory: str | Path, partial: bool = False) -> pd.DataFrame:
    """The results table of a finished sweep (``partial``: the parts present, sorted by run)."""
    directory = Path(directory)
    path = directory / "results.parquet"
    if not partial:
        if not path.is_file():
            raise FileNotFoundError(f"{directory}: no results.parquet (an unfinished sweep: "
                                    "resume it, or read it with partial=True)")
        return pq.read_table(path).to_pandas()
    parts = _part_files(directory)
    if not parts:
        raise FileNotFoundError(f"{directory}: no part files")
    table = pa.concat_tables([pq.read_table(p) for p in parts])
    return table.to_pandas().sort_values("run", kind="stable").reset_index(drop=True)
