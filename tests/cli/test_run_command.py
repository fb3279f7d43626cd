"""The model as a whole: determinism, honesty, invariants, batch_run, golden baseline."""
import json
from pathlib import Path

import pandas as pd

import sim
from sim.cli.main import main
from sim.data import load

ROOT = Path(__file__).resolve().parents[2]


SCENARIO = ROOT / "scenarios" / "afghanistan_1992_1996"


def test_run_cli_writes_the_run_directory_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "--seed", "5", "--out", str(out), "--end", "1992-12"]) == 0
    control = pd.read_csv(out / "control.csv")
    assert list(control.columns) == ["replicate", "date", "territory", "controller"]
    assert control["date"].iloc[-1] == "1992-12" and len(control) == 9 * 41
    manifest = json.loads((out / "manifest.json").read_text())
    expected = \
        sim.Run(load(SCENARIO), seed=5).params.csf_exponent   # drawn by the seed (posterior)
    assert manifest["seeds"] == [5] and manifest["parameters"]["csf_exponent"] == expected
    assert len(manifest["scenario"]["content_hash"]) == 64
    before = (out / "control.csv").read_bytes()
    assert main(["run", str(SCENARIO), "--seed", "6", "--out", str(out)]) == 2
    assert "not empty (use --force" in capsys.readouterr().err
    assert (out / "control.csv").read_bytes() == before
    assert main(["run", str(SCENARIO), "--seed", "6", "--out", str(out), "--force",
                 "--set", "csf_exponent=2"]) == 0
    assert json.loads((out / "manifest.json").read_text())["parameters"]["csf_exponent"] == 2.0
    assert main(["run", str(SCENARIO), "--seed", "6", "--out", str(out), "--force", "--defaults",
                 "--end", "1992-06"]) == 0
    params = json.loads((out / "manifest.json").read_text())["parameters"]
    assert params["csf_exponent"] == 1.5 and params["militia_share"] == 0.004   # registry defaults


def test_bad_set_and_end_are_reported(tmp_path, capsys):
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "x"), "--set", "csf_exponent"]) == 2
    assert "--set expects name=value" in capsys.readouterr().err
    assert main(["run", str(SCENARIO), "--out", str(tmp_path / "y"), "--end", "1990-01"]) == 2
    assert "before the scenario's start" in capsys.readouterr().err
