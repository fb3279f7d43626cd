"""A run of one scenario in the terms of another's record: how far a model carries beyond its
own war (the 1992-96 run continued to 2001, scored against the 1996-2001 record).

The two scenarios share territory and faction ids where they mean the same thing (the
provinces' ISO codes, the factions that fought in both). Of the run's control table this keeps the
target's months and territories; a target sub-node the run does not have takes its parent
province's holder (the run had no finer place); a holder the target does not know (a faction
of the earlier war that is gone) stays in the table under its own name, so the scorer counts
it as a holder of its own, never the recorded one.
"""

from __future__ import annotations

import pandas as pd

from sim.data import Scenario
from sim.data.dates import format_month


def control_in_terms_of(target: Scenario, control: pd.DataFrame) -> pd.DataFrame:
    """``control`` (replicate, date, territory, controller) restricted and mapped to
    ``target``'s months and territories."""
    d = target.drivers
    first, last = format_month(d.start), format_month(d.end)
    inside = control[(control["date"] >= first) & (control["date"] <= last)]
    have = set(inside["territory"].unique())
    parts = [inside[inside["territory"].isin(set(d.territory_ids))]]
    for territory in d.territories:
        if territory.id not in have and territory.parent in have:
            borrowed = inside[inside["territory"] == territory.parent].copy()
            borrowed["territory"] = territory.id
            parts.append(borrowed)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["replicate", "date", "territory"], kind="stable").reset_index(drop=True)


def missing_territories(target: Scenario, control: pd.DataFrame) -> list[str]:
    """Target territories the run has neither itself nor through its parent: scored as held by
    no one the record knows."""
    have = set(control["territory"].unique())
    return [t.id for t in target.drivers.territories
            if t.id not in have and t.parent not in have]
