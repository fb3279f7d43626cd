"""Scores and baselines on hand-made records, answers worked out by hand in the comments."""
import json
from pathlib import Path

from sim.cli.main import main


def test_score_cli_writes_scores_json(tmp_path, capsys):
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "afghanistan_1992_1996"
    out = tmp_path / "ens"
    assert main(["ensemble", str(scenario), "--replicates", "3", "--seed", "1", "--out", str(out),
                 "--workers", "1", "--quiet"]) == 0
    assert main(["score", str(out)]) == 0
    printed = capsys.readouterr().out
    data = json.loads((out / "scores.json").read_text())
    assert data["kind"] == "free_run" and data["baseline_start"] == "1992-04"
    for window in ("calibration", "holdout", "whole"):
        for cells in ("all", "high"):
            for key in ("model", "persistence", "diffusion", "skill_vs_persistence", "skill_vs_diffusion"):
                assert "accuracy" in data["windows"][window][cells][key]
    assert data["capital_fall"]["recorded"] == "1996-09"
    assert f"{data['windows']['holdout']['all']['model']['accuracy']:.3f}" in printed


def test_score_refuses_an_unfinished_directory(tmp_path, capsys):
    (tmp_path / "control.csv").write_text("replicate,date,territory,controller\n")
    assert main(["score", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
