"""The golden-baseline summary: a short fixed run reduced to numbers a reviewer can read.

``tools/make_golden.py`` writes it to ``tests/golden/baseline.json``; the test compares a
fresh run with that file. Only the script rewrites the file, after a deliberate change.
"""

from __future__ import annotations

import hashlib

from sim.model import AfsimModel, tables_of

GOLDEN_SEED = 20260401
GOLDEN_END = "1993-12"


def summary(scenario) -> dict:
    model = AfsimModel(scenario, seed=GOLDEN_SEED, end=GOLDEN_END).run()
    tables = tables_of(model)
    factions = tables["factions"]
    last = factions[factions["date"] == factions["date"].max()]
    control_csv = tables["control"].to_csv(index=False, lineterminator="\n").encode()
    return {
        "seed": GOLDEN_SEED,
        "end": GOLDEN_END,
        "battles": int((tables["battles"]["kind"] == "battle").sum()),
        "defections": int((tables["battles"]["kind"] == "defection").sum()),
        "provinces_at_end": {r.faction: int(r.provinces) for r in last.itertuples()},
        "fighters_at_end": {r.faction: round(float(r.fighters)) for r in last.itertuples()},
        "capital_holders": sorted(set(tables["control"].query("territory == @scenario.capital")["controller"])),
        "control_sha256": hashlib.sha256(control_csv).hexdigest(),
    }
