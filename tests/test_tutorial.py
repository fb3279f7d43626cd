"""The README's tutorial runs exactly as written, except that every replicate count is 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
BLOCK = re.compile(r"<!-- tutorial -->\s*```sh\n(.*?)```\s*<!-- /tutorial -->", re.S)


def tutorial_script() -> str:
    found = BLOCK.findall(README.read_text(encoding="utf-8"))
    assert len(found) == 1, "README.md: one ```sh block between <!-- tutorial --> markers"
    return found[0]


def test_the_tutorial_block_is_found_and_covers_every_step():
    script = tutorial_script()
    for command in ("afsim ensemble", "afsim score", "afsim report", "--set ", "afsim validate",
                    "afsim compare", "afsim sweep", "afsim sensitivity"):
        assert command in script, command


def test_the_readme_tutorial_runs_as_written(tmp_path: Path):
    # the clone's layout, with the venv this test runs in as .venv
    for name in ("scenarios", "sweeps"):
        (tmp_path / name).symlink_to(REPO_ROOT / name)
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    script = re.sub(r"--replicates \d+", "--replicates 2", tutorial_script())
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script + "\n"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    runs = tmp_path / "runs" / "tutorial"
    for name in ("base", "mountains", "no_turn"):
        scores = json.loads((runs / name / "scores.json").read_text())
        assert set(scores["windows"]) >= {"calibration", "holdout"}
    assert (runs / "base" / "report" / "index.html").stat().st_size > 10_000
    compared = json.loads((runs / "compare" / "compare.json").read_text())
    assert [r["name"] for r in compared["runs"]] == ["base", "mountains", "no_turn"]
    assert (runs / "compare" / "index.html").is_file()
    assert "mu_star" in done.stdout  # the Morris table was printed
