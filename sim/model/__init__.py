"""Layer 4, model: the Mesa model that wires the mechanisms, its agents, and what a run
records. Holds drivers only, never observations."""

from sim.model.model import AfsimModel
from sim.model.tables import tables_of

__all__ = ["AfsimModel", "tables_of"]
