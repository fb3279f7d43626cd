"""The static side of a scenario as arrays: indices, populations, graph, distances.

Built once per scenario and shared by every run of it; nothing here changes during a run.
Mechanisms take these arrays (not the scenario objects) so they can be called and tested
on small hand-made worlds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import networkx as nx
import numpy as np

from sim.data.schema import Drivers, Event
from sim.data.vocabulary import ALLIED, LINK_CODES, NEVER, RELATION_CODES


@dataclass(frozen=True, eq=False)
class World:
    """Index maps and static arrays of one scenario (read-only by convention)."""

    territory_ids: tuple[str, ...]
    faction_ids: tuple[str, ...]
    backer_ids: tuple[str, ...]
    population: np.ndarray        # [T] persons
    ethnic_share: np.ndarray      # [T, E]
    faction_ethnic: np.ndarray    # [F] index into the scenario's ethnic groups
    faction_sect: tuple[str, ...]
    is_province: np.ndarray       # [T] bool
    strategic_weight: np.ndarray  # [T]
    terrain: tuple[str, ...]      # [T]
    adjacency: np.ndarray         # [T, T] bool, symmetric, no self-loops
    link_kind: np.ndarray         # [T, T] int: 0 none/self, 1 road, 2 pass, 3 mountain
    distance: np.ndarray          # [T, T] hops
    next_hop: np.ndarray          # [T, T] neighbour of t on a shortest path to s (t if t == s)
    borders: tuple[frozenset[str], ...]
    home: np.ndarray              # [F, T] bool
    heavy_weapons: np.ndarray     # [F]
    air_power: np.ndarray         # [F]
    cohesion: np.ndarray          # [F]
    offensive: np.ndarray         # [F] bool: posture active
    graph: nx.Graph
    budget: np.ndarray            # [B] k$ per month at the start
    proxy_start: np.ndarray       # [B, F] first month of support (NEVER if none)
    proxy_end: np.ndarray         # [B, F] last month of support
    proxy_weight: np.ndarray      # [B, F] initial preference
    volunteers: np.ndarray        # [B, F] fighters sent per month
    backer_borders: np.ndarray    # [B, T] bool: t borders the backer's country
    entry_month: np.ndarray       # [F] month a faction enters (start month if present)
    events: Mapping[int, tuple[Event, ...]]  # month -> the month's driver events
    alliance_changes: Mapping[int, tuple[tuple[int, int, int], ...]]  # month -> (a, b, code)
    relation_start: np.ndarray    # [F, F] relations at the start month (default + its rows)

    @property
    def n_territories(self) -> int:
        return len(self.territory_ids)

    @property
    def n_factions(self) -> int:
        return len(self.faction_ids)

    def affinity(self, weight: float) -> np.ndarray:
        """[F, T] share of a territory's population that pays and enlists for a faction.

        ``(1 - weight) + weight * share of the faction's ethnic base``: with weight 0
        everybody counts, with weight 1 only co-ethnics.
        """
        share = self.ethnic_share[:, self.faction_ethnic].T
        return (1.0 - weight) + weight * share


_CACHE: dict[int, tuple[Drivers, World]] = {}


def build_world(drivers: Drivers) -> World:
    """The :class:`World` of ``drivers``, built once per drivers *object*.

    Keyed by identity and holding the object, so that two scenario objects never share a
    world, however alike their contents or file hashes (a counterfactual edited in memory
    runs as edited); drivers are immutable, so one object always has the same world.
    """
    hit = _CACHE.get(id(drivers))
    if hit is None or hit[0] is not drivers:
        if len(_CACHE) >= 16:
            _CACHE.clear()
        hit = _CACHE[id(drivers)] = (drivers, _build(drivers))
    return hit[1]


def _build(d: Drivers) -> World:
    tids = d.territory_ids
    t_index = {t: i for i, t in enumerate(tids)}
    n = len(tids)
    adjacency = np.zeros((n, n), dtype=bool)
    link_kind = np.zeros((n, n), dtype=np.int8)
    graph = nx.Graph()
    graph.add_nodes_from(tids)
    for link in d.links:
        i, j = t_index[link.a], t_index[link.b]
        adjacency[i, j] = adjacency[j, i] = True
        link_kind[i, j] = link_kind[j, i] = LINK_CODES[link.kind]
        graph.add_edge(link.a, link.b, kind=link.kind)
    distance, next_hop = _shortest_paths(adjacency)
    fids = d.faction_ids
    home = np.zeros((len(fids), n), dtype=bool)
    for fi, faction in enumerate(d.factions):
        for tid in faction.home:
            home[fi, t_index[tid]] = True
    return World(
        territory_ids=tids,
        faction_ids=fids,
        backer_ids=d.backer_ids,
        population=np.array([t.population for t in d.territories], dtype=float),
        ethnic_share=np.array([[t.ethnic[g] for g in d.ethnic_groups] for t in d.territories]),
        faction_ethnic=np.array([d.ethnic_groups.index(f.ethnic_base) for f in d.factions]),
        faction_sect=tuple(f.sect for f in d.factions),
        is_province=np.array([t.is_province for t in d.territories]),
        strategic_weight=np.array([t.strategic_weight for t in d.territories], dtype=float),
        terrain=tuple(t.terrain for t in d.territories),
        adjacency=adjacency,
        link_kind=link_kind,
        distance=distance,
        next_hop=next_hop,
        borders=tuple(frozenset(t.borders) for t in d.territories),
        home=home,
        heavy_weapons=np.array([f.heavy_weapons for f in d.factions]),
        air_power=np.array([f.air_power for f in d.factions]),
        cohesion=np.array([f.cohesion for f in d.factions]),
        offensive=np.array([f.posture == "active" for f in d.factions]),
        graph=graph,
        **_backer_arrays(d, t_index),
        **_schedules(d),
    )


def _backer_arrays(d: Drivers, t_index: dict[str, int]) -> dict:
    f_index = {f: i for i, f in enumerate(d.faction_ids)}
    shape = (len(d.backers), len(d.factions))
    start = np.full(shape, NEVER, dtype=np.int64)
    end = np.full(shape, NEVER, dtype=np.int64)
    weight = np.zeros(shape)
    volunteers = np.zeros(shape)
    borders = np.zeros((len(d.backers), len(d.territories)), dtype=bool)
    for b, backer in enumerate(d.backers):
        for w in backer.proxies:
            f = f_index[w.faction]
            start[b, f] = w.start
            end[b, f] = NEVER if w.end is None else w.end
            weight[b, f] = w.weight
            volunteers[b, f] = w.fighters_per_month
        for t in d.territories:
            borders[b, t_index[t.id]] = backer.id in t.borders
    return dict(budget=np.array([b.budget for b in d.backers], dtype=float), proxy_start=start,
                proxy_end=end, proxy_weight=weight, volunteers=volunteers, backer_borders=borders)


def _schedules(d: Drivers) -> dict:
    f_index = {f: i for i, f in enumerate(d.faction_ids)}
    events: dict[int, list[Event]] = {}
    for event in d.events:
        events.setdefault(event.date, []).append(event)
    changes: dict[int, list[tuple[int, int, int]]] = {}
    for row in d.alliances:
        changes.setdefault(row.date, []).append(
            (f_index[row.a], f_index[row.b], RELATION_CODES[row.relation]))
    n = len(d.factions)
    relation = np.full((n, n), RELATION_CODES[d.default_relation], dtype=np.int8)
    for a, b, code in changes.get(d.start, ()):
        relation[a, b] = relation[b, a] = code
    np.fill_diagonal(relation, ALLIED)
    entry = np.array([d.entry_month(f) or d.start for f in d.faction_ids], dtype=np.int64)
    return dict(
        entry_month=entry,
        events=MappingProxyType({m: tuple(v) for m, v in events.items()}),
        alliance_changes=MappingProxyType({m: tuple(v) for m, v in changes.items()}),
        relation_start=relation,
    )


def _shortest_paths(adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hop distances and next hops by breadth-first search from every node.

    Ties between equally short next hops go to the lowest index, so the result does not
    depend on anything but the graph.
    """
    n = adjacency.shape[0]
    distance = np.full((n, n), n + 1, dtype=np.int32)
    next_hop = np.tile(np.arange(n), (n, 1))
    neighbours = [np.flatnonzero(adjacency[i]) for i in range(n)]
    for source in range(n):
        distance[source, source] = 0
        frontier = [source]
        while frontier:
            new = []
            for node in frontier:
                for nb in neighbours[node]:
                    if distance[source, nb] > distance[source, node] + 1:
                        distance[source, nb] = distance[source, node] + 1
                        new.append(nb)
            frontier = sorted(new)
    # next hop from t towards s: the lowest-index neighbour of t one step closer to s
    for t in range(n):
        for s in range(n):
            if t == s:
                continue
            closer = neighbours[t][distance[s, neighbours[t]] == distance[s, t] - 1]
            if closer.size:
                next_hop[t, s] = closer[0]
    return distance, next_hop
