"""Scenario loading: every file read and validated before anything runs.

``load(folder)`` returns an immutable :class:`Scenario` or raises
:class:`~sim.data.problems.ValidationError` listing every problem as ``file:line: message``;
nothing is half-loaded. The format is documented in ``docs/scenario-format.md``.

A scenario is split along the honesty rule of the design: :class:`Drivers` (what the
model is told) and the record (``observations`` and ``totals``: what it must reproduce).
The model receives ``scenario.drivers`` only.
"""

from __future__ import annotations

import copyreg
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.data import params as params_registry
from sim.data.dates import format_month
from sim.data.fields import Fields, Row, SourceChecker, read_csv
from sim.data.problems import Problems, ValidationError
from sim.data.yamlio import line_of, load_yaml

__all__ = ["Scenario", "Drivers", "ScenarioError", "load"]

ScenarioError = ValidationError

TERRAINS = ("plain", "hills", "mountain", "urban")
LINK_KINDS = ("road", "pass", "mountain")
def _proxy(data: dict) -> MappingProxyType:
    return MappingProxyType(data)


# Scenarios hold read-only mappings; let them pickle (process pools, mesa.batch_run)
copyreg.pickle(MappingProxyType, lambda m: (_proxy, (dict(m),)))

ETHNIC_GROUPS = ("pashtun", "tajik", "hazara", "uzbek", "other")
RELATIONS = ("allied", "neutral", "hostile")
CONFIDENCES = ("high", "medium", "low")
POSTURES = ("active", "defensive")
ALLIANCE_MODES = ("recorded", "endogenous")
CONTESTED = "contested"
SHARE_TOLERANCE = 0.02

FILE_KEYS = (
    "territories", "adjacency", "factions", "backers", "initial_control",
    "events", "observations", "alliances",
)
OPTIONAL_FILES = ("observations",)  # a scenario without a record can run, not be scored

TERRITORY_COLUMNS = (
    "id", "name", "capital", "parent", "lat", "lon", "population", "terrain",
    *ETHNIC_GROUPS, "borders", "strategic_weight", "source",
)
ADJACENCY_COLUMNS = ("a", "b", "kind", "source")
CONTROL_COLUMNS = ("territory", "controller", "source")
EVENT_COLUMNS = (
    "date", "day", "kind", "actor", "target", "fighters", "resources", "months", "note", "source",
)
OBSERVATION_COLUMNS = ("date", "day", "territory", "controller", "confidence", "note", "source")
ALLIANCE_COLUMNS = ("date", "day", "a", "b", "relation", "confidence", "note", "source")

# kind -> (actor type, target type, required numbers)
EVENT_KINDS: Mapping[str, tuple[str, str, tuple[str, ...]]] = MappingProxyType({
    "faction_enters": ("faction", "territory", ("fighters", "resources")),
    "leader_killed": ("faction", "territory?", ()),
    "ceasefire": ("faction", "faction_or_all", ("months",)),
    "head_of_state": ("faction", "none", ("resources",)),
    "backer_budget": ("backer", "none", ("resources",)),
    "blockade": ("faction", "territory", ("months",)),
    "note": ("any?", "any?", ()),
})

_TERRITORY_ID = re.compile(r"^AF-[A-Z]{3}(\.[a-z][a-z0-9_]*)?$")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Window:
    """An inclusive range of months."""

    start: int
    end: int

    def __contains__(self, month: int) -> bool:
        return self.start <= month <= self.end

    def __str__(self) -> str:
        return f"{format_month(self.start)}..{format_month(self.end)}"


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    capital: str
    parent: str
    lat: float
    lon: float
    population: float
    terrain: str
    ethnic: Mapping[str, float]
    borders: tuple[str, ...]
    strategic_weight: float
    source: str

    @property
    def is_province(self) -> bool:
        return not self.parent


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    kind: str
    source: str


@dataclass(frozen=True)
class Faction:
    id: str
    name: str
    leader: str
    ethnic_base: str
    sect: str
    fighters: float
    resources: float
    heavy_weapons: float
    air_power: float
    cohesion: float
    posture: str
    home: tuple[str, ...]
    deployments: Mapping[str, float]
    source: str


@dataclass(frozen=True)
class ProxyWindow:
    faction: str
    start: int
    end: int | None
    weight: float
    fighters_per_month: float
    source: str

    def active(self, month: int) -> bool:
        return self.start <= month and (self.end is None or month <= self.end)


@dataclass(frozen=True)
class Backer:
    id: str
    name: str
    budget: float
    proxies: tuple[ProxyWindow, ...]
    source: str


@dataclass(frozen=True)
class Event:
    date: int
    day: int | None
    kind: str
    actor: str
    target: str
    fighters: float | None
    resources: float | None
    months: int | None
    note: str
    source: str
    line: int


@dataclass(frozen=True)
class Observation:
    date: int
    day: int | None
    territory: str
    controller: str
    confidence: str
    note: str
    source: str
    line: int


@dataclass(frozen=True)
class AllianceChange:
    date: int
    day: int | None
    a: str
    b: str
    relation: str
    confidence: str
    note: str
    source: str
    line: int


@dataclass(frozen=True)
class Total:
    """A statement about the record that names no province (checked, not a table row)."""

    date: int
    faction: str
    provinces: int
    source: str


@dataclass(frozen=True)
class Drivers:
    """Everything the model is told. Observations are deliberately absent."""

    start: int
    end: int
    alliance_mode: str
    default_relation: str
    territories: tuple[Territory, ...]
    links: tuple[Link, ...]
    factions: tuple[Faction, ...]
    backers: tuple[Backer, ...]
    initial_control: Mapping[str, str]
    events: tuple[Event, ...]
    alliances: tuple[AllianceChange, ...]
    parameters: Mapping[str, Any]
    hash: str

    @property
    def territory_ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.territories)

    @property
    def faction_ids(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.factions)

    @property
    def backer_ids(self) -> tuple[str, ...]:
        return tuple(b.id for b in self.backers)

    def entry_month(self, faction: str) -> int | None:
        """Month a faction enters, or ``None`` if it is present from the start."""
        for event in self.events:
            if event.kind == "faction_enters" and event.actor == faction:
                return event.date
        return None


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its drivers, its record, and where it came from."""

    path: Path
    name: str
    title: str
    description: str
    calibration: Window
    holdout: Window
    drivers: Drivers
    observations: tuple[Observation, ...]
    totals: tuple[Total, ...]
    map_file: Path | None
    content_hash: str
    files: Mapping[str, str] = field(repr=False)
    parameter_set: Path | None = None  # file the parameters came from (e.g. a calibration)

    @property
    def start(self) -> int:
        return self.drivers.start

    @property
    def end(self) -> int:
        return self.drivers.end

    @property
    def provinces(self) -> tuple[Territory, ...]:
        return tuple(t for t in self.drivers.territories if t.is_province)

    def summary(self) -> str:
        """A one-screen description, as printed by ``afsim validate``."""
        d = self.drivers
        provinces = self.provinces
        subnodes = [t.id for t in d.territories if not t.is_province]
        kinds = defaultdict(int)
        for event in d.events:
            kinds[event.kind] += 1
        by_conf = defaultdict(int)
        for obs in self.observations:
            by_conf[obs.confidence] += 1
        held = defaultdict(int)
        for tid, controller in d.initial_control.items():
            if tid in {p.id for p in provinces}:
                held[controller] += 1
        lines = [
            f"{self.title} [{self.name}]  ({self.path})",
            f"  window       {format_month(d.start)}..{format_month(d.end)}"
            f"   calibration {self.calibration}   hold-out {self.holdout}",
            f"  territories  {len(provinces)} provinces + {len(subnodes)} sub-nodes"
            f" ({', '.join(subnodes) or 'none'}); {len(d.links)} links",
            f"  factions     {len(d.factions)}: " + ", ".join(
                f"{f.id} ({held.get(f.id, 0)})" for f in d.factions)
            + "   (provinces held at start)",
            f"  backers      {len(d.backers)}: " + ", ".join(
                f"{b.id}->{'/'.join(p.faction for p in b.proxies)}" for b in d.backers),
            f"  drivers      {len(d.events)} events: " + ", ".join(
                f"{k} {n}" for k, n in sorted(kinds.items())),
            f"  observations {len(self.observations)} recorded changes of control ("
            + ", ".join(f"{c} {by_conf[c]}" for c in CONFIDENCES if by_conf[c]) + ")"
            + (f"; {len(self.totals)} province totals" if self.totals else ""),
            f"  alliances    {len(d.alliances)} recorded changes; mode: {d.alliance_mode}",
            f"  parameters   {len(d.parameters)} overrides"
            + (f" (set: {self.parameter_set.name})" if self.parameter_set else "")
            + (": " + ", ".join(f"{k}={v}" for k, v in d.parameters.items()) if d.parameters else ""),
            f"  content hash {self.content_hash[:16]}",
        ]
        if not self.observations:
            lines.append("  note: no observations.csv: this scenario can run but not be scored")
        return "\n".join(lines)


# --------------------------------------------------------------------------- loading


def load(path: str | Path) -> Scenario:
    """Read and validate the scenario folder ``path``.

    Raises:
        ValidationError: every problem found, as ``file:line: message``.
    """
    folder = Path(path)
    problems = Problems()
    if not folder.is_dir():
        problems.add(str(folder), 0, "scenario folder not found")
        problems.raise_if_any()
    yaml_path = folder / "scenario.yaml"
    if not yaml_path.is_file():
        problems.add("scenario.yaml", 0, "file is missing")
        problems.raise_if_any()
    sources = SourceChecker(folder / "sources")
    meta, meta_lines = load_yaml(_read_text(yaml_path, problems), "scenario.yaml", problems)
    if not isinstance(meta, dict):
        if not problems:
            problems.add("scenario.yaml", 1, "expected a mapping of keys")
        problems.raise_if_any()
    head = _read_meta(meta, meta_lines, folder, problems)
    files = head["files"]
    present = {}
    for key in FILE_KEYS:
        if key in files and (folder / files[key]).is_file():
            present[key] = folder / files[key]
        elif key in files and key not in OPTIONAL_FILES:  # no record: runs, cannot be scored
            problems.add("scenario.yaml", line_of(meta_lines, ("files", key)),
                         f"{key} file {files[key]!r} is missing")
    start, end = head["start"], head["end"]

    territories, territory_lines = _read_territories(present.get("territories"), sources, problems)
    tids = {t.id for t in territories}
    links = _read_adjacency(present.get("adjacency"), tids, territories, territory_lines,
                            files.get("territories", "territories.csv"), sources, problems)
    factions = _read_factions(present.get("factions"), tids, sources, problems)
    fids = {f.id for f in factions}
    backers = _read_backers(present.get("backers"), fids, start, end, sources, problems)
    bids = {b.id for b in backers}
    if fids & bids:
        problems.add(files.get("backers", "backers.yaml"), 1,
                     f"ids used for both a faction and a backer: {', '.join(sorted(fids & bids))}")
    control, control_lines = _read_control(
        present.get("initial_control"), tids, fids, sources, problems)
    events = _read_events(present.get("events"), tids, fids, bids, start, end, sources, problems)
    entries = _check_entries(events, factions, control, control_lines, present, problems)
    observations = _read_observations(
        present.get("observations"), tids, fids, start, end, entries, sources, problems)
    alliances = _read_alliances(
        present.get("alliances"), fids, start, end, entries, sources, problems)
    for key, rows in (("events", events), ("observations", observations), ("alliances", alliances)):
        if key in present:
            _check_day_order(rows, present[key].name, problems)
    _check_no_observation_drives(events, observations, present, problems)
    totals = _read_totals(meta, meta_lines, fids, start, end, sources, problems)
    problems.raise_if_any()

    content_hash, drivers_hash = _hashes(yaml_path, present, folder / "sources",
                                            head["parameter_set"])
    drivers = Drivers(
        start=start, end=end,
        alliance_mode=head["alliances"], default_relation=head["default_relation"],
        territories=tuple(territories), links=tuple(links), factions=tuple(factions),
        backers=tuple(backers), initial_control=MappingProxyType(control),
        events=tuple(sorted(events, key=lambda e: (e.date, e.line))),
        alliances=tuple(sorted(alliances, key=lambda a: (a.date, a.line))),
        parameters=MappingProxyType(dict(head["parameters"])), hash=drivers_hash,
    )
    return Scenario(
        path=folder, name=head["name"], title=head["title"], description=head["description"],
        calibration=head["calibration"], holdout=head["holdout"], drivers=drivers,
        observations=tuple(sorted(observations, key=lambda o: (o.date, o.line))),
        totals=tuple(totals), map_file=head["map"], content_hash=content_hash,
        parameter_set=head["parameter_set"],
        files=MappingProxyType(dict(files)),
    )


def _read_text(path: Path, problems: Problems) -> str:
    """The text of ``path``; "" (and a problem) when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path.name, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return ""


def _read_meta(meta: dict, lines: dict, folder: Path, problems: Problems) -> dict:
    f = Fields("scenario.yaml", problems)
    allowed = {"name", "title", "description", "start", "end", "calibration", "holdout",
               "alliances", "default_relation", "files", "parameters", "totals", "map",
               "parameter_set"}
    for key in meta:
        if key not in allowed:
            f.error(line_of(lines, (key,)), f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
    out: dict[str, Any] = {}
    out["name"] = f.text(line_of(lines, ("name",)), meta.get("name"), "name")
    out["title"] = f.text(line_of(lines, ("title",)), meta.get("title"), "title", required=False) or out["name"]
    out["description"] = f.text(line_of(lines, ("description",)), meta.get("description"),
                                "description", required=False)
    start = f.month(line_of(lines, ("start",)), meta.get("start"), "start")
    end = f.month(line_of(lines, ("end",)), meta.get("end"), "end")
    if start is not None and end is not None and end < start:
        f.error(line_of(lines, ("end",)), "end is before start")
    out["start"], out["end"] = start or 0, end or 0
    for key in ("calibration", "holdout"):
        value = meta.get(key)
        line = line_of(lines, (key,))
        if not isinstance(value, dict):
            f.error(line, f"{key} must be a mapping with start and end")
            out[key] = Window(0, 0)
            continue
        ws = f.month(line_of(lines, (key, "start")), value.get("start"), f"{key} start")
        we = f.month(line_of(lines, (key, "end")), value.get("end"), f"{key} end")
        if ws is not None and we is not None:
            if we < ws:
                f.error(line, f"{key} ends before it starts")
            if start is not None and end is not None and not (start <= ws and we <= end):
                f.error(line, f"{key} window is outside the scenario window")
        out[key] = Window(ws or 0, we or 0)
    if out["calibration"].end >= out["holdout"].start > 0:
        f.error(line_of(lines, ("holdout",)), "hold-out window overlaps the calibration window")
    out["alliances"] = f.choice(line_of(lines, ("alliances",)), str(meta.get("alliances", "")),
                                "alliances", ALLIANCE_MODES) or "recorded"
    out["default_relation"] = f.choice(line_of(lines, ("default_relation",)),
                                       str(meta.get("default_relation", "")),
                                       "default_relation", RELATIONS) or "hostile"
    files = meta.get("files")
    if not isinstance(files, dict):
        f.error(line_of(lines, ("files",)), "files must map " + ", ".join(FILE_KEYS) + " to file names")
        files = {}
    for key in FILE_KEYS:
        if key not in files and key not in OPTIONAL_FILES:
            f.error(line_of(lines, ("files",)), f"files: {key} is not named")
    for key, name in files.items():
        if key not in FILE_KEYS:
            f.error(line_of(lines, ("files", key)), f"files: unknown key {key!r}")
        elif not isinstance(name, str) or "/" in name or name.startswith("."):
            f.error(line_of(lines, ("files", key)), f"files: {key} must be a file name in the folder")
    out["files"] = {k: v for k, v in files.items() if k in FILE_KEYS and isinstance(v, str)}
    overrides = meta.get("parameters") or {}
    if not isinstance(overrides, dict):
        f.error(line_of(lines, ("parameters",)), "parameters must be a mapping of name: value")
        overrides = {}
    for name, value in overrides.items():
        _, problem = params_registry.check_value(name, value)
        if problem:
            f.error(line_of(lines, ("parameters", name)), problem)
    out["parameter_set"] = None
    set_name = meta.get("parameter_set")
    if set_name is not None:
        set_path = folder / str(set_name)
        if not set_path.is_file():
            f.error(line_of(lines, ("parameter_set",)), f"parameter set {set_name!r} not found")
        else:
            out["parameter_set"] = set_path
            overrides = {**_read_parameter_set(set_path, problems), **overrides}
    out["parameters"] = overrides
    map_name = meta.get("map")
    out["map"] = None
    if map_name is not None:
        map_path = folder / str(map_name)
        try:
            map_path = map_path.resolve()
            found = map_path.is_file()
        except (OSError, ValueError):  # e.g. a NUL byte in the name
            found = False
        if not found:
            f.error(line_of(lines, ("map",)), f"map file {map_name!r} not found")
        else:
            out["map"] = map_path
    return out


def _read_territories(path: Path | None, sources: SourceChecker,
                      problems: Problems) -> tuple[list[Territory], dict[str, int]]:
    """The territories, and the line of each."""
    if path is None:
        return [], {}
    rows = read_csv(path, TERRITORY_COLUMNS, problems)
    if rows is None:
        return [], {}
    f = Fields(path.name, problems)
    seen: dict[str, int] = {}
    result: list[Territory] = []
    parents: list[tuple[Row, str, str]] = []
    for row in rows:
        line, tid = row.line, row["id"]
        if not _TERRITORY_ID.match(tid):
            f.error(line, f"territory id {tid!r} is not an ISO 3166-2:AF code like AF-KAB"
                          " (optionally with a sub-node suffix like AF-KAB.sarobi)")
            continue
        if tid in seen:
            f.error(line, f"duplicate territory {tid!r} (first on line {seen[tid]})")
            continue
        seen[tid] = line
        shares = {g: f.number(line, row[g], f"share {g}", high=1.0) for g in ETHNIC_GROUPS}
        if all(v is not None for v in shares.values()):
            total = sum(shares.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                f.error(line, f"ethnic shares of {tid} sum to {total:.3f}, not 1 (± {SHARE_TOLERANCE})")
        borders = tuple(b.strip() for b in row["borders"].split(";") if b.strip())
        for b in borders:
            if not _ID.match(b):
                f.error(line, f"border {b!r} is not a lowercase country id")
        lat = f.number(line, row["lat"], "lat", low=-90, high=90)
        lon = f.number(line, row["lon"], "lon", low=-180, high=180)
        pop = f.number(line, row["population"], "population")
        weight = f.number(line, row["strategic_weight"], "strategic_weight")
        terrain = f.choice(line, row["terrain"], "terrain", TERRAINS)
        name = f.text(line, row["name"], "name")
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        parent = row["parent"]
        if parent:
            parents.append((row, tid, parent))
        elif "." in tid:
            f.error(line, f"sub-node {tid} needs a parent province")
        result.append(Territory(
            id=tid, name=name, capital=row["capital"] or name, parent=parent,
            lat=lat or 0.0, lon=lon or 0.0, population=pop or 0.0, terrain=terrain,
            ethnic=MappingProxyType({g: v or 0.0 for g, v in shares.items()}), borders=borders,
            strategic_weight=weight or 0.0, source=row["source"],
        ))
    provinces = {t.id for t in result if not t.parent}
    for row, tid, parent in parents:
        if parent not in provinces:
            f.error(row.line, f"parent {parent!r} of {tid} is not a province of this file")
        elif not tid.startswith(parent + "."):
            f.error(row.line, f"sub-node id {tid} must start with its parent's id {parent}.")
    return result, seen


def _read_adjacency(path: Path | None, tids: set[str], territories: list[Territory],
                    territory_lines: dict[str, int], territory_file: str,
                    sources: SourceChecker, problems: Problems) -> list[Link]:
    if path is None:
        return []
    rows = read_csv(path, ADJACENCY_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    seen: dict[frozenset, tuple[int, str]] = {}
    links: list[Link] = []
    for row in rows:
        a, b, line = row["a"], row["b"], row.line
        bad = False
        for end_ in (a, b):
            if end_ not in tids:
                f.error(line, f"unknown territory {end_!r}")
                bad = True
        if a == b and a:
            f.error(line, f"self-loop: {a} linked to itself")
            bad = True
        kind = f.choice(line, row["kind"], "link kind", LINK_KINDS)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        if bad or not kind:
            continue
        pair = frozenset((a, b))
        if pair in seen:
            first, first_kind = seen[pair]
            if first_kind != kind:
                f.error(line, f"asymmetric link {a}-{b}: {kind} here, {first_kind} on line {first}")
            else:
                f.error(line, f"duplicate link {a}-{b} (first on line {first})")
            continue
        seen[pair] = (line, kind)
        links.append(Link(a, b, kind, row["source"]))
    if territories and links:
        neighbours: dict[str, set[str]] = {t: set() for t in tids}
        for link in links:
            neighbours[link.a].add(link.b)
            neighbours[link.b].add(link.a)
        for t in territories:
            if not neighbours[t.id]:
                problems.add(territory_file, territory_lines[t.id],
                             f"territory {t.id} has no link in {path.name} (dangling)")
        components = _components(neighbours)
        if len(components) > 1:
            pieces = sorted(components, key=len)
            small = "; ".join("{" + ", ".join(sorted(c)) + "}" for c in pieces[:-1])
            f.error(1, f"the territory graph is not connected: cut off from the rest: {small}")
    return links


def _components(neighbours: dict[str, set[str]]) -> list[set[str]]:
    left = set(neighbours)
    components = []
    while left:
        stack = [min(left)]
        component = set()
        while stack:
            node = stack.pop()
            if node in component:
                continue
            component.add(node)
            stack.extend(neighbours[node] - component)
        components.append(component)
        left -= component
    return components


_FACTION_KEYS = {
    "name", "leader", "ethnic_base", "sect", "fighters", "resources", "heavy_weapons",
    "air_power", "cohesion", "posture", "home", "deployments", "source",
}


def _read_factions(path: Path | None, tids: set[str], sources: SourceChecker,
                   problems: Problems) -> list[Faction]:
    if path is None:
        return []
    before = len(problems)
    data, lines = load_yaml(_read_text(path, problems), path.name, problems)
    f = Fields(path.name, problems)
    if data is None and len(problems) > before:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("factions"), dict):
        f.error(1, "expected a top-level mapping 'factions:' of faction ids")
        return []
    result = []
    for fid, spec in data["factions"].items():
        line = line_of(lines, ("factions", fid))
        if fid == CONTESTED or not isinstance(fid, str) or not _ID.match(fid):
            f.error(line, f"faction id {fid!r} must be lowercase [a-z0-9_] and not {CONTESTED!r}")
            continue
        if not isinstance(spec, dict):
            f.error(line, f"faction {fid}: expected a mapping of its properties")
            continue
        for key in spec:
            if key not in _FACTION_KEYS:
                f.error(line_of(lines, ("factions", fid, key)),
                        f"faction {fid}: unknown key {key!r}; allowed: {', '.join(sorted(_FACTION_KEYS))}")

        def at(key, _fid=fid):
            return line_of(lines, ("factions", _fid, key))

        def num(key, high=None, _spec=spec, _fid=fid):
            return f.number(at(key), _spec.get(key), f"faction {_fid}: {key}", high=high) or 0.0

        ethnic = f.choice(at("ethnic_base"), str(spec.get("ethnic_base", "")),
                          f"faction {fid}: ethnic_base", ETHNIC_GROUPS)
        posture = f.choice(at("posture"), str(spec.get("posture", "")),
                           f"faction {fid}: posture", POSTURES)
        sect = f.text(at("sect"), spec.get("sect"), f"faction {fid}: sect")
        home = spec.get("home") or []
        if not isinstance(home, list):
            f.error(at("home"), f"faction {fid}: home must be a list of territory ids")
            home = []
        for tid in home:
            if not isinstance(tid, str) or tid not in tids:
                f.error(at("home"), f"faction {fid}: unknown home territory {tid!r}")
        deployments = spec.get("deployments") or {}
        if not isinstance(deployments, dict):
            f.error(at("deployments"), f"faction {fid}: deployments must map territory ids to fighters")
            deployments = {}
        placed = {}
        for tid, n in deployments.items():
            dline = line_of(lines, ("factions", fid, "deployments", tid))
            if tid not in tids:
                f.error(dline, f"faction {fid}: unknown territory {tid!r} in deployments")
                continue
            value = f.number(dline, n, f"faction {fid}: deployment in {tid}")
            if value is not None:
                placed[tid] = value
        fighters = num("fighters")
        if sum(placed.values()) > fighters:
            f.error(at("deployments"), f"faction {fid}: deployments ({sum(placed.values()):g}) "
                                       f"exceed its fighters ({fighters:g})")
        problem = sources.problem(str(spec.get("source") or ""))
        if problem:
            f.error(at("source") if "source" in spec else line, f"faction {fid}: {problem}")
        result.append(Faction(
            id=fid, name=f.text(at("name"), spec.get("name"), f"faction {fid}: name"),
            leader=str(spec.get("leader") or ""), ethnic_base=ethnic, sect=sect,
            fighters=fighters, resources=num("resources"),
            heavy_weapons=num("heavy_weapons", 1.0), air_power=num("air_power", 1.0),
            cohesion=num("cohesion", 1.0), posture=posture or "active",
            home=tuple(h for h in home if isinstance(h, str) and h in tids),
            deployments=MappingProxyType(placed), source=str(spec.get("source") or ""),
        ))
    if not result:
        f.error(1, "no factions defined")
    return result


_BACKER_KEYS = {"name", "budget", "proxies", "source"}
_PROXY_KEYS = {"faction", "from", "to", "weight", "fighters_per_month", "source"}


def _read_backers(path: Path | None, fids: set[str], start: int, end: int,
                  sources: SourceChecker, problems: Problems) -> list[Backer]:
    if path is None:
        return []
    before = len(problems)
    data, lines = load_yaml(_read_text(path, problems), path.name, problems)
    f = Fields(path.name, problems)
    if data is None and len(problems) > before:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("backers"), dict):
        f.error(1, "expected a top-level mapping 'backers:' of backer ids")
        return []
    result = []
    for bid, spec in data["backers"].items():
        line = line_of(lines, ("backers", bid))
        if not isinstance(bid, str) or not _ID.match(bid):
            f.error(line, f"backer id {bid!r} must be lowercase [a-z0-9_]")
            continue
        if not isinstance(spec, dict):
            f.error(line, f"backer {bid}: expected a mapping")
            continue
        for key in spec:
            if key not in _BACKER_KEYS:
                f.error(line_of(lines, ("backers", bid, key)), f"backer {bid}: unknown key {key!r}")
        budget = f.number(line_of(lines, ("backers", bid, "budget")), spec.get("budget"),
                          f"backer {bid}: budget") or 0.0
        problem = sources.problem(str(spec.get("source") or ""))
        if problem:
            f.error(line, f"backer {bid}: {problem}")
        proxies = []
        raw = spec.get("proxies") or []
        if not isinstance(raw, list):
            f.error(line, f"backer {bid}: proxies must be a list")
            raw = []
        for i, proxy in enumerate(raw):
            pline = line_of(lines, ("backers", bid, "proxies", i))
            if not isinstance(proxy, dict):
                f.error(pline, f"backer {bid}: proxy must be a mapping")
                continue
            for key in proxy:
                if key not in _PROXY_KEYS:
                    f.error(pline, f"backer {bid}: unknown proxy key {key!r}")
            fid = str(proxy.get("faction") or "")
            if fid not in fids:
                f.error(pline, f"backer {bid}: unknown faction {fid!r}")
            p_from = f.month(pline, proxy.get("from"), f"backer {bid}: proxy 'from'")
            p_to = f.month(pline, proxy.get("to"), f"backer {bid}: proxy 'to'", required=False)
            for m, what in ((p_from, "from"), (p_to, "to")):
                if m is not None and not start <= m <= end:
                    f.error(pline, f"backer {bid}: proxy '{what}' {format_month(m)} is outside "
                                   f"the window {format_month(start)}..{format_month(end)}")
            if p_from is not None and p_to is not None and p_to < p_from:
                f.error(pline, f"backer {bid}: proxy 'to' is before 'from'")
            weight = f.number(pline, proxy.get("weight"), f"backer {bid}: proxy weight",
                              required=False, default=1.0)
            volunteers = f.number(pline, proxy.get("fighters_per_month"),
                                  f"backer {bid}: fighters_per_month", required=False, default=0.0)
            problem = sources.problem(str(proxy.get("source") or ""))
            if problem:
                f.error(pline, f"backer {bid}: proxy {fid}: {problem}")
            if fid in fids and p_from is not None:
                proxies.append(ProxyWindow(fid, p_from, p_to, weight or 0.0, volunteers or 0.0,
                                           str(proxy.get("source"))))
        result.append(Backer(bid, str(spec.get("name") or bid), budget, tuple(proxies),
                             str(spec.get("source") or "")))
    return result


def _read_control(path: Path | None, tids: set[str], fids: set[str], sources: SourceChecker,
                  problems: Problems) -> tuple[dict[str, str], dict[str, int]]:
    """Initial controller of every territory, and the line of each row."""
    if path is None:
        return {}, {}
    rows = read_csv(path, CONTROL_COLUMNS, problems)
    if rows is None:
        return {}, {}
    f = Fields(path.name, problems)
    control: dict[str, str] = {}
    first: dict[str, int] = {}
    for row in rows:
        tid, who = row["territory"], row["controller"]
        if tid not in tids:
            f.error(row.line, f"unknown territory {tid!r}")
            continue
        if who not in fids and who != CONTESTED:
            f.error(row.line, f"unknown controller {who!r}")
        problem = sources.problem(row["source"])
        if problem:
            f.error(row.line, problem)
        if tid in first:
            f.error(row.line, f"{tid} has a second initial controller (first on line {first[tid]})")
            continue
        first[tid] = row.line
        control[tid] = who
    for tid in sorted(tids - set(control)):
        f.error(1, f"{tid} has no initial controller")
    return control, first


def _read_events(path: Path | None, tids: set[str], fids: set[str], bids: set[str], start: int,
                 end: int, sources: SourceChecker, problems: Problems) -> list[Event]:
    if path is None:
        return []
    rows = read_csv(path, EVENT_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    events: list[Event] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = _dated(f, row, start, end)
        day = f.day(line, row["day"])
        kind = f.choice(line, row["kind"], "event kind", EVENT_KINDS)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        if not kind:
            continue
        actor_type, target_type, numbers = EVENT_KINDS[kind]
        actor, target = row["actor"], row["target"]
        _check_ref(f, line, actor, actor_type, "actor", tids, fids, bids)
        _check_ref(f, line, target, target_type, "target", tids, fids, bids)
        if actor and actor == target:
            f.error(line, f"{kind}: actor and target are both {actor!r}")
        values = {}
        for column in ("fighters", "resources", "months"):
            required = column in numbers
            value = f.number(line, row[column], f"{kind}: {column}", required=required)
            if column == "months" and value is not None and (value != int(value) or value < 1):
                f.error(line, f"{kind}: months must be a whole number of at least 1, got {row[column]!r}")
                value = None
            values[column] = value
        key = (row["date"], row["day"], kind, actor, target)
        if key in seen:
            f.error(line, f"duplicate event (same as line {seen[key]})")
            continue
        seen[key] = line
        if date is None:
            continue
        events.append(Event(
            date=date, day=day, kind=kind, actor=actor, target=target,
            fighters=values["fighters"], resources=values["resources"],
            months=int(values["months"]) if values["months"] is not None else None,
            note=row["note"], source=row["source"], line=line,
        ))
    return events


def _check_ref(f: Fields, line: int, value: str, kind: str, what: str,
               tids: set[str], fids: set[str], bids: set[str]) -> None:
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if not value:
        if not optional and kind != "none":
            f.error(line, f"{what} is missing")
        return
    if kind == "none":
        f.error(line, f"{what} must be empty for this kind of event, got {value!r}")
    elif kind == "faction" and value not in fids:
        f.error(line, f"unknown faction {value!r} as {what}")
    elif kind == "backer" and value not in bids:
        f.error(line, f"unknown backer {value!r} as {what}")
    elif kind == "territory" and value not in tids:
        f.error(line, f"unknown territory {value!r} as {what}")
    elif kind == "faction_or_all" and value not in fids and value != "all":
        f.error(line, f"unknown faction {value!r} as {what} (a faction id or 'all')")
    elif kind == "any" and value not in fids | bids | tids | {"all"}:
        f.error(line, f"unknown id {value!r} as {what}")


def _dated(f: Fields, row: Row, start: int, end: int) -> int | None:
    date = f.month(row.line, row["date"], "date")
    if date is not None and not start <= date <= end:
        f.error(row.line, f"date {format_month(date)} is outside the scenario window "
                          f"{format_month(start)}..{format_month(end)}")
        return None
    return date


def _check_entries(events: list[Event], factions: list[Faction], control: dict[str, str],
                   control_lines: dict[str, int], present: dict[str, Path],
                   problems: Problems) -> dict[str, int]:
    """Entering factions arrive with forces only: no territory, no starting fighters."""
    entries: dict[str, int] = {}
    events_file = present["events"].name if "events" in present else "events.csv"
    by_id = {fa.id: fa for fa in factions}
    for event in events:
        if event.kind != "faction_enters":
            continue
        if event.actor in entries:
            problems.add(events_file, event.line, f"{event.actor} enters twice")
            continue
        entries[event.actor] = event.date
        faction = by_id.get(event.actor)
        if faction is not None and (faction.fighters > 0 or faction.deployments):
            problems.add("factions.yaml", 0,
                         f"faction {faction.id} enters on {format_month(event.date)} "
                         f"(events.csv:{event.line}) but has fighters or deployments at the start")
    control_file = present["initial_control"].name if "initial_control" in present else ""
    for tid, who in control.items():
        if who in entries:
            problems.add(control_file, control_lines[tid],
                         f"{who} enters later ({events_file}) and may not be handed {tid}: "
                         "entering factions get forces, not provinces")
    return entries


def _read_observations(path: Path | None, tids: set[str], fids: set[str], start: int, end: int,
                       entries: dict[str, int], sources: SourceChecker,
                       problems: Problems) -> list[Observation]:
    if path is None:
        return []
    rows = read_csv(path, OBSERVATION_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    result: list[Observation] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = _dated(f, row, start, end)
        day = f.day(line, row["day"])
        tid, who = row["territory"], row["controller"]
        if tid not in tids:
            f.error(line, f"unknown territory {tid!r}")
        if who not in fids and who != CONTESTED:
            f.error(line, f"unknown controller {who!r}")
        confidence = f.choice(line, row["confidence"], "confidence", CONFIDENCES)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        if date is not None and who in entries and date < entries[who]:
            f.error(line, f"{who} takes {tid} on {format_month(date)}, before it enters "
                          f"({format_month(entries[who])})")
        key = (row["date"], row["day"], tid, who)
        if key in seen:
            f.error(line, f"duplicate observation (same as line {seen[key]})")
            continue
        seen[key] = line
        if date is None or tid not in tids or not confidence:
            continue
        result.append(Observation(date, day, tid, who, confidence, row["note"], row["source"], line))
    return result


def _read_alliances(path: Path | None, fids: set[str], start: int, end: int,
                    entries: dict[str, int], sources: SourceChecker,
                    problems: Problems) -> list[AllianceChange]:
    if path is None:
        return []
    rows = read_csv(path, ALLIANCE_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    result: list[AllianceChange] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = _dated(f, row, start, end)
        day = f.day(line, row["day"])
        a, b = row["a"], row["b"]
        for side in (a, b):
            if side not in fids:
                f.error(line, f"unknown faction {side!r}")
        if a == b and a:
            f.error(line, f"a faction cannot ally with itself ({a})")
        relation = f.choice(line, row["relation"], "relation", RELATIONS)
        confidence = f.choice(line, row["confidence"], "confidence", CONFIDENCES)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        for side in (a, b):
            if date is not None and side in entries and date < entries[side]:
                f.error(line, f"{side} has a relation on {format_month(date)}, before it "
                              f"enters ({format_month(entries[side])})")
        key = (row["date"], row["day"], frozenset((a, b)))
        if key in seen:
            f.error(line, f"duplicate alliance row for {a}-{b} on this date (line {seen[key]})")
            continue
        seen[key] = line
        if date is None or a not in fids or b not in fids or a == b or not relation:
            continue
        result.append(AllianceChange(date, day, a, b, relation, confidence or "high",
                                     row["note"], row["source"], line))
    return result


def _check_day_order(rows: list, file: str, problems: Problems) -> None:
    """Rows of one month apply in file order, so their days must not go backwards."""
    last: dict[int, tuple[int, int]] = {}
    for row in sorted(rows, key=lambda r: r.line):
        if row.day is None:
            continue
        if row.date in last and row.day < last[row.date][0]:
            problems.add(file, row.line, f"day {row.day} comes after day {last[row.date][0]} "
                                         f"(line {last[row.date][1]}) of the same month: rows of "
                                         "a month apply in file order, so list them by day")
        last[row.date] = (row.day, row.line)


def _check_no_observation_drives(events: list[Event], observations: list[Observation],
                                 present: dict[str, Path], problems: Problems) -> None:
    """The honesty rule: a recorded change of control may never reappear as a driver."""
    recorded = {(o.date, o.territory, o.controller): o.line for o in observations}
    events_file = present["events"].name if "events" in present else "events.csv"
    obs_file = present["observations"].name if "observations" in present else "observations.csv"
    for event in events:
        key = (event.date, event.target, event.actor)
        if key in recorded:
            problems.add(events_file, event.line,
                         f"event restates the observation at {obs_file}:{recorded[key]} "
                         f"({event.actor} and {event.target} in {format_month(event.date)}): "
                         "observations never drive the model")


def _read_totals(meta: dict, lines: dict, fids: set[str], start: int, end: int,
                 sources: SourceChecker, problems: Problems) -> list[Total]:
    raw = meta.get("totals") or []
    f = Fields("scenario.yaml", problems)
    if not isinstance(raw, list):
        f.error(line_of(lines, ("totals",)), "totals must be a list")
        return []
    result = []
    for i, item in enumerate(raw):
        line = line_of(lines, ("totals", i))
        if not isinstance(item, dict):
            f.error(line, "a total must be a mapping with date, faction, provinces, source")
            continue
        date = f.month(line, item.get("date"), "totals: date")
        if date is not None and not start <= date <= end:
            f.error(line, "totals: date outside the scenario window")
        faction = str(item.get("faction") or "")
        if faction not in fids:
            f.error(line, f"totals: unknown faction {faction!r}")
        count = f.number(line, item.get("provinces"), "totals: provinces")
        problem = sources.problem(str(item.get("source") or ""))
        if problem:
            f.error(line, f"totals: {problem}")
        if date is not None and faction in fids and count is not None:
            result.append(Total(date, faction, int(count), str(item.get("source"))))
    return result


def _read_parameter_set(path: Path, problems: Problems) -> dict:
    """The ``parameters:`` mapping of a parameter-set file (e.g. a calibration result)."""
    data, lines = load_yaml(_read_text(path, problems), path.name, problems)
    values = data.get("parameters") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        problems.add(path.name, 1, "expected a top-level mapping 'parameters:' of name: value")
        return {}
    for name, value in values.items():
        _, problem = params_registry.check_value(name, value)
        if problem:
            problems.add(path.name, line_of(lines, ("parameters", name)), problem)
    return dict(values)


def _hashes(yaml_path: Path, present: dict[str, Path], sources: Path,
            parameter_set: Path | None = None) -> tuple[str, str]:
    """(hash of every file, hash of every file except observations.csv)."""
    everything = hashlib.sha256()
    drivers = hashlib.sha256()
    paths = [("scenario.yaml", yaml_path)] + sorted((k, p) for k, p in present.items())
    if parameter_set is not None:
        paths.append(("parameter_set", parameter_set))
    if sources.is_dir():
        paths += [(f"sources/{p.name}", p) for p in sorted(sources.iterdir()) if p.is_file()]
    for key, p in paths:
        blob = key.encode() + b"\0" + p.read_bytes() + b"\0"
        everything.update(blob)
        if key != "observations":
            drivers.update(blob)
    return everything.hexdigest(), drivers.hexdigest()
