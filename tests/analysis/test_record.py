"""The record: initial control carried forward through the observations."""

import pandas as pd
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.analysis.record import record_table, recorded_changes, relation_table, shares
from sim.data import load


def test_record_table_and_changes_of_the_tiny_scenario(tmp_path):
    sc = load(write_tiny(tmp_path / "tiny"))
    table = record_table(sc)
    assert table.loc["2000-01"].tolist() == ["red", "blue", "blue"]
    assert table.loc["2000-04"].tolist() == ["red", "red", "blue"]
    assert table.loc["2000-06"].tolist() == ["red", "red", "red"]
    changes = recorded_changes(sc)
    assert changes[["date", "territory", "old", "new"]].values.tolist() == [
        ["2000-02", "AF-BBB", "blue", "red"], ["2000-05", "AF-CCC", "blue", "red"]]


def test_a_confirmation_is_not_a_change_and_the_last_row_of_a_month_wins(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    ed = ScenarioEditor(folder)
    ed.append_row("observations.csv", {"date": "2000-03", "territory": "AF-BBB",
                                       "controller": "red", "confidence": "low",
                                       "source": "approx: test"})
    ed.append_row("observations.csv", {"date": "2000-05", "territory": "AF-CCC",
                                       "controller": "blue", "confidence": "low",
                                       "source": "approx: test"})
    sc = load(folder)
    changes = recorded_changes(sc)
    assert changes["date"].tolist() == ["2000-02"]       # 03 confirms; 05 taken and lost
    assert record_table(sc).loc["2000-06", "AF-CCC"] == "blue"


def test_relation_table_and_shares():
    changes = pd.DataFrame([("2000-02", "b", "a", "allied")], columns=["date", "a", "b", "relation"])
    rel = relation_table(changes, ("a", "b"), ["2000-01", "2000-02", "2000-03"])
    assert rel[("a", "b")] == ["hostile", "allied", "allied"]
    control = pd.DataFrame([(r, "2000-01", "T", c) for r, c in enumerate(["a", "a", "b", "a"])],
                           columns=["replicate", "date", "territory", "controller"])
    assert shares(control, ("a", "b"), ("T",), ["2000-01"])[0, 0].tolist() == [0.75, 0.25]
