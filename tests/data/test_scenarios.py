"""Every shipped scenario: the invariants the 1992-96 one is held to (a connected symmetric
graph, one initial holder per territory, every row sourced, no observation a driver), plus the
counts of the two later wars, so that an edit of their data shows up here."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from sim.analysis.record import build_record, recorded_changes
from sim.data import load
from sim.data.dates import parse_month

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p.parent.name for p in (ROOT / "scenarios").glob("*/scenario.yaml"))
LATER = ("united_front_1996_2001", "resistance_2021_2022")
CSV_FILES = ("territories.csv", "adjacency.csv", "initial_control.csv", "events.csv",
             "observations.csv", "alliances.csv")


@pytest.fixture(scope="module", params=SCENARIOS)
def folder(request) -> Path:
    return ROOT / "scenarios" / request.param


@pytest.fixture(scope="module")
def shipped(folder):
    return load(folder)


def test_all_three_wars_are_shipped():
    assert {"afghanistan_1992_1996", *LATER} <= set(SCENARIOS)


def test_graph_is_connected_and_symmetric(shipped):
    d = shipped.drivers
    directed = nx.DiGraph((link.a, link.b) for link in d.links)
    assert not any(directed.has_edge(b, a) for a, b in directed.edges), "pair listed both ways"
    graph = nx.Graph((link.a, link.b) for link in d.links)
    assert graph.number_of_edges() == len(d.links), "a pair is listed twice"
    assert nx.number_of_selfloops(graph) == 0
    assert set(graph.nodes) == set(d.territory_ids) and nx.is_connected(graph)
    matrix = nx.to_numpy_array(graph, nodelist=sorted(graph.nodes))
    assert np.array_equal(matrix, matrix.T)


def test_every_territory_has_exactly_one_initial_holder(shipped, folder):
    with (folder / "initial_control.csv").open(encoding="utf-8", newline="") as fh:
        listed = Counter(row["territory"] for row in csv.DictReader(fh))
    d = shipped.drivers
    assert listed == Counter(d.territory_ids)
    assert set(d.initial_control) == set(d.territory_ids)
    assert set(d.initial_control.values()) <= set(d.faction_ids) | {"contested"}


@pytest.mark.parametrize("name", CSV_FILES)
def test_every_row_is_sourced(folder, name):
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows
    assert [i for i, row in enumerate(rows, start=2) if not (row["source"] or "").strip()] == []


def test_no_observation_is_a_driver(shipped):
    recorded = {(o.date, o.territory, o.controller) for o in shipped.observations}
    assert [e for e in shipped.drivers.events if (e.date, e.target, e.actor) in recorded] == []


def test_entering_factions_hold_nothing_at_the_start(shipped):
    d = shipped.drivers
    for event in d.events:
        if event.kind == "faction_enters":
            assert event.actor not in d.initial_control.values()


def test_sub_nodes_lie_in_their_provinces(shipped):
    provinces = {t.id for t in shipped.provinces}
    for t in shipped.drivers.territories:
        if not t.is_province:
            assert t.parent in provinces and t.id.startswith(t.parent + ".")


@pytest.mark.parametrize("name", LATER)
def test_later_wars_run_on_the_posterior_calibrated_on_1992_96(name):
    # no refitting: the copy must be the 1992-96 file byte for byte (make calibrate copies it)
    ours = (ROOT / "scenarios" / name / "posterior.yaml").read_bytes()
    assert ours == (ROOT / "scenarios" / "afghanistan_1992_1996" / "posterior.yaml").read_bytes()


def test_united_front_counts():
    s = load(ROOT / "scenarios" / "united_front_1996_2001")
    d = s.drivers
    assert (s.start, s.end) == (parse_month("1996-09"), parse_month("2001-08"))
    assert len(s.provinces) == 34 and len(d.territories) == 39 and len(d.links) == 94
    assert d.faction_ids == ("taliban", "jamiat", "junbish", "wahdat", "ismaili",
                             "local_commanders")
    assert Counter(d.initial_control[t.id] for t in s.provinces)["taliban"] == 19
    assert len(s.observations) == 27 and len(d.backers) == 9
    assert [(t.factions, t.low, t.high) for t in s.totals] == [
        (("jamiat", "junbish", "wahdat", "ismaili"), None, 4)] * 2
    # October 1996 is a month after the start, so its changes are changes to reproduce
    changes = recorded_changes(s)
    assert len(changes[changes["date"] == "1996-10"]) == 5
    assert build_record(s).counts(slice(0, 60), provinces_only=False)["unknown"] == 57


def test_resistance_counts():
    s = load(ROOT / "scenarios" / "resistance_2021_2022")
    d = s.drivers
    assert len(d.territories) == 41 and len(d.links) == 96
    assert d.faction_ids == ("republic", "taliban", "nrf")
    assert set(d.initial_control[t.id] for t in s.provinces) == {"republic"}
    assert [e.actor for e in d.events if e.kind == "faction_enters"] == ["nrf"]
    assert d.entry_month("nrf") == parse_month("2021-08")
    assert len(s.observations) == 55
    assert sum(o.controller == "unknown" for o in s.observations) == 5
    record = build_record(s)
    august = record.index("2021-08")
    kabul = record.territories.index("AF-KAB")
    assert record.names()[august, kabul] == "taliban"
    assert (record.names()[august][record.province] == "taliban").sum() == 33
