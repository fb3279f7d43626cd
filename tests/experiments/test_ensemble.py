"""Ensembles: worker-count invariance, in-memory edits that run as edited, save/load/scores."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIO_DIR

import sim
from sim.analysis.scores import score_directory
from sim.experiments.ensemble import run_ensemble

TABLES = ("control", "factions", "alliances", "battles")


def test_ensemble_files_do_not_depend_on_the_number_of_workers(tmp_path):
    for k in (1, 2):
        run_ensemble(tmp_path / f"w{k}", SCENARIO_DIR, replicates=6, root_seed=3, workers=k,
                     end="1993-06", progress=False)
    for name in TABLES:
        assert (tmp_path / "w1" / f"{name}.csv").read_bytes() == (tmp_path / "w2" / f"{name}.csv").read_bytes()
    control = pd.read_csv(tmp_path / "w1" / "control.csv")
    assert sorted(control["replicate"].unique()) == list(range(6))


@pytest.fixture(scope="module")
def counterfactuals():
    """The baseline and two scenario objects edited in memory, as a new user builds them."""
    base = sim.load(SCENARIO_DIR)
    d = base.drivers
    no_taliban = dataclasses.replace(base, drivers=dataclasses.replace(d, events=tuple(
        e for e in d.events if not (e.kind == "faction_enters" and e.actor == "taliban"))))
    no_pakistan = dataclasses.replace(base, drivers=dataclasses.replace(d, backers=tuple(
        dataclasses.replace(b, proxies=()) if b.id == "pakistan" else b for b in d.backers)))
    return {"baseline": base, "no_taliban": no_taliban, "no_pakistan": no_pakistan}


def _taliban_provinces(ens) -> np.ndarray:
    f = ens.factions
    last = f[(f["date"] == f["date"].max()) & (f["faction"] == "taliban")]
    return last.sort_values("replicate")["provinces"].to_numpy()


def test_an_edited_scenario_runs_as_edited_in_any_order_on_any_number_of_workers(
        counterfactuals):
    """Regression: a world cached by file hash, or workers reloading from disk, made every
    variant run whichever scenario was built first."""
    results = {}
    for order in (("baseline", "no_taliban", "no_pakistan"),
                  ("no_pakistan", "no_taliban", "baseline")):
        for workers in (1, 2):
            for name in order:
                ens = sim.Ensemble(counterfactuals[name], replicates=3, seed=5).run(workers=workers)
                results.setdefault(name, []).append(_taliban_provinces(ens))
    for name, runs in results.items():
        for other in runs[1:]:
            assert np.array_equal(runs[0], other), name       # order and workers don't matter
    assert results["baseline"][0].sum() > 0
    for variant in ("no_taliban", "no_pakistan"):                # each runs its own edit
        assert not np.array_equal(results["baseline"][0], results[variant][0]), variant
    hashes = {name: sc.drivers.hash for name, sc in counterfactuals.items()}
    assert len(set(hashes.values())) == 3                      # each variant is its own content


def test_save_load_and_scores_in_memory_match_the_run_directory(tmp_path):
    ens = sim.Ensemble(SCENARIO_DIR, replicates=4, seed=2, end="1996-09").run()
    path = ens.save(tmp_path / "saved")
    streamed = sim.Ensemble(SCENARIO_DIR, replicates=4, seed=2, end="1996-09").run(
        workers=2, out=tmp_path / "streamed")
    for name in TABLES:
        assert (path / f"{name}.csv").read_bytes() == (streamed.path / f"{name}.csv").read_bytes()
    on_disk = score_directory(path)
    in_memory = ens.scores()
    assert json.loads(json.dumps(in_memory)) == {k: v for k, v in on_disk.items()
                                                 if k not in ("scenario", "parameters")}
    again = sim.Ensemble.load(path)
    assert again.seeds == ens.seeds and again.params == ens.params
    pd.testing.assert_frame_equal(again.control, ens.control)


def test_report_of_a_saved_ensemble(tmp_path):
    ens = sim.Ensemble(SCENARIO_DIR, replicates=2, seed=1).run(out=tmp_path / "r")
    page = ens.report()
    assert page == tmp_path / "r" / "report" / "index.html" and page.is_file()
    with pytest.raises(RuntimeError, match="save the ensemble first"):
        sim.Ensemble(SCENARIO_DIR, replicates=1, seed=1).run().report()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="replicates must be at least 1"):
        sim.Ensemble(SCENARIO_DIR, replicates=0)
    with pytest.raises(ValueError, match="unknown parameter 'csf'"):
        sim.Ensemble(SCENARIO_DIR, replicates=1, csf=2.0)
