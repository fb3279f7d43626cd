"""The ``afsim`` command: a thin layer that parses arguments and calls the library.

Exit codes: 0 success, 1 failure while running, 2 bad input (every problem printed as
``file:line: message``, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.argtypes import integer
from sim.cli.sweep import add_sweep_parser
from sim.data import load
from sim.data import params as params_registry
from sim.data.dates import format_month, parse_month
from sim.data.params import Params
from sim.data.problems import ValidationError

# Commands import the layers they use when they run: pandas, Mesa and matplotlib take a
# second or more to import, and `afsim validate` or `afsim params` need none of them.

DEFAULT_SCENARIO = "scenarios/afghanistan_1992_1996"


def _scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario folder (default: {DEFAULT_SCENARIO})")


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = load(args.scenario)
    print(scenario.summary())
    print("valid")
    return 0


def _values(assignments: list[str]) -> dict:
    """``--set`` values, checked now (each run adds them on top of its own parameters)."""
    values = params_registry.parse_assignments(assignments)
    Params.make(values)
    return values


def _run_options(parser: argparse.ArgumentParser) -> None:
    _scenario_arg(parser)
    parser.add_argument("--out", required=True, help="run directory to write")
    parser.add_argument("--end", help="last month YYYY-MM (default: the scenario's end; "
                        "later months run on with no further drivers)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter (repeatable); see `afsim params`")
    parser.add_argument("--force", action="store_true",
                        help="overwrite a non-empty output directory")
    parser.add_argument("--defaults", action="store_true",
                        help="ignore the scenario's parameters (e.g. its calibrated set): registry defaults")


def _end(text: str | None, scenario) -> int | None:
    if text is None:
        return None
    end = parse_month(text)
    if end < scenario.drivers.start:
        raise ValueError(f"--end {text} is before the scenario's start {format_month(scenario.drivers.start)}")
    return end


def cmd_run(args: argparse.Namespace) -> int:
    from sim.experiments.run import Run
    scenario = load(args.scenario)
    path = Run(scenario, seed=args.seed, params=_values(args.set), defaults=args.defaults,
               end=_end(args.end, scenario)).save(args.out, force=args.force)
    print(f"wrote {path}")
    return 0


def cmd_ensemble(args: argparse.Namespace) -> int:
    from sim.experiments.ensemble import Ensemble
    from sim.experiments.executor import default_workers
    scenario = load(args.scenario)
    ensemble = Ensemble(scenario, replicates=args.replicates, seed=args.seed,
                        params=_values(args.set), defaults=args.defaults,
                        end=_end(args.end, scenario))
    workers = default_workers() if args.workers is None else args.workers
    ensemble.run(workers=workers, out=args.out, force=args.force, progress=not args.quiet)
    print(f"wrote {ensemble.path}")
    return 0


def cmd_forecast(args: argparse.Namespace) -> int:
    from sim.experiments.forecast import Forecast, rolling_horizons
    scenario = load(args.scenario)
    values = _values(args.set)
    origin = parse_month(args.origin) if args.origin else scenario.holdout.start
    if args.rolling:
        out = Path(args.out)
        if out.exists() and any(out.iterdir()) and not args.force:
            raise FileExistsError(f"{out}: directory is not empty (use --force to overwrite)")
        result = rolling_horizons(scenario, origin, scenario.holdout.end, args.particles,
                                  args.seed, params=values, defaults=args.defaults,
                                  progress=not args.quiet, miss_high=args.miss_high)
        out.mkdir(parents=True, exist_ok=True)
        (out / "horizons.json").write_text(json.dumps(result, indent=2) + "\n")
        print(format_horizons(result))
        print(f"wrote {out / 'horizons.json'}")
        return 0
    forecast = Forecast(scenario, origin, args.particles, args.seed, params=values,
                        defaults=args.defaults, end=_end(args.end, scenario),
                        miss_high=args.miss_high)
    forecast.run(out=args.out, force=args.force, progress=not args.quiet)
    print(f"wrote {forecast.path} (forecast from {format_month(origin)}; score it with "
          f"`afsim score {forecast.path}`)")
    return 0


def format_horizons(result: dict) -> str:
    """Skill by horizon as a text table."""
    def f(x):
        return "—" if x is None else f"{x:+.3f}"
    lines = [f"forecasts from every origin {result['origins'][0]}..{result['origins'][1]} "
             f"({result['particles']} particles each): skill by horizon",
             f"  {'horizon':>7} {'origins':>7} {'accuracy':>9} {'persist.':>9} "
             f"{'skill acc/p':>12} {'skill Brier/p':>14} {'skill Brier/d':>14}"]
    for h in result["horizons"]:
        lines.append(f"  {h['horizon']:>7} {h['origins']:>7} {h['model']['accuracy']:>9.3f} "
                     f"{h['persistence']['accuracy']:>9.3f} "
                     f"{f(h['skill_vs_persistence']['accuracy']):>12} "
                     f"{f(h['skill_vs_persistence']['brier']):>14} "
                     f"{f(h['skill_vs_diffusion']['brier']):>14}")
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.analysis.compare import compare_directories, summary_lines
    from sim.report.compare_page import write_comparison
    if len(args.dirs) < 2:
        raise ValueError("compare needs at least two run directories")
    if args.names and len(args.names) != len(args.dirs):
        raise ValueError(f"--names gives {len(args.names)} names for {len(args.dirs)} directories")
    result = compare_directories(args.dirs, args.names)
    page = write_comparison(result, args.out)
    print("\n".join(summary_lines(result)))
    print(f"wrote {page}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    from sim.analysis.scores import format_table, score_directory
    scores = score_directory(args.dir, args.against)
    print(format_table(scores))
    name = f"scores-{scores['against']['name']}.json" if "against" in scores else "scores.json"
    print(f"wrote {Path(args.dir) / name}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from sim.experiments.calibrate import calibrate  # pyabc is slow to import: only when needed
    record = calibrate(args.spec, args.out, workers=args.workers,
                       save=Path(args.save) if args.save else None, progress=not args.quiet)
    prov = record["provenance"]
    k = prov.get("runs_per_particle", 1)
    print(f"ABC-SMC: {prov['generations']} generations, {prov['simulations']} particles x {k} "
          f"run(s), epsilons {prov['epsilons']}; effective sample size "
          f"{prov['effective_sample_size']} of {prov['population']}; final distances "
          f"{prov['final_distances']}")
    for name, m in prov["marginals"].items():
        flag = f"  <- piles up at the {m['limit']} end of {m['range']}" if m["limit"] else ""
        print(f"  {name:<20} median {m['median']:<10g} 90% [{m['p5']:g}, {m['p95']:g}]{flag}")
    print(f"wrote {Path(args.out) / 'posterior.yaml'}" + (f" and {args.save}" if args.save else ""))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from sim.report.page import REPORT_DIR, write_report
    from sim.report.sections import comparison_section, forecast_section, sensitivity_section
    sections = []
    if args.compare:
        sections.append(comparison_section(args.dir, args.compare))
    if args.forecast:
        sections.append(forecast_section(args.forecast, args.horizons))
    if args.sensitivity:
        sections.append(sensitivity_section(args.sensitivity, Path(args.dir) / REPORT_DIR))
    import time
    started = time.monotonic()

    def progress(stage: str) -> None:
        print(f"report: {stage} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)
    path = write_report(args.dir, sections, progress)
    print(f"wrote {path}")
    print(headline(json.loads((Path(args.dir) / "scores.json").read_text())))
    return 0


def headline(scores: dict) -> str:
    """The hold-out figures worth one glance."""
    hold = scores["windows"].get("holdout")
    k = scores["capital_fall"]

    def f(x):
        return "—" if x is None else f"{x:.3f}"

    def s(x):
        if x["value"] is None:
            return "—"
        return f"{x['value']:+.3f}" + (f" [{x['low']:+.2f}, {x['high']:+.2f}]" if x["low"] is not None else "")
    fall = (f"; {k.get('territory')} falls to {k.get('faction')} in {k.get('fell_share', 0):.0%} "
            f"of replicates (recorded {k.get('recorded')}, median {k.get('median') or 'censored'})"
            if k.get("recorded") else "")   # a capital the record never sees change hands
    if hold is None:
        return fall[2:]
    a = hold["all"]
    kind = "forecast" if scores["kind"] == "forecast" else "free run"
    return (f"hold-out {hold['window']} ({kind}): mean probability of the recorded holder "
            f"{f(a['model']['mean_prob'])} (persistence {f(a['persistence']['mean_prob'])}); "
            f"Brier skill vs persistence {s(a['skill_vs_persistence']['brier'])}, vs diffusion "
            f"{s(a['skill_vs_diffusion']['brier'])}; recorded changes hit "
            f"{f(hold['changes']['hit_rate'])}{fall}")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.experiments import sensitivity
    outputs = tuple(args.outputs) if args.outputs else sensitivity.DEFAULT_OUTPUTS
    table = sensitivity.write(args.dir, outputs)
    print(sensitivity.format_table(table))
    print(f"wrote {Path(args.dir) / 'sensitivity.csv'} and sensitivity.png")
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """Check the target here (bad input: exit 2, no server), then serve the explorer."""
    import os
    import subprocess

    from sim.data.rundir import read_manifest
    target = Path(args.target).resolve()
    if target.is_dir() and (target / "manifest.json").is_file():
        read_manifest(target)
    else:
        load(target)
    app = Path(__file__).resolve().parents[1] / "explorer" / "app.py"
    print(f"afsim explorer: http://{args.host}:{args.port}/ (Ctrl-C stops it)", flush=True)
    return subprocess.call(
        [sys.executable, "-m", "solara", "run", str(app), "--host", args.host, "--port",
         str(args.port), "--production", "--no-open"],
        env={**os.environ, "AFSIM_EXPLORE": str(target)})


def cmd_params(args: argparse.Namespace) -> int:
    print(params_registry.describe())
    return 0


_seed = integer(0, "seed")
_positive = integer(1, "the value")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="afsim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a scenario folder and print its summary")
    _scenario_arg(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("run", help="run a scenario once and write a run directory")
    _run_options(p)
    p.add_argument("--seed", type=_seed, default=0, help="random seed (non-negative integer)")
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("ensemble", help="run replicates on local processes into one run directory")
    _run_options(p)
    p.add_argument("--replicates", type=_positive, default=100, help="number of replicates (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="root seed the replicate seeds are spawned from")
    p.add_argument("--workers", type=_positive, default=None, help="processes (default: all cores)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ensemble)
    p = sub.add_parser("score", help="score a run directory against the record (writes scores.json)")
    p.add_argument("dir", help="run directory made by `afsim run` or `afsim ensemble`")
    p.add_argument("--against", metavar="SCENARIO",
                   help="score against another scenario's record (e.g. a 1992-96 run continued "
                   "with --end 2001-08 against scenarios/united_front_1996_2001); writes "
                   "scores-NAME.json")
    p.set_defaults(func=cmd_score)
    p = sub.add_parser("calibrate", help="posterior of the parameters from the calibration "
                       "window's patterns (ABC-SMC, resumable)")
    p.add_argument("spec", help="calibration spec (YAML), e.g. calibration/spec.yaml")
    p.add_argument("--out", required=True, help="study directory (run again to resume)")
    p.add_argument("--workers", type=_positive, default=1,
                   help="worker processes (default 1: reproducible from the spec's seed)")
    p.add_argument("--save", help="also write the posterior here, e.g. "
                   "scenarios/afghanistan_1992_1996/posterior.yaml")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_calibrate)
    p = sub.add_parser("report", help="write DIR/report/index.html with maps, plots and scores")
    p.add_argument("dir", help="a scored run directory (run `afsim score DIR` first)")
    p.add_argument("--compare", metavar="DIR2",
                   help="another scored run directory (e.g. made with --defaults) shown side by side")
    p.add_argument("--forecast", metavar="FORECAST_DIR",
                   help="a scored forecast (`afsim forecast`, `afsim score`) shown in the report")
    p.add_argument("--horizons", metavar="HORIZONS_DIR",
                   help="skill by horizon (`afsim forecast --rolling`) shown with the forecast")
    p.add_argument("--sensitivity", metavar="SWEEP_DIR",
                   help="a sweep analysed with `afsim sensitivity`, shown in the report")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("compare", help="paired differences between named runs (same seeds), "
                       "and a comparison report")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="run directories; the first is the reference")
    p.add_argument("--names", nargs="+", help="a name per directory (default: the scenarios' names)")
    p.add_argument("--out", required=True, help="directory for compare.json and index.html")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("forecast", help="forecast from an origin month: replicates conditioned "
                       "on the record before it (particle filter), then free")
    _run_options(p)
    p.add_argument("--origin", help="first forecast month YYYY-MM; only the record before it is "
                   "read (default: the hold-out's first month)")
    p.add_argument("--particles", type=_positive, default=100,
                   help="runs in the particle filter (default 100)")
    p.add_argument("--seed", type=_seed, default=0, help="root seed (particles and resampling)")
    p.add_argument("--miss-high", type=float, default=None,
                   help="chance that a high-confidence row of the record is wrong, in the "
                        "filter's likelihood (default 0: taken as exact; model-log entry 16)")
    p.add_argument("--rolling", action="store_true",
                   help="forecast from every month of the hold-out from --origin on and write "
                        "skill by horizon (1, 3, 6, 12 months) to DIR/horizons.json")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_forecast)
    p = sub.add_parser("sensitivity", help="Morris or Sobol indices from a finished morris/sobol sweep")
    p.add_argument("dir", help="sweep directory")
    p.add_argument("--outputs", nargs="+", default=None,
                   help="outputs to analyse (default: holdout_skill capital_fall_share focus_provinces_end)")
    p.set_defaults(func=cmd_sensitivity)
    add_sweep_parser(sub)
    p = sub.add_parser("explore", help="the explorer in the browser: a scenario or overlay run "
                                       "live, or a run directory replayed month by month")
    p.add_argument("target", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"scenario folder, overlay file or run directory (default: {DEFAULT_SCENARIO})")
    p.add_argument("--port", type=integer(1, "the port"), default=8765)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_explore)
    p = sub.add_parser("params", help="list the parameter registry")
    p.set_defaults(func=cmd_params)
    return parser


SHOWN_PROBLEMS = 50


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # e.g. `afsim params | head`: the reader left, nothing to say
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        for problem in exc.problems[:SHOWN_PROBLEMS]:
            print(problem, file=sys.stderr)
        more = len(exc.problems) - SHOWN_PROBLEMS
        if more > 0:
            print(f"... and {more} more (fix the first ones: the rest often follow from them)",
                  file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was loaded.", file=sys.stderr)
        return 2
    except (ValueError, FileExistsError, FileNotFoundError, NotADirectoryError) as exc:
        print(f"afsim: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise
    except OSError as exc:  # e.g. --out under a file, in /sys, a name too long
        where = f" {exc.filename}" if getattr(exc, "filename", None) else ""
        print(f"afsim: error: cannot use{where}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("afsim: interrupted; nothing finished was lost (a run directory without "
              "manifest.json is unfinished: run the command again)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
