"""A mechanism's value set by hand, judged on the calibration window only (the model log's
window checks).

Not a test and never read by calibration: runs drawn from a posterior (the scenario's, or
``--posterior``) with one parameter set to each value of ``--grid``, scored by the fit's
patterns on both record cell sets, with the Taliban's provinces at a month of the window.
Reads nothing after the calibration window. Usage:

  .venv/bin/python tools/window_check.py [--grid cohesion_weight=0,0.5,1] [--draws 100]
      [--seed 1] [--posterior calibration/rejected/....yaml] [--set name=value ...]
      [--faction taliban --month 1995-01]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

from sim.core.streams import replicate_seeds
from sim.data import load
from sim.data.dates import format_month, parse_month
from sim.data.params import parse_assignments
from sim.data.problems import Problems, ValidationError
from sim.data.read_record_extras import read_posterior
from sim.experiments.calibrate import DISTANCES, Simulator, mean_distances
from sim.experiments.parameters import ParameterChoice

ROOT = Path(__file__).resolve().parent.parent


def check(scenario, name: str, values: list[str], fixed: dict, draws: int, seed: int,
          faction: str = "taliban", month: str = "1995-01") -> list[dict]:
    """Per value of ``name``: the mean distances and the combined distance on each record cell
    set (``check_posterior``'s figures for the same draws), and ``faction``'s provinces at
    ``month`` in each run."""
    sims = {cells: Simulator(scenario, None, record_cells=cells) for cells in ("provinces", "all")}
    at = parse_month(month)
    out = []
    for value in values:
        given = {**fixed, name: value} if name else fixed  # no name: the draws as they are
        choice = ParameterChoice.of(scenario, overrides=given)
        rows = {cells: [] for cells in sims}
        held = []
        for s in replicate_seeds(seed, draws):
            model = sims["all"].run(choice.for_seed(s), s)
            for cells, sim in sims.items():
                rows[cells].append(sim.score(model))
            f = model.world.faction_ids.index(faction)
            control = model.history.control[model.history.months.index(at)]
            held.append(int(np.count_nonzero(control[model.province_mask] == f)))
        result = {"value": value, "held": held}
        for cells, sim in sims.items():
            result[cells] = mean_distances(rows[cells], sim.fit)
        out.append(result)
    return out


def posterior_from(path: Path):
    """The posterior in ``path``; a bad file ends the tool with its problems, exit 2."""
    problems = Problems()
    posterior = read_posterior(path, problems)
    if problems or posterior is None:
        print(str(ValidationError(problems.items)) or f"{path}: no posterior", file=sys.stderr)
        raise SystemExit(2)
    return posterior


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "afghanistan_1992_1996"))
    ap.add_argument("--posterior", help="a posterior file instead of the scenario's")
    ap.add_argument("--grid", default="", help="name=v1,v2,... (none: the draws as they are)")
    ap.add_argument("--set", nargs="*", default=[], help="name=value fixed in every run")
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--faction", default="taliban")
    ap.add_argument("--month", default="1995-01")
    args = ap.parse_args(argv)

    scenario = load(args.scenario)
    if args.posterior:
        scenario = dataclasses.replace(scenario, posterior=posterior_from(Path(args.posterior)))
    name, _, values = args.grid.partition("=") if args.grid else ("", "", "as drawn")
    fixed = parse_assignments(args.set)
    print(f"{args.draws} runs drawn from {args.posterior or 'the scenario posterior'}, "
          f"seed {args.seed}, to {format_month(scenario.calibration.end)}; fixed {fixed or 'nothing'}")
    for r in check(scenario, name, values.split(","), fixed, args.draws, args.seed,
                   args.faction, args.month):
        held = r["held"]
        print(f"{name or 'posterior'}={r['value']}: {args.faction} provinces at {args.month} median "
              f"{np.median(held):g}, in 9..15 {np.mean([9 <= h <= 15 for h in held]):.0%}")
        for cells in ("provinces", "all"):
            m = r[cells]
            print(f"  {cells:9s} combined {m['combined']:.4f}  "
                  + "  ".join(f"{k} {m[k]:.4f}" for k in DISTANCES))


if __name__ == "__main__":
    main()
