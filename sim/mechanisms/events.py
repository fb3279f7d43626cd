"""Driver events: the documented decisions and shocks applied on their month.

Each kind changes the state as docs/scenario-format.md says; none hands over territory
(a change of control is an observation, never a driver). Events of a month apply in
file order at the start of the month.
"""

from __future__ import annotations

import numpy as np

from sim.core.state import State
from sim.core.world import World
from sim.data.schema import Event


def apply(state: State, events: tuple[Event, ...], world: World, leader_loss: float) -> State:
    """New state with the month's events applied."""
    if not any(e.kind != "note" for e in events):
        return state
    s = state.copy()
    f_index = {f: i for i, f in enumerate(world.faction_ids)}
    t_index = {t: i for i, t in enumerate(world.territory_ids)}
    b_index = {b: i for i, b in enumerate(world.backer_ids)}
    month = state.month
    for e in events:
        if e.kind == "faction_enters":
            f = f_index[e.actor]
            s.active[f] = True
            s.garrison[f, t_index[e.target]] += e.fighters or 0.0
            s.resources[f] += e.resources or 0.0
        elif e.kind == "leader_killed":
            s.garrison[f_index[e.actor]] *= 1.0 - leader_loss
        elif e.kind == "ceasefire":
            last = month + (e.months or 1) - 1
            a = f_index[e.actor]
            others = np.arange(world.n_factions) if e.target == "all" else [f_index[e.target]]
            for b in others:
                if b != a:
                    s.truce_until[a, b] = s.truce_until[b, a] = max(s.truce_until[a, b], last)
        elif e.kind == "head_of_state":
            s.state_revenue[:] = 0.0
            s.state_revenue[f_index[e.actor]] = e.resources or 0.0
        elif e.kind == "backer_budget":
            s.budget[b_index[e.actor]] = e.resources or 0.0
        elif e.kind == "blockade":
            t = t_index[e.target]
            s.closed_until[t] = max(s.closed_until[t], month + (e.months or 1) - 1)
    return s
