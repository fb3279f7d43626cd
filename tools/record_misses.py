"""Where runs drawn from the posterior miss the calibration window's control record.

Not a test and never read by calibration: a look at which territories carry the record
distance (the fit's ``record`` pattern), to see where a mechanism or a parameter loses it.
Reads only the calibration window (``PatternFit``). Usage:

  .venv/bin/python tools/record_misses.py [--draws 100] [--seed 1] [--set name=value ...]
                                          [--against name=value ...]

With ``--against``, a second set of runs (same seeds) is made with those values as well, and
the table shows the change per territory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sim.analysis.record import as_record_codes
from sim.core.streams import replicate_seeds
from sim.data import load
from sim.data.params import parse_assignments
from sim.experiments.calibrate import Simulator
from sim.experiments.parameters import ParameterChoice
from sim.model import AfsimModel

ROOT = Path(__file__).resolve().parent.parent


def misses(scenario, overrides: dict, seeds: list[int]) -> np.ndarray:
    """Per territory, the weighted record miss summed over the window, mean over runs, as a
    share of the record's total weight (the columns sum to the ``record`` distance)."""
    fit = Simulator(scenario, None).fit
    choice = ParameterChoice.of(scenario, overrides=overrides)
    out = []
    for seed in seeds:
        model = AfsimModel(scenario.drivers, seed=seed, end=scenario.calibration.end,
                           params=choice.for_seed(seed), collect=False).run()
        codes = as_record_codes(np.stack(model.history.control)[:fit.months], fit.n_factions)
        wrong = (codes != fit.truth) * fit.weight
        out.append(wrong.sum(axis=0) / fit.weight.sum())
    return np.mean(out, axis=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--against", action="append", default=[])
    args = ap.parse_args()
    scenario = load(ROOT / "scenarios" / "afghanistan_1992_1996")
    seeds = replicate_seeds(args.seed, args.draws)
    base = parse_assignments(args.set)
    a = misses(scenario, base, seeds)
    tids = scenario.drivers.territory_ids
    if not args.against:
        print(f"record distance {a.sum():.4f}")
        for i in np.argsort(-a)[:15]:
            print(f"  {tids[i]:<10} {a[i]:.4f}")
        return
    b = misses(scenario, {**base, **parse_assignments(args.against)}, seeds)
    print(f"record distance {a.sum():.4f} -> {b.sum():.4f}")
    for i in np.argsort(-np.abs(b - a))[:15]:
        print(f"  {tids[i]:<10} {a[i]:.4f} -> {b[i]:.4f}  ({b[i] - a[i]:+.4f})")


if __name__ == "__main__":
    main()
