"""Sensitivity indices from a small Morris sweep, and the report's optional sections."""

import json
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.scores import score_directory
from sim.cli.main import main
from sim.experiments import sensitivity
from sim.experiments.ensemble import run_ensemble
from sim.experiments.sweep import run_sweep
from sim.report.sections import comparison_section, sensitivity_section

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "afghanistan_1992_1996"


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("morris")
    spec = folder / "spec.yaml"
    # balance_weight only acts through the endogenous alliance rules; the scenario replays
    # the recorded alliances, so with common seeds its elementary effects are exactly 0
    spec.write_text(f"""scenario: {SCENARIO}
design: morris
samples: 4
levels: 4
replicates: 2
seed: 3
parameters:
  balance_weight: [0.0, 5.0]
  defection_rate: [0.0, 1.0]
  attack_threshold: [0.3, 0.9]
""")
    run_sweep(spec, folder / "out", workers=1, progress=False)
    return folder / "out"


def test_a_parameter_without_effect_gets_zero_and_others_do_not(morris_sweep):
    table = sensitivity.analyse(morris_sweep, ("holdout_skill", "focus_provinces_end"))
    assert len(table) == 2 * 3
    row = table.set_index(["output", "parameter"])
    for output in ("holdout_skill", "focus_provinces_end"):
        assert row.loc[(output, "balance_weight"), "mu_star"] == 0.0
    assert row.loc[("focus_provinces_end", "defection_rate"), "mu_star"] > 0
    assert (table["mu_star_conf"].dropna() >= 0).all()


def test_sensitivity_cli_writes_table_plot_and_json(morris_sweep, capsys):
    assert main(["sensitivity", str(morris_sweep), "--outputs", "focus_provinces_end",
                 "capital_fall_share"]) == 0
    out = capsys.readouterr().out
    assert "balance_weight" in out
    records = json.loads((morris_sweep / "sensitivity.json").read_text())
    assert {r["output"] for r in records} == {"focus_provinces_end", "capital_fall_share"}
    png = (morris_sweep / "sensitivity.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    title, body = sensitivity_section(morris_sweep, morris_sweep / "report")
    assert "Morris" in body and (morris_sweep / "report" / "sensitivity.png").is_file()


def test_a_grid_sweep_has_no_indices(tmp_path):
    spec = tmp_path / "grid.yaml"
    spec.write_text(f"scenario: {SCENARIO}\ndesign: grid\nreplicates: 1\nseed: 1\nend: '1992-08'\n"
                    "parameters:\n  csf_exponent: {values: [1.0, 2.0]}\n")
    run_sweep(spec, tmp_path / "g", workers=1, progress=False)
    with pytest.raises(ValueError, match="has no sensitivity indices"):
        sensitivity.analyse(tmp_path / "g")


def test_comparison_section_shows_both_runs_scores(tmp_path):
    for name, defaults in (("cal", False), ("def", True)):
        from sim.data import load
        from sim.data.params import Params
        scenario = load(SCENARIO)
        params = Params.make() if defaults else Params.make({"csf_exponent": 2.0})
        run_ensemble(tmp_path / name, scenario, replicates=2, root_seed=1, params=params,
                     workers=1, progress=False)
        score_directory(tmp_path / name)
    title, body = comparison_section(tmp_path / "cal", tmp_path / "def")
    cal = json.loads((tmp_path / "cal" / "scores.json").read_text())
    default = json.loads((tmp_path / "def" / "scores.json").read_text())
    acc = [s["windows"]["holdout"]["all"]["model"]["accuracy"] for s in (cal, default)]
    assert f'data-key="compare.0.windows.holdout.all.model.accuracy">{acc[0]:.3f}<' in body
    assert f'data-key="compare.1.windows.holdout.all.model.accuracy">{acc[1]:.3f}<' in body
    assert "registry defaults" in body and "scenario set" in body
    assert np.isfinite(acc[0])
