"""Replicates of one scenario and parameter set, on local processes.

Replicate seeds are spawned from one root seed with numpy's ``SeedSequence``, so a
replicate's seed depends only on the root seed and its number. Workers return each
replicate's tables as CSV text; the parent writes them strictly in replicate order as
they become available, so the files are byte-identical whatever the number of workers.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

from sim.data import Scenario, load
from sim.data.dates import to_month
from sim.data.params import Params
from sim.experiments.run import TABLES, RunDirectory, manifest, tables_of
from sim.model.model import AfsimModel


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..n-1, spawned from ``root_seed`` (independent streams)."""
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


_WORKER: dict = {}


def _init_worker(scenario_path: str, params: Params, end: int | None) -> None:
    _WORKER["scenario"] = load(scenario_path)
    _WORKER["params"] = params
    _WORKER["end"] = end


def _csv_tables(scenario: Scenario, params: Params, end: int | None, replicate: int,
                seed: int) -> dict[str, str]:
    model = AfsimModel(scenario, seed=seed, end=end, params=params, collect=False).run()
    return {name: df.to_csv(header=False, index=False, lineterminator="\n")
            for name, df in tables_of(model, replicate).items()}


def _task(replicate: int, seed: int) -> tuple[int, dict[str, str]]:
    return replicate, _csv_tables(_WORKER["scenario"], _WORKER["params"], _WORKER["end"],
                                  replicate, seed)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def iter_replicates(scenario: Scenario, params: Params, seeds: list[int], end: int | None,
                    workers: int) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(replicate, CSV text per table)`` in replicate order."""
    if workers <= 1:
        for i, seed in enumerate(seeds):
            yield i, _csv_tables(scenario, params, end, i, seed)
        return
    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else mp.get_context()
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(str(scenario.path), params, end)) as pool:
        pending = {}
        done: dict[int, dict[str, str]] = {}
        queue = iter(enumerate(seeds))
        next_out = 0

        def submit() -> None:
            item = next(queue, None)
            if item is not None:
                pending[pool.submit(_task, *item)] = item[0]

        for _ in range(workers * 4):  # bounded look-ahead: memory stays flat
            submit()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                del pending[future]
                replicate, tables = future.result()
                done[replicate] = tables
                submit()
            while next_out in done:
                yield next_out, done.pop(next_out)
                next_out += 1


def run_ensemble(out: str | Path, scenario: Scenario | str | Path, replicates: int,
                 root_seed: int, params: Params | None = None, end: int | None = None,
                 workers: int | None = None, force: bool = False, progress: bool = True,
                 on_replicate: Callable[[int], None] | None = None) -> Path:
    """Run ``replicates`` replicates and write the run directory; return its path."""
    if replicates < 1:
        raise ValueError(f"--replicates must be at least 1, got {replicates}")
    scenario = scenario if isinstance(scenario, Scenario) else load(scenario)
    params = params if params is not None else Params.make(scenario.drivers.parameters)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    end = None if end is None else to_month(end, scenario.drivers.end)
    seeds = replicate_seeds(root_seed, replicates)
    directory = RunDirectory(out, force=force)
    bar = tqdm(total=replicates, unit="run", disable=not progress, file=sys.stderr,
               desc="ensemble")
    try:
        for replicate, tables in iter_replicates(scenario, params, seeds, end,
                                                 min(workers, replicates)):
            for name in TABLES:
                directory._handles[name].write(tables[name])
            bar.update(1)
            if on_replicate:
                on_replicate(replicate)
        last = end if end is not None else scenario.drivers.end
        directory.finish(manifest(scenario, params, seeds, last, root_seed=root_seed,
                                  command="ensemble"))
    except BaseException:
        directory.abort()
        raise
    finally:
        bar.close()
    return directory.path


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a finished run directory (refuses one without a manifest)."""
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"{path}: not a finished run directory (no manifest.json)")
    return {name: pd.read_csv(path / f"{name}.csv", keep_default_na=False) for name in TABLES}
