"""Overlays: a counterfactual stated as a few changes to a base scenario.

An overlay is a YAML file::

    base: ../my_war                     # a scenario folder, relative to this file
    name: backer_stays
    title: "The backer keeps its first proxy"
    description: ...
    changes:
      - proxy: {backer: a_backer, faction: first_proxy, to: null}
      - drop_proxy: {backer: a_backer, faction: second_proxy}
    parameters: {csf_exponent: 2.0}     # fixed values, on top of the base's
    alliances: endogenous               # or recorded
    backers: endogenous                 # or recorded
    end: "1996-12"

Changes (each a one-key mapping, applied in order): ``remove_event`` (every event matching
``kind``, ``actor``, ``target``, ``date``), ``move_event`` (``match``: one event, ``to``: its new
month), ``add_event`` (a row of events.csv as a mapping), ``drop_entry`` (a faction id: it never
enters), ``proxy`` (set ``from``, ``to``, ``weight``, ``fighters_per_month`` of a backer's window
on a faction, adding the window if there is none), ``drop_proxy``, ``backer_budget``
(``backer``, ``budget``), ``add_alliance`` (``date``, ``a``, ``b``, ``relation``),
``remove_alliance`` (``a``, ``b``, optional ``date``).

The result is an ordinary :class:`~sim.data.schema.Scenario` with its own content hash and an
``origin`` saying where it came from; every problem is reported as ``file:line: message``
before anything runs. An added event may not restate an observation (the honesty rule).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.data import params as params_registry
from sim.data.dates import format_month, parse_month
from sim.data.problems import Problems
from sim.data.schema import AllianceChange, Event, ProxyWindow, Scenario
from sim.data.specfile import SpecFile, is_number
from sim.data.vocabulary import (
    ALLIANCE_MODES,
    BACKER_MODES,
    EVENT_KINDS,
    ID,
    MAXIMA,
    NEVER,
    RELATIONS,
)

OVERLAY_KEYS = ("base", "name", "title", "description", "changes", "parameters", "alliances",
                "backers", "end")
CHANGE_KINDS = ("remove_event", "move_event", "add_event", "drop_entry", "proxy", "drop_proxy",
                "backer_budget", "add_alliance", "remove_alliance")


class _Changes:
    """Applies change mappings to a scenario, recording problems at their lines."""

    def __init__(self, scenario: Scenario, problems: Problems, file: str):
        self.scenario = scenario
        self.d = scenario.drivers
        self.problems = problems
        self.file = file

    def fail(self, line: int, message: str) -> None:
        self.problems.add(self.file, line, message)

    # -- checks -----------------------------------------------------------------------------

    def month(self, line: int, value: Any, what: str) -> int | None:
        try:
            month = parse_month(value)
        except ValueError:
            self.fail(line, f"{what} must be a month 'YYYY-MM', got {value!r}")
            return None
        if not self.d.start <= month <= self.d.end:
            self.fail(line, f"{what} {value} is outside the scenario window "
                            f"{format_month(self.d.start)}..{format_month(self.d.end)}")
            return None
        return month

    def known(self, line: int, value: Any, kind: str) -> bool:
        ids = {"faction": self.d.faction_ids, "backer": self.d.backer_ids,
               "territory": self.d.territory_ids}[kind]
        if value not in ids:
            self.fail(line, f"unknown {kind} {value!r}")
            return False
        return True

    # -- changes ----------------------------------------------------------------------------

    def _matching(self, spec: dict, line: int) -> list[Event] | None:
        keys = {"kind", "actor", "target", "date"}
        if not isinstance(spec, dict) or not spec or set(spec) - keys:
            self.fail(line, f"an event is matched by some of {', '.join(sorted(keys))}")
            return None
        found = [e for e in self.d.events
                 if all(str(getattr(e, k) if k != "date" else format_month(e.date)) == str(v)
                        for k, v in spec.items())]
        if not found:
            self.fail(line, f"no event of the base matches {spec}")
            return None
        return found

    def remove_event(self, spec: Any, line: int) -> None:
        found = self._matching(spec, line)
        if found:
            self.d = dataclasses.replace(self.d, events=tuple(e for e in self.d.events
                                                              if e not in found))

    def move_event(self, spec: Any, line: int) -> None:
        if not isinstance(spec, dict) or set(spec) != {"match", "to"}:
            self.fail(line, "move_event needs match (an event) and to (a month)")
            return
        found = self._matching(spec["match"], line)
        month = self.month(line, spec["to"], "to")
        if found is None or month is None:
            return
        if len(found) > 1:
            self.fail(line, f"move_event matches {len(found)} events; make the match unique")
            return
        moved = dataclasses.replace(found[0], date=month, day=None)
        self.d = dataclasses.replace(self.d, events=tuple(
            sorted((moved if e is found[0] else e for e in self.d.events),
                   key=lambda e: (e.date, e.line))))

    def add_event(self, spec: Any, line: int) -> None:
        allowed = {"date", "day", "kind", "actor", "target", "fighters", "resources", "months",
                   "note", "source"}
        if not isinstance(spec, dict) or set(spec) - allowed:
            self.fail(line, f"add_event takes {', '.join(sorted(allowed))}")
            return
        kind = spec.get("kind")
        if kind not in EVENT_KINDS:
            self.fail(line, f"event kind {kind!r} is not one of {', '.join(EVENT_KINDS)}")
            return
        month = self.month(line, spec.get("date"), "date")
        actor_type, target_type, numbers = EVENT_KINDS[kind]
        ok = month is not None
        for role, kind_ in (("actor", actor_type), ("target", target_type)):
            value, kind_ = spec.get(role) or "", kind_.rstrip("?")
            if kind_ in ("faction", "backer", "territory") and value:
                ok &= self.known(line, value, kind_)
            elif kind_ in ("faction", "backer", "territory") and not value:
                self.fail(line, f"{kind}: {role} is missing")
                ok = False
        values = {}
        for column in ("fighters", "resources", "months"):
            value = spec.get(column)
            if value is None:
                if column in numbers:
                    self.fail(line, f"{kind}: {column} is missing")
                    ok = False
                values[column] = None
            elif not is_number(value) or not 0 <= value <= MAXIMA[column]:
                self.fail(line, f"{kind}: {column} must be a number in 0..{MAXIMA[column]:g}")
                ok = False
            else:
                values[column] = value
        recorded = {(o.date, o.territory, o.controller) for o in self.scenario.observations}
        if ok and (month, spec.get("target"), spec.get("actor")) in recorded:
            self.fail(line, "the event restates an observation (the same month, territory and "
                            "faction): observations never drive the model")
            ok = False
        if ok:
            event = Event(date=month, day=None, kind=kind, actor=spec.get("actor") or "",
                          target=spec.get("target") or "", fighters=values["fighters"],
                          resources=values["resources"],
                          months=None if values["months"] is None else int(values["months"]),
                          note=str(spec.get("note") or "added by an overlay"),
                          source=str(spec.get("source") or "overlay"), line=10**6 + line)
            self.d = dataclasses.replace(self.d, events=tuple(
                sorted((*self.d.events, event), key=lambda e: (e.date, e.line))))

    def drop_entry(self, spec: Any, line: int) -> None:
        found = [e for e in self.d.events if e.kind == "faction_enters" and e.actor == spec]
        if not found:
            self.fail(line, f"no faction_enters event for {spec!r}")
            return
        # the entry moves past every month: the faction never enters
        self.d = dataclasses.replace(self.d, events=tuple(
            dataclasses.replace(e, date=NEVER) if e in found else e for e in self.d.events))

    def _backer(self, spec: dict, line: int, keys: set) -> int | None:
        if not isinstance(spec, dict) or "backer" not in spec or set(spec) - keys:
            self.fail(line, f"takes {', '.join(sorted(keys))} (backer required)")
            return None
        if not self.known(line, spec["backer"], "backer"):
            return None
        return self.d.backer_ids.index(spec["backer"])

    def proxy(self, spec: Any, line: int) -> None:
        b = self._backer(spec, line, {"backer", "faction", "from", "to", "weight",
                                      "fighters_per_month"})
        if b is None or not self.known(line, spec.get("faction"), "faction"):
            return
        backer = self.d.backers[b]
        windows = [w for w in backer.proxies if w.faction == spec["faction"]]
        window = windows[0] if windows else None
        if window is None and "from" not in spec:
            self.fail(line, f"{backer.id} has no window on {spec['faction']}: give from")
            return
        changes = {}
        for key, field in (("from", "start"), ("to", "end")):
            if key in spec:
                value = spec[key]
                changes[field] = None if value is None else self.month(line, value, key)
                if value is not None and changes[field] is None:
                    return
        for key, field in (("weight", "weight"), ("fighters_per_month", "fighters_per_month")):
            if key in spec:
                if not is_number(spec[key]) or not 0 <= spec[key] <= MAXIMA[key]:
                    self.fail(line, f"{key} must be a number in 0..{MAXIMA[key]:g}")
                    return
                changes[field] = float(spec[key])
        if window is None:
            window = ProxyWindow(spec["faction"], changes.get("start"), None, 1.0, 0.0, "overlay")
            proxies = (*backer.proxies, dataclasses.replace(window, **changes))
        else:
            proxies = tuple(dataclasses.replace(w, **changes) if w is window else w
                            for w in backer.proxies)
        self._set_backer(b, dataclasses.replace(backer, proxies=proxies))

    def drop_proxy(self, spec: Any, line: int) -> None:
        b = self._backer(spec, line, {"backer", "faction"})
        if b is None:
            return
        backer = self.d.backers[b]
        kept = tuple(w for w in backer.proxies if w.faction != spec.get("faction"))
        if len(kept) == len(backer.proxies):
            self.fail(line, f"{backer.id} has no window on {spec.get('faction')!r}")
            return
        self._set_backer(b, dataclasses.replace(backer, proxies=kept))

    def backer_budget(self, spec: Any, line: int) -> None:
        b = self._backer(spec, line, {"backer", "budget"})
        if b is None:
            return
        budget = spec.get("budget")
        if not is_number(budget) or not 0 <= budget <= MAXIMA["budget"]:
            self.fail(line, f"budget must be a number in 0..{MAXIMA['budget']:g}")
            return
        self._set_backer(b, dataclasses.replace(self.d.backers[b], budget=float(budget)))

    def _set_backer(self, b: int, backer) -> None:
        backers = list(self.d.backers)
        backers[b] = backer
        self.d = dataclasses.replace(self.d, backers=tuple(backers))

    def _pair(self, spec: Any, line: int, keys: set, required: set) -> bool:
        if not isinstance(spec, dict) or set(spec) - keys or required - set(spec):
            self.fail(line, f"takes {', '.join(sorted(keys))} ({', '.join(sorted(required))} "
                            "required)")
            return False
        return self.known(line, spec["a"], "faction") & self.known(line, spec["b"], "faction")

    def add_alliance(self, spec: Any, line: int) -> None:
        if not self._pair(spec, line, {"date", "a", "b", "relation"}, {"date", "a", "b", "relation"}):
            return
        month = self.month(line, spec["date"], "date")
        if spec["relation"] not in RELATIONS:
            self.fail(line, f"relation {spec['relation']!r} is not one of {', '.join(RELATIONS)}")
            return
        if month is None:
            return
        row = AllianceChange(month, None, spec["a"], spec["b"], spec["relation"], "high",
                             "added by an overlay", "overlay", 10**6 + line)
        self.d = dataclasses.replace(self.d, alliances=tuple(
            sorted((*self.d.alliances, row), key=lambda a: (a.date, a.line))))

    def remove_alliance(self, spec: Any, line: int) -> None:
        if not self._pair(spec, line, {"date", "a", "b"}, {"a", "b"}):
            return
        pair = {spec["a"], spec["b"]}
        kept = tuple(a for a in self.d.alliances if not (
            {a.a, a.b} == pair and ("date" not in spec or format_month(a.date) == spec["date"])))
        if len(kept) == len(self.d.alliances):
            self.fail(line, f"no alliance row of the base matches {spec}")
            return
        self.d = dataclasses.replace(self.d, alliances=kept)


def apply_changes(scenario: Scenario, changes: list, problems: Problems, file: str,
                  lines: dict | None = None) -> Scenario:
    """``scenario`` with ``changes`` applied; problems go to ``problems`` (line 0 if unknown)."""
    applier = _Changes(scenario, problems, file)
    for i, change in enumerate(changes or []):
        line = (lines or {}).get(("changes", i), 0)
        if not isinstance(change, dict) or len(change) != 1:
            applier.fail(line, f"a change is a one-key mapping: {', '.join(CHANGE_KINDS)}")
            continue
        (kind, spec), = change.items()
        if kind not in CHANGE_KINDS:
            applier.fail(line, f"unknown change {kind!r}; changes: {', '.join(CHANGE_KINDS)}")
            continue
        getattr(applier, kind)(spec, line)
    return dataclasses.replace(scenario, drivers=applier.d)


def with_changes(scenario: Scenario, changes: list | None = None, *, parameters: dict | None = None,
                 alliances: str | None = None, backers: str | None = None,
                 end: str | None = None, name: str | None = None, title: str | None = None,
                 description: str | None = None, file: str = "changes") -> Scenario:
    """A counterfactual in Python: ``scenario`` with the changes of an overlay applied.

    Raises:
        ValidationError: every problem, as ``file:index: message``.
    """
    problems = Problems()
    lines = {("changes", i): i + 1 for i in range(len(changes or []))}
    result = apply_changes(scenario, changes or [], problems, file, lines)
    d = result.drivers
    if parameters:
        for key, value in parameters.items():
            _, problem = params_registry.check_value(key, value)
            if problem:
                problems.add(file, 0, problem)
        d = dataclasses.replace(d, parameters=MappingProxyType({**d.parameters, **parameters}))
    for key, value, allowed in (("alliance_mode", alliances, ALLIANCE_MODES),
                                ("backer_mode", backers, BACKER_MODES)):
        if value is not None:
            if value not in allowed:
                problems.add(file, 0, f"{key.split('_')[0]} must be one of {', '.join(allowed)}")
            else:
                d = dataclasses.replace(d, **{key: value})
    if end is not None:
        try:
            month = parse_month(end)
            if month < d.start:
                problems.add(file, 0, f"end {end} is before the start")
            else:
                d = dataclasses.replace(d, end=month)
        except ValueError:
            problems.add(file, 0, f"end must be a month 'YYYY-MM', got {end!r}")
    problems.raise_if_any()
    origin = {"base": str(Path(scenario.path).resolve()), "overlay": file,
              "changes": list(changes or []), "parameters": dict(parameters or {}),
              "alliances": alliances, "backers": backers, "end": end}
    return dataclasses.replace(result, drivers=d, name=name or scenario.name,
                               title=title or scenario.title,
                               description=description or scenario.description,
                               origin=MappingProxyType(origin))


def load_overlay(path: str | Path) -> Scenario:
    """Read an overlay file and apply it to its base; every problem as ``file:line``."""
    from sim.data.loader import load
    spec = SpecFile(path, OVERLAY_KEYS, "overlay")
    data = spec.data
    spec.require("base", "name")
    base = None
    raw = data.get("base")
    if isinstance(raw, str):
        for candidate in (spec.path.parent / raw, Path(raw)):
            if (candidate / "scenario.yaml").is_file():
                base = candidate
                break
        else:
            spec.add(("base",), f"base scenario folder {raw!r} not found (relative to "
                                f"{spec.path.parent})")
    name = data.get("name")
    if "name" in data and (not isinstance(name, str) or not ID.match(name)):
        spec.add(("name",), f"name must be a lowercase id, got {name!r}")
    spec.raise_if_any()
    scenario = load(base)
    changes = data.get("changes") or []
    if not isinstance(changes, list):
        spec.add(("changes",), "changes must be a list")
        changes = []
    result = apply_changes(scenario, changes, spec.problems, spec.name, spec.lines)
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        spec.add(("parameters",), "parameters must be a mapping of name: value")
        parameters = {}
    for key, value in parameters.items():
        _, problem = params_registry.check_value(key, value)
        if problem:
            spec.add(("parameters", key), problem)
    for key, allowed in (("alliances", ALLIANCE_MODES), ("backers", BACKER_MODES)):
        if key in data and data[key] not in allowed:
            spec.add((key,), f"{key} must be one of {', '.join(allowed)}, got {data[key]!r}")
    if "end" in data:
        try:
            if parse_month(data["end"]) < scenario.start:
                spec.add(("end",), f"end {data['end']} is before the scenario's start")
        except ValueError:
            spec.add(("end",), f"end must be a month 'YYYY-MM', got {data['end']!r}")
    spec.raise_if_any()
    out = with_changes(result, [], parameters=parameters, alliances=data.get("alliances"),
                       backers=data.get("backers"), end=data.get("end"), name=name,
                       title=data.get("title"), description=data.get("description"),
                       file=str(spec.path.resolve()))
    origin = dict(out.origin)
    origin.update(base=str(Path(base).resolve()), changes=changes)
    return dataclasses.replace(out, path=spec.path.resolve(), origin=MappingProxyType(origin))
