"""Calibration: a tiny budget finds a better set on a problem whose optimum is known."""


import pytest
import yaml
from tiny import FILES, write_tiny  # noqa: E402

from sim.analysis.evaluate import Evaluator
from sim.data import load
from sim.data.params import Params
from sim.data.problems import ValidationError
from sim.experiments.calibrate import calibrate, load_spec
from sim.experiments.simulate import evaluate


@pytest.fixture
def static_tiny(tmp_path):
    """The tiny scenario with a record in which nothing ever changes hands.

    The optimum is known: any set under which red never attacks nor buys blue's
    garrisons reproduces the record exactly (loss 0), e.g. attack_threshold 0.9 and
    defection_rate 0; the registry defaults let red take AF-BBB (loss 4/27 here).
    """
    folder = write_tiny(tmp_path / "tiny")
    (folder / "observations.csv").write_text(FILES["observations.csv"].splitlines()[0] + "\n")
    return folder


def write_spec(tmp_path, scenario, **extra):
    spec = {"scenario": str(scenario), "parameters": {"attack_threshold": [0.3, 0.9],
                                                      "defection_rate": [0.0, 1.0]},
            "trials": 12, "replicates": 2, "seed": 3, "startup_trials": 4, "holdout_replicates": 3}
    spec.update(extra)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    return path


def test_calibration_lowers_the_loss_below_its_start(tmp_path, static_tiny):
    scenario = load(static_tiny)
    evaluator = Evaluator(scenario, end=scenario.calibration.end)
    start = evaluate(evaluator, Params.make(), [1, 2])["calibration_loss"]
    assert start > 0.1
    assert evaluate(evaluator, Params.make({"attack_threshold": 0.9, "defection_rate": 0.0}), [1, 2])[
        "calibration_loss"] == 0.0
    save = tmp_path / "calibration" / "tiny.yaml"
    record = calibrate(write_spec(tmp_path, static_tiny), tmp_path / "study", save=save, progress=False)
    best = record["provenance"]["best_calibration_loss"]
    assert best < start
    saved = yaml.safe_load(save.read_text())
    assert saved["provenance"]["scenario_drivers_hash"] == scenario.drivers.hash
    assert saved["provenance"]["budget"]["finished"] == 12
    assert set(saved["parameters"]) == {"attack_threshold", "defection_rate"}
    assert set(saved["provenance"]["scores"]) == {"default", "calibrated"}
    # resuming with a larger budget runs only the missing trials
    record = calibrate(write_spec(tmp_path, static_tiny, trials=15), tmp_path / "study", progress=False)
    assert record["provenance"]["budget"]["finished"] == 15
    assert record["provenance"]["best_calibration_loss"] <= best


def test_bad_specs_are_reported_with_file_and_line(tmp_path, static_tiny):
    path = tmp_path / "bad.yaml"
    path.write_text(f"scenario: {static_tiny}\nparameters:\n  csf_exponent: [3, 2]\n"
                    "  nope: [0, 1]\n  mountain_defence: [0.1, 2]\ntrials: -1\ncolour: red\n")
    with pytest.raises(ValidationError) as err:
        load_spec(path)
    text = str(err.value)
    assert "bad.yaml:3: parameter 'csf_exponent': low 3 must be less than high 2" in text
    assert "bad.yaml:4: unknown parameter 'nope'" in text
    assert ("bad.yaml:5: parameter 'mountain_defence': range [0.1, 2] is outside its plausible "
            "range 1..4") in text
    assert "bad.yaml:6: trials must be an integer >= 1, got -1" in text
    assert "bad.yaml:7: unknown key 'colour'" in text
