"""The explorer in a real browser: `afsim explore` serves it, headless Chromium loads it, the
test steps the model and reads the month and the capital's holder off the page; the replay of
a run directory shows the month its slider is moved to. Skipped (with the reason) where no
Chromium is installed; `.ci/run` installs Debian's."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser import Browser, find_browser
from conftest import SCENARIO_DIR

from sim.data.dates import format_month
from sim.experiments.ensemble import run_ensemble
from sim.report.style import faction_name

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no chromium on this machine (Debian: "
                                                        "apt-get install chromium)")
SHOTS = Path(os.environ.get("AFSIM_SCREENSHOTS", "")) if os.environ.get("AFSIM_SCREENSHOTS") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(target: Path, cwd: Path):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "sim", "explore", str(target),
                                "--port", str(port)], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}/"
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read())
        time.sleep(0.3)
    process.kill()
    raise TimeoutError("the explorer did not start")


def stop(process) -> None:
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


def shot(browser: Browser, tmp_path: Path, name: str) -> Path:
    path = browser.screenshot((SHOTS or tmp_path) / name)
    assert path.stat().st_size > 20_000  # a page with maps, not a blank one
    return path


def expected_capital_holder(steps: int) -> tuple[str, str]:
    """The month and the capital's holder after ``steps`` steps of the explorer's model."""
    from sim.explorer.app import ExplorerModel
    model = ExplorerModel(str(SCENARIO_DIR), 1)
    for _ in range(steps):
        model.step()
    capital = model.world.territory_ids.index(model.scenario.capital)
    return format_month(model.state.month), faction_name(model.world.faction_ids[
        model.state.control[capital]])


def test_live_model_steps_in_the_browser(tmp_path):
    process, url = serve(SCENARIO_DIR, tmp_path)
    browser = Browser(BROWSER)
    try:
        browser.open(url)
        first = browser.wait_for(r"Month (\d{4}-\d\d) · Kabul held by ([^\n]+)")
        assert first.groups() == expected_capital_holder(0)
        for _ in range(3):
            browser.click("Step")
            time.sleep(0.5)
        month, holder = expected_capital_holder(3)
        browser.wait_for(rf"Month {month} · Kabul held by {re.escape(holder)}")
        time.sleep(1)  # let the figures arrive
        shot(browser, tmp_path, "explorer-live.png")
        assert "Model Parameters" in browser.text() and "csf_exponent" in browser.text()
    finally:
        browser.close()
        stop(process)


def test_replay_of_a_run_directory_follows_its_month_buttons(tmp_path):
    run = tmp_path / "run"
    run_ensemble(run, SCENARIO_DIR, replicates=3, root_seed=1, workers=1, progress=False,
                 end="1992-09")
    process, url = serve(run, tmp_path)
    browser = Browser(BROWSER)
    try:
        browser.open(url)
        browser.wait_for(r"Month 1992-04 · Kabul held by [^\n]+ · 3 replicates")
        for _ in range(2):
            browser.click("month ▶")
            time.sleep(0.5)
        browser.wait_for(r"Month 1992-06 · Kabul held by [^\n]+ · 3 replicates")
        time.sleep(1)
        shot(browser, tmp_path, "explorer-replay.png")
    finally:
        browser.close()
        stop(process)


def test_a_bad_target_is_refused_before_any_server_starts(tmp_path):
    done = subprocess.run([sys.executable, "-m", "sim", "explore", str(tmp_path / "nothing")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "nothing" in done.stderr
