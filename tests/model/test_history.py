"""What a run records each month, and the tables made of it."""

import numpy as np
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.data import load
from sim.model import AfsimModel, tables_of


def test_history_has_one_entry_per_month_and_relation_changes_only_when_they_change(tmp_path):
    d = load(write_tiny(tmp_path / "tiny")).drivers
    model = AfsimModel(d, seed=1).run()
    h = model.history
    assert h.months == list(range(d.start, d.end + 1))
    assert len(h.control) == len(h.fighters) == len(h.months)
    assert [c[:3] for c in h.relation_changes] == [(d.start, 0, 1)]   # the start, once
    tables = tables_of(model)
    assert len(tables["control"]) == 3 * len(h.months)
    assert set(tables["control"]["controller"]) <= {"red", "blue"}


def test_a_contested_territory_runs_and_is_written_as_contested(tmp_path):
    folder = write_tiny(tmp_path / "tiny")
    ScenarioEditor(folder).replace("initial_control.csv", "AF-BBB,blue", "AF-BBB,contested")
    model = AfsimModel(load(folder).drivers, seed=3).run()
    control = tables_of(model)["control"]
    first = control[control["date"] == "2000-01"].set_index("territory")["controller"]
    assert first["AF-BBB"] == "contested"
    # nobody defends it, so someone next to it takes it
    later = control[(control["territory"] == "AF-BBB") & (control["date"] == "2000-06")]
    assert later["controller"].iloc[0] in ("red", "blue")
    assert np.all(np.stack(model.history.fighters) >= 0)
