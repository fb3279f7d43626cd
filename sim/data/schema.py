"""The validated scenario as immutable objects: what each file becomes after loading.

A scenario is split along the honesty rule of the design: :class:`Drivers` (what the model is
told) and the record (``observations`` and ``totals``: what it must reproduce). The model
receives ``scenario.drivers`` only.
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.data.dates import format_month
from sim.data.vocabulary import CONFIDENCES, UNKNOWN


def _proxy(data: dict) -> MappingProxyType:
    return MappingProxyType(data)


# Scenarios hold read-only mappings; let them pickle (process pools, mesa.batch_run)
copyreg.pickle(MappingProxyType, lambda m: (_proxy, (dict(m),)))


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
    colour: str = ""       # #RRGGBB for figures and maps; "" for a stable fallback
    short_name: str = ""   # display name in figures; "" for the id made readable


@dataclass(frozen=True)
class ProxyWindow:
    faction: str
    start: int
    end: int | None
    weight: float
    fighters_per_month: float
    source: str


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
    """A statement about the record that names no province: ``factions`` (one, or the members
    of a coalition, counted together) held between ``low`` and ``high`` provinces (either may
    be None: unbounded) at the end of ``date``. Scored as a pattern, never a row of the record
    table."""

    date: int
    factions: tuple[str, ...]
    low: int | None
    high: int | None
    source: str
    note: str = ""
    line: int = 0

    @property
    def faction(self) -> str:
        """The count's label: the faction, or the coalition's members joined by ``+``."""
        return "+".join(self.factions)


@dataclass(frozen=True)
class Pattern:
    """A statement about the war that is not a cell of the map, for calibration to fit, e.g.
    the share of the battles of a window fought in some territories (``battle_share``)."""

    kind: str
    territories: tuple[str, ...]
    start: int
    end: int
    low: float | None
    high: float | None
    source: str
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Posterior:
    """Calibrated parameter sets with normalised weights (a sample of the posterior)."""

    names: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    path: Path | None = None
    fitted: str = ""  # what it was fitted on ("scenario window", from its provenance): shown only

    def draw(self, seed: int) -> dict[str, float]:
        """The parameter set of the run with ``seed``: a weighted draw, deterministic in the
        seed and independent of every other stream of the run."""
        import numpy as np
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0x706F7374,)))
        row = int(rng.choice(len(self.weights), p=np.asarray(self.weights)))
        return dict(zip(self.names, self.values[row], strict=True))

    def point(self) -> dict[str, float]:
        """The weighted median of each parameter (for point uses: sweeps, single figures)."""
        import numpy as np
        values, weights = np.asarray(self.values), np.asarray(self.weights)
        out = {}
        for i, name in enumerate(self.names):
            order = np.argsort(values[:, i], kind="stable")
            cum = np.cumsum(weights[order])
            out[name] = float(values[order[np.searchsorted(cum, 0.5)], i])
        return out


def digest(*parts: Any) -> str:
    """sha256 of the ``repr`` of ``parts`` (frozen dataclasses, tuples, numbers, text)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Drivers:
    """Everything the model is told. Observations are deliberately absent."""

    start: int
    end: int
    ethnic_groups: tuple[str, ...]
    alliance_mode: str
    backer_mode: str
    default_relation: str
    territories: tuple[Territory, ...]
    links: tuple[Link, ...]
    factions: tuple[Faction, ...]
    backers: tuple[Backer, ...]
    initial_control: Mapping[str, str]
    events: tuple[Event, ...]
    alliances: tuple[AllianceChange, ...]
    parameters: Mapping[str, Any]

    @functools.cached_property
    def hash(self) -> str:
        """sha256 of the drivers' content: any change to any field gives another hash, so
        it identifies what a run was told, wherever the objects came from."""
        return digest(*(getattr(self, f.name) for f in fields(self)))

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
    files: Mapping[str, str] = field(repr=False)
    parameter_set: Path | None = None  # file the parameters came from (e.g. a calibration)
    initial_confidence: Mapping[str, str] = field(default_factory=dict)  # territory -> confidence
    patterns: tuple[Pattern, ...] = ()  # statements for calibration to fit (not map cells)
    posterior: Posterior | None = None  # calibrated parameter sets (runs draw from it)
    origin: Mapping[str, Any] = field(default_factory=dict)  # an overlay's base and changes
    capital: str | None = None         # the seat of power: when it falls is scored
    focus_faction: str | None = None   # the faction a report and sweeps single out
    map_months: tuple[int, ...] = ()   # months the report draws as maps

    @functools.cached_property
    def content_hash(self) -> str:
        """sha256 of the scenario's content (drivers and record, not where it is stored)."""
        return digest(self.name, self.title, self.description, self.calibration, self.holdout,
                      self.drivers.hash, self.observations, self.totals, self.patterns,
                      self.posterior and (self.posterior.names, self.posterior.values,
                                          self.posterior.weights))

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
            f"  observations {len(self.observations)} rows of recorded control ("
            + ", ".join(f"{c} {by_conf[c]}" for c in CONFIDENCES if by_conf[c]) + "), "
            + f"{sum(o.controller == UNKNOWN for o in self.observations)} of them unknown"
            + (f"; {len(self.totals)} province totals" if self.totals else ""),
            f"  alliances    {len(d.alliances)} recorded changes; mode: {d.alliance_mode}",
            f"  backers      mode: {d.backer_mode}",
            f"  parameters   {len(d.parameters)} overrides"
            + (f" (set: {self.parameter_set.name})" if self.parameter_set else "")
            + (": " + ", ".join(f"{k}={v}" for k, v in d.parameters.items()) if d.parameters else ""),
            f"  content hash {self.content_hash[:16]}",
        ]
        if not self.observations:
            lines.append("  note: no observations.csv: this scenario can run but not be scored")
        return "\n".join(lines)
