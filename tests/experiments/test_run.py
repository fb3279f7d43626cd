"""The model as a whole: determinism, honesty, invariants, batch_run, golden baseline."""
import pytest
from conftest import SCENARIO_DIR as SCENARIO

from sim.data import load
from sim.experiments.run import Run
from sim.model import AfsimModel


@pytest.fixture(scope="module")
def real():
    return load(SCENARIO)


def test_a_failed_run_leaves_nothing_that_looks_complete(tmp_path, monkeypatch, real):
    def boom(self):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(AfsimModel, "run", boom)
    with pytest.raises(RuntimeError):
        Run(real, seed=1).save(tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_run_object_gives_dataframes(real):
    run = Run(real, seed=9, end="1992-08").run()
    assert set(run.factions["faction"]) == set(real.drivers.faction_ids)
    assert (run.factions["fighters"] >= 0).all()
