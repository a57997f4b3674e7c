"""Phase 8: observation. Computes the day's indicators (``cogov_sim.indicators``) and records them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from cogov_sim import indicators

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

PRUNE_EVERY = 30
FORGET_AFTER_DAYS = 60
"""A tie below the acquaintance level not renewed for this long is forgotten (assumption; keeps memory bounded)."""


class Observation:
    """Phase 8: record indicators; every 30 days forget passing contacts (below acquaintance, idle 60 days)."""

    name = "observation"

    def run(self, model: CoGovModel, rng: np.random.Generator) -> None:
        """Append today's indicators to ``model.records``."""
        if model.day % PRUNE_EVERY == 0:
            model.ties.prune(model.day, model.config.behaviour.acquaintance_hours, FORGET_AFTER_DAYS)
        row = {"day": model.day, **indicators.compute(model)}
        model.records.append(row)
