"""Forecasts from an origin: the particle filter's weights, its resampling, and its honesty."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import ScenarioEditor
from tiny import write_tiny

from sim.analysis.record import build_record
from sim.cli import main
from sim.data import load
from sim.experiments.forecast import (
    Forecast,
    log_weights,
    normalised_weights,
    systematic_resample,
)


@pytest.fixture
def folder(tmp_path):
    return write_tiny(tmp_path / "tiny")


def test_a_particle_that_contradicts_a_high_confidence_row_gets_weight_zero(folder):
    record = build_record(load(folder))
    # 2000-02 recorded (red, red, blue), all high: particle 0 agrees, 1 has B blue, 2 has C red
    codes = np.array([[0, 0, 1], [0, 1, 1], [0, 0, 0]])
    hard, soft = log_weights(codes, record, 1)
    assert hard.tolist() == [0, 1, 1] and soft.tolist() == [0, 0, 0]
    assert normalised_weights(hard, soft).tolist() == [1.0, 0.0, 0.0]
    # when every particle contradicts, the fewest contradictions win
    assert normalised_weights(np.array([2, 1, 1]), np.zeros(3)).tolist() == [0.0, 0.5, 0.5]


def test_a_miss_probability_for_high_rows_makes_their_contradictions_soft(folder):
    record = build_record(load(folder))
    codes = np.array([[0, 0, 1], [0, 1, 1], [0, 0, 0]])
    hard, soft = log_weights(codes, record, 1, {"high": 0.1, "medium": 0.2, "low": 0.4})
    assert hard.tolist() == [0, 0, 0]
    w = normalised_weights(hard, soft)
    assert w[1] / w[0] == pytest.approx(0.1 / 0.9) and w[2] == pytest.approx(w[1])
    # a confidence the probabilities leave out is an error, not a cell that counts for nothing
    with pytest.raises(ValueError, match=r"no value for confidence \['high'\]"):
        log_weights(codes, record, 1, {"medium": 0.2, "low": 0.4})


def test_the_filter_counts_the_ancestors_its_particles_descend_from(folder):
    run = Forecast(load(folder), "2000-04", particles=8, seed=2).run()
    ancestors = run.filter["ancestors"]
    assert len(ancestors) == len(run.filter["months"])
    assert all(1 <= a <= 8 for a in ancestors) and ancestors == sorted(ancestors, reverse=True)


def test_a_softer_likelihood_is_recorded_and_a_bad_one_refused(folder, tmp_path):
    run = Forecast(load(folder), "2000-04", particles=4, seed=2, miss_high=0.05)
    run.run(out=tmp_path / "fc")
    manifest = json.loads((tmp_path / "fc" / "manifest.json").read_text())
    assert manifest["miss_probability"]["high"] == 0.05
    with pytest.raises(ValueError, match="--miss-high"):
        Forecast(load(folder), "2000-04", particles=4, miss_high=1.0)


def test_low_confidence_rows_weigh_softly(folder):
    ed = ScenarioEditor(folder)
    ed.set_cell("observations.csv", ed.find_row("observations.csv", territory="AF-BBB"),
                "confidence", "low")
    record = build_record(load(folder))
    hard, soft = log_weights(np.array([[0, 0, 1], [0, 1, 1]]), record, 1)
    assert hard.tolist() == [0, 0]                       # B's row is low: no hard miss
    w = normalised_weights(hard, soft)
    assert w[1] / w[0] == pytest.approx(0.4 / 0.6)       # miss 0.4 against hit 0.6


def test_systematic_resampling_is_deterministic_and_follows_the_weights():
    weights = np.array([0.0, 0.5, 0.0, 0.5])
    a = systematic_resample(weights, np.random.default_rng(3))
    assert a.tolist() == systematic_resample(weights, np.random.default_rng(3)).tolist()
    assert sorted(a.tolist()) == [1, 1, 3, 3]
    assert systematic_resample(np.array([0.0, 1.0, 0.0]), np.random.default_rng(0)).tolist() == [1, 1, 1]


def _tables(folder, origin="2000-04", seed=2):
    return Forecast(load(folder), origin, particles=8, seed=seed).run().tables


def test_same_seed_same_forecast(folder):
    a, b = _tables(folder), _tables(folder)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


def test_a_forecast_never_reads_an_observation_at_or_after_its_origin(folder):
    before = _tables(folder)
    ed = ScenarioEditor(folder)
    # sentinels: A to blue at the origin and after it (high confidence)
    ed.append_row("observations.csv", {"date": "2000-04", "territory": "AF-AAA",
                                       "controller": "blue", "confidence": "high",
                                       "source": "approx: sentinel"})
    ed.append_row("observations.csv", {"date": "2000-06", "territory": "AF-AAA",
                                       "controller": "blue", "confidence": "high",
                                       "source": "approx: sentinel"})
    after = _tables(folder)
    for name in before:
        pd.testing.assert_frame_equal(before[name], after[name])


def test_an_observation_before_the_origin_does_condition_the_forecast(folder):
    before = Forecast(load(folder), "2000-05", particles=8, seed=2).run().filter
    ed = ScenarioEditor(folder)
    ed.set_cell("observations.csv", ed.find_row("observations.csv", territory="AF-BBB"),
                "controller", "blue")        # the record now says B stayed blue in 02
    after = Forecast(load(folder), "2000-05", particles=8, seed=2).run().filter
    # every particle's B is red or blue in 02: flipping the record changes what the best one
    # contradicts, or (if they differ) the weights
    assert (before["contradictions"], before["ess"]) != (after["contradictions"], after["ess"])


def test_forecast_command_writes_a_run_directory_scored_as_a_forecast(tmp_path, folder, capsys):
    out = tmp_path / "fc"
    assert main(["forecast", str(folder), "--origin", "2000-04", "--particles", "6",
                 "--seed", "1", "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "forecast" and manifest["origin"] == "2000-04"
    assert len(manifest["filter"]["ess"]) == 2                    # 2000-02 and 2000-03
    assert main(["score", str(out)]) == 0
    scores = json.loads((out / "scores.json").read_text())
    assert scores["kind"] == "forecast" and scores["baseline_start"] == "2000-03"
    assert "forecast from 2000-04" in capsys.readouterr().out
    assert main(["forecast", str(folder), "--origin", "1999-04", "--out", str(tmp_path / "x"),
                 "--quiet"]) == 2
    assert "must be after the scenario's start" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()                          # refused before anything
    assert main(["forecast", str(folder), "--miss-high", "1", "--out", str(tmp_path / "y"),
                 "--quiet"]) == 2
    assert "--miss-high must be in [0, 1)" in capsys.readouterr().err
    assert not (tmp_path / "y").exists()


def test_the_forecast_section_says_how_many_lineages_the_filter_kept(tmp_path, folder):
    from sim.report.sections import forecast_section
    out = tmp_path / "fc"
    assert main(["forecast", str(folder), "--origin", "2000-04", "--particles", "6",
                 "--seed", "1", "--out", str(out), "--quiet"]) == 0
    assert main(["score", str(out)]) == 0
    ancestors = json.loads((out / "manifest.json").read_text())["filter"]["ancestors"][-1]
    _, body = forecast_section(out)
    assert f"descended from {ancestors} of the 6 drawn at the start" in body
    assert ("trajectory" in body) == (ancestors <= 5)
    # windows over the same months get one table, the others a sentence saying so
    windows = json.loads((out / "scores.json").read_text())["windows"]
    periods = [w["window"] for w in windows.values()]
    assert len(set(periods)) < len(periods)           # the tiny forecast's window is its hold-out
    assert body.count('<table class="scores">') == len(set(periods))
    assert body.count("its table is the one above") == len(periods) - len(set(periods))
    # a manifest from before the count: the effective sample size alone
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["filter"]["ancestors"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    _, body = forecast_section(out)
    assert "effective sample size" in body and "descended" not in body
