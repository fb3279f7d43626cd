"""``afsim sweep``: the command-line face of :func:`sim.experiments.sweep.run_sweep`."""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sim.cli.argtypes import integer

_positive = integer(1, "the value")


def cmd_sweep(args: argparse.Namespace) -> int:
    if args.scheduler and args.workers:
        raise ValueError("--workers is for local processes; with --scheduler the cluster's "
                         "workers run the sweep")
    from sim.experiments.sweep import run_sweep
    t0 = time.perf_counter()
    try:
        results = run_sweep(args.spec, args.out, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, force=args.force, progress=not args.quiet,
                            batch=args.batch)  # None: the default
    except KeyboardInterrupt:
        print(f"afsim: interrupted; the runs finished are kept in {Path(args.out) / 'parts'}: "
              "run the same command with --resume to continue", file=sys.stderr)
        return 130
    except BrokenProcessPool as exc:
        print(f"afsim: a worker process died ({exc}); the runs finished are kept in "
              f"{Path(args.out) / 'parts'}: run the same command with --resume to continue",
              file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    info = results.attrs.get("sweep", {})
    errors = results.loc[results["error"] != "", ["run", "error"]]
    if len(errors):
        for run, error in errors.head(5).itertuples(index=False):
            print(f"run {run}: {error}", file=sys.stderr)
        if len(errors) > 5:
            print(f"... and {len(errors) - 5} more failed run(s)", file=sys.stderr)
    print(f"runs: {len(results)} done ({info.get('ran', len(results))} in this session, "
          f"{info.get('resumed', 0)} resumed), {len(errors)} failed; {elapsed:.1f} s")
    print(f"wrote {Path(args.out) / 'results.parquet'}")
    return 0


def add_sweep_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``afsim sweep`` on the subcommands ``sub`` of the afsim parser."""
    p = sub.add_parser("sweep", help="run a parameter sweep described by a YAML spec",
                       description="Run a parameter sweep (design x replicates) and write "
                       "DIR/results.parquet; see sweeps/*.yaml for specs.")
    p.add_argument("spec", metavar="SPEC", help="sweep spec (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="run on the workers of this dask.distributed scheduler")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local processes (default: all cores)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true",
                      help="continue an interrupted sweep in DIR (same spec and scenario)")
    mode.add_argument("--force", action="store_true",
                      help="start again in a non-empty DIR (removes its sweep files)")
    p.add_argument("--batch", type=_positive, default=None,
                   help="rows per part file at most (default: the sweep module's BATCH)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_sweep)
    return p
