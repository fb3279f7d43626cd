"""Random streams: every draw of a run comes from its seed, through named streams.

A replicate's seed depends only on the root seed and its number (numpy ``SeedSequence``
spawning); inside a run each mechanism that draws has its own generator,
``SeedSequence(seed, spawn_key=(crc32(name),))``, so adding a mechanism never shifts another's
draws.
"""

from __future__ import annotations

import zlib

import numpy as np


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..n-1, spawned from ``root_seed`` (independent streams)."""
    children = np.random.SeedSequence(root_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def stream(seed: int, name: str) -> np.random.Generator:
    """The random generator of mechanism ``name`` for the run with ``seed``."""
    return np.random.default_rng(
        np.random.SeedSequence(seed, spawn_key=(zlib.crc32(name.encode()),)))
