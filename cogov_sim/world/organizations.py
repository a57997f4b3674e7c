"""The organized actors of a place: plain state objects that make their own few decisions.

Organizations are few and heterogeneous, so each is an object (not a column): a node in the tie network with a
capacity, a motive and a commitment. They live in ``World.orgs`` and need no Mesa model; ``cogov_sim.agents``
gives them Mesa views when a ``CoGovModel`` runs them. Their starting values are in
:mod:`cogov_sim.world.profiles`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from cogov_sim.scenario import FUNCTIONS

ORG_TYPES: tuple[str, ...] = ("party", "department", "enterprise", "social_org")
"""Organization actor types; with residents these are the five actor types of MODEL.md §2."""


@dataclass(eq=False)
class Organization:
    """Common state of an organized actor: a node in the tie network, capacity, motive and commitment.

    Attributes:
        node: node id in the tie network (after all residents).
        center: index of the center it operates or is based at (-1 none).
        area: residential area it belongs to (-1 none).
        capacity: joint actions it can take part in per week.
        motive: 0-1 willingness to take part (social responsibility, reputation, access).
        commitment: 0-1 commitment to co-governance; grows with shared success.
        specialties: functions it can deliver (bool per function).
        label: a readable name.
        active: whether it still exists.
        convening: whether it convenes activities of its own (a withdrawal switches this off).
        busy: joint actions taken part in this week.
        convened: activities convened so far.
        joined: activities joined as a partner so far.
        successes: successful joint actions so far.
        founded: day it was founded (0 for the starting ones).

    """

    kind: ClassVar[str] = ""

    node: int
    center: int
    area: int
    capacity: float
    motive: float
    commitment: float
    specialties: np.ndarray
    label: str
    active: bool = True
    convening: bool = True
    busy: float = 0.0
    convened: int = 0
    joined: int = 0
    successes: int = 0
    founded: int = 0

    def free_capacity(self) -> float:
        """Share of this week's capacity still free (0-1)."""
        return max(0.0, 1.0 - self.busy / max(self.capacity, 1e-9))

    def accepts(self, tie_hours: float, relevance: float, u: float) -> bool:
        """Decide whether to join an invitation: motive × tie to the convener × free capacity (MODEL.md §3.2)."""
        if not self.active:
            return False
        tie = min(1.0, 0.3 + tie_hours / 20.0)
        p = self.motive * tie * self.free_capacity() * (0.5 + 0.5 * relevance)
        return u < p

    def convening_rate(self, threshold: float) -> float:
        """Activities per week this organization convenes by itself (emergent co-governance)."""
        if not self.active or self.commitment <= threshold:
            return 0.0
        return 0.5 * (self.commitment - threshold) / (1.0 - threshold)

    def specialty_names(self) -> list[str]:
        """Functions this organization can deliver."""
        return [FUNCTIONS[i] for i in np.flatnonzero(self.specialties)]


@dataclass(eq=False)
class PartyOrganization(Organization):
    """A Party organization: street working committee, residential branch, building/park or two-new org.

    Party organizations operate centers, convene activities and joint meetings, collect needs, broker
    introductions, recruit volunteers and sign co-building agreements. ``per_week`` is the scenario's
    ``organizations.convening_per_week``; ``campaign`` multiplies it while a mobilization campaign runs.
    """

    kind: ClassVar[str] = "party"

    tier: str = "branch"
    per_week: float = 0.0
    campaign: float = 1.0

    def convening_rate(self, threshold: float) -> float:
        """Activities per week: the scenario's convening capacity times any running campaign."""
        if not (self.active and self.convening):
            return 0.0
        return self.per_week * self.campaign * self.capacity_share

    @property
    def capacity_share(self) -> float:
        """The street committee convenes twice as much as a branch."""
        return 2.0 if self.tier == "street" else 1.0


@dataclass(eq=False)
class Department(Organization):
    """A government department: places service items in centers and responds to requests.

    ``responsiveness`` starts at the scenario's baseline (about one in three) and rises with coordination:
    ties to Party organizations and joint meetings.
    """

    kind: ClassVar[str] = "department"

    responsiveness: float = 0.33
    coordination: float = 0.0

    def responds(self, u: float) -> bool:
        """Whether the department responds to a request today."""
        p = min(0.95, self.responsiveness * (1.0 + self.coordination))
        return u < p


@dataclass(eq=False)
class Enterprise(Organization):
    """An enterprise in an office building, park or on the street frontage."""

    kind: ClassVar[str] = "enterprise"


@dataclass(eq=False)
class SocialOrganization(Organization):
    """A social organization: delivers service projects in its specialties; new ones are incubated at centers.

    ``maturity`` grows with successful projects; an organization that is still immature a year after its
    founding fails and becomes inactive.
    """

    kind: ClassVar[str] = "social_org"

    maturity: float = 0.5
