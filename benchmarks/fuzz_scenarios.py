"""The scenario fuzzer at scale: N damaged copies of the real scenario through `afsim validate`.

Prints ``cases=N exit0=… exit2=… traceback=… bad=… hang=…`` and the first few failures. The
target (issue 13): 10,000 cases, 0 tracebacks, 0 hangs. Usage:

    .venv/bin/python benchmarks/fuzz_scenarios.py [--cases 10000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fuzzing import run_case, source_scenario  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0, help="first case's seed")
    args = ap.parse_args()
    outcomes: Counter = Counter()
    kinds: Counter = Counter()
    failures = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        for seed in range(args.seed, args.seed + args.cases):
            outcome, label, first = run_case(source_scenario(), Path(work), seed)
            outcomes[outcome] += 1
            kinds[label.split(":")[0]] += 1
            if outcome not in ("exit0", "exit2"):
                failures.append((seed, outcome, label, first))
    elapsed = time.perf_counter() - start
    print(f"cases={args.cases} exit0={outcomes['exit0']} exit2={outcomes['exit2']} "
          f"traceback={outcomes['traceback']} bad={outcomes['bad']} hang={outcomes['hang']} "
          f"seconds={elapsed:.0f}")
    print("mutations: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    for seed, outcome, label, first in failures[:10]:
        print(f"  seed {seed}: {outcome} after {label}: {first}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
