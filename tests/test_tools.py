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
