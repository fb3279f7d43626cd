"""The words of the data contract and the integer codes the model's arrays hold for them.

Text values are what scenario files say; codes are what arrays store. One module, so that
the loader, the model, the analysis and the report cannot disagree about either.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

# --- words of the scenario files
TERRAINS = ("plain", "hills", "mountain", "urban")
LINK_KINDS = ("road", "pass", "mountain")
RELATIONS = ("allied", "neutral", "hostile")
CONFIDENCES = ("high", "medium", "low")
POSTURES = ("active", "defensive")
ALLIANCE_MODES = ("recorded", "endogenous")
BACKER_MODES = ("recorded", "endogenous")
CONTESTED = "contested"  # the one controller value that is not a faction: nobody holds it
# in observations only: from this row the source says the holder changed at an unplaced time,
# so carrying the previous holder forward is no evidence (until the next row)
UNKNOWN = "unknown"
SHARE_TOLERANCE = 0.02   # ethnic shares must sum to 1 within this

# kind -> (actor type, target type, required numbers)
EVENT_KINDS: Mapping[str, tuple[str, str, tuple[str, ...]]] = MappingProxyType({
    "faction_enters": ("faction", "territory", ("fighters", "resources")),
    "leader_killed": ("faction", "territory?", ()),
    "ceasefire": ("faction", "faction_or_all", ("months",)),
    "head_of_state": ("faction", "none", ("resources",)),
    "backer_budget": ("backer", "none", ("resources",)),
    "blockade": ("faction", "territory", ("months",)),
    "note": ("any?", "any?", ()),
})

# an ISO 3166-2 subdivision code (country, hyphen, 1-3 letters or digits), optionally with a
# sub-node suffix: ``XX-ABC`` or ``XX-ABC.place``
TERRITORY_ID = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}(\.[a-z][a-z0-9_]*)?$")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
ID = re.compile(r"^[a-z][a-z0-9_]*$")

# --- the largest plausible value of each quantity (docs/scenario-format.md): a bigger one is a
# typo or an attack, and would overflow or turn to inf in a run
MAXIMA: Mapping[str, float] = MappingProxyType({
    "population": 1e8,           # persons in one territory
    "strategic_weight": 100.0,
    "fighters": 1e7,             # a faction's, a deployment, an entering force
    "resources": 1e8,            # k$: a stock, a state revenue or a budget given by an event
    "budget": 1e7,               # k$ per month
    "weight": 1e3,               # a proxy's initial preference
    "fighters_per_month": 1e6,   # volunteers
    "months": 600,               # an event's duration
    "provinces": 1e4,            # a total
})

# --- codes of the model's arrays
HOSTILE, NEUTRAL, ALLIED = 0, 1, 2
RELATION_CODES: Mapping[str, int] = MappingProxyType(
    {"hostile": HOSTILE, "neutral": NEUTRAL, "allied": ALLIED})
RELATION_NAMES = ("hostile", "neutral", "allied")  # indexed by code
NO_ONE = -1            # controller code of a contested territory
NEVER = 10**6          # a month after every scenario
LINK_CODES: Mapping[str, int] = MappingProxyType({"road": 1, "pass": 2, "mountain": 3})  # 0: none
TERRAIN_CODES: Mapping[str, int] = MappingProxyType(
    {"plain": 0, "hills": 1, "mountain": 2, "urban": 3})
