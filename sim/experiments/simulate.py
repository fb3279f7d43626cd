"""Runs reduced to arrays for the fast path of sweeps and calibration: no tables, no files."""

from __future__ import annotations

import numpy as np

from sim.analysis.evaluate import Evaluator
from sim.data import Drivers, Params
from sim.model import AfsimModel


def simulate_controls(drivers: Drivers, params: Params, seeds: list[int],
                      end: int | None = None) -> np.ndarray:
    """[R, M, T] controller codes of one run per seed, months from the start to ``end``."""
    return np.stack([np.stack(AfsimModel(drivers, seed=s, end=end, params=params,
                                         collect=False).run().history.control)
                     for s in seeds])


def evaluate(evaluator: Evaluator, params: Params, seeds: list[int]) -> dict[str, float]:
    """The summary outputs of one replicate per seed with ``params``."""
    return evaluator.outputs(simulate_controls(evaluator.scenario.drivers, params, seeds,
                                               evaluator.end))
