"""The initial state: the documented situation at the start month."""

import pytest
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.core.state import initial_state
from sim.core.world import build_world
from sim.data import load
from sim.data.vocabulary import NO_ONE


@pytest.fixture
def tiny_folder(tmp_path):
    return write_tiny(tmp_path / "tiny")


def test_fighters_are_spread_over_held_territories_by_population(tiny_folder):
    d = load(tiny_folder).drivers
    s = initial_state(d, build_world(d))
    assert s.control.tolist() == [0, 1, 1]
    assert s.garrison[0].tolist() == [5000, 0, 0]               # red holds A only
    assert s.garrison[1].tolist() == [0, 1000, 1000]            # blue's 2000 over B and C
    assert s.resources.tolist() == [100, 100] and s.active.all()


def test_deployments_are_placed_first_and_a_late_faction_starts_empty(tiny_folder):
    ed = ScenarioEditor(tiny_folder)
    ed.replace("factions.yaml", "    home: [AF-CCC]", "    home: [AF-CCC]\n    deployments: {AF-CCC: 500}")
    d = load(tiny_folder).drivers
    s = initial_state(d, build_world(d))
    assert s.garrison[1].tolist() == [0, 750, 1250]             # 500 in C, 1500 shared


def test_a_territory_may_start_contested(tiny_folder):
    ScenarioEditor(tiny_folder).replace("initial_control.csv", "AF-BBB,blue", "AF-BBB,contested")
    d = load(tiny_folder).drivers
    s = initial_state(d, build_world(d))
    assert s.control.tolist() == [0, NO_ONE, 1]
    assert s.garrison[1].tolist() == [0, 0, 2000]               # blue holds C only
