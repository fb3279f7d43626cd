"""The scripts in tools/ that print the figures the closing notes quote."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_recorded_taliban_count_of_january_1995_is_read_from_the_record():
    targets = _tool("targets")
    scenario = ROOT / "scenarios" / "afghanistan_1992_1996"
    # Spin Boldak is a sub-node; Kandahar, Uruzgan, Zabul, Ghazni and Helmand are provinces.
    # Paktia, Paktika and Khost are rows of unplaced holder then.
    assert targets.recorded_count(scenario, "1995-01", "taliban") == (5, 3)
    assert targets.recorded_count(scenario, "1994-10", "taliban") == (0, 0)


def test_record_misses_split_the_fit_record_distance_by_territory():
    import numpy as np

    from sim.data import load
    from sim.experiments.calibrate import Simulator
    from sim.experiments.parameters import ParameterChoice

    tool = _tool("record_misses")
    scenario = load(ROOT / "scenarios" / "afghanistan_1992_1996")
    shares = tool.misses(scenario, {}, [11, 12])
    assert shares.shape == (len(scenario.drivers.territory_ids),)
    assert (shares >= 0).all() and shares.sum() > 0
    # the columns add up to the fit's record distance of the same runs
    sim = Simulator(scenario, None)
    choice = ParameterChoice.of(scenario, overrides={})
    record = np.mean([sim.distances(choice.for_seed(s), s)["record"] for s in (11, 12)])
    assert np.isclose(shares.sum(), record)


def test_filter_check_pools_forecasts_from_inside_the_calibration_window(tmp_path, capsys):
    import pytest
    from tiny import write_tiny

    from sim.data import load
    from sim.data.dates import parse_month

    tool = _tool("filter_check")
    scenario = load(write_tiny(tmp_path / "tiny"))
    result = tool.check(scenario, [parse_month("2000-02"), parse_month("2000-03")],
                        particles=4, seed=1, miss_high=0.0)
    rows = result["rows"]
    assert [r["origin"] for r in rows] == ["2000-02", "2000-03"]
    assert result["pooled_brier_skill"] == pytest.approx(
        1 - sum(r["model"] for r in rows) / sum(r["persistence"] for r in rows))
    # an origin in the hold-out is refused: the tool must never read it
    with pytest.raises(SystemExit) as refused:
        tool.main([str(tmp_path / "tiny"), "--first", "2000-03", "--last", "2000-04"])
    assert refused.value.code == 2 and "inside the calibration window" in capsys.readouterr().err


def test_window_check_gives_check_posteriors_figures_for_the_same_draws():
    import pytest

    from sim.data import load
    from sim.experiments.calibrate import check_posterior

    tool = _tool("window_check")
    scenario = load(ROOT / "scenarios" / "afghanistan_1992_1996")
    # cohesion_weight 0 is the default: the same runs as check_posterior's
    (row,) = tool.check(scenario, "cohesion_weight", ["0"], {}, draws=3, seed=1)
    for cells in ("provinces", "all"):
        expected = check_posterior(scenario, 3, seed=1, record_cells=cells)
        assert row[cells]["combined"] == pytest.approx(expected["combined"], abs=1e-4)
        assert row[cells]["record"] == pytest.approx(expected["record"], abs=1e-4)
    assert len(row["held"]) == 3 and all(0 <= h <= 34 for h in row["held"])
    # a value set by hand changes the runs
    (moved,) = tool.check(scenario, "attack_threshold", ["0.3"], {}, draws=3, seed=1)
    assert moved["all"]["combined"] != row["all"]["combined"]
    # no name: the posterior's draws as they are
    (drawn,) = tool.check(scenario, "", ["as drawn"], {}, draws=3, seed=1)
    assert drawn["all"] == row["all"]


def test_window_check_refuses_a_bad_posterior_file_with_exit_2(tmp_path, capsys):
    import pytest

    tool = _tool("window_check")
    bad = tmp_path / "posterior.yaml"
    bad.write_text("parameters: [no_such_parameter]\nsamples: [[1.0, 0.5]]\n")
    with pytest.raises(SystemExit) as refused:
        tool.main(["--posterior", str(bad), "--draws", "1"])
    assert refused.value.code == 2
    assert "posterior.yaml:1" in capsys.readouterr().err
