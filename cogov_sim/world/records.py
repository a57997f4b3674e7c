"""Records of a place: community problems, convened activities and the scratch record of the current day."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cogov_sim.scenario import FUNCTIONS
from cogov_sim.world.organizations import Organization


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@dataclass
class Activity:
    """A convened activity (joint action) at a center on one day."""

    convener: Organization
    center: int
    slot: int
    function: int
    problem: int = -1
    partners: list[Organization] = field(default_factory=list)
    face_to_face: bool = False
    participants: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    people: float = 0.0  # real people taking part (participants stand for some; see joint_action)
    invited: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    success: bool = False


@dataclass
class OrgPresent:
    """Organizations present at centers today: one row per session (or activity) at a center, slot and zone."""

    node: np.ndarray = field(default_factory=_empty)
    kind: np.ndarray = field(default_factory=_empty)  # index into ORG_TYPES
    center: np.ndarray = field(default_factory=_empty)
    slot: np.ndarray = field(default_factory=_empty)
    zone: np.ndarray = field(default_factory=_empty)

    def __len__(self) -> int:
        return len(self.node)

    def extend(self, node, kind, center, slot, zone) -> None:
        """Add rows."""
        for name, v in zip(("node", "kind", "center", "slot", "zone"), (node, kind, center, slot, zone), strict=True):
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(v, dtype=np.int64)]))

    def at(self, center: int, slot: int) -> set[int]:
        """Nodes of the organizations present at ``center`` in ``slot``."""
        return set(self.node[(self.center == center) & (self.slot == slot)].tolist())


@dataclass
class Today:
    """Scratch state of the current day, filled by the phases in order."""

    day: int
    weekend: bool
    activities: list[Activity] = field(default_factory=list)
    visitor: np.ndarray = field(default_factory=_empty)
    center: np.ndarray = field(default_factory=_empty)
    zone: np.ndarray = field(default_factory=_empty)
    slot: np.ndarray = field(default_factory=_empty)
    turned_away: np.ndarray = field(default_factory=_empty)
    served: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per visit: the need was met
    pairs: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: (_empty(), _empty()))
    org_present: OrgPresent = field(default_factory=OrgPresent)
    org_pairs: tuple[np.ndarray, np.ndarray] = field(default_factory=lambda: (_empty(), _empty()))


class Problems:
    """Community problems that arise in residential areas and are resolved (or not) by joint action."""

    TYPES: tuple[tuple[str, str], ...] = (
        ("elderly_care", "livelihood"),
        ("parking", "deliberation"),
        ("garbage_sorting", "deliberation"),
        ("renovation", "government_services"),
        ("dispute", "deliberation"),
        ("youth_after_school", "training"),
    )

    def __init__(self) -> None:
        self.area = np.zeros(0, dtype=np.int32)
        self.kind = np.zeros(0, dtype=np.int8)
        self.difficulty = np.zeros(0, dtype=np.float32)
        self.opened = np.zeros(0, dtype=np.int32)
        self.resolved = np.zeros(0, dtype=np.int32)  # day resolved, -1 open
        self._open_by_area: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, area: np.ndarray, kind: np.ndarray, difficulty: np.ndarray, day: int) -> None:
        """Open new problems."""
        self.area = np.concatenate([self.area, area.astype(np.int32)])
        self.kind = np.concatenate([self.kind, kind.astype(np.int8)])
        self.difficulty = np.concatenate([self.difficulty, difficulty.astype(np.float32)])
        self.opened = np.concatenate([self.opened, np.full(len(area), day, np.int32)])
        self.resolved = np.concatenate([self.resolved, np.full(len(area), -1, np.int32)])
        self._open_by_area = None

    def resolve(self, i: int, day: int) -> None:
        """Mark problem ``i`` resolved on ``day``."""
        self.resolved[i] = day
        self._open_by_area = None

    def open_in(self, area: int) -> np.ndarray:
        """The open problems of residential ``area``, ascending (kept until a problem opens or is resolved)."""
        if self._open_by_area is None:
            idx = np.flatnonzero(self.open_mask)
            idx = idx[np.argsort(self.area[idx], kind="stable")]
            self._open_by_area = (idx, self.area[idx])
        idx, areas = self._open_by_area
        lo, hi = np.searchsorted(areas, [area, area + 1])
        return idx[lo:hi]

    def function_of(self, i: int) -> int:
        """Function index that addresses problem ``i``."""
        return FUNCTIONS.index(self.TYPES[int(self.kind[i])][1])

    @property
    def open_mask(self) -> np.ndarray:
        """Which problems are open."""
        return self.resolved < 0
