"""The Mesa agents: residents (thin handles on the population arrays) and the few organizations.

Residents are many, so their state lives in :class:`cogov_sim.population.Population` columns and a
:class:`Resident` only knows its index. Organizations are few and heterogeneous, so they are ordinary objects
that make their own decisions (whether to take part, whether to convene).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

from cogov_sim.scenario import FUNCTIONS, SEGMENTS

if TYPE_CHECKING:
    from cogov_sim.model import CoGovModel

ORG_TYPES: tuple[str, ...] = ("party", "department", "enterprise", "social_org")
"""Organization actor types; with residents these are the five actor types of MODEL.md §2."""


class Resident(mesa.Agent):
    """A person living or working in the place; a view on row ``idx`` of the population arrays."""

    def __init__(self, model: CoGovModel, idx: int) -> None:
        super().__init__(model)
        self.idx = idx

    @property
    def segment(self) -> str:
        """Segment name (elderly, working_adult, parent, office_worker, rider)."""
        return SEGMENTS[int(self.model.pop.segment[self.idx])]

    @property
    def party_member(self) -> bool:
        """Whether the person is a Party member."""
        return bool(self.model.pop.party[self.idx])

    def state(self) -> dict[str, float]:
        """The person's consciousness, trust and volunteer status."""
        p = self.model.pop
        return {
            "trust": float(p.trust[self.idx]),
            "service": float(p.service[self.idx]),
            "cogov": float(p.cogov[self.idx]),
            "identification": float(p.identification[self.idx]),
            "volunteer": bool(p.volunteer[self.idx]),
        }


class Organization(mesa.Agent):
    """Common state of an organized actor: a node in the tie network, capacity, motive and commitment.

    Attributes:
        node: node id in the tie network (after all residents).
        center: index of the center it operates or is based at (-1 none).
        area: residential area it belongs to (-1 none).
        capacity: joint actions it can take part in per week.
        motive: 0-1 willingness to take part (social responsibility, reputation, access).
        commitment: 0-1 commitment to co-governance; grows with shared success.
        specialties: functions it can deliver.

    """

    kind: ClassVar[str] = ""

    def __init__(
        self,
        model: CoGovModel,
        node: int,
        center: int,
        area: int,
        capacity: float,
        motive: float,
        commitment: float,
        specialties: np.ndarray,
        label: str,
    ) -> None:
        super().__init__(model)
        self.node = node
        self.center = center
        self.area = area
        self.capacity = capacity
        self.motive = motive
        self.commitment = commitment
        self.specialties = specialties
        self.label = label
        self.active = True
        self.convening = True
        self.busy = 0.0
        self.convened = 0
        self.joined = 0
        self.successes = 0
        self.founded = 0

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


class PartyOrganization(Organization):
    """A Party organization: street working committee, residential branch, building/park or two-new org.

    Party organizations operate centers, convene activities and joint meetings, collect needs, broker
    introductions, recruit volunteers and sign co-building agreements.
    """

    kind: ClassVar[str] = "party"

    def __init__(self, *args, tier: str = "branch", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tier = tier
        self.campaign = 1.0

    def convening_rate(self, threshold: float) -> float:
        """Activities per week: the scenario's convening capacity times any running campaign."""
        if not (self.active and self.convening):
            return 0.0
        return self.model.config.organizations.convening_per_week * self.campaign * self.capacity_share

    @property
    def capacity_share(self) -> float:
        """The street committee convenes twice as much as a branch."""
        return 2.0 if self.tier == "street" else 1.0


class Department(Organization):
    """A government department: places service items in centers and responds to requests.

    ``responsiveness`` starts at the scenario's baseline (about one in three) and rises with coordination:
    ties to Party organizations and joint meetings.
    """

    kind: ClassVar[str] = "department"

    def __init__(self, *args, responsiveness: float = 0.33, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.responsiveness = responsiveness
        self.coordination = 0.0

    def responds(self, u: float) -> bool:
        """Whether the department responds to a request today."""
        p = min(0.95, self.responsiveness * (1.0 + self.coordination))
        return u < p


class Enterprise(Organization):
    """An enterprise in an office building, park or on the street frontage."""

    kind: ClassVar[str] = "enterprise"


class SocialOrganization(Organization):
    """A social organization: delivers service projects in its specialties; new ones are incubated at centers.

    ``maturity`` grows with successful projects; an organization that is still immature a year after its
    founding fails and becomes inactive.
    """

    kind: ClassVar[str] = "social_org"

    def __init__(self, *args, maturity: float = 0.5, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.maturity = maturity
