"""The design of a sweep: its parameter points, from SALib's seeded samplers or a grid.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from sim.experiments.sweep.spec import SweepSpec


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
