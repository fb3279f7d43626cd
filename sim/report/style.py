"""Fixed colours and display names of factions and relations, for every plot and map.

A faction keeps its colour in every figure of every report, so that a reader who learns
"blue is Jamiat" once can read all of them. The ten factions of the 1992-96 scenario use
the Okabe-Ito palette (distinguishable under the common colour-vision deficiencies) plus
wine and brown; the Taliban are near-black, so that lightened (low-share) Taliban areas
read as greys that no other faction uses. Any other id gets a stable colour from a
fallback palette chosen by a hash of the id, never by its position in a list, so adding
a faction to a scenario does not recolour the others.
"""

from __future__ import annotations

import hashlib

FACTION_COLOURS: dict[str, str] = {
    "jamiat": "#0072B2",            # blue
    "hezb_gulbuddin": "#D55E00",    # vermillion
    "junbish": "#E69F00",           # orange
    "wahdat": "#009E73",            # bluish green
    "ittehad": "#CC79A7",           # reddish purple
    "harakat": "#56B4E9",           # sky blue
    "hezb_khalis": "#F0E442",       # yellow
    "ismaili": "#882255",           # wine
    "local_commanders": "#8C6D46",  # brown
    "taliban": "#222222",           # near-black
}

FACTION_NAMES: dict[str, str] = {
    "jamiat": "Jamiat-e Islami",
    "hezb_gulbuddin": "Hezb-e Islami (Hekmatyar)",
    "junbish": "Junbish-i Milli",
    "wahdat": "Hezb-i Wahdat",
    "ittehad": "Ittehad-e Islami",
    "harakat": "Harakat-i Inqilab",
    "hezb_khalis": "Hezb-e Islami (Khalis)",
    "ismaili": "Ismaili militia",
    "local_commanders": "Local commanders",
    "taliban": "Taliban",
}

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
