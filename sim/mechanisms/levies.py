"""Local levies: who turns out to defend a territory for its holder, against whom.

A territory's levies (unpaid local men, a share of the people who support the holder) defend
it against an attacker the people support less than the holder; against one they support as
much or more, they stay home. Civilian collaboration in civil wars follows preference as well
as control (Kalyvas 2006, *The Logic of Violence in Civil War*), and in Afghanistan alignments
among co-ethnic commanders were fluid while fronts between ethnic groups held (Christia 2012,
*Alliance Formation in Civil Wars*). The source: the Taliban, "a movement of religious
students (talib) from the Pashtun areas of eastern and southern Afghanistan", "promising to
'rid Afghanistan of warlords and criminals'", took Kandahar "and soon went on to capture most
of the south" — the Pashtun south held by Pashtun commanders — while Herat and Kabul, held
by Tajik-led forces, resisted for a year or two (000_baa254752cc7a07f.txt).

    levies[f, t] = base[holder, t] * (1 - partisanship * min(1, affinity[f, t] / affinity[holder, t]))

``partisanship`` 0 gives every attacker the same levies (the model before this mechanism);
1 sends them all home against an attacker the people support as much as the holder.

Shapes: F factions, T territories. Pure function.
"""

from __future__ import annotations

import numpy as np


def turnout(base: np.ndarray, control: np.ndarray, affinity: np.ndarray,
            partisanship: float) -> np.ndarray:
    """[F, T] strength of the levies that defend each territory for its holder against each
    attacker ``f``; 0 where nobody holds the territory.

    Args:
        base: [F, T] levies a holder f could raise in t (fighter-strength units).
        control: [T] holder index (negative: nobody).
        affinity: [F, T] share of t's people who support f (positive).
        partisanship: 0..1.
    """
    n_f, n_t = base.shape
    cols = np.arange(n_t)
    held = control >= 0
    holder = np.where(held, control, 0)
    own = base[holder, cols] * held                                      # [T]
    relative = affinity / np.maximum(affinity[holder, cols], 1e-12)[None, :]
    willing = 1.0 - partisanship * np.minimum(1.0, relative)              # [F, T]
    return own[None, :] * willing
