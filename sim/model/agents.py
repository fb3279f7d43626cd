"""Mesa agents and cells of the model: views onto the run's state arrays.

The mechanisms work on whole arrays (fast, testable on small hand-made worlds); these
objects give users of Mesa the usual handles — ``model.agents_by_type[Faction]``, a
cell's ``garrisons`` — without holding a second copy of the state.
"""

from __future__ import annotations

import mesa
from mesa.discrete_space import Cell

from sim.data.vocabulary import CONTESTED


class TerritoryCell(Cell):
    """A territory of the Network space: its static properties and who is in it."""

    def bind(self, model, index: int, territory) -> None:
        self.model = model
        self.index = index
        self.territory = territory

    @property
    def controller(self) -> str:
        code = int(self.model.state.control[self.index])
        return self.model.world.faction_ids[code] if code >= 0 else CONTESTED

    @property
    def garrisons(self) -> dict[str, float]:
        """Fighters of each faction present, by faction id."""
        column = self.model.state.garrison[:, self.index]
        return {f: float(x) for f, x in zip(self.model.world.faction_ids, column, strict=True)
                if x > 0}


class Faction(mesa.Agent):
    """A faction: its numbers live in the state arrays at row ``index``."""

    def __init__(self, model, index: int, spec) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.faction_id = spec.id

    @property
    def fighters(self) -> float:
        return float(self.model.state.garrison[self.index].sum())

    @property
    def resources(self) -> float:
        """All its money (k$): the army's account and the purse for buying commanders."""
        s = self.model.state
        return float(s.resources[self.index] + s.purse[self.index])

    @property
    def territories(self) -> list[str]:
        ids = self.model.world.territory_ids
        return [ids[t] for t, c in enumerate(self.model.state.control) if c == self.index]

    @property
    def active(self) -> bool:
        return bool(self.model.state.active[self.index])


class Backer(mesa.Agent):
    """A foreign backer: budget and preferences over its proxies at row ``index``."""

    def __init__(self, model, index: int, spec) -> None:
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.backer_id = spec.id

    @property
    def budget(self) -> float:
        return float(self.model.state.budget[self.index])

    @property
    def preference(self) -> dict[str, float]:
        row = self.model.state.preference[self.index]
        return {f: float(x) for f, x in zip(self.model.world.faction_ids, row, strict=True) if x > 0}
