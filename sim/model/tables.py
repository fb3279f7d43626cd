"""A finished model's history as the four run tables (pandas), rows in a fixed order.

Columns are those of :data:`sim.data.rundir.COLUMNS`; ``docs/outputs.md`` gives their units.
A contested territory (controller code ``NO_ONE``) is written as ``contested``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.data.dates import format_month
from sim.data.rundir import COLUMNS
from sim.data.vocabulary import CONTESTED, RELATION_NAMES


def tables_of(model, replicate: int = 0) -> dict[str, pd.DataFrame]:
    """The four run tables of a finished :class:`~sim.model.AfsimModel`."""
    w = model.world
    h = model.history
    dates = [format_month(m) for m in h.months]
    n_t, n_f = w.n_territories, w.n_factions
    fids = np.array(w.faction_ids, dtype=object)
    holder_names = np.array([*w.faction_ids, CONTESTED], dtype=object)  # code -1: contested
    control = np.stack(h.control)                                    # [M, T]
    control_df = pd.DataFrame({
        "replicate": replicate,
        "date": np.repeat(dates, n_t),
        "territory": np.tile(np.array(w.territory_ids, dtype=object), len(dates)),
        "controller": holder_names[control.ravel()],
    })
    held = (control[:, None, :] == np.arange(n_f)[None, :, None])     # [M, F, T]
    factions_df = pd.DataFrame({
        "replicate": replicate,
        "date": np.repeat(dates, n_f),
        "faction": np.tile(fids, len(dates)),
        "fighters": np.round(np.stack(h.fighters).ravel(), 1),
        "territories": held.sum(axis=2).ravel(),
        "provinces": (held & w.is_province[None, None, :]).sum(axis=2).ravel(),
        "resources": np.round(np.stack(h.resources).ravel(), 1),
        "support": np.round(np.stack(h.support).ravel(), 1),
    })
    alliances_df = pd.DataFrame(
        [(replicate, format_month(m), w.faction_ids[a], w.faction_ids[b], RELATION_NAMES[c])
         for m, a, b, c in h.relation_changes], columns=COLUMNS["alliances"])
    rows = [(replicate, format_month(m), "battle", w.territory_ids[b.target],
             w.faction_ids[b.attacker], holder_names[b.holder], round(b.chance, 4),
             round(b.attackers, 1), round(b.defenders, 1), round(b.attacker_lost, 1),
             round(b.defender_lost, 1), holder_names[b.attacker if b.won else b.holder])
            for m, b in h.battles]
    rows += [(replicate, format_month(m), "defection", w.territory_ids[d.territory],
              w.faction_ids[d.new], w.faction_ids[d.old], 1.0, 0.0, round(d.fighters, 1),
              0.0, 0.0, w.faction_ids[d.new]) for m, d in h.defections]
    rows += [(replicate, format_month(m), "withdrawal", w.territory_ids[x.target],
              w.faction_ids[x.attacker], holder_names[x.holder], round(x.chance, 4),
              round(x.attackers, 1), round(x.defenders, 1), 0.0, 0.0, w.faction_ids[x.attacker])
             for m, x in h.withdrawals]
    rows += [(replicate, format_month(m), "bombardment", w.territory_ids[x.target],
              w.faction_ids[x.attacker], holder_names[x.holder], 0.0, round(x.attackers, 1),
              0.0, round(x.attacker_lost, 1), round(x.defender_lost, 1), holder_names[x.holder])
             for m, x in h.bombardments]
    battles_df = pd.DataFrame(rows, columns=COLUMNS["battles"])
    battles_df = battles_df.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    backing = np.stack(h.backing)                                       # [M, B, F]
    m_i, b_i, f_i = np.nonzero(backing > 0)
    support_df = pd.DataFrame({
        "replicate": replicate,
        "date": np.array(dates, dtype=object)[m_i] if m_i.size else np.array([], dtype=object),
        "backer": np.array(w.backer_ids, dtype=object)[b_i] if b_i.size else np.array([], dtype=object),
        "faction": fids[f_i] if f_i.size else np.array([], dtype=object),
        "support": np.round(backing[m_i, b_i, f_i], 1),
    }, columns=COLUMNS["support"])
    return {"control": control_df, "factions": factions_df, "alliances": alliances_df,
            "battles": battles_df, "support": support_df}
