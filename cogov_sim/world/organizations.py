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

ACCEPT_TIE_FLOOR = 0.3
"""Tie factor of an invitation from a convener one has no tie with (0-1): assumption, plausible 0.1-0.5."""
ACCEPT_TIE_HOURS = 20.0
"""Tie hours to a convener at which the tie factor of an invitation reaches 1 (with the floor): assumption,
plausible 10-40 h."""
ACCEPT_RELEVANCE_FLOOR = 0.5
"""Share of the chance of joining an invitation that does not need one's specialty (relevance 0; it rises
linearly to 1 at relevance 1): assumption, plausible 0.25-0.75."""
STREET_CONVENING_SHARE = 2.0
"""The street working committee convenes this many times a branch's ``convening_per_week``: assumption, plausible
1-3."""
MAX_RESPONSE_PROBABILITY = 0.95
"""Upper bound of a department's chance of responding to a request, however coordinated: assumption, plausible
0.9-1."""
READY_TIES = 3
"""Organizations one is tied to (at READY_TIE_HOURS) for full marks on ties in readiness: assumption, plausible
2-5."""
READY_TIE_HOURS = 10.0
"""Tie hours with another organization that count as a link in readiness, h: assumption (between the
acquaintance level, 2 h, and an agreement's 20 h), plausible 5-20 h."""
READY_SUCCESSES = 5
"""Recent successful joint actions (``recent_successes``) for full marks on the record in readiness: assumption,
plausible 3-10."""
READY_COMMITMENT_WEIGHT = 0.5
"""Weight of commitment in readiness: assumption (Ansell & Gash 2008: commitment, trust, small wins), plausible
0.4-0.6."""
READY_TIES_WEIGHT = 0.25
"""Weight of the ties to other organizations in readiness: assumption, plausible 0.15-0.35."""
READY_RECORD_WEIGHT = 0.25
"""Weight of the recent record of joint actions (small wins) in readiness: assumption, plausible 0.15-0.35."""
RECORD_HALF_LIFE_DAYS = 180.0
"""Half-life of an organization's recent record of successes and failures, days (a small win is remembered for a
season or two, then forgotten without new action): assumption, plausible 90-365."""
MAX_AGREEMENTS = 5
"""Co-building agreements an organization can hold at once: each holds a regular joint action about every two
weeks, and an organization has the capacity to maintain only a few such regular partnerships (a branch's
capacity is 3 joint actions a week): assumption, plausible 2-10."""
NON_PARTY_MAX_PER_WEEK = 0.5
"""Activities a week a fully ready non-Party organization convenes (half a Party branch's default): assumption,
plausible 0.25-1."""


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
        successes: successful joint actions so far (lifetime count, for the indicators).
        recent_successes: successful joint actions, each discounted by its age (half-life
            ``RECORD_HALF_LIFE_DAYS``; decayed weekly by the feedback phase).
        recent_failures: failed joint actions, discounted in the same way.
        founded: day it was founded (0 for the starting ones).
        linked: other organizations it is tied to at ``READY_TIE_HOURS`` or more (updated weekly).

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
    recent_successes: float = 0.0
    recent_failures: float = 0.0
    founded: int = 0
    linked: int = 0

    def free_capacity(self) -> float:
        """Share of this week's capacity still free (0-1)."""
        return max(0.0, 1.0 - self.busy / max(self.capacity, 1e-9))

    def acceptance(self, tie_hours: float, relevance: float) -> float:
        """Chance of joining an invitation: motive × tie to the convener × free capacity (MODEL.md §3.2)."""
        if not self.active:
            return 0.0
        tie = min(1.0, ACCEPT_TIE_FLOOR + tie_hours / ACCEPT_TIE_HOURS)
        return (
            self.motive
            * tie
            * self.free_capacity()
            * (ACCEPT_RELEVANCE_FLOOR + (1 - ACCEPT_RELEVANCE_FLOOR) * relevance)
        )

    def record_outcome(self, success: bool) -> None:
        """Count a joint action it took part in: lifetime successes, and the recent record of wins or failures."""
        if success:
            self.successes += 1
            self.recent_successes += 1.0
        else:
            self.recent_failures += 1.0

    def decay_record(self, days: float) -> None:
        """Discount the recent record by ``days`` of age (half-life ``RECORD_HALF_LIFE_DAYS``)."""
        keep = 0.5 ** (days / RECORD_HALF_LIFE_DAYS)
        self.recent_successes *= keep
        self.recent_failures *= keep

    def record(self) -> float:
        """The recent record of joint actions, 0-1: recent wins (saturating) times the recent success share.

        record = min(1, s / READY_SUCCESSES) · s / (s + f), with s, f the recent successes and failures (0 when
        there are none), so failures and inactivity both lower it.
        """
        s, f = self.recent_successes, self.recent_failures
        if s <= 0.0:
            return 0.0
        return min(1.0, s / READY_SUCCESSES) * s / (s + f)

    def readiness(self) -> float:
        """Readiness to convene: commitment, ties to other organizations and the recent record (each 0-1).

        readiness = READY_COMMITMENT_WEIGHT · commitment + READY_TIES_WEIGHT · min(1, linked / READY_TIES)
                    + READY_RECORD_WEIGHT · record  (weights 0.5, 0.25, 0.25; see :meth:`record`)
        """
        ties = min(1.0, self.linked / READY_TIES)
        commitment = READY_COMMITMENT_WEIGHT * self.commitment
        return commitment + READY_TIES_WEIGHT * ties + READY_RECORD_WEIGHT * self.record()

    def convening_rate(self, threshold: float) -> float:
        """Activities per week this organization convenes by itself (emergent co-governance)."""
        r = self.readiness()
        if not (self.active and self.convening) or r <= threshold:
            return 0.0
        return NON_PARTY_MAX_PER_WEEK * (r - threshold) / (1.0 - threshold)

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
        """The street committee convenes ``STREET_CONVENING_SHARE`` times as much as a branch."""
        return STREET_CONVENING_SHARE if self.tier == "street" else 1.0


@dataclass(eq=False)
class Department(Organization):
    """A government department: places service items in centers and responds to requests.

    ``responsiveness`` starts at the scenario's baseline (about one in three) and rises with coordination:
    ties to Party organizations and joint meetings.
    """

    kind: ClassVar[str] = "department"

    responsiveness: float = 0.33
    coordination: float = 0.0

    def response_probability(self) -> float:
        """Chance the department responds to a request: responsiveness × (1 + coordination), bounded.

        The bound is ``MAX_RESPONSE_PROBABILITY``.
        """
        return min(MAX_RESPONSE_PROBABILITY, self.responsiveness * (1.0 + self.coordination))

    def responds(self, u: float) -> bool:
        """Whether the department responds to a request today."""
        return u < self.response_probability()


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


@dataclass
class OrgTable:
    """The organizations as columns for vectorized choices (built once a day; capacities stay on the objects)."""

    node: np.ndarray  # int64 tie-network node
    kind: np.ndarray  # int8 index into ORG_TYPES
    active: np.ndarray  # bool
    center: np.ndarray  # int64 base center (-1 none)
    specialties: np.ndarray  # bool (orgs, functions)

    @classmethod
    def of(cls, orgs: list[Organization]) -> OrgTable:
        """The table of ``orgs`` in node order."""
        nf = len(FUNCTIONS)
        return cls(
            node=np.array([o.node for o in orgs], dtype=np.int64),
            kind=np.array([ORG_TYPES.index(o.kind) for o in orgs], dtype=np.int8),
            active=np.array([o.active for o in orgs], dtype=bool),
            center=np.array([o.center for o in orgs], dtype=np.int64),
            specialties=np.array([o.specialties for o in orgs], dtype=bool).reshape(len(orgs), nf),
        )
