"""Killing a command part-way: no worker outlives it, and what it left is refused."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SCENARIO_DIR

from sim.cli import main


def _processes_with(marker: str) -> list[int]:
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmd:
            found.append(int(pid))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_outlives_a_killed_ensemble(tmp_path, sig, capsys):
    out = tmp_path / f"killed-{sig.name}"
    proc = subprocess.Popen([sys.executable, "-m", "sim", "ensemble", str(SCENARIO_DIR),
                             "--replicates", "5000", "--workers", "2", "--seed", "1", "--out",
                             str(out), "--quiet"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    partial = out / "control.csv.partial"
    # until the workers have written something; a generous deadline: on a loaded machine
    # starting the workers takes longer, and the test is about what a kill leaves
    deadline = time.time() + 240
    while time.time() < deadline:
        if (partial.is_file() and partial.stat().st_size > 10_000
                and len(_processes_with(str(out))) >= 2):
            break
        time.sleep(0.2)
    assert partial.is_file() and partial.stat().st_size > 10_000
    assert len(_processes_with(str(out))) >= 2    # the command and its workers
    proc.send_signal(sig)
    proc.wait(timeout=30)
    deadline = time.time() + 10
    while _processes_with(str(out)) and time.time() < deadline:
        time.sleep(0.2)
    assert _processes_with(str(out)) == []        # no orphan
    assert not (out / "manifest.json").exists()
    assert main(["score", str(out)]) == 2         # an unfinished directory is refused
    assert "not a finished run directory" in capsys.readouterr().err
