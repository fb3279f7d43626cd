"""Sweep runner against mesa.batch_run, worker scaling, and a 1,000-replicate sweep.

Default scenario (scenarios/afghanistan_1992_1996), full window 1992-04..1996-09, its own
parameters (the calibrated set), and the same 200 seeds ``replicate_seeds(1992, 200)`` on
both sides. Imports, scenario loading and one warm-up run happen before any timing.

What each side does, per run:

* **ours** (``sim.experiments.sweep.run_sweep``, the whole sweep command minus the progress bar): a spec
  with one grid point (``csf_exponent`` at the scenario's own value, i.e. no change) and
  200 replicates. Timed end to end: spec loading, scenario loading, design, directory files,
  forking the pool, one Evaluator per worker, the runs, the parquet parts and the final
  ``results.parquet``. Each run builds ``AfsimModel``, runs it to the end and scores it
  against the record (the seven summary outputs of ``sim.analysis.evaluate``); one row per run goes
  back to the parent. 1 worker runs in process; 2 workers are a fork pool.
* **mesa.batch_run** (Mesa 3.3): ``batch_run(AfsimModel, {"scenario": [the loaded
  Scenario], "seed": <the 200 seeds>}, iterations=1, number_processes=1 or 2,
  display_progress=False)``. Seeds are passed explicitly: with a fixed seed and
  ``iterations=n`` every iteration would rerun the same seed (Mesa issue 2835). Each run
  builds ``AfsimModel``, steps it to the end and returns the model's DataCollector values
  of the last step, with the run's keyword arguments. batch_run's multiprocessing pool uses
  spawn (mesa.batchrunner sets it on import), so its workers import the model themselves,
  and every task sends the Scenario to the worker and back in the result (it pickles thanks to
  the ``mappingproxy`` reducer ``sim.data.schema`` registers). The comparison ratio uses the 2-process batch_run
  against our 2 workers; the 1-process figures are printed too.
* Both sides run the same model code per run; the sanity check compares the Taliban's
  provinces at the end, per seed, between the two sides.

Then 1,000 replicates with 2 workers (same kind of spec): wall time and peak memory of the
process tree (this process + pool workers + multiprocessing's resource tracker), sampled
every 50 ms in a thread with psutil. Two figures: the sum of RSS (counts the pages that
forked workers share with the parent once per process: an upper bound) and the sum of PSS
(each shared page split between the processes that map it: the memory the sweep actually
occupies). The memory target is judged on PSS; both are printed.

Last line: ``vs_batch_run=<ours 2 workers / batch_run 2 processes, runs/s>
speedup_2w=<ours 2 workers / ours 1 worker> runs_per_s=<ours 2 workers, 200 runs>``.

Usage: .venv/bin/python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "afghanistan_1992_1996"
ROOT_SEED = 1992


SPEC = """\
scenario: {scenario}
design: grid
replicates: {replicates}
seed: {seed}
parameters:
  csf_exponent: {{values: [{value!r}]}}
"""


class PeakMemory:
    """Peak RSS sum and PSS sum of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float = 0.05):
        import psutil
        self.psutil = psutil
        self.me = psutil.Process()
        self.interval = interval
        self.rss = self.pss = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss = pss = 0
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                info = proc.memory_full_info()
            except (self.psutil.NoSuchProcess, self.psutil.AccessDenied):
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


class Timer:
    """Wall time of a block, and the CPU seconds that processes other than ours used meanwhile.

    Other sessions on the same machine disturb a timing; ``other_cpu_s`` (machine busy time
    minus this process's and its reaped children's) says by how much.
    """

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.busy0, self.own0 = self._busy(), self._own()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
        self.other = max(0.0, (self._busy() - self.busy0) - (self._own() - self.own0))

    @staticmethod
    def _busy() -> float:
        import psutil
        t = psutil.cpu_times()
        return t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0)

    @staticmethod
    def _own() -> float:
        import resource
        me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                    resource.RUSAGE_CHILDREN))
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    from mesa.batchrunner import batch_run

    from sim.core.streams import replicate_seeds
    from sim.data import load
    from sim.data.params import Params
    from sim.experiments.sweep import run_sweep
    from sim.model import AfsimModel

    scenario = load(SCENARIO)
    value = Params.make(scenario.drivers.parameters).csf_exponent
    seeds = replicate_seeds(ROOT_SEED, 200)
    AfsimModel(scenario, seed=0).run()  # warm-up: world cache, first-call costs
    print(f"cores={len(os.sched_getaffinity(0))} scenario={scenario.name} window=full "
          f"seeds=replicate_seeds({ROOT_SEED}, n)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)

        def spec(replicates: int) -> Path:
            path = tmp / f"spec{replicates}.yaml"
            path.write_text(SPEC.format(scenario=SCENARIO, replicates=replicates,
                                        seed=ROOT_SEED, value=value))
            return path

        ours = {}
        tables = {}
        for workers in (1, 2):
            with Timer() as timer:
                df = run_sweep(spec(200), tmp / f"ours{workers}", workers=workers,
                               progress=False)
            ours[workers] = len(df) / timer.seconds
            tables[workers] = df
            assert df["seed"].tolist() == seeds and (df["error"] == "").all()
            print(f"ours      workers={workers}    200 runs  {timer.seconds:6.2f} s  "
                  f"{ours[workers]:6.1f} runs/s  (other_cpu_s={timer.other:.1f})")
        assert tables[1].equals(tables[2])

        with PeakMemory() as memory, Timer() as timer:
            df = run_sweep(spec(1000), tmp / "ours1000", workers=2, progress=False)
        wall = timer.seconds
        assert len(df) == 1000 and (df["error"] == "").all()
        del df
        print(f"ours      workers=2   1000 runs  {wall:6.2f} s  {1000 / wall:6.1f} runs/s  "
              f"(other_cpu_s={timer.other:.1f})  peak_pss_mb={memory.pss / 2**20:.0f} "
              f"peak_rss_sum_mb={memory.rss / 2**20:.0f} ({memory.samples} samples)")

    batch = {}
    for processes in (1, 2):
        with Timer() as timer:
            results = batch_run(AfsimModel, parameters={"scenario": [scenario], "seed": seeds},
                                iterations=1, number_processes=processes,
                                display_progress=False)
        batch[processes] = len(results) / timer.seconds
        assert len(results) == 200
        by_seed = {r["seed"]: r["provinces_taliban"] for r in results}
        del results
        print(f"batch_run processes={processes} 200 runs  {timer.seconds:6.2f} s  "
              f"{batch[processes]:6.1f} runs/s  (other_cpu_s={timer.other:.1f})")
    mismatched = sum(by_seed[s] != t for s, t in
                     zip(seeds, tables[2]["focus_provinces_end"], strict=True))
    print(f"same runs: Taliban provinces at the end differ for {mismatched} of 200 seeds")
    print(f"ours_1w/batch_run_1p={ours[1] / batch[1]:.2f}")
    print(f"wall_1000_s={wall:.2f} peak_mb={memory.pss / 2**20:.0f} (PSS sum; RSS sum "
          f"{memory.rss / 2**20:.0f})")
    print(f"vs_batch_run={ours[2] / batch[2]:.2f} speedup_2w={ours[2] / ours[1]:.2f} "
          f"runs_per_s={ours[2]:.1f}")


if __name__ == "__main__":
    main()
