"""Running (or resuming) a sweep into its directory, and reading its results.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from sim._version import __version__
from sim.core.streams import replicate_seeds
from sim.data import load
from sim.data.rundir import check_room
from sim.experiments.executor import check_scheduler, default_workers, imap
from sim.experiments.sweep.design import make_design
from sim.experiments.sweep.spec import check_against_scenario, load_spec, scored_months
from sim.experiments.sweep.store import (
    BATCH,
    Parts,
    check_resume,
    clear,
    combine,
    done_runs,
    foreign_files,
    has_sweep_files,
    lock,
    package_version,
    part_files,
    part_index,
    schema,
    write_table_atomic,
    write_text_atomic,
)
from sim.experiments.sweep.task import SweepContext, run_task, warm

MAX_POINTS = 10_000_000
MAX_RUNS = 100_000_000


def run_sweep(spec_path: str | Path, out: str | Path, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False, force: bool = False,
              progress: bool = True, batch: int | None = None) -> pd.DataFrame:
    """Run (or resume) the sweep of ``spec_path`` into ``out``; return the results table.

    ``workers`` local processes (default: all cores; 1 runs in this process), or the
    workers of the dask scheduler at ``scheduler`` (``tcp://HOST:PORT``). ``batch``: rows
    per part file at most. The returned table's ``attrs["sweep"]`` says how many runs this
    call ran.

    Raises:
        ValidationError: a bad spec (``file:line: message``).
        FileExistsError: ``out`` is not empty and neither ``resume`` nor ``force`` is set,
            or another sweep holds it.
        ValueError: resuming with a spec or scenario that differs from ``sweep.json``.
    """
    if resume and force:
        raise ValueError("--resume and --force exclude each other")
    batch = BATCH if batch is None else batch
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    spec = load_spec(spec_path)
    if spec.n_points > MAX_POINTS or spec.n_runs > MAX_RUNS:
        raise ValueError(f"{spec.path}: {spec.n_points:,} points x {spec.replicates:,} replicates "
                         f"= {spec.n_runs:,} runs is more than a sweep holds ({MAX_POINTS:,} "
                         f"points, {MAX_RUNS:,} runs); split it")
    check_room(out, spec.n_runs, 3)  # a results row is about 100 bytes of Parquet
    if scheduler:
        check_scheduler(scheduler)
    scenario = load(spec.scenario)
    end = check_against_scenario(spec, scenario)
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, got {workers}")
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise FileExistsError(f"{out}: exists and is not a directory")
    table_schema = schema(spec)
    seeds = replicate_seeds(spec.seed, spec.replicates)
    started = has_sweep_files(out)
    if started and not (resume or force):
        raise FileExistsError(f"{out}: directory is not empty (use --resume to continue a "
                              "sweep or --force to start again)")
    if started and resume and not (out / "sweep.json").is_file() and foreign_files(out):
        raise FileExistsError(f"{out}: not a sweep directory (no sweep.json); cannot resume")
    out.mkdir(parents=True, exist_ok=True)
    held = lock(out)
    try:
        if resume and (out / "sweep.json").is_file():
            design = check_resume(out, spec, scenario)
        else:
            clear(out)
            design = make_design(spec)
            (out / "parts").mkdir(exist_ok=True)
            write_table_atomic(pa.Table.from_pandas(design, preserve_index=False),
                                out / "design.parquet")
            meta = {"spec": spec.to_dict(), "spec_hash": spec.hash(),
                    "spec_file": str(spec.path),
                    "scenario": {"path": str(spec.scenario), "name": scenario.name,
                                 "content_hash": scenario.content_hash},
                    "problem": spec.problem(), "design": spec.design, "points": spec.n_points,
                    "replicates": spec.replicates, "runs": spec.n_runs, "seeds": seeds,
                    "columns": table_schema.names, "calibration_months": scored_months(
                        scenario, end), "version": __version__,
                    "salib_version": package_version("SALib"),
                    "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
            # written last: a directory with sweep.json has its design
            write_text_atomic(json.dumps(meta, indent=2) + "\n", out / "sweep.json")
        parts_dir = out / "parts"
        parts_dir.mkdir(exist_ok=True)
        for stale in parts_dir.glob("*.tmp"):  # a part being written when a sweep was killed
            stale.unlink()
        done = done_runs(out, table_schema)
        existing = part_files(out)
        parts = Parts(parts_dir, table_schema, batch,
                       max(map(part_index, existing), default=-1) + 1)
        columns = {n: design[n].tolist() for n in spec.names}
        points = [tuple((n, columns[n][p]) for n in spec.names) for p in range(spec.n_points)]

        def tasks() -> Iterator[tuple]:
            for point in range(spec.n_points):
                for replicate, seed in enumerate(seeds):
                    run = point * spec.replicates + replicate
                    if run not in done:
                        yield run, point, replicate, seed, points[point]

        todo = spec.n_runs - len(done)
        ctx = SweepContext(scenario, end, spec.fixed, spec.outputs)
        ran = 0
        if todo:
            rows = imap(run_task, tasks(), ctx, workers=min(workers, todo),
                        scheduler=scheduler, warm=warm)
            bar = None
            try:
                for row in rows:
                    # made after the pool has forked (no tqdm monitor thread in workers), and
                    # only when shown: tqdm's multiprocessing lock starts a resource tracker
                    if bar is None and progress:
                        bar = tqdm(total=spec.n_runs, initial=len(done), unit="run",
                                   desc="sweep", file=sys.stderr, dynamic_ncols=True)
                    parts.add(row)
                    ran += 1
                    if bar is not None:
                        bar.update(1)
            finally:
                rows.close()    # stops the workers if the sweep is interrupted
                parts.flush()   # rows that arrived are complete: keep them for --resume
                if bar is not None:
                    bar.close()
        combine(out, table_schema, spec.n_runs)
    finally:
        held.close()
    results = read_results(out)
    results.attrs["sweep"] = {"ran": ran, "resumed": len(done), "path": str(out)}
    return results


def read_results(directory: str | Path, partial: bool = False) -> pd.DataFrame:
    """The results table of a finished sweep (``partial``: the parts present, sorted by run)."""
    directory = Path(directory)
    path = directory / "results.parquet"
    if not partial:
        if not path.is_file():
            raise FileNotFoundError(f"{directory}: no results.parquet (an unfinished sweep: "
                                    "resume it, or read it with partial=True)")
        return pq.read_table(path).to_pandas()
    parts = part_files(directory)
    if not parts:
        raise FileNotFoundError(f"{directory}: no part files")
    table = pa.concat_tables([pq.read_table(p) for p in parts])
    return table.to_pandas().sort_values("run", kind="stable").reset_index(drop=True)
