"""Colours and display names of factions and relations, for every plot and map.

A faction keeps its colour in every figure of every report, so that a reader who learns a
faction's colour once can read all of them. Colours and short names come from the scenario
(``colour`` and ``short_name`` in ``factions.yaml``; the 1992-96 scenario uses the Okabe-Ito
palette, distinguishable under the common colour-vision deficiencies). A faction that gives
none gets a stable colour from a fallback palette chosen by a hash of its id, never by its
position in a list, so adding a faction to a scenario does not recolour the others.
"""

from __future__ import annotations

import hashlib

# Colours and short names given by the scenario's factions.yaml (register() fills them).
FACTION_COLOURS: dict[str, str] = {}
FACTION_NAMES: dict[str, str] = {}


def register(factions) -> None:
    """Take each faction's ``colour`` and ``short_name`` from the scenario (``factions.yaml``);
    a faction that gives none keeps the stable fallback."""
    for faction in factions:
        if faction.colour:
            FACTION_COLOURS[faction.id] = faction.colour
        if faction.short_name:
            FACTION_NAMES[faction.id] = faction.short_name


# Paul Tol's "muted" palette minus the hues already taken above.
_FALLBACK = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77",
             "#CC6677", "#AA4499")

CONTESTED = "contested"
CONTESTED_COLOUR = "#FFFFFF"  # drawn hatched on maps
CONTESTED_NAME = "Contested (recorded)"

# Blue / sand / red rather than green / red: readable with red-green deficiencies.
RELATION_COLOURS: dict[str, str] = {
    "allied": "#4477AA",
    "neutral": "#DDCC77",
    "hostile": "#EE8866",
}


def faction_colour(faction: str) -> str:
    """The fixed hex colour of ``faction`` (a stable fallback for unknown ids)."""
    if faction in FACTION_COLOURS:
        return FACTION_COLOURS[faction]
    if faction == CONTESTED:
        return CONTESTED_COLOUR
    # hashlib rather than hash(): str hashes change between interpreter runs.
    digest = hashlib.sha256(faction.encode("utf-8")).digest()
    return _FALLBACK[digest[0] % len(_FALLBACK)]


def faction_name(faction: str) -> str:
    """A short display name: the fixed one, else the id made readable."""
    if faction in FACTION_NAMES:
        return FACTION_NAMES[faction]
    if faction == CONTESTED:
        return CONTESTED_NAME
    return faction.replace("_", " ").capitalize()


def shade(colour: str, strength: float) -> tuple[float, float, float]:
    """``colour`` blended with white: ``strength`` 1 is the colour itself, 0 is white.

    Blending (instead of transparency) keeps a province's shade independent of what is
    drawn beneath it.
    """
    hexcode = colour.lstrip("#")
    rgb = [int(hexcode[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    s = min(max(float(strength), 0.0), 1.0)
    r, g, b = (1.0 - s * (1.0 - c) for c in rgb)
    return (r, g, b)
