"""Forecasts from origins inside the calibration window, to choose the particle filter's
likelihood on the window alone.

Not a test: each origin's forecast reads the record before it and runs to the window's last
month, so nothing here sees the hold-out. For each value of ``--miss-high`` (the chance that a
high-confidence row of the record is wrong) it prints, per origin, the forecast's Brier score
and persistence's, the filter's effective sample size and distinct ancestors at the origin,
and the pooled Brier skill vs persistence over the origins (1 - sum model / sum persistence).
Usage:

  .venv/bin/python tools/filter_check.py [--first 1994-10] [--last 1995-04] [--particles 100]
                                         [--seed 1] [--miss-high 0 0.05 0.1 ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.data import load
from sim.data.dates import format_month, parse_month
from sim.experiments.forecast import Forecast

ROOT = Path(__file__).resolve().parent.parent


def check(scenario, origins: list[int], particles: int, seed: int, miss_high: float) -> dict:
    """Per origin (model Brier, persistence Brier, ESS and ancestors at the origin), pooled."""
    end = scenario.calibration.end
    rows = []
    for origin in origins:
        forecast = Forecast(scenario, origin, particles, seed, end=end, miss_high=miss_high).run()
        window = forecast.scores()["windows"]["forecast"]["all"]
        # an origin right after the start is filtered on no month: every particle stays
        ess = forecast.filter["ess"] or [float(particles)]
        ancestors = forecast.filter["ancestors"] or [particles]
        rows.append({"origin": format_month(origin), "model": window["model"]["brier"],
                     "persistence": window["persistence"]["brier"],
                     "ess": ess[-1], "ancestors": ancestors[-1]})
    pooled = 1.0 - sum(r["model"] for r in rows) / sum(r["persistence"] for r in rows)
    return {"miss_high": miss_high, "rows": rows, "pooled_brier_skill": pooled}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/afghanistan_1992_1996"))
    ap.add_argument("--first", default="1994-10")
    ap.add_argument("--last", default="1995-04")
    ap.add_argument("--particles", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--miss-high", type=float, nargs="+", default=[0.0, 0.02, 0.05, 0.1, 0.2])
    args = ap.parse_args(argv)
    scenario = load(args.scenario)
    first, last = parse_month(args.first), parse_month(args.last)
    if not scenario.start < first <= last <= scenario.calibration.end:
        ap.error(f"origins {args.first}..{args.last} must lie inside the calibration window")
    origins = list(range(first, last + 1))
    for value in args.miss_high:
        result = check(scenario, origins, args.particles, args.seed, value)
        print(f"miss_high {value}: pooled Brier skill vs persistence "
              f"{result['pooled_brier_skill']:+.3f}")
        for r in result["rows"]:
            print(f"  origin {r['origin']}: Brier model {r['model']:.3f} persistence "
                  f"{r['persistence']:.3f}; filter ESS {r['ess']:.1f}, ancestors {r['ancestors']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
