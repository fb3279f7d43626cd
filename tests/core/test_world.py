"""The world: static arrays of a scenario, built once per drivers object."""

import dataclasses

import numpy as np
import pytest
from tiny import write_tiny

from sim.core.world import _shortest_paths, build_world
from sim.data import load
from sim.data.vocabulary import ALLIED, HOSTILE, LINK_CODES, NEVER


@pytest.fixture
def tiny(tmp_path):
    return load(write_tiny(tmp_path / "tiny"))


def test_arrays_of_the_tiny_scenario(tiny):
    w = build_world(tiny.drivers)
    assert w.territory_ids == ("AF-AAA", "AF-BBB", "AF-CCC")
    assert w.faction_ids == ("red", "blue")
    assert w.adjacency.tolist() == [[False, True, False], [True, False, True], [False, True, False]]
    assert (w.link_kind == w.link_kind.T).all() and w.link_kind[0, 1] == LINK_CODES["road"]
    assert w.distance.tolist() == [[0, 1, 2], [1, 0, 1], [2, 1, 0]]
    assert w.next_hop[0, 2] == 1 and w.next_hop[2, 0] == 1     # the way from A to C is via B
    assert w.faction_ethnic.tolist() == [0, 1]                 # red pashtun, blue tajik
    assert w.home.tolist() == [[True, False, False], [False, False, True]]
    assert (w.entry_month == tiny.start).all() and (w.proxy_start == NEVER).all()
    assert w.relation_start[0, 1] == HOSTILE and w.relation_start[0, 0] == ALLIED


def test_affinity_weighs_the_ethnic_share(tiny):
    w = build_world(tiny.drivers)
    assert w.affinity(0.0).tolist() == np.ones((2, 3)).tolist()   # everybody counts
    assert w.affinity(1.0).tolist() == [[1, 0, 0], [0, 1, 1]]     # only co-ethnics


def test_one_world_per_drivers_object_never_shared_by_equal_looking_ones(tiny):
    w = build_world(tiny.drivers)
    assert build_world(tiny.drivers) is w
    heavier = dataclasses.replace(tiny.drivers, territories=tuple(
        dataclasses.replace(t, population=t.population * 2) for t in tiny.drivers.territories))
    assert build_world(heavier) is not w
    assert build_world(heavier).population.tolist() == (w.population * 2).tolist()


def test_shortest_paths_break_ties_to_the_lowest_index():
    # a square 0-1-3-2-0: from 0 to 3 both 1 and 2 are one step closer; 1 wins
    adjacency = np.zeros((4, 4), dtype=bool)
    for a, b in ((0, 1), (1, 3), (3, 2), (2, 0)):
        adjacency[a, b] = adjacency[b, a] = True
    distance, next_hop = _shortest_paths(adjacency)
    assert distance[0, 3] == 2 and next_hop[0, 3] == 1 and next_hop[3, 0] == 1
