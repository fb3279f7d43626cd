"""Regenerate tests/golden/baseline.json after a deliberate change of the model.

Run from the project root: .venv/bin/python tools/make_golden.py
Review the diff of the JSON before committing it.
"""

import json
from pathlib import Path

from sim.data import load
from sim.experiments.golden import summary

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    data = summary(load(ROOT / "scenarios" / "afghanistan_1992_1996"))
    out = ROOT / "tests" / "golden" / "baseline.json"
    out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
