"""What a run records each month, kept as arrays until the run is turned into tables."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from sim.core.state import State
from sim.mechanisms.bombardment import Bombardment
from sim.mechanisms.combat import Battle
from sim.mechanisms.defection import Defection
from sim.mechanisms.withdrawal import Withdrawal


@dataclass
class History:
    months: list[int] = field(default_factory=list)
    control: list[np.ndarray] = field(default_factory=list)      # [T] per month
    fighters: list[np.ndarray] = field(default_factory=list)     # [F]
    resources: list[np.ndarray] = field(default_factory=list)    # [F]
    support: list[np.ndarray] = field(default_factory=list)      # [F]
    backing: list[np.ndarray] = field(default_factory=list)      # [B, F]
    relation_changes: list[tuple[int, int, int, int]] = field(default_factory=list)  # month, a, b, code
    battles: list[tuple[int, Battle]] = field(default_factory=list)
    defections: list[tuple[int, Defection]] = field(default_factory=list)
    withdrawals: list[tuple[int, Withdrawal]] = field(default_factory=list)
    bombardments: list[tuple[int, Bombardment]] = field(default_factory=list)
    _relation: np.ndarray | None = None

    def copy(self) -> History:
        """An independent history with the same past (arrays are never changed once stored)."""
        return History(**{f.name: (list(v) if isinstance(v := getattr(self, f.name), list) else v)
                          for f in fields(self)})

    def record(self, state: State) -> None:
        """Store the end-of-month state (relations only where they changed)."""
        self.months.append(state.month)
        self.control.append(state.control.copy())
        self.fighters.append(state.garrison.sum(axis=1))
        self.resources.append(state.resources + state.purse)  # all its money, both accounts
        self.support.append(state.support.copy())
        self.backing.append(state.backing)  # replaced, never changed in place, each month
        rel = state.relation
        if rel is self._relation:  # mechanisms replace the array when relations change
            return
        if self._relation is None:
            changed = np.argwhere(np.triu(np.ones_like(rel, dtype=bool), 1))
        else:
            changed = np.argwhere(np.triu(rel != self._relation, 1))
        for a, b in changed:
            self.relation_changes.append((state.month, int(a), int(b), int(rel[a, b])))
        self._relation = rel
