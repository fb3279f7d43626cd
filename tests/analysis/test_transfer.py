"""A run scored against another scenario's record: months and territories mapped, a holder
the record does not know counted as wrong, every time."""

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.analysis.scores import Scorer
from sim.analysis.transfer import control_in_terms_of, missing_territories
from sim.cli.main import main
from sim.data import load

ROOT = Path(__file__).resolve().parents[2]
MONTHS = ["1999-12", "2000-01", "2000-02", "2000-03", "2000-04", "2000-05", "2000-06", "2000-07"]


def frame(holders: dict[str, str], months=MONTHS) -> pd.DataFrame:
    rows = [(0, m, t, c) for m in months for t, c in holders.items()]
    return pd.DataFrame(rows, columns=["replicate", "date", "territory", "controller"])


@pytest.fixture
def target(tmp_path):
    """The tiny scenario with a sub-node AF-BBB.pass the run does not have."""
    folder = write_tiny(tmp_path / "tiny")
    ed = ScenarioEditor(folder)
    ed.append_row("territories.csv", {
        "id": "AF-BBB.pass", "name": "Pass", "capital": "", "parent": "AF-BBB", "lat": "34.1",
        "lon": "66.1", "population": "1000", "terrain": "mountain", "pashtun": "0",
        "tajik": "1", "hazara": "0", "uzbek": "0", "other": "0", "borders": "",
        "strategic_weight": "1", "source": "approx: test data"})
    ed.append_row("adjacency.csv", {"a": "AF-BBB", "b": "AF-BBB.pass", "kind": "road",
                                    "source": "approx: test data"})
    ed.append_row("initial_control.csv", {"territory": "AF-BBB.pass", "controller": "blue",
                                          "confidence": "high", "source": "approx: test data"})
    return load(folder)


def test_target_months_and_territories_are_kept_and_a_sub_node_takes_its_parent(target):
    run = frame({"AF-AAA": "red", "AF-BBB": "green", "AF-CCC": "blue", "AF-ZZZ": "red"})
    out = control_in_terms_of(target, run)
    assert sorted(out["date"].unique()) == MONTHS[1:-1]               # the target's window
    assert set(out["territory"]) == {"AF-AAA", "AF-BBB", "AF-CCC", "AF-BBB.pass"}
    assert set(out.loc[out["territory"] == "AF-BBB.pass", "controller"]) == {"green"}
    assert missing_territories(target, run) == []
    assert missing_territories(target, frame({"AF-AAA": "red"})) == ["AF-BBB", "AF-CCC",
                                                                      "AF-BBB.pass"]


def test_a_holder_the_record_does_not_know_is_always_wrong(target):
    # "green" (a faction of another war) holds everything: the worst possible scores
    run = control_in_terms_of(target, frame({t: "green" for t in ("AF-AAA", "AF-BBB", "AF-CCC")}))
    whole = Scorer(target, {"control": run}).scores()["windows"]["whole"]["all"]["model"]
    assert whole["accuracy"] == 0.0 and whole["mean_prob"] == 0.0 and whole["brier"] == 2.0


def test_cli_scores_the_1992_96_run_continued_against_the_1996_2001_record(tmp_path, capsys):
    out = tmp_path / "long"
    assert main(["run", str(ROOT / "scenarios" / "afghanistan_1992_1996"), "--seed", "3",
                 "--end", "1997-03", "--out", str(out)]) == 0
    assert main(["score", str(out), "--against",
                 str(ROOT / "scenarios" / "united_front_1996_2001")]) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "scores-united_front_1996_2001.json").read_text())
    assert data["against"]["name"] == "united_front_1996_2001"
    assert data["against"]["territories_not_in_run"] == []      # sub-nodes take their parents
    assert data["scenario"]["name"] == "afghanistan_1992_1996"
    assert data["windows"]["calibration"]["window"] == "1996-10..1997-03"
    assert data["missing_windows"] == ["holdout"]                  # the run stops in 1997-03
    assert "scored against the record of united_front_1996_2001" in printed
    assert not (out / "scores.json").exists()


def test_cli_refuses_a_run_that_ends_before_the_other_window(tmp_path, capsys):
    out = tmp_path / "short"
    assert main(["run", str(ROOT / "scenarios" / "afghanistan_1992_1996"), "--seed", "3",
                 "--end", "1993-01", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["score", str(out), "--against",
                 str(ROOT / "scenarios" / "united_front_1996_2001")]) == 2
    err = capsys.readouterr().err
    assert "no month inside united_front_1996_2001's window 1996-09..2001-08" in err
    assert not list(out.glob("scores*"))
