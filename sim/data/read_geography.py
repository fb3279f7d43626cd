"""Readers of the ground: ``territories.csv`` and ``adjacency.csv``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from sim.data.fields import Fields, Row, SourceChecker, read_csv
from sim.data.problems import Problems
from sim.data.schema import (
    Link,
    Territory,
)
from sim.data.vocabulary import (
    ID,
    LINK_KINDS,
    MAXIMA,
    SHARE_TOLERANCE,
    TERRAINS,
    TERRITORY_ID,
)


def territory_columns(groups: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of ``territories.csv``: one share column per ethnic group of the scenario."""
    return ("id", "name", "capital", "parent", "lat", "lon", "population", "terrain",
            *groups, "borders", "strategic_weight", "source")


ADJACENCY_COLUMNS = ("a", "b", "kind", "source")


def read_territories(path: Path | None, groups: tuple[str, ...], sources: SourceChecker,
                      problems: Problems) -> tuple[list[Territory], dict[str, int]]:
    """The territories, and the line of each."""
    if path is None:
        return [], {}
    rows = read_csv(path, territory_columns(groups), problems)
    if rows is None:
        return [], {}
    f = Fields(path.name, problems)
    seen: dict[str, int] = {}
    result: list[Territory] = []
    parents: list[tuple[Row, str, str]] = []
    for row in rows:
        line, tid = row.line, row["id"]
        if not TERRITORY_ID.match(tid):
            f.error(line, f"territory id {tid!r} is not an ISO 3166-2 subdivision code like "
                          "XX-ABC (optionally with a sub-node suffix like XX-ABC.place)")
            continue
        if tid in seen:
            f.error(line, f"duplicate territory {tid!r} (first on line {seen[tid]})")
            continue
        seen[tid] = line
        shares = {g: f.number(line, row[g], f"share {g}", high=1.0) for g in groups}
        if all(v is not None for v in shares.values()):
            total = sum(shares.values())
            if abs(total - 1.0) > SHARE_TOLERANCE:
                f.error(line, f"ethnic shares of {tid} sum to {total:.3f}, not 1 (± {SHARE_TOLERANCE})")
        borders = tuple(b.strip() for b in row["borders"].split(";") if b.strip())
        for b in borders:
            if not ID.match(b):
                f.error(line, f"border {b!r} is not a lowercase country id")
        lat = f.number(line, row["lat"], "lat", low=-90, high=90)
        lon = f.number(line, row["lon"], "lon", low=-180, high=180)
        pop = f.number(line, row["population"], "population", high=MAXIMA["population"])
        weight = f.number(line, row["strategic_weight"], "strategic_weight",
                          high=MAXIMA["strategic_weight"])
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


def read_adjacency(path: Path | None, tids: set[str], territories: list[Territory],
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
