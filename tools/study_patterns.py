"""Print what an ABC calibration study accepted, pattern by pattern.

For each study directory (written by `afsim calibrate --out DIR`), every particle accepted in
any generation, with its calibration-window distances (record, changes, totals, battle share):
the medians of the last generation, and how many particles fit the record at least as well
as a bound and what else they fit. Reads only the study's `abc.db` (calibration-window
distances); never a hold-out observation. Usage:

  .venv/bin/python tools/study_patterns.py runs/calibration [OTHER_STUDY ...] [--record-below 0.10]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

PATTERNS = ("record", "changes", "totals", "battle_share")


def accepted(study: Path) -> tuple[np.ndarray, np.ndarray]:
    """([N] generation, [N, 4] distances) of every accepted particle of the study."""
    import pyabc
    history = pyabc.History(f"sqlite:///{study / 'abc.db'}")
    generation, rows = [], []
    for t in range(history.max_t + 1):
        _, stats = history.get_weighted_sum_stats(t=t)
        generation += [t] * len(stats)
        rows += [[s[k] for k in PATTERNS] for s in stats]
    return np.array(generation), np.array(rows, dtype=float)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="+", type=Path)
    parser.add_argument("--record-below", type=float, default=0.10)
    args = parser.parse_args(argv)
    print(f"{'study':32} {'particles':>9}  last generation median: "
          + " ".join(f"{p:>12}" for p in PATTERNS)
          + f"  | record <= {args.record_below}: n, median changes, totals")
    for study in args.studies:
        if not (study / "abc.db").is_file():
            print(f"{study}: no abc.db (not a calibration study)")
            return 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generation, d = accepted(study)
        last = np.median(d[generation == generation.max()], axis=0)
        good = d[d[:, 0] <= args.record_below]
        tail = (f"{len(good)}, {np.median(good[:, 1]):.3f}, {np.median(good[:, 2]):.3f}"
                if len(good) else "0")
        print(f"{str(study):32} {len(d):>9}  {'':23}" + " ".join(f"{x:>12.3f}" for x in last)
              + f"  | {tail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
