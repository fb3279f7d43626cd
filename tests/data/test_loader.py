"""The scenario loader: the real scenario loads with the expected content, and every kind of
bad input is rejected with a ``file:line: message`` problem pointing at the culprit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SCENARIO_DIR, ScenarioEditor, copy_scenario, snapshot

from sim.cli.main import main
from sim.data import load
from sim.data.dates import parse_month
from sim.data.problems import Problem, ValidationError

SOURCE_DOC = "000_baa254752cc7a07f.txt"

def problems_of(folder: Path) -> list[Problem]:
    """The problems ``load(folder)`` raises (the test fails if it loads)."""
    with pytest.raises(ValidationError) as info:
        load(folder)
    assert info.value.problems, "a ValidationError must carry its problems"
    return info.value.problems


def assert_problem(problems: list[Problem], file: str, line: int, *words: str) -> None:
    """One of ``problems`` is in ``file`` at ``line`` and its message has every word."""
    hits = [p for p in problems
            if p.file == file and p.line == line and all(w in p.message for w in words)]
    listing = "\n".join(str(p) for p in problems[:40])
    assert hits, f"expected {file}:{line}: ...{' ... '.join(words)}... among:\n{listing}"


# =========================================================================== the real scenario


def test_real_scenario_counts(scenario):
    d = scenario.drivers
    assert len(scenario.provinces) == 34
    assert len([t for t in d.territories if not t.is_province]) == 7
    assert len(d.territories) == 41
    assert len(d.factions) == 10
    assert len(d.events) == 48
    assert len(scenario.observations) == 61
    assert sum(o.controller == "unknown" for o in scenario.observations) == 8
    assert len(d.alliances) == 51
    assert len(d.links) == 98
    assert len(d.backers) == 5
    assert [(t.faction, t.low, t.high) for t in scenario.totals] == [
        ("taliban", 3, None), ("taliban", 11, 13), ("taliban", 18, None)]


def test_real_scenario_summary_reports_the_counts(scenario):
    summary = scenario.summary()
    assert "34 provinces + 7 sub-nodes" in summary
    assert "factions     10:" in summary
    assert "48 events" in summary
    assert "61 rows of recorded control" in summary and "8 of them unknown" in summary
    assert "51 recorded changes; mode: recorded" in summary


def test_real_scenario_window(scenario):
    assert (scenario.start, scenario.end) == (parse_month("1992-04"), parse_month("1996-09"))
    assert scenario.calibration.end < scenario.holdout.start
    assert scenario.map_file is not None and scenario.map_file.is_file()


# Graph, initial holders, sub-nodes, sources and the honesty rule of every shipped scenario:
# tests/data/test_scenarios.py.


def test_real_entering_faction_holds_nothing_at_start(scenario):
    d = scenario.drivers
    entering = [e.actor for e in d.events if e.kind == "faction_enters"]
    assert entering == ["taliban"]
    assert "taliban" not in d.initial_control.values()
    assert d.entry_month("taliban") == parse_month("1994-10")


def test_drivers_do_not_carry_the_record(scenario):
    assert not hasattr(scenario.drivers, "observations")
    with pytest.raises(TypeError):
        scenario.drivers.initial_control["AF-KAB"] = "taliban"  # type: ignore[index]


def test_drivers_hash_ignores_observations(scenario_copy, edit, scenario):
    line = edit.find_row("observations.csv", territory="AF-KAN", controller="taliban")
    edit.set_cell("observations.csv", line, "note", "a different note")
    changed = load(scenario_copy)
    assert changed.content_hash != scenario.content_hash
    assert changed.drivers.hash == scenario.drivers.hash


def test_copy_loads_like_the_original(scenario_copy, scenario):
    copy = load(scenario_copy)
    assert copy.content_hash == scenario.content_hash
    assert copy.drivers.territory_ids == scenario.drivers.territory_ids


# =========================================================================== bad inputs
# Each case edits a copy and returns (file, line, words) of the problem it must produce.

Case = Callable[[ScenarioEditor], tuple[str, int, tuple[str, ...]]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        assert name not in CASES
        CASES[name] = fn
        return fn
    return register


def _set(ed: ScenarioEditor, file: str, match: dict[str, str], column: str, value: str) -> int:
    line = ed.find_row(file, **match)
    ed.set_cell(file, line, column, value)
    return line


@case("unknown territory in initial_control")
def _(ed):
    line = _set(ed, "initial_control.csv", {"territory": "AF-BDS"}, "territory", "AF-XXX")
    return "initial_control.csv", line, ("unknown territory 'AF-XXX'",)


@case("territory left without controller by a typo")
def _(ed):
    _set(ed, "initial_control.csv", {"territory": "AF-BDS"}, "territory", "AF-XXX")
    return "initial_control.csv", 1, ("AF-BDS has no initial controller",)


@case("unknown territory in adjacency")
def _(ed):
    line = _set(ed, "adjacency.csv", {"a": "AF-BDS", "b": "AF-TAK"}, "b", "AF-XXX")
    return "adjacency.csv", line, ("unknown territory 'AF-XXX'",)


@case("unknown territory in observations")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "territory", "AF-XXX")
    return "observations.csv", line, ("unknown territory 'AF-XXX'",)


@case("unknown territory as event target")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "faction_enters"}, "target", "AF-XXX")
    return "events.csv", line, ("unknown territory 'AF-XXX' as target",)


@case("unknown home territory in factions.yaml")
def _(ed):
    ed.replace("factions.yaml", "home: [AF-PAN,", "home: [AF-XXX,")
    return "factions.yaml", ed.line_of("factions.yaml", "AF-XXX"), (
        "faction jamiat", "unknown home territory 'AF-XXX'")


@case("unknown faction in alliances")
def _(ed):
    line = _set(ed, "alliances.csv", {"a": "jamiat", "b": "wahdat"}, "b", "nobody")
    return "alliances.csv", line, ("unknown faction 'nobody'",)


@case("unknown faction as event actor")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "ceasefire"}, "actor", "nobody")
    return "events.csv", line, ("unknown faction 'nobody' as actor",)


@case("unknown controller in initial_control")
def _(ed):
    line = _set(ed, "initial_control.csv", {"territory": "AF-BDS"}, "controller", "nobody")
    return "initial_control.csv", line, ("unknown controller 'nobody'",)


@case("unknown controller in observations")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "controller", "talibans")
    return "observations.csv", line, ("unknown controller 'talibans'",)


@case("unknown faction as a backer's proxy")
def _(ed):
    ed.replace("backers.yaml", "- faction: hezb_gulbuddin", "- faction: nobody")
    return "backers.yaml", ed.line_of("backers.yaml", "- faction: nobody"), (
        "backer pakistan", "unknown faction 'nobody'")


@case("unknown backer as event actor")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "actor", "nobody")
    return "events.csv", line, ("unknown backer 'nobody' as actor",)


@case("adjacency self-loop")
def _(ed):
    line = ed.append_row("adjacency.csv", {"a": "AF-KAB", "b": "AF-KAB", "kind": "road",
                                           "source": "approx: test"})
    return "adjacency.csv", line, ("self-loop", "AF-KAB linked to itself")


@case("adjacency duplicate pair")
def _(ed):
    first = ed.find_row("adjacency.csv", a="AF-BDS", b="AF-TAK")
    line = ed.append_row("adjacency.csv", ed.row("adjacency.csv", first))
    return "adjacency.csv", line, (f"duplicate link AF-BDS-AF-TAK (first on line {first})",)


@case("adjacency duplicate pair in reverse order")
def _(ed):
    first = ed.find_row("adjacency.csv", a="AF-BDS", b="AF-TAK")
    line = ed.append_row("adjacency.csv", {"a": "AF-TAK", "b": "AF-BDS", "kind": "road",
                                           "source": "approx: test"})
    return "adjacency.csv", line, (f"duplicate link AF-TAK-AF-BDS (first on line {first})",)


@case("adjacency reversed pair with another kind (asymmetric)")
def _(ed):
    first = ed.find_row("adjacency.csv", a="AF-BDS", b="AF-TAK")
    line = ed.append_row("adjacency.csv", {"a": "AF-TAK", "b": "AF-BDS", "kind": "mountain",
                                           "source": "approx: test"})
    return "adjacency.csv", line, ("asymmetric link AF-TAK-AF-BDS", f"road on line {first}")


@case("disconnected graph: one territory loses its links")
def _(ed):
    removed = ed.delete_rows("adjacency.csv", lambda r: "AF-BDS" in (r["a"], r["b"]))
    assert len(removed) >= 3
    return "adjacency.csv", 1, ("not connected", "{AF-BDS}")


@case("dangling territory")
def _(ed):
    ed.delete_rows("adjacency.csv", lambda r: "AF-BDS" in (r["a"], r["b"]))
    line = ed.find_row("territories.csv", id="AF-BDS")
    return "territories.csv", line, ("territory AF-BDS has no link in adjacency.csv (dangling)",)


@case("disconnected graph: two linked territories cut off from the rest")
def _(ed):
    pair = {"AF-BDS", "AF-TAK"}
    ed.delete_rows("adjacency.csv", lambda r: len(pair & {r["a"], r["b"]}) == 1)
    return "adjacency.csv", 1, ("not connected", "{AF-BDS, AF-TAK}")


@case("date not YYYY-MM (slash)")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "date", "1994/11")
    return "observations.csv", line, ("date must be a month 'YYYY-MM', got '1994/11'",)


@case("date not YYYY-MM (month 13)")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "date", "1996-13")
    return "events.csv", line, ("date must be a month 'YYYY-MM', got '1996-13'",)


@case("date after the window")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "date", "1996-10")
    return "observations.csv", line, ("date 1996-10 is outside the scenario window 1992-04..1996-09",)


@case("date before the window")
def _(ed):
    line = _set(ed, "alliances.csv", {"a": "jamiat", "b": "wahdat"}, "date", "1992-03")
    return "alliances.csv", line, ("date 1992-03 is outside the scenario window",)


@case("proxy window outside the scenario window")
def _(ed):
    ed.replace("backers.yaml", 'from: "1994-10"', 'from: "1991-10"')
    line = ed.line_of("backers.yaml", "- faction: taliban")
    return "backers.yaml", line, ("backer pakistan: proxy 'from' 1991-10 is outside the window",)


@case("duplicate event row")
def _(ed):
    line = ed.append_row("events.csv", ed.row("events.csv", 2))
    return "events.csv", line, ("duplicate event (same as line 2)",)


@case("duplicate observation row")
def _(ed):
    first = ed.find_row("observations.csv", territory="AF-KAN", controller="taliban")
    line = ed.append_row("observations.csv", ed.row("observations.csv", first))
    return "observations.csv", line, (f"duplicate observation (same as line {first})",)


@case("observation changing the holder in the start month")
def _(ed):
    first = ed.find_row("observations.csv", territory="AF-KAN", controller="taliban")
    row = dict(ed.row("observations.csv", first), date="1992-04", day="", territory="AF-BDS",
               controller="junbish")
    line = ed.append_row("observations.csv", row)
    return "observations.csv", line, (
        "AF-BDS goes to junbish in the start month 1992-04, but initial_control.csv has jamiat",
        "the start month is the initial map")


@case("duplicate alliance row, pair reversed")
def _(ed):
    first = ed.find_row("alliances.csv", a="jamiat", b="wahdat")
    row = ed.row("alliances.csv", first)
    row["a"], row["b"] = row["b"], row["a"]
    line = ed.append_row("alliances.csv", row)
    return "alliances.csv", line, ("duplicate alliance row for wahdat-jamiat", f"line {first}")


@case("duplicate territory row")
def _(ed):
    first = ed.find_row("territories.csv", id="AF-BDS")
    line = ed.append_row("territories.csv", ed.row("territories.csv", first))
    return "territories.csv", line, (f"duplicate territory 'AF-BDS' (first on line {first})",)


@case("negative population")
def _(ed):
    line = _set(ed, "territories.csv", {"id": "AF-BDS"}, "population", "-1000")
    return "territories.csv", line, ("population is negative: -1000",)


@case("negative fighters in factions.yaml")
def _(ed):
    ed.replace("factions.yaml", "    fighters: 45000", "    fighters: -5")
    return "factions.yaml", ed.line_of("factions.yaml", "fighters: -5"), (
        "faction jamiat: fighters is negative: -5",)


@case("negative fighters of an entering faction")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "faction_enters"}, "fighters", "-2500")
    return "events.csv", line, ("faction_enters: fighters is negative: -2500",)


@case("non-numeric latitude")
def _(ed):
    line = _set(ed, "territories.csv", {"id": "AF-BDS"}, "lat", "north")
    return "territories.csv", line, ("lat must be a number, got 'north'",)


@case("non-numeric resources in factions.yaml")
def _(ed):
    ed.replace("factions.yaml", "    resources: 3000", "    resources: lots")
    return "factions.yaml", ed.line_of("factions.yaml", "resources: lots"), (
        "faction jamiat: resources must be a number, got 'lots'",)


@case("non-numeric months of a ceasefire")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "ceasefire"}, "months", "one")
    return "events.csv", line, ("ceasefire: months must be a number, got 'one'",)


@case("rating above 1")
def _(ed):
    ed.replace("factions.yaml", "    heavy_weapons: 0.8", "    heavy_weapons: 1.5")
    return "factions.yaml", ed.line_of("factions.yaml", "heavy_weapons: 1.5"), (
        "faction jamiat: heavy_weapons is above 1: 1.5",)


@case("ethnic shares not summing to 1")
def _(ed):
    line = _set(ed, "territories.csv", {"id": "AF-BAL"}, "pashtun", "0.50")
    return "territories.csv", line, ("ethnic shares of AF-BAL sum to 1.300, not 1",)


@case("province with zero initial controllers")
def _(ed):
    assert ed.delete_rows("initial_control.csv", lambda r: r["territory"] == "AF-BDS")
    return "initial_control.csv", 1, ("AF-BDS has no initial controller",)


@case("province with two initial controllers")
def _(ed):
    first = ed.find_row("initial_control.csv", territory="AF-BAL")
    line = ed.append_row("initial_control.csv", {"territory": "AF-BAL", "controller": "jamiat",
                                                 "source": "approx: test"})
    return "initial_control.csv", line, (
        f"AF-BAL has a second initial controller (first on line {first})",)


@case("adjacency row without a source")
def _(ed):
    line = _set(ed, "adjacency.csv", {"a": "AF-BDS", "b": "AF-TAK"}, "source", "")
    return "adjacency.csv", line, ("source is missing",)


@case("observation without a source")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "source", "  ")
    return "observations.csv", line, ("source is missing",)


@case("source quote not in the document")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "source", f'{SOURCE_DOC}: "They then captured Kandahar city on 6 November 1994"')
    return "observations.csv", line, (f"quote not found in {SOURCE_DOC}", "6 November 1994")


@case("source citing a document not kept in sources/")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "source",
                'missing_doc.txt: "Pakistan"')
    return "events.csv", line, ("source document 'missing_doc.txt' is not in sources/",)


@case("source neither citation nor approx")
def _(ed):
    line = _set(ed, "alliances.csv", {"a": "jamiat", "b": "wahdat"}, "source", "Wikipedia")
    return "alliances.csv", line, ("source 'Wikipedia' is neither a citation",)


@case("empty approx source")
def _(ed):
    line = _set(ed, "territories.csv", {"id": "AF-BDS"}, "source", "approx:")
    return "territories.csv", line, ("'approx:' must say where the figure comes from",)


@case("observation restated as a driver")
def _(ed):
    obs = ed.find_row("observations.csv", territory="AF-KAN", controller="taliban")
    line = ed.append_row("events.csv", {
        "date": "1994-11", "kind": "note", "actor": "taliban", "target": "AF-KAN",
        "note": "the Taliban take Kandahar", "source": "approx: test"})
    return "events.csv", line, (
        f"event restates the observation at observations.csv:{obs}",
        "taliban and AF-KAN in 1994-11", "observations never drive the model")


@case("entering faction handed a province")
def _(ed):
    line = _set(ed, "initial_control.csv", {"territory": "AF-KAN"}, "controller", "taliban")
    return "initial_control.csv", line, (
        "taliban enters later", "may not be handed AF-KAN", "forces, not provinces")


@case("entering faction with fighters at the start")
def _(ed):
    ed.replace("factions.yaml", "    fighters: 0\n", "    fighters: 100\n")
    entry = ed.find_row("events.csv", kind="faction_enters")
    # the loader has no line for this problem: it reports it against the file (line 0)
    return "factions.yaml", 0, (
        "faction taliban enters on 1994-10", f"events.csv:{entry}",
        "has fighters or deployments at the start")


@case("faction entering twice")
def _(ed):
    first = ed.find_row("events.csv", kind="faction_enters")
    row = ed.row("events.csv", first)
    row["date"] = "1995-01"
    line = ed.append_row("events.csv", row)
    return "events.csv", line, ("taliban enters twice",)


@case("observation before the faction enters")
def _(ed):
    line = _set(ed, "observations.csv", {"territory": "AF-KAN", "controller": "taliban"},
                "date", "1994-09")
    return "observations.csv", line, ("taliban takes AF-KAN on 1994-09, before it enters (1994-10)",)


@case("missing data file")
def _(ed):
    ed.path("alliances.csv").unlink()
    return "scenario.yaml", ed.line_of("scenario.yaml", "alliances: alliances.csv"), (
        "alliances file 'alliances.csv' is missing",)


@case("data file not named in scenario.yaml")
def _(ed):
    ed.replace("scenario.yaml", "  events: events.csv\n", "")
    return "scenario.yaml", ed.line_of("scenario.yaml", "files:"), ("files: events is not named",)


@case("missing scenario.yaml")
def _(ed):
    ed.path("scenario.yaml").unlink()
    return "scenario.yaml", 0, ("file is missing",)


@case("missing column")
def _(ed):
    ed.replace("observations.csv", "date,day,territory,controller,confidence,note,source",
               "date,day,territory,controller,note,source")
    return "observations.csv", 1, ("missing column(s): confidence",)


@case("extra column")
def _(ed):
    ed.replace("adjacency.csv", "a,b,kind,source", "a,b,kind,source,sorce")
    return "adjacency.csv", 1, ("unknown column(s): sorce",)


@case("row with too many fields")
def _(ed):
    line = ed.find_row("initial_control.csv", territory="AF-BDS")
    ed.replace_line("initial_control.csv", line, "AF-BDS,jamiat,high,approx: x,extra")
    return "initial_control.csv", line, ("expected 4 fields, found 5",)


@case("CSV that is not UTF-8")
def _(ed):
    data = ed.path("territories.csv").read_bytes()
    assert b"Fayzabad" in data
    ed.path("territories.csv").write_bytes(data.replace(b"Fayzabad", b"Fayz\xe2bad"))
    return "territories.csv", 0, ("not UTF-8 text",)


@case("malformed YAML (tab)")
def _(ed):
    ed.replace("factions.yaml", "    sect: sunni", "\tsect: sunni")
    return "factions.yaml", ed.line_of("factions.yaml", "\tsect"), (
        "malformed YAML", "cannot start any token")


@case("malformed YAML (mapping value in a scalar)")
def _(ed):
    ed.replace("backers.yaml", "    budget: 1500", "    budget: 1500: 2")
    return "backers.yaml", ed.line_of("backers.yaml", "1500: 2"), (
        "malformed YAML", "mapping values are not allowed here")


@case("duplicate YAML key")
def _(ed):
    ed.replace("factions.yaml", "    fighters: 45000\n", "    fighters: 45000\n    fighters: 1\n")
    return "factions.yaml", ed.line_of("factions.yaml", "    fighters: 1\n"), (
        "duplicate key 'fighters'",)


@case("duplicate faction id in YAML")
def _(ed):
    ed.replace("factions.yaml", "  hezb_gulbuddin:\n", "  jamiat:\n")
    return "factions.yaml", ed.line_of("factions.yaml", "  jamiat:", nth=2), (
        "duplicate key 'jamiat'",)


@case("unknown parameter in scenario.yaml")
def _(ed):
    ed.replace("scenario.yaml", "parameters: {}", "parameters: {no_such_param: 1}")
    return "scenario.yaml", ed.line_of("scenario.yaml", "no_such_param"), (
        "unknown parameter 'no_such_param'",)


@case("parameter value outside its range")
def _(ed):
    ed.replace("scenario.yaml", "parameters: {}", "parameters: {leader_loss: 5}")
    return "scenario.yaml", ed.line_of("scenario.yaml", "leader_loss"), (
        "parameter 'leader_loss'", "outside its range")


@case("unknown key in scenario.yaml")
def _(ed):
    ed.replace("scenario.yaml", "parameters: {}", "parameters: {}\nparameter: {}")
    return "scenario.yaml", ed.line_of("scenario.yaml", "parameter: {}"), (
        "unknown key 'parameter'",)


@case("unknown member of a coalition total")
def _(ed):
    ed.replace("scenario.yaml", '  - date: "1995-02"\n    faction: taliban',
               '  - date: "1995-02"\n    faction: [taliban, no_such]')
    return "scenario.yaml", ed.line_of("scenario.yaml", 'date: "1995-02"'), (
        "totals: unknown faction 'no_such'",)


@case("coalition total naming a member twice")
def _(ed):
    ed.replace("scenario.yaml", '  - date: "1995-02"\n    faction: taliban',
               '  - date: "1995-02"\n    faction: [taliban, taliban]')
    return "scenario.yaml", ed.line_of("scenario.yaml", 'date: "1995-02"'), (
        "totals: a faction is listed twice",)


@case("unknown key in a faction")
def _(ed):
    ed.replace("factions.yaml", "    fighters: 45000\n", "    fighters: 45000\n    fightres: 1\n")
    return "factions.yaml", ed.line_of("factions.yaml", "fightres"), (
        "faction jamiat: unknown key 'fightres'",)


@case("hold-out overlapping calibration")
def _(ed):
    ed.replace("scenario.yaml", 'holdout: {start: "1995-07"', 'holdout: {start: "1994-06"')
    return "scenario.yaml", ed.line_of("scenario.yaml", "holdout:"), (
        "hold-out window overlaps the calibration window",)


@case("map file not found")
def _(ed):
    ed.replace("scenario.yaml", "map: afghanistan_provinces.geojson",
               "map: nowhere.geojson")
    return "scenario.yaml", ed.line_of("scenario.yaml", "map:"), (
        "map file 'nowhere.geojson' not found",)


@case("map that is not GeoJSON")
def _(ed):
    ed.write("bogus.geojson", "{}")
    ed.replace("scenario.yaml", "map: afghanistan_provinces.geojson", "map: bogus.geojson")
    return "scenario.yaml", ed.line_of("scenario.yaml", "map:"), (
        "map file 'bogus.geojson': not a GeoJSON FeatureCollection",)


@case("map outside the folder")
def _(ed):
    ed.replace("scenario.yaml", "map: afghanistan_provinces.geojson",
               "map: ../afghanistan_provinces.geojson")
    return "scenario.yaml", ed.line_of("scenario.yaml", "map:"), (
        "map file '../afghanistan_provinces.geojson' not found (a file name in the scenario folder",)


@case("parameter set outside the folder")
def _(ed):
    ed.replace("scenario.yaml", "parameters: {}", "parameters: {}\nparameter_set: ../calibrated.yaml")
    return "scenario.yaml", ed.line_of("scenario.yaml", "parameter_set:"), (
        "parameter set '../calibrated.yaml' not found",)


@case("posterior outside the folder")
def _(ed):
    ed.replace("scenario.yaml", "posterior: posterior.yaml", "posterior: ../posterior.yaml")
    return "scenario.yaml", ed.line_of("scenario.yaml", "posterior:"), (
        "posterior '../posterior.yaml' not found",)


@case("pattern with an unknown territory")
def _(ed):
    ed.replace("scenario.yaml", "territories: [AF-KAB, AF-KAB.west,", "territories: [AF-KAB, AF-XXX,")
    return "scenario.yaml", ed.line_of("scenario.yaml", "kind: battle_share"), (
        "patterns: unknown territory 'AF-XXX'",)


@case("capital not a territory")
def _(ed):
    ed.replace("scenario.yaml", "capital: AF-KAB", "capital: AF-XXX")
    return "scenario.yaml", ed.line_of("scenario.yaml", "capital:"), (
        "capital 'AF-XXX' is not a territory of territories.csv",)


@case("focus faction unknown")
def _(ed):
    ed.replace("scenario.yaml", "focus_faction: taliban", "focus_faction: talib")
    return "scenario.yaml", ed.line_of("scenario.yaml", "focus_faction:"), (
        "focus_faction 'talib' is not a faction of factions.yaml",)


@case("ethnic group without its column")
def _(ed):
    ed.replace("scenario.yaml", "ethnic_groups: [pashtun,", "ethnic_groups: [baloch, pashtun,")
    return "territories.csv", 1, ("missing column(s): baloch",)


@case("faction colour not a colour")
def _(ed):
    ed.replace("factions.yaml", 'colour: "#0072B2"', "colour: blue")
    return "factions.yaml", ed.line_of("factions.yaml", "colour: blue"), (
        "faction jamiat: colour must be #RRGGBB, got 'blue'",)


@case("map month outside the window")
def _(ed):
    ed.replace("scenario.yaml", 'map_months: ["1992-04",', 'map_months: ["1991-04",')
    return "scenario.yaml", ed.line_of("scenario.yaml", "map_months:"), (
        "map month 1991-04 is outside the scenario window",)


@case("day out of range")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "day", "32")
    return "events.csv", line, ("day must be 1..31 or empty, got '32'",)


@case("days of one month going backwards")
def _(ed):
    line = ed.find_row("observations.csv", territory="AF-KAN", controller="taliban")
    ed.insert_line("observations.csv", line + 1,
                   "1994-11,1,AF-ZAB,taliban,low,test,approx: test")
    return "observations.csv", line + 1, ("day 1 comes after day 5", f"(line {line})")


@case("unknown event kind")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "kind", "coup")
    return "events.csv", line, ("event kind 'coup' is not one of",)


@case("bad territory id")
def _(ed):
    line = _set(ed, "territories.csv", {"id": "AF-BDS"}, "id", "af-bds")
    return "territories.csv", line, ("territory id 'af-bds' is not an ISO 3166-2 subdivision code",)


# Regressions for crashes found while writing these tests (fixed in sim/).


@case("YAML with a character YAML does not accept")
def _(ed):
    ed.replace("factions.yaml", "    sect: sunni", "    sect: sun\x00ni")
    return "factions.yaml", ed.line_of("factions.yaml", "sun\x00ni"), (
        "malformed YAML: character #x0000 is not allowed",)


@case("source document in sources/ that is not UTF-8")
def _(ed):
    (ed.folder / "sources" / "latin.txt").write_bytes(b"caf\xe9 au lait")
    line = _set(ed, "adjacency.csv", {"a": "AF-BDS", "b": "AF-TAK"}, "source",
                'latin.txt: "au lait"')
    return "adjacency.csv", line, ("source document 'latin.txt' is not UTF-8 text",)


@case("day written with a superscript digit")
def _(ed):
    line = _set(ed, "events.csv", {"kind": "backer_budget"}, "day", "\u00b2")
    return "events.csv", line, ("day must be 1..31 or empty",)


@case("YAML file that is not UTF-8")
def _(ed):
    data = ed.path("factions.yaml").read_bytes().replace("\u2018".encode(), b"\x91")
    ed.path("factions.yaml").write_bytes(data)
    return "factions.yaml", 0, ("not UTF-8 text",)


@case("scenario.yaml that is not UTF-8")
def _(ed):
    ed.path("scenario.yaml").write_bytes(ed.path("scenario.yaml").read_bytes() + b"# \xe9\n")
    return "scenario.yaml", 0, ("not UTF-8 text",)


@case("YAML file truncated inside a multi-byte character")
def _(ed):
    data = ed.path("factions.yaml").read_bytes()
    ed.path("factions.yaml").write_bytes(data[: data.index("\u2018".encode()) + 1])
    return "factions.yaml", 0, ("not UTF-8 text", "unexpected end of data")


@case("empty factions.yaml")
def _(ed):
    ed.write("factions.yaml", "")
    return "factions.yaml", 1, ("expected a top-level mapping 'factions:'",)


@case("nested list among home territories")
def _(ed):
    ed.replace("factions.yaml", "home: [AF-PAN,", "home: [[AF-PAN],")
    return "factions.yaml", ed.line_of("factions.yaml", "[[AF-PAN]"), (
        "faction jamiat: unknown home territory ['AF-PAN']",)


@case("recursive YAML alias")
def _(ed):
    ed.replace("factions.yaml", "    home: [AF-PAN,", "    deployments: &d {x: *d}\n    home: [AF-PAN,")
    return "factions.yaml", ed.line_of("factions.yaml", "deployments: &d"), (
        "YAML aliases (*name) are not allowed",)


@case("YAML alias bomb in a name")
def _(ed):
    bomb = "&a [x, x, x, x, x, x, x, x, x]"
    lines = [f"x0: {bomb}"] + [f"x{i}: &a{i} [" + ", ".join([f"*{'a' if i == 1 else 'a' + str(i - 1)}"] * 9) + "]"
                               for i in range(1, 10)]
    ed.replace("factions.yaml", "factions:\n", "\n".join(lines).replace("x0: &a", "x0: &a") + "\nfactions:\n")
    return "factions.yaml", ed.line_of("factions.yaml", "x1:"), ("YAML aliases (*name) are not allowed",)


@case("YAML nested too deep")
def _(ed):
    ed.replace("factions.yaml", "    home: [AF-PAN,", "    deployments: " + "[" * 500 + "]" * 500 + "\n    home: [AF-PAN,")
    return "factions.yaml", ed.line_of("factions.yaml", "deployments: [[["), ("nested more than 40 levels",)


@case("map name with a NUL byte")
def _(ed):
    ed.replace("scenario.yaml", "map: afghanistan_provinces.geojson", 'map: "a\\0b"')
    return "scenario.yaml", ed.line_of("scenario.yaml", "map:"), ("map file", "not found")


@case("dangling territory after a blank line, in a renamed file")
def _(ed):
    ed.path("territories.csv").rename(ed.path("regions.csv"))
    ed.replace("scenario.yaml", "territories: territories.csv", "territories: regions.csv")
    ed.insert_line("regions.csv", 2, "")
    ed.delete_rows("adjacency.csv", lambda r: "AF-BDS" in (r["a"], r["b"]))
    line = ed.find_row("regions.csv", id="AF-BDS")
    assert line == 6
    return "regions.csv", line, ("territory AF-BDS has no link in adjacency.csv (dangling)",)


def test_enough_distinct_bad_inputs():
    assert len(CASES) >= 18


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_rejected_with_file_line_message(name, edit, scenario_copy):
    file, line, words = CASES[name](edit)
    assert_problem(problems_of(scenario_copy), file, line, *words)


# =========================================================================== all or nothing


def test_all_problems_reported_at_once(edit, scenario_copy):
    bad_lat = edit.find_row("territories.csv", id="AF-BDS")
    edit.set_cell("territories.csv", bad_lat, "lat", "north")
    bad_kind = edit.find_row("events.csv", kind="backer_budget")
    edit.set_cell("events.csv", bad_kind, "kind", "coup")
    edit.replace("scenario.yaml", "parameters: {}", "parameters: {no_such_param: 1}")
    problems = problems_of(scenario_copy)
    assert_problem(problems, "territories.csv", bad_lat, "lat must be a number")
    assert_problem(problems, "events.csv", bad_kind, "event kind 'coup'")
    assert_problem(problems, "scenario.yaml", edit.line_of("scenario.yaml", "no_such_param"),
                   "unknown parameter")
    from sim.data.problems import FILE_ORDER
    ranks = [(FILE_ORDER.index(p.file), p.line) for p in problems]
    assert ranks == sorted(ranks) and len(set(problems)) == len(problems), (
        "problems come once each, file by file in reading order (root causes first), by line")
    assert problems[0].file == "scenario.yaml"


def test_failed_load_returns_nothing_and_changes_no_file(edit, scenario_copy):
    edit.set_cell("initial_control.csv", 2, "controller", "taliban")
    edit.set_cell("adjacency.csv", 2, "source", "")
    root = scenario_copy.parent.parent
    before = snapshot(root)
    result = sentinel = object()
    with pytest.raises(ValidationError):
        result = load(scenario_copy)
    assert result is sentinel
    assert snapshot(root) == before


def test_error_text_is_file_line_message(edit, scenario_copy):
    edit.set_cell("adjacency.csv", 2, "source", "")
    with pytest.raises(ValidationError) as info:
        load(scenario_copy)
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    assert "adjacency.csv:2: source is missing" in str(info.value).splitlines()


def test_scenario_without_observations_loads_but_cannot_be_scored(edit, scenario_copy):
    """"No record" is explicit (`observations: none`); a named but missing file is an error."""
    edit.path("observations.csv").unlink()
    with pytest.raises(ValidationError) as info:
        load(scenario_copy)
    assert "observations file 'observations.csv' is missing (write `observations: none`" in str(info.value)
    edit.replace("scenario.yaml", "observations: observations.csv", "observations: none")
    loaded = load(scenario_copy)
    assert loaded.observations == ()
    assert len(loaded.drivers.events) == 48
    assert "no observations.csv: this scenario can run but not be scored" in loaded.summary()


def test_missing_folder(tmp_path):
    problems = problems_of(tmp_path / "nowhere")
    assert [p.message for p in problems] == ["scenario folder not found"]


def test_a_copied_folder_loads_anywhere_with_its_calibrated_parameters(tmp_path):
    import shutil
    copy = tmp_path / "deep" / "elsewhere" / "mine"
    shutil.copytree(SCENARIO_DIR, copy)
    loaded, original = load(copy), load(SCENARIO_DIR)
    assert loaded.drivers.parameters == original.drivers.parameters
    if original.posterior is not None:
        assert loaded.posterior.path == copy / original.posterior.path.name
        assert loaded.posterior.values == original.posterior.values
    assert loaded.map_file is not None and loaded.map_file.is_file()
    assert loaded.content_hash == original.content_hash


def test_a_map_in_the_folder_wins_over_the_shipped_one(tmp_path):
    copy = copy_scenario(tmp_path)
    shipped = load(copy).map_file
    (copy / shipped.name).write_bytes(shipped.read_bytes())
    assert load(copy).map_file == copy / shipped.name


# =========================================================================== afsim validate

_PROBLEM_LINE = re.compile(r"^[\w.\-]+:\d+: \S.*$")


def test_cli_validate_real_scenario(capsys):
    assert main(["validate", str(SCENARIO_DIR)]) == 0
    out, err = capsys.readouterr()
    assert "34 provinces + 7 sub-nodes" in out
    assert "48 events" in out
    assert out.rstrip().endswith("valid")
    assert err == ""


def test_cli_validate_broken_copy(edit, scenario_copy, capsys):
    edit.set_cell("adjacency.csv", 2, "b", "AF-XXX")
    edit.replace("factions.yaml", "    sect: sunni", "\tsect: sunni")
    assert main(["validate", str(scenario_copy)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines[-1].endswith("problem(s) found; nothing was loaded.")
    total = int(lines[-1].split()[0])
    assert total > 50                           # the broken factions.yaml has follow-on errors
    assert lines[-2] == f"... and {total - 50} more (fix the first ones: the rest often follow from them)"
    bad = [line for line in lines[:-2] if not _PROBLEM_LINE.match(line)]
    assert bad == [] and len(lines) == 52       # capped at 50, root causes first
    assert "adjacency.csv:2: unknown territory 'AF-XXX'" in lines
    tab = edit.line_of("factions.yaml", "\tsect")
    assert any(line.startswith(f"factions.yaml:{tab}: malformed YAML") for line in lines)


def test_cli_validate_missing_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.splitlines()[0] == f"{tmp_path / 'nowhere'}:0: scenario folder not found"
