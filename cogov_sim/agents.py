"""The Mesa agents: thin views that a running ``CoGovModel`` gives the actors of its World.

The state lives in the World (:mod:`cogov_sim.world`): residents as population columns, organizations as plain
objects in ``world.orgs``. A :class:`Resident` knows only its row, an :class:`OrganizationAgent` only its
organization, so the phases never need a Mesa model and the Mesa views never hold state of their own.
"""

from __future__ import annotations

import mesa

from cogov_sim.scenario import SEGMENTS
from cogov_sim.world import World
from cogov_sim.world.organizations import Organization


class Resident(mesa.Agent):
    """A person living or working in the place; a view on row ``idx`` of the population arrays."""

    def __init__(self, model: mesa.Model, world: World, idx: int) -> None:
        super().__init__(model)
        self.world = world
        self.idx = idx

    @property
    def segment(self) -> str:
        """Segment name (elderly, working_adult, parent, office_worker, rider)."""
        return SEGMENTS[int(self.world.pop.segment[self.idx])]

    @property
    def party_member(self) -> bool:
        """Whether the person is a Party member."""
        return bool(self.world.pop.party[self.idx])

    def state(self) -> dict[str, float]:
        """The person's consciousness, trust and volunteer status."""
        p = self.world.pop
        return {
            "trust": float(p.trust[self.idx]),
            "service": float(p.service[self.idx]),
            "cogov": float(p.cogov[self.idx]),
            "identification": float(p.identification[self.idx]),
            "volunteer": bool(p.volunteer[self.idx]),
        }


class OrganizationAgent(mesa.Agent):
    """An organization of the World seen as a Mesa agent; ``org`` holds its state."""

    def __init__(self, model: mesa.Model, org: Organization) -> None:
        super().__init__(model)
        self.org = org

    @property
    def kind(self) -> str:
        """Actor type (``party``, ``department``, ``enterprise``, ``social_org``)."""
        return self.org.kind

    @property
    def label(self) -> str:
        """Its readable name."""
        return self.org.label
