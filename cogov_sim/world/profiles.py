"""Starting profiles of the organizations and of people's awareness of the center levels.

Each number says where it comes from: a source in the evidence notes or "assumption" (a plausible value that the
scenario does not set and no source pins down). A :class:`Beta` value is drawn per organization from the
builder's stream, in the order specialties, motive, commitment, maturity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cogov_sim.scenario import LEVELS


@dataclass(frozen=True)
class Beta:
    """A Beta(a, b) distributed value, drawn once per organization."""

    a: float
    b: float

    def draw(self, rng: np.random.Generator) -> float:
        """One value."""
        return float(rng.beta(self.a, self.b))


def value(v: float | Beta, rng: np.random.Generator) -> float:
    """A fixed value as it is; a Beta value drawn from ``rng``."""
    return v.draw(rng) if isinstance(v, Beta) else v


@dataclass(frozen=True)
class Profile:
    """How an organization of one kind starts.

    Attributes:
        capacity: joint actions it can take part in per week.
        motive: 0-1 willingness to take part.
        commitment: 0-1 commitment to co-governance at the start.
        specialty_share: chance each function is a specialty (drawn per function); None where the builder gives
            the specialties (PARTY_SPECIALTIES for Party organizations; a department's two; one for a social one).
        maturity: 0-1 maturity at founding (social organizations only).
        based_at: center levels it is based at, nearest one (empty: any level).

    """

    capacity: float
    motive: float | Beta
    commitment: float | Beta
    specialty_share: float | None = None
    maturity: float | Beta | None = None
    based_at: tuple[str, ...] = ()


PROFILES: dict[str, Profile] = {
    # the street working committee runs the street center and convenes twice as often as a branch
    "street_committee": Profile(capacity=6.0, motive=1.0, commitment=0.8),  # assumption
    "branch": Profile(capacity=3.0, motive=1.0, commitment=0.7, based_at=("residential", "grid")),  # assumption
    "workplace_party": Profile(  # Party organization of an office building or park: assumption
        capacity=2.0, motive=0.9, commitment=0.6, based_at=("building", "park", "grid")
    ),
    "department": Profile(capacity=3.0, motive=0.6, commitment=0.3),  # assumption
    "enterprise": Profile(  # mostly weak motive and commitment at the start: assumption
        capacity=1.0, motive=Beta(2, 4), commitment=Beta(2, 6), specialty_share=0.2
    ),
    "social_org": Profile(  # mission-driven (high motive), one specialty: assumption
        capacity=2.0, motive=Beta(5, 2), commitment=Beta(3, 4), maturity=Beta(4, 4)
    ),
}
"""Organization profiles by name."""


PARTY_SPECIALTIES: dict[str, tuple[str, ...]] = {
    "street": ("party_building", "deliberation", "government_services"),
    "residential": ("party_building", "deliberation"),
    "workplace": ("party_building", "training"),
}
"""What Party organizations can deliver themselves: organization life and deliberation (the council hall), the
street committee also the affairs service it runs, a building's Party organization training (assumption; MODEL.md
§2). Other needs call for partners: departments, enterprises, social organizations."""


DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("civil affairs", "livelihood"),
    ("human resources & social security", "training"),
    ("justice", "deliberation"),
    ("health", "livelihood"),
    ("culture", "culture_sports"),
    ("market regulation", "government_services"),
    ("housing", "government_services"),
    ("education", "training"),
)
"""Street-level government departments in order, with the function each serves besides government services
(the usual line departments of a street office: assumption); more departments than rows repeat the list."""


INITIAL_AWARENESS: dict[str, float] = {
    "district": 0.4,
    "street": 0.45,
    "grid": 0.3,
    "residential": 0.25,
    "building": 0.3,
    "park": 0.3,
    "rider": 0.1,
}
"""Chance a person knows of a level's centers at the start. The residential tier's 0.25 is set from the evidence:
about 70% of residents do not know their residents' committee director (Evidence §1.4, SUNS), and with the Party
members' bonus 0.25 leaves about 70% of residents unaware of their station (plausible 0.15-0.4). The other levels'
values are assumptions (plausible ± 0.2)."""

PARTY_AWARENESS_BONUS = 0.4
"""Party members know more of the network (added, capped at 1): assumption."""
RIDER_KNOWS_STATIONS = 0.8
"""Riders' awareness of rider stations: assumption."""
WORKER_KNOWS_BUILDING = 0.6
"""Employees' awareness of their building's station: assumption."""


def awareness_levels() -> np.ndarray:
    """``INITIAL_AWARENESS`` as an array in ``LEVELS`` order."""
    return np.array([INITIAL_AWARENESS[lv] for lv in LEVELS])
