"""The sweep spec: a YAML file read and checked into a :class:`SweepSpec`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.analysis.evaluate import OUTPUTS
from sim.data import Scenario
from sim.data.dates import format_month, parse_month
from sim.data.params import BY_NAME, check_bounds, check_value, unknown_message
from sim.data.problems import Problem, ValidationError
from sim.data.specfile import SpecFile, is_int
from sim.data.yamlio import line_of

DESIGNS = ("grid", "latin", "sobol", "morris")


KEYS = ("scenario", "parameters", "design", "samples", "levels", "replicates", "seed", "end",
        "fixed", "outputs")


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a range ``[low, high]`` or, for a grid, a list of values."""

    name: str
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] = ()

    def to_spec(self) -> Any:
        return {"values": list(self.values)} if self.values else [self.low, self.high]


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (see the module docstring for the keys)."""

    path: Path
    scenario: Path                 # the scenario folder, resolved
    scenario_text: str             # as written in the spec
    parameters: tuple[Axis, ...]
    design: str
    samples: int | None
    levels: int | None
    replicates: int
    seed: int
    end: str | None
    fixed: tuple[tuple[str, Any], ...]
    outputs: tuple[str, ...]
    lines: Mapping[str, int] = field(default_factory=dict, compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.parameters)

    @property
    def n_points(self) -> int:
        d = len(self.parameters)
        if self.design == "grid":
            return math.prod(len(a.values) for a in self.parameters)
        if self.design == "latin":
            return self.samples
        if self.design == "sobol":
            return self.samples * (d + 2)
        return self.samples * (d + 1)   # morris

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    def problem(self) -> dict:
        """The SALib problem: names and bounds (a grid's bounds are its extreme values)."""
        bounds = []
        for a in self.parameters:
            if a.values:
                numeric = all(isinstance(v, float) for v in a.values)
                bounds.append([min(a.values), max(a.values)] if numeric else None)
            else:
                bounds.append([a.low, a.high])
        return {"num_vars": len(self.parameters), "names": list(self.names), "bounds": bounds}

    def to_dict(self) -> dict:
        """The spec as data, with the scenario as written (what ``sweep.json`` keeps)."""
        return {"scenario": self.scenario_text,
                "parameters": {a.name: a.to_spec() for a in self.parameters},
                "design": self.design, "samples": self.samples, "levels": self.levels,
                "replicates": self.replicates, "seed": self.seed, "end": self.end,
                "fixed": dict(self.fixed), "outputs": list(self.outputs)}

    def hash(self) -> str:
        """sha256 of what sets the results: :meth:`to_dict` without the scenario's path (its
        content hash is checked apart, so a moved spec or scenario can still be resumed); key
        order is kept, since the parameter order sets the design."""
        data = {k: v for k, v in self.to_dict().items() if k != "scenario"}
        return hashlib.sha256(json.dumps(data, separators=(",", ":")).encode()).hexdigest()


def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec.

    Raises:
        ValidationError: every problem found, as ``file:line: message``.
    """
    spec_file = SpecFile(path, KEYS, "sweep spec")
    path, data, add, problems, name = (spec_file.path, spec_file.data, spec_file.add,
                                       spec_file.problems, spec_file.name)
    lines = spec_file.lines
    spec_file.require("scenario", "design", "parameters")
    scenario_text, scenario = "", Path(".")
    if "scenario" in data:
        scenario_text, found = spec_file.scenario_folder()
        scenario = found or scenario

    # design and its sizes
    design = data.get("design")
    if "design" in data and design not in DESIGNS:
        add(("design",), f"unknown design {design!r}; valid designs: {', '.join(DESIGNS)}")
        design = None
    samples = data.get("samples")
    if design == "grid":
        if "samples" in data:
            add(("samples",), "samples is not used by design grid (the grid is the product "
                "of the listed values)")
        samples = None
    elif design is not None:
        if "samples" not in data:
            problems.add(name, 0, f"missing key 'samples' (design {design})")
        elif not is_int(samples) or samples < 1:
            add(("samples",), f"samples must be a positive integer, got {samples!r}")
            samples = None
        elif design == "sobol" and samples & (samples - 1):
            add(("samples",), f"samples must be a power of 2 for design sobol (Saltelli base "
                f"N), got {samples}")
    levels = data.get("levels", 4 if design == "morris" else None)
    if design != "morris":
        if "levels" in data:
            add(("levels",), "levels is only used by design morris")
        levels = None
    elif not is_int(levels) or levels < 2 or levels % 2:
        add(("levels",), f"levels must be an even integer >= 2, got {levels!r}")

    replicates = spec_file.integer("replicates", 1, 1)
    seed = spec_file.integer("seed", 0, 0)

    end = data.get("end")
    if end is not None:
        try:
            parse_month(end)
        except ValueError as exc:
            add(("end",), f"end: {exc}")
            end = None

    # parameters
    axes: list[Axis] = []
    raw_params = data.get("parameters")
    if "parameters" in data and (not isinstance(raw_params, dict) or not raw_params):
        add(("parameters",), "parameters must be a non-empty mapping of name: [low, high] "
            "(or {values: [...]} for design grid)")
        raw_params = {}
    for pname, entry in (raw_params or {}).items():
        axis = _axis(pname, entry, design, lines, add)
        if axis is not None:
            axes.append(axis)

    # fixed
    fixed: list[tuple[str, Any]] = []
    raw_fixed = data.get("fixed", {})
    if raw_fixed is None:
        raw_fixed = {}
    if not isinstance(raw_fixed, dict):
        add(("fixed",), f"fixed must be a mapping of name: value, got {raw_fixed!r}")
        raw_fixed = {}
    for pname, raw in raw_fixed.items():
        if isinstance(raw_params, dict) and pname in raw_params:
            add(("fixed", pname), f"parameter {pname!r} is both swept and fixed")
            continue
        value, problem = check_value(pname, raw)
        if problem:
            add(("fixed", pname), problem)
        else:
            fixed.append((pname, value))

    # outputs
    outputs: tuple[str, ...] = OUTPUTS
    if "outputs" in data:
        raw_out = data["outputs"]
        if not isinstance(raw_out, list) or not raw_out:
            add(("outputs",), f"outputs must be a non-empty list of: {', '.join(OUTPUTS)}")
        else:
            chosen = []
            for i, item in enumerate(raw_out):
                if item not in OUTPUTS:
                    add(("outputs", i), f"unknown output {item!r}; valid outputs: "
                        f"{', '.join(OUTPUTS)}")
                elif item in chosen:
                    add(("outputs", i), f"output {item!r} is listed twice")
                else:
                    chosen.append(item)
            outputs = tuple(chosen)

    problems.raise_if_any()
    top = {key: line_of(lines, (key,)) for key in data}
    return SweepSpec(path=path, scenario=scenario, scenario_text=scenario_text,
                     parameters=tuple(axes), design=design, samples=samples, levels=levels,
                     replicates=replicates, seed=seed, end=end, fixed=tuple(fixed),
                     outputs=outputs, lines=top)


def _axis(name: str, entry: Any, design: str | None, lines: dict,
          add: Callable[[tuple, str], None]) -> Axis | None:
    """One ``parameters:`` entry, or None after reporting its problems."""
    key = ("parameters", name)
    spec = BY_NAME.get(name)
    if spec is None:
        add(key, unknown_message(name))
        return None
    if isinstance(entry, dict):
        extra = [k for k in entry if k != "values"]
        if extra or "values" not in entry:
            add(key, f"parameter {name!r}: expected {{values: [...]}}, got keys "
                f"{', '.join(map(str, entry)) or 'none'}")
            return None
        if design not in (None, "grid"):
            add(key, f"parameter {name!r}: {{values: [...]}} is only for design grid; give "
                f"[low, high] for design {design}")
            return None
        values = entry["values"]
        if not isinstance(values, list) or not values:
            add(key + ("values",), f"parameter {name!r}: values must be a non-empty list")
            return None
        checked, ok = [], True
        for i, raw in enumerate(values):
            value, problem = check_value(name, raw)
            if problem:
                add(key + ("values", i), problem)
                ok = False
            elif value in checked:
                add(key + ("values", i), f"parameter {name!r}: value {raw!r} is listed twice")
                ok = False
            else:
                checked.append(value)
        return Axis(name, values=tuple(checked)) if ok else None
    if not spec.numeric:
        add(key, f"parameter {name!r} is a choice ({', '.join(spec.choices)}): sweep it with "
            "design grid and {values: [...]}")
        return None
    if design == "grid":
        add(key, f"parameter {name!r}: design grid needs {{values: [...]}}, not a range")
        return None
    bounds, problem = check_bounds(name, entry)
    if problem:
        add(key, problem + (" (or {values: [...]} for design grid)"
                            if "must be [low, high]" in problem else ""))
        return None
    return Axis(name, low=bounds[0], high=bounds[1])


def check_against_scenario(spec: SweepSpec, scenario: Scenario) -> int | None:
    """The spec's last month as an index (None: the scenario's end); checks it is after the start."""
    if spec.end is None:
        return None
    end = parse_month(spec.end)
    if end <= scenario.drivers.start:
        raise ValidationError([_problem(spec, "end", f"end {spec.end} must be after the "
                                        f"scenario's start {format_month(scenario.drivers.start)}")])
    return end


def scored_months(scenario: Scenario, end: int | None) -> list[str]:
    """First and last month of the calibration window that a sweep ending at ``end`` scores."""
    last = scenario.calibration.end if end is None else min(end, scenario.calibration.end)
    return [format_month(scenario.calibration.start), format_month(last)]


def _problem(spec: SweepSpec, key: str, message: str) -> Problem:
    return Problem(str(spec.path), spec.lines.get(key, 0), message)
