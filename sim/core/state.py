"""The changing state of one run: plain arrays the mechanisms read and the model replaces.

Shapes: F factions, T territories, B backers. Everything that changes during a run is
here; everything fixed is in :class:`sim.core.world.World`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.core.world import World
from sim.data import Drivers
from sim.data.vocabulary import CONTESTED, NO_ONE


@dataclass
class State:
    month: int
    control: np.ndarray        # [T] holder index
    garrison: np.ndarray       # [F, T] fighters
    resources: np.ndarray      # [F] k$
    active: np.ndarray         # [F] bool: in the war
    relation: np.ndarray       # [F, F] HOSTILE / NEUTRAL / ALLIED
    truce_until: np.ndarray    # [F, F] last month of a ceasefire (-1: none)
    closed_until: np.ndarray   # [T] last month of a blockade (-1: none)
    state_revenue: np.ndarray  # [F] k$ per month (the head of state's)
    budget: np.ndarray         # [B] k$ per month
    preference: np.ndarray     # [B, F] backer's weights over its proxies
    betrayals: np.ndarray      # [F, F] remembered betrayals
    commitment: np.ndarray     # [F, F] 0..1
    support: np.ndarray        # [F] k$ received from backers this month
    backing: np.ndarray        # [B, F] k$ each backer gave each faction this month
    recruits: np.ndarray       # [F] fighters enlisted this month
    armament: np.ndarray       # [F] heavy weapons per fighter (starts at the faction's rating)
    momentum: np.ndarray       # [F] net territories taken per month lately
    volunteers: np.ndarray     # [F] foreign volunteers serving (inside the garrisons)
    volunteers_army: np.ndarray  # [F] the faction's fighters when ``volunteers`` was counted
    purse: np.ndarray          # [F] k$ kept for buying commanders (not for the army's pay)

    def copy(self) -> State:
        return State(**{f.name: _copy(getattr(self, f.name)) for f in fields(self)})


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def initial_state(drivers: Drivers, world: World) -> State:
    """The documented situation at the start month.

    Each faction's fighters not listed under ``deployments`` are spread over the
    territories it holds in proportion to population (over its home territories if it
    holds none). A faction that enters later starts with nothing and is not active.
    """
    t_index = {t: i for i, t in enumerate(world.territory_ids)}
    f_index = {f: i for i, f in enumerate(world.faction_ids)}
    n_f, n_t = world.n_factions, world.n_territories
    f_index[CONTESTED] = NO_ONE
    control = np.array([f_index[drivers.initial_control[t]] for t in world.territory_ids],
                       dtype=np.int64)
    garrison = np.zeros((n_f, n_t))
    active = world.entry_month <= drivers.start
    for f, faction in enumerate(drivers.factions):
        if not active[f]:
            continue
        for tid, fighters in faction.deployments.items():
            garrison[f, t_index[tid]] += fighters
        rest = max(faction.fighters - sum(faction.deployments.values()), 0.0)
        where = control == f
        if not where.any():
            where = world.home[f]
        weights = world.population * where
        if weights.sum() > 0:
            garrison[f] += rest * weights / weights.sum()
    resources = np.array([f.resources for f in drivers.factions], dtype=float) * active
    commitment = (world.relation_start == 2).astype(float)
    np.fill_diagonal(commitment, 0.0)
    return State(
        month=drivers.start,
        control=control,
        garrison=garrison,
        resources=resources,
        active=active,
        relation=world.relation_start.copy(),
        truce_until=np.full((n_f, n_f), -1, dtype=np.int64),
        closed_until=np.full(n_t, -1, dtype=np.int64),
        state_revenue=np.zeros(n_f),
        budget=world.budget.copy(),
        preference=world.proxy_weight.copy(),
        betrayals=np.zeros((n_f, n_f)),
        commitment=commitment,
        support=np.zeros(n_f),
        backing=np.zeros((len(world.backer_ids), n_f)),
        recruits=np.zeros(n_f),
        armament=world.heavy_weapons.astype(float).copy(),
        momentum=np.zeros(n_f),
        volunteers=np.zeros(n_f),
        volunteers_army=np.zeros(n_f),
        purse=np.zeros(n_f),
    )
