"""Phase 8: observation. Computes the day's indicators (``cogov_sim.indicators``) and records them."""

from __future__ import annotations

import numpy as np

from cogov_sim import indicators, place_indicators
from cogov_sim.world import World

PRUNE_EVERY = 30
FORGET_AFTER_DAYS = 60
"""A tie below the acquaintance level not renewed for this long is forgotten (assumption; keeps memory bounded)."""


class Observation:
    """Phase 8: record indicators, in a city street by street too.

    Every 30 days passing contacts are forgotten (below acquaintance, idle 60 days).
    """

    name = "observation"

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Append today's indicators to ``world.records``."""
        if world.day % PRUNE_EVERY == 0:
            world.ties.prune(world.day, world.scenario.behaviour.acquaintance_hours, FORGET_AFTER_DAYS)
        row = {"day": world.day, **indicators.compute(world)}
        world.records.append(row)
        if world.places.plans:
            place_indicators.count_actions(world)
            place_indicators.record_streets(world)
