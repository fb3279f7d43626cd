"""Driver events: each kind changes the state as the format says, none hands over ground."""

import dataclasses

import numpy as np
import pytest
from tiny import write_tiny

from sim.core.state import initial_state
from sim.core.world import build_world
from sim.data import load
from sim.data.schema import Event
from sim.mechanisms import events


def _event(kind, actor="", target="", fighters=None, resources=None, months=None):
    return Event(date=0, day=None, kind=kind, actor=actor, target=target, fighters=fighters,
                 resources=resources, months=months, note="", source="approx: test", line=2)


@pytest.fixture
def setup(tmp_path):
    d = load(write_tiny(tmp_path / "tiny")).drivers
    w = build_world(d)
    return initial_state(d, w), w


def test_notes_change_nothing_and_the_old_state_is_kept(setup):
    s, w = setup
    assert events.apply(s, (_event("note", target="AF-AAA"),), w, 0.2) is s
    before = s.garrison.copy()
    after = events.apply(s, (_event("leader_killed", actor="red"),), w, 0.2)
    assert after is not s and np.array_equal(s.garrison, before)      # no mutation


def test_each_kind(setup):
    s, w = setup
    s = dataclasses.replace(s, active=np.array([True, False]))
    out = events.apply(s, (_event("faction_enters", "blue", "AF-BBB", 300.0, 50.0),), w, 0.2)
    assert out.active.tolist() == [True, True]
    assert out.garrison[1, 1] == s.garrison[1, 1] + 300 and out.resources[1] == 150
    assert out.control.tolist() == s.control.tolist()              # forces, not provinces
    out = events.apply(s, (_event("leader_killed", "red"),), w, 0.25)
    assert out.garrison[0].sum() == pytest.approx(0.75 * s.garrison[0].sum())
    out = events.apply(s, (_event("ceasefire", "red", "blue", months=3),), w, 0.2)
    assert out.truce_until[0, 1] == out.truce_until[1, 0] == s.month + 2
    out = events.apply(s, (_event("head_of_state", "blue", resources=40.0),), w, 0.2)
    assert out.state_revenue.tolist() == [0, 40]
    out = events.apply(s, (_event("blockade", "red", "AF-CCC", months=2),), w, 0.2)
    assert out.closed_until.tolist() == [-1, -1, s.month + 1]
