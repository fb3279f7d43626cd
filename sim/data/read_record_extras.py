"""Readers of the scenario.yaml entries that belong to the record and the fit: ``patterns:``
(statements about the war that are not cells of the map) and the ``posterior:`` file (the
calibrated parameter sets, with weights)."""

from __future__ import annotations

import math
from pathlib import Path

from sim.data import params as params_registry
from sim.data.dates import format_month
from sim.data.fields import Fields, SourceChecker, read_text
from sim.data.problems import Problems
from sim.data.schema import Pattern, Posterior
from sim.data.yamlio import line_of, load_yaml

PATTERN_KINDS = ("battle_share",)
PATTERN_KEYS = ("kind", "territories", "from", "to", "min", "max", "source", "note")


def read_patterns(meta: dict, lines: dict, tids: set[str], start: int, end: int,
                  sources: SourceChecker, problems: Problems) -> list[Pattern]:
    """``patterns:``: e.g. ``{kind: battle_share, territories: [...], from, to, min, source}``:
    the share of the battles of the window fought in the listed territories is at least
    ``min`` (and at most ``max``)."""
    raw = meta.get("patterns") or []
    f = Fields("scenario.yaml", problems)
    if not isinstance(raw, list):
        f.error(line_of(lines, ("patterns",)), "patterns must be a list")
        return []
    out = []
    for i, item in enumerate(raw):
        line = line_of(lines, ("patterns", i))
        if not isinstance(item, dict):
            f.error(line, "a pattern must be a mapping with kind, territories, from, to, min/max, source")
            continue
        for key in item:
            if key not in PATTERN_KEYS:
                f.error(line_of(lines, ("patterns", i, key)),
                        f"patterns: unknown key {key!r}; allowed: {', '.join(PATTERN_KEYS)}")
        kind = f.choice(line, str(item.get("kind", "")), "patterns: kind", PATTERN_KINDS)
        territories = item.get("territories")
        if not isinstance(territories, list) or not territories:
            f.error(line, "patterns: territories must be a non-empty list of territory ids")
            territories = []
        for tid in territories:
            if tid not in tids:
                f.error(line, f"patterns: unknown territory {tid!r}")
        first = f.month(line, item.get("from"), "patterns: from")
        last = f.month(line, item.get("to"), "patterns: to")
        for month in (first, last):
            if month is not None and not start <= month <= end:
                f.error(line, f"patterns: month {format_month(month)} is outside the scenario window")
        if first is not None and last is not None and last < first:
            f.error(line, "patterns: to is before from")
        bounds = {}
        for key in ("min", "max"):
            if item.get(key) is not None:
                bounds[key] = f.number(line, item.get(key), f"patterns: {key}", high=1.0)
        if not bounds:
            f.error(line, "patterns: give min and/or max (a share, 0..1)")
        problem = sources.problem(str(item.get("source") or ""))
        if problem:
            f.error(line, f"patterns: {problem}")
        if kind and first is not None and last is not None and bounds:
            out.append(Pattern(kind, tuple(t for t in territories if t in tids), first, last,
                               bounds.get("min"), bounds.get("max"), str(item.get("source")),
                               str(item.get("note") or ""), line))
    return out


def read_posterior(path: Path, problems: Problems) -> Posterior | None:
    """A posterior file: ``parameters: [names]``, ``samples: [[weight, value, ...], ...]``
    and ``provenance:`` (free). Every name is a numeric registry parameter, every value in its
    range, every weight positive."""
    name = path.name
    data, lines = load_yaml(read_text(path, problems), name, problems, fast=True)
    if not isinstance(data, dict):
        problems.add(name, 1, "expected a mapping with parameters, samples and provenance")
        return None
    names = data.get("parameters")
    samples = data.get("samples")
    ok = True
    if not isinstance(names, list) or not names:
        problems.add(name, line_of(lines, ("parameters",)),
                     "parameters must be a non-empty list of registry names")
        return None
    for i, pname in enumerate(names):
        spec = params_registry.BY_NAME.get(pname)
        if spec is None or not spec.numeric:
            problems.add(name, line_of(lines, ("parameters", i)),
                         f"{params_registry.unknown_message(pname) if spec is None else f'{pname!r} is not numeric'}")
            ok = False
    if not isinstance(samples, list) or not samples:
        problems.add(name, line_of(lines, ("samples",)), "samples must be a non-empty list of rows")
        return None
    rows = []
    for r, row in enumerate(samples):
        line = line_of(lines, ("samples", r))
        if (not isinstance(row, list) or len(row) != len(names) + 1
                or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in row)):
            problems.add(name, line, f"a sample is [weight, {', '.join(map(str, names))}]: "
                                     f"{len(names) + 1} numbers")
            ok = False
            continue
        weight, values = float(row[0]), [float(x) for x in row[1:]]
        if not (math.isfinite(weight) and weight > 0):
            problems.add(name, line, f"weight must be positive, got {row[0]!r}")
            ok = False
        for pname, value in zip(names, values, strict=True):
            _, problem = params_registry.check_value(pname, value)
            if problem and ok is not None:
                problems.add(name, line, problem)
                ok = False
        rows.append((weight, tuple(values)))
    if not ok:
        return None
    total = sum(w for w, _ in rows)
    prov = data.get("provenance") if isinstance(data.get("provenance"), dict) else {}
    fitted = (f"{prov.get('scenario')} {prov.get('fitted_on')}"
              if prov.get("scenario") and prov.get("fitted_on") else "")
    return Posterior(tuple(names), tuple(v for _, v in rows), tuple(w / total for w, _ in rows),
                     path, str(fitted)[:200])
