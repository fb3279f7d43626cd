"""Parameter sweeps: spec errors, designs, failures, resume after SIGKILL, dask = local pool.

Sweeps here are small and short (``end`` 1993-06 or 1995-03, a few points): they check the
machinery, not the model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.analysis.evaluate import OUTPUTS
from sim.cli.main import main
from sim.core.streams import replicate_seeds
from sim.data.dates import parse_month
from sim.data.problems import ValidationError
from sim.experiments.sweep import FAIL_POINT_ENV, load_spec, make_design, read_results, run_sweep

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "afghanistan_1992_1996"


def write(folder: Path, text: str, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(text.replace("SCENARIO", str(SCENARIO)), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert hits, needle
    return hits[0]


LATIN = """\
scenario: SCENARIO
design: latin
samples: 4
replicates: 2
seed: 11
end: "1995-03"
parameters:
  csf_exponent: [1.0, 3.0]
  defection_rate: [0.0, 0.6]
outputs: [calibration_loss, capital_fall_share, focus_provinces_end]
"""


# --------------------------------------------------------------------------- spec errors

BAD_SPECS = [
    # (description, text, needle on the expected line or None for line 0, message part)
    ("unknown key", LATIN + "sampels: 8\n", "sampels", "unknown key 'sampels'; valid keys:"),
    ("unknown parameter", LATIN.replace("csf_exponent:", "csf_exponant:"), "csf_exponant",
     "unknown parameter 'csf_exponant'; valid names: alliances, backers, tax_per_capita"),
    ("range outside registry", LATIN.replace("[0.0, 0.6]", "[0.0, 1.5]"), "defection_rate",
     "range [0, 1.5] is outside its plausible range 0..1"),
    ("low >= high", LATIN.replace("[1.0, 3.0]", "[3.0, 1.0]"), "csf_exponent",
     "low 3 must be less than high 1"),
    ("unknown design", LATIN.replace("design: latin", "design: lhs"), "design:",
     "unknown design 'lhs'; valid designs: grid, latin, sobol, morris"),
    ("non-integer samples", LATIN.replace("samples: 4", "samples: 4.5"), "samples:",
     "samples must be a positive integer, got 4.5"),
    ("sobol N not a power of 2",
     LATIN.replace("design: latin", "design: sobol").replace("samples: 4", "samples: 6"),
     "samples:", "samples must be a power of 2 for design sobol"),
    ("unknown output", LATIN.replace("capital_fall_share,", "kabul_fall,"), "outputs:",
     "unknown output 'kabul_fall'; valid outputs: calibration_loss"),
    ("missing scenario", LATIN.replace("scenario: SCENARIO\n", ""), None,
     "missing key 'scenario'"),
    ("scenario not found", LATIN.replace("SCENARIO", "no/such/folder"), "scenario:",
     "scenario folder 'no/such/folder' not found"),
    ("morris levels odd", LATIN.replace("design: latin", "design: morris") + "levels: 3\n",
     "levels:", "levels must be an even integer >= 2, got 3"),
    ("grid given a range", LATIN.replace("design: latin", "design: grid")
     .replace("samples: 4\n", ""), "csf_exponent", "design grid needs {values: [...]}"),
    ("bad grid value", LATIN.replace("design: latin", "design: grid").replace("samples: 4\n", "")
     .replace("[1.0, 3.0]", "{values: [1.0, 9.0]}").replace("[0.0, 0.6]", "{values: [0.1]}"),
     "csf_exponent", "parameter 'csf_exponent' = 9 is outside its range 0.5..4"),
    ("swept and fixed", LATIN + "fixed: {csf_exponent: 2.0}\n", "fixed:",
     "parameter 'csf_exponent' is both swept and fixed"),
    ("bad end", LATIN.replace('"1995-03"', '"1995-13"'), "end:",
     "end: expected a month as 'YYYY-MM'"),
    ("malformed YAML", LATIN.replace("seed: 11", "seed: 11: 12"), "seed:",
     "malformed YAML: mapping values are not allowed here"),
]


@pytest.mark.parametrize("text, needle, message", [b[1:] for b in BAD_SPECS],
                         ids=[b[0] for b in BAD_SPECS])
def test_bad_spec_is_reported_with_file_and_line(tmp_path, text, needle, message):
    path = write(tmp_path, text)
    with pytest.raises(ValidationError) as info:
        load_spec(path)
    line = 0 if needle is None else line_of(path, needle)
    found = [(p.file, p.line, p.message) for p in info.value.problems]
    assert any(f == str(path) and n == line and message in m for f, n, m in found), found


def test_every_problem_at_once_and_cli_exit_2(tmp_path, capsys):
    path = write(tmp_path, LATIN.replace("design: latin", "design: lhs")
                 .replace("csf_exponent:", "csf_exponant:") + "sampels: 8\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line_of(path, 'design:')}: unknown design 'lhs'" in err
    assert f"{path}:{line_of(path, 'csf_exponant')}: unknown parameter 'csf_exponant'" in err
    assert f"{path}:{line_of(path, 'sampels')}: unknown key 'sampels'" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_end_before_the_scenario_start(tmp_path):
    path = write(tmp_path, LATIN.replace('"1995-03"', '"1990-01"'))
    with pytest.raises(ValidationError, match=rf"spec.yaml:{line_of(path, 'end:')}: end 1990-01 "
                       "must be after the scenario's start 1992-04"):
        run_sweep(path, tmp_path / "out", workers=1, progress=False)


# --------------------------------------------------------------------------- designs


@pytest.mark.parametrize("design, samples, points", [
    ("latin", 16, 16),
    ("sobol", 8, 8 * (3 + 2)),     # Saltelli, no second order: N (D + 2)
    ("morris", 5, 5 * (3 + 1)),    # trajectories of D + 1 points
])
def test_design_size_bounds_and_seed(tmp_path, design, samples, points):
    text = (LATIN.replace("design: latin", f"design: {design}")
            .replace("samples: 4", f"samples: {samples}") + "  commit_share: [0.2, 0.9]\n")
    text = text.replace("outputs:", "# outputs:")  # default: every output
    spec = load_spec(write(tmp_path, text))
    assert spec.outputs == OUTPUTS
    first = make_design(spec)
    assert len(first) == spec.n_points == points
    assert list(first.columns) == ["point", "csf_exponent", "defection_rate", "commit_share"]
    assert first["point"].tolist() == list(range(points))
    for axis in spec.parameters:
        assert first[axis.name].between(axis.low, axis.high).all()
        assert first[axis.name].nunique() > 1
    pd.testing.assert_frame_equal(first, make_design(spec))            # same seed
    other = load_spec(write(tmp_path, text.replace("seed: 11", "seed: 12"), "other.yaml"))
    assert not make_design(other).equals(first)                         # another seed


def test_grid_is_the_product_of_the_values(tmp_path):
    spec = load_spec(write(tmp_path, """\
scenario: SCENARIO
design: grid
parameters:
  csf_exponent: {values: [1.0, 2.0]}
  alliances: {values: [recorded, endogenous, scenario]}
"""))
    design = make_design(spec)
    assert spec.n_points == len(design) == 6
    assert list(zip(design["csf_exponent"], design["alliances"], strict=True))[:4] == [
        (1.0, "recorded"), (1.0, "endogenous"), (1.0, "scenario"), (2.0, "recorded")]


# --------------------------------------------------------------------------- runs


def test_failing_point_is_recorded_and_the_others_complete(tmp_path, monkeypatch):
    monkeypatch.setenv(FAIL_POINT_ENV, "1")
    path = write(tmp_path, """\
scenario: SCENARIO
design: grid
replicates: 2
end: "1993-06"
parameters:
  csf_exponent: {values: [1.0, 2.0, 3.0]}
""")
    df = run_sweep(path, tmp_path / "out", workers=2, progress=False)
    assert df["run"].tolist() == list(range(6))
    assert df["seed"].tolist() == replicate_seeds(0, 2) * 3
    failed = df[df["point"] == 1]
    assert (failed["error"] == f"RuntimeError: test hook {FAIL_POINT_ENV}=1").all()
    assert failed[list(OUTPUTS)].isna().all().all()
    ok = df[df["point"] != 1]
    assert (ok["error"] == "").all()
    assert ok[["calibration_loss", "capital_fall_share"]].notna().all().all()


def test_a_row_is_evaluator_run_of_its_point_and_seed_and_models_are_released(tmp_path):
    import mesa

    from sim.analysis.evaluate import Evaluator
    from sim.data import load
    from sim.experiments.simulate import evaluate

    path = write(tmp_path, LATIN.replace("samples: 4", "samples: 2"))
    models_before = len(getattr(mesa.Agent, "_ids", {}))
    df = run_sweep(path, tmp_path / "out", workers=1, progress=False)
    assert len(getattr(mesa.Agent, "_ids", {})) == models_before   # Mesa 3.3 keeps models
    row = df.iloc[3]
    scenario = load(SCENARIO)
    from sim.experiments.parameters import ParameterChoice
    base = ParameterChoice.of(scenario).base()      # the posterior's median, then fixed values
    params = base.replace(csf_exponent=row["csf_exponent"], defection_rate=row["defection_rate"])
    expected = evaluate(Evaluator(scenario, end=parse_month("1995-03")), params, [int(row["seed"])])
    assert row["seed"] == replicate_seeds(11, 2)[1]
    for name in ("calibration_loss", "capital_fall_share", "focus_provinces_end"):
        assert row[name] == expected[name], name


def test_non_empty_directory_and_changed_spec_are_refused(tmp_path):
    path = write(tmp_path, LATIN.replace("samples: 4", "samples: 1").replace(
        "replicates: 2", "replicates: 1"))
    out = tmp_path / "out"
    first = run_sweep(path, out, workers=1, progress=False)
    with pytest.raises(FileExistsError, match="not empty"):
        run_sweep(path, out, workers=1, progress=False)
    pd.testing.assert_frame_equal(run_sweep(path, out, workers=1, progress=False,
                                            resume=True), first)
    write(tmp_path, path.read_text().replace("seed: 11", "seed: 12"))
    with pytest.raises(ValueError, match="the spec differs"):
        run_sweep(path, out, workers=1, progress=False, resume=True)
    assert run_sweep(path, out, workers=1, progress=False, force=True)["seed"].tolist() == \
        replicate_seeds(12, 1)


def _alive(process) -> bool:
    import psutil
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_sigkill_then_resume_equals_an_uninterrupted_sweep(tmp_path):
    path = write(tmp_path, LATIN.replace("samples: 4", "samples: 12"))   # 24 runs
    out = tmp_path / "killed"
    env = dict(os.environ, AFSIM_SWEEP_DELAY="0.1")                       # ~1.4 s of runs
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(path), "--out",
                             str(out), "--workers", "2", "--batch", "2", "--quiet"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not list((out / "parts").glob("part-*.parquet")):
        assert proc.poll() is None and time.monotonic() < deadline, "no part was written"
        time.sleep(0.005)
    import psutil
    workers = psutil.Process(proc.pid).children()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "results.parquet").exists(), "the sweep finished before the kill"
    done_before = sum(pq.read_metadata(p).num_rows for p in (out / "parts").glob("*.parquet"))
    assert 0 < done_before < 24
    assert len(workers) >= 2                                # pool workers (+ resource tracker)
    while any(_alive(p) for p in workers):                  # they die with their parent
        assert time.monotonic() < deadline, "pool workers outlived the killed sweep"
        time.sleep(0.01)

    resumed = run_sweep(path, out, workers=2, progress=False, resume=True)
    assert resumed.attrs["sweep"]["ran"] == 24 - done_before
    reference = run_sweep(path, tmp_path / "straight", workers=2, progress=False)
    pd.testing.assert_frame_equal(resumed, reference, check_exact=True)
    assert resumed.to_csv(index=False) == reference.to_csv(index=False)
    parts = pa.concat_tables([pq.read_table(p) for p in (out / "parts").glob("*.parquet")])
    counts = np.bincount(parts["run"].to_numpy())
    assert len(counts) == 24 and (counts == 1).all()                    # no run repeated


def test_dask_cluster_gives_the_local_pool_table(tmp_path):
    from dask.distributed import LocalCluster

    path = write(tmp_path, LATIN)
    local = run_sweep(path, tmp_path / "local", workers=2, progress=False)
    assert local["focus_provinces_end"].nunique() > 1      # outputs differ between runs
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster:
        remote = run_sweep(path, tmp_path / "dask", scheduler=cluster.scheduler_address,
                           progress=False)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)
    assert local.to_csv(index=False) == remote.to_csv(index=False)
    assert ((tmp_path / "local" / "results.parquet").read_bytes()
            == (tmp_path / "dask" / "results.parquet").read_bytes())
    assert read_results(tmp_path / "dask")["seed"].tolist() == replicate_seeds(11, 2) * 4
