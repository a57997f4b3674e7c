"""The daily phases of MODEL.md §3, one small unit each, run by ``CoGovModel.step`` in the order of ``PHASES``.

Each phase has a ``name`` (which seeds its random stream) and ``run(world, rng)``. A phase reads and writes the
world's arrays and ``world.today``, the scratch record of the current day that earlier phases fill for later ones.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from cogov_sim.mechanisms.consciousness import Consciousness
from cogov_sim.mechanisms.encounters import Encounters
from cogov_sim.mechanisms.feedback import Feedback
from cogov_sim.mechanisms.joint_action import JointAction
from cogov_sim.mechanisms.observation import Observation
from cogov_sim.mechanisms.org_presence import OrgPresence
from cogov_sim.mechanisms.presence import Presence
from cogov_sim.mechanisms.supply import Calendar, Supply
from cogov_sim.world import World


class Phase(Protocol):
    """One step of the daily process."""

    name: str

    def run(self, world: World, rng: np.random.Generator) -> None:
        """Advance this phase by one day."""


PHASES: tuple[type, ...] = (
    Calendar,
    Supply,
    OrgPresence,
    Presence,
    Encounters,
    JointAction,
    Feedback,
    Consciousness,
    Observation,
)
"""The daily order (MODEL.md §3)."""
