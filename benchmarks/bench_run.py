"""Time one full run of the default scenario (1992-04..1996-09), in process.

Imports and scenario loading are excluded; each repetition builds the model and runs it.
The scenario's own parameters (its calibrated set) are timed, and, interleaved with them
in the same loop for a fair comparison, the registry defaults (more battles, so slower).
The last line, `median_ms=<x> peak_mb=<y>`, is for the scenario's parameters; peak_mb is
the peak of Python-tracked memory (tracemalloc) during one extra run, measured apart from
the timings.

Usage: .venv/bin/python benchmarks/bench_run.py [repetitions]
"""

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

from sim.data import load
from sim.data.params import Params
from sim.model import AfsimModel

ROOT = Path(__file__).resolve().parent.parent


def main(repetitions: int = 30) -> None:
    scenario = load(ROOT / "scenarios" / "afghanistan_1992_1996")
    defaults = Params.make()
    AfsimModel(scenario, seed=0).run()  # warm-up: world cache, first-call costs
    times, default_times = [], []
    for i in range(repetitions):
        t0 = time.perf_counter()
        AfsimModel(scenario, seed=i + 1).run()
        t1 = time.perf_counter()
        AfsimModel(scenario, seed=i + 1, params=defaults).run()
        times.append((t1 - t0) * 1000)
        default_times.append((time.perf_counter() - t1) * 1000)
    print(f"registry defaults: median_ms={statistics.median(default_times):.2f}")
    tracemalloc.start()
    AfsimModel(scenario, seed=999).run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"repetitions={repetitions} min_ms={min(times):.2f} max_ms={max(times):.2f}")
    print(f"median_ms={statistics.median(times):.2f} peak_mb={peak / 2**20:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
