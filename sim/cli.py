"""The ``afsim`` command: a thin layer that parses arguments and calls the library.

Exit codes: 0 success, 1 failure while running, 2 bad input (every problem printed as
``file:line: message``, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim import params as params_registry
from sim.problems import ValidationError
from sim.scenario import load

DEFAULT_SCENARIO = "scenarios/afghanistan_1992_1996"


def _scenario_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                        help=f"scenario folder (default: {DEFAULT_SCENARIO})")


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = load(args.scenario)
    print(scenario.summary())
    print("valid")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    print(params_registry.describe())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="afsim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a scenario folder and print its summary")
    _scenario_arg(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("params", help="list the parameter registry")
    p.set_defaults(func=cmd_params)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValidationError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found; nothing was loaded.", file=sys.stderr)
        return 2
    except (ValueError, FileExistsError, FileNotFoundError) as exc:
        print(f"afsim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
