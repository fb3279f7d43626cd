"""Morale: a cohesive force fights harder than a coalition of commanders who each mind their own.

Armies that hold together fight on where divided ones break, desert or surrender: cohesion is
a determinant of battlefield performance apart from numbers and weapons (Castillo 2014,
*Endurance and War*; Lyall 2020, *Divided Armies*; the morale and cohesion terms of Dupuy's
combat effectiveness value, Dupuy 1987). In Afghanistan the movement "promising to 'rid
Afghanistan of warlords and criminals'" met in the south a patchwork of local commanders
(`000_baa254752cc7a07f.txt`; Giustozzi 2009, *Koran, Kalashnikov and Laptop*). Each faction's
strength per fighter is multiplied by

    morale = 1 - weight * (1 - cohesion),

``cohesion`` the faction's documented cohesion as it holds this month (lowered by unpaid
upkeep: :func:`sim.mechanisms.defection.loyalty`), ``weight`` in 0..1: 0 is the model before
(strength from weapons alone), 1 makes a faction of cohesion c fight at c of its strength. The
factor enters everything strength enters — the contest, the choice of offensives, the threat
behind an offer to a commander and aimed-fire losses — so a fighter of a divided force both
deals less and, per unit of strength lost, falls more often.

Shapes: F factions. Pure function.
"""

from __future__ import annotations

import numpy as np


def morale(cohesion: np.ndarray, weight: float) -> np.ndarray:
    """[F] multiplier of strength per fighter: ``1 - weight * (1 - cohesion)``, in [1 - weight, 1]."""
    return 1.0 - weight * (1.0 - np.clip(cohesion, 0.0, 1.0))


def fighting_strength(per_fighter: np.ndarray, cohesion: np.ndarray, weight: float) -> np.ndarray:
    """[F] strength per fighter with morale: ``per_fighter * morale(cohesion, weight)``."""
    if weight == 0:
        return per_fighter  # bit-identical to the model before
    return per_fighter * morale(cohesion, weight)
