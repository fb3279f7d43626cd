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

Whose support counts: the levies are the holder's own people. With ``kin`` weight k they judge
an attacker partly by kinship with the holder rather than by the territory's population at
large: the ratio above becomes ``(1 - k) * min(1, affinity[f, t] / affinity[holder, t]) +
k * kin[f, holder]``, where ``kin[f, h]`` is the support a holder's co-ethnics give f relative to
the holder (1 if f shares h's ethnic base, else the non-ethnic share of support ``1 - e``). In a
mixed province whose shares favour the attacker's group, the holder's kin still defend it
(Dostum's levies in Tajik-plurality Balkh); fronts between ethnic groups held, alignments among
co-ethnics were fluid (Christia 2012). ``k`` 0 is the rule above.

Shapes: F factions, T territories. Pure function.
"""

from __future__ import annotations

import numpy as np


def kinship(faction_ethnic: np.ndarray, ethnic_affinity: float) -> np.ndarray:
    """[F, F] support the co-ethnics of holder h give faction f, relative to h: 1 for a shared
    ethnic base, ``1 - ethnic_affinity`` (the support no ethnic tie brings) otherwise."""
    same = faction_ethnic[:, None] == faction_ethnic[None, :]
    return np.where(same, 1.0, 1.0 - ethnic_affinity)


def turnout(base: np.ndarray, control: np.ndarray, affinity: np.ndarray,
            partisanship: float, kin: np.ndarray | None = None,
            kin_weight: float = 0.0) -> np.ndarray:
    """[F, T] strength of the levies that defend each territory for its holder against each
    attacker ``f``; 0 where nobody holds the territory.

    Args:
        base: [F, T] levies a holder f could raise in t (fighter-strength units).
        control: [T] holder index (negative: nobody).
        affinity: [F, T] share of t's people who support f (positive).
        partisanship: 0..1.
        kin: [F, F] from :func:`kinship`; used with ``kin_weight`` > 0.
        kin_weight: 0..1, how far the levies judge an attacker by kinship with the holder.
    """
    n_f, n_t = base.shape
    cols = np.arange(n_t)
    held = control >= 0
    holder = np.where(held, control, 0)
    own = base[holder, cols] * held                                      # [T]
    relative = np.minimum(1.0, affinity / np.maximum(affinity[holder, cols], 1e-12)[None, :])
    if kin is not None and kin_weight > 0:
        relative = (1.0 - kin_weight) * relative + kin_weight * kin[:, holder]
    willing = 1.0 - partisanship * relative                               # [F, T]
    return own[None, :] * willing
