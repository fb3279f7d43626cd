"""The static side of a scenario as arrays: indices, populations, graph, distances.

Built once per scenario and shared by every run of it; nothing here changes during a run.
Mechanisms take these arrays (not the scenario objects) so they can be called and tested
on small hand-made worlds.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import networkx as nx
import numpy as np

from sim.scenario import ETHNIC_GROUPS, Drivers

RELATION_CODES = {"hostile": 0, "neutral": 1, "allied": 2}
HOSTILE, NEUTRAL, ALLIED = 0, 1, 2
NO_ONE = -1  # controller code of a contested territory


@dataclass(frozen=True, eq=False)
class World:
    """Index maps and static arrays of one scenario (read-only by convention)."""

    territory_ids: tuple[str, ...]
    faction_ids: tuple[str, ...]
    backer_ids: tuple[str, ...]
    population: np.ndarray        # [T] persons
    ethnic_share: np.ndarray      # [T, E]
    faction_ethnic: np.ndarray    # [F] index into ETHNIC_GROUPS
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


LINK_CODES = {"road": 1, "pass": 2, "mountain": 3}


@lru_cache(maxsize=16)
def _cached(drivers: Drivers) -> World:
    return _build(drivers)


def build_world(drivers: Drivers) -> World:
    """The :class:`World` of ``drivers`` (cached: drivers are immutable)."""
    return _cached(drivers)


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
        ethnic_share=np.array([[t.ethnic[g] for g in ETHNIC_GROUPS] for t in d.territories]),
        faction_ethnic=np.array([ETHNIC_GROUPS.index(f.ethnic_base) for f in d.factions]),
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
