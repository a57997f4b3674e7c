"""Random streams: one per mechanism and day, derived from the run seed and the mechanism's name.

Deriving a fresh stream for every (mechanism, day) means a policy that changes how many numbers one mechanism
draws today cannot shift the draws of any other mechanism, nor of the same mechanism on later days: the arms of
a what-if share their randomness wherever the policy does not act (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, name: str, day: int = 0) -> np.random.Generator:
    """A generator for mechanism ``name`` on ``day`` of a run with ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(name.encode()), day])))
