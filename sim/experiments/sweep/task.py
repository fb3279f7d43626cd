"""One run of one point of a sweep, as it executes in a worker: the row it returns.
"""

from __future__ import annotations

import gc
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

from sim.analysis.evaluate import Evaluator
from sim.data import Scenario
from sim.data.params import Params
from sim.experiments.parameters import ParameterChoice
from sim.experiments.simulate import evaluate

FAIL_POINT_ENV = "AFSIM_SWEEP_FAIL_POINT"
DELAY_ENV = "AFSIM_SWEEP_DELAY"
COLLECT_EVERY = 64  # runs between two collections of cyclic garbage in a worker


@dataclass(frozen=True, eq=False)
class SweepContext:
    """What every run of a sweep shares: the scenario object itself (never reloaded from
    disk, so an edited scenario sweeps as edited), the last month, the fixed parameters and
    the outputs. Built in the parent, sent to each worker once by the executor; its
    :class:`Evaluator` is built once per process by :func:`warm` (identity-keyed: the
    context is never compared by value)."""

    scenario: Scenario
    end: int | None
    fixed: tuple[tuple[str, Any], ...]
    outputs: tuple[str, ...]
    built: dict = field(default_factory=dict, repr=False)
    runs: list = field(default_factory=lambda: [0], repr=False)

    def __getstate__(self) -> dict:  # what was built stays in its process
        return {"scenario": self.scenario, "end": self.end, "fixed": self.fixed,
                "outputs": self.outputs}

    def __setstate__(self, state: dict) -> None:
        for key, value in {**state, "built": {}, "runs": [0]}.items():
            object.__setattr__(self, key, value)


def warm(ctx: SweepContext) -> tuple[Evaluator, Params]:
    """The Evaluator and base parameters of ``ctx`` in this process, built once."""
    if "evaluator" not in ctx.built:
        scenario = ctx.scenario
        # a sweep varies parameters around the scenario's point: the posterior's median
        base = ParameterChoice.of(scenario, overrides=dict(ctx.fixed)).base()
        evaluator = Evaluator(scenario, end=ctx.end)
        months = evaluator.end - evaluator.start + 1
        if evaluator.cal.stop > months:  # a sweep that ends inside the calibration window
            evaluator.cal = slice(evaluator.cal.start, months)
        ctx.built["evaluator"], ctx.built["base"] = evaluator, base
    return ctx.built["evaluator"], ctx.built["base"]


def _evaluate(ctx: SweepContext, evaluator: Evaluator, params: Params,
              seed: int) -> dict[str, float]:
    """``evaluate(evaluator, params, [seed])``; cyclic garbage is collected every
    ``COLLECT_EVERY`` runs, so a worker's memory stays flat however many runs it does."""
    try:
        return evaluate(evaluator, params, [seed])
    finally:
        ctx.runs[0] += 1
        if ctx.runs[0] >= COLLECT_EVERY:
            ctx.runs[0] = 0
            gc.collect()


def run_task(ctx: SweepContext, run: int, point: int, replicate: int, seed: int,
             values: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """One run of one point: its row (an exception in the run goes to ``error``)."""
    evaluator, base = warm(ctx)
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
        outputs = _evaluate(ctx, evaluator, params, seed)
    except Exception as exc:  # the sweep goes on; the row says what happened
        error = f"{type(exc).__name__}: {exc}"
    for name in ctx.outputs:
        row[name] = float(outputs.get(name, math.nan))
    row["error"] = error
    return row
