"""Reach: which centers each person weighs, the center nearest each home, and whom a convener can reach.

These tables depend only on the centers (where, which level, how big, which functions, which are active) and on
where people live and work, not on the day, so they are derived state of the World, rebuilt by its edits
(``World.refresh_reach``), not by the daily presence phase. The static part of the presence rule (MODEL.md §3.3)
is computed here for each candidate center j of person i:

    w_ij(static) = (area_j / 100)^α · (1 + need_match · offers_j[need_i]) · exp(-decay · walk_km_ij)

The presence phase multiplies it by awareness, service quality, opening and today's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from cogov_sim.choice_set import CANDIDATES, LEVEL_CANDIDATES
from cogov_sim.city import Centers
from cogov_sim.population import Population
from cogov_sim.scenario import LEVELS, Scenario


@dataclass
class Candidates:
    """Candidate centers of the people anchored at one kind of place (home or work)."""

    rows: np.ndarray  # people these rows belong to
    idx: np.ndarray  # (rows, K) center index, -1 none
    safe: np.ndarray  # idx with -1 replaced by 0 (its weight is 0), for gathers
    dist: np.ndarray  # (rows, K) walking distance, m
    weight: np.ndarray  # (rows, K) static Huff weight
    level: np.ndarray  # (rows, K) level of each candidate
    _awareness_at: np.ndarray | None = field(default=None, repr=False, compare=False)

    def awareness_at(self, n_levels: int) -> np.ndarray:
        """(rows, K) flat index of each candidate's level in the people's (people, levels) awareness array."""
        if self._awareness_at is None:
            self._awareness_at = self.rows[:, None].astype(np.intp) * n_levels + self.level
        return self._awareness_at


class Groups:
    """Members of each key value, found by binary search in a sorted order."""

    def __init__(self, keys: np.ndarray) -> None:
        self.order = np.argsort(keys, kind="stable")
        self.sorted = np.asarray(keys, dtype=np.int64)[self.order]  # searched with int64 keys: no copy per search

    def members(self, key: int) -> np.ndarray:
        """Indices whose key is ``key``."""
        lo, hi = np.searchsorted(self.sorted, [key, key + 1])
        return self.order[lo:hi]


@dataclass
class Reach:
    """The reach tables of one state of the center network.

    Attributes:
        cand: candidate centers per anchor: ``home`` (everyone) and ``work`` (office workers and riders).
        nearest_center: the active center nearest each home (-1 with no centers).
        nearest_dist: walking distance to it, m (inf with no centers).
        by_center: people grouped by the center nearest their home (their workplace for employees).
        by_area: people grouped by residential area.
        center_area: residential area of each center.
        coverage_cache: 15-minute coverage per opening pattern (``indicators.coverage_15min``).

    """

    cand: dict[str, Candidates]
    nearest_center: np.ndarray
    nearest_dist: np.ndarray
    by_center: Groups
    by_area: Groups
    center_area: np.ndarray
    coverage_cache: dict[bytes, float] = field(default_factory=dict)

    def catchment(self, center: int, area: int) -> np.ndarray:
        """People a convener at ``center`` serving residential ``area`` reaches (either may be -1)."""
        parts = [self.by_center.members(center)] if center >= 0 else []
        if area >= 0:
            parts.append(self.by_area.members(area))
        elif center >= 0:
            parts.append(self.by_area.members(int(self.center_area[center])))
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def candidates(c: Centers, pop: Population, sc: Scenario, anchor: str, rows: np.ndarray) -> Candidates:
    """Candidate centers of ``rows`` from their ``anchor`` (``home`` or ``work``).

    The ``CANDIDATES`` nearest active centers plus the nearest ``LEVEL_CANDIDATES`` of each far level (street,
    district), in ascending center index, with walking distances and static Huff weights (index -1 and weight 0
    where a row has fewer, or where a far center was already among the nearest).
    """
    b = sc.behaviour
    active = np.flatnonzero(c.active)
    pts = getattr(pop, anchor)[rows]
    parts = [nearest_of(c, active, pts, CANDIDATES)]
    for level, k in LEVEL_CANDIDATES.items():
        parts.append(nearest_of(c, active[c.level[active] == LEVELS.index(level)], pts, k))
    idx = np.concatenate(parts, axis=1)
    if idx.shape[1] > 1:
        # a street center already among the nearest appears twice: keep one
        idx = np.sort(idx, axis=1)
        dup = np.zeros(idx.shape, dtype=bool)
        dup[:, 1:] = idx[:, 1:] == idx[:, :-1]
        idx[dup] = -1
    safe = np.maximum(idx, 0)
    dist = np.hypot(c.x[safe] - pts[:, :1], c.y[safe] - pts[:, 1:2]) * b.detour_factor
    dist[idx < 0] = np.inf
    need = pop.need[rows].astype(np.int64)[:, None]
    weight = (
        (c.area_m2[safe] / 100.0) ** b.area_exponent
        * (1 + b.need_match_weight * c.functions[safe, need])
        * np.exp(-b.decay_per_km * dist / 1000.0)
    )
    weight[idx < 0] = 0.0
    return Candidates(
        rows,
        idx,
        safe.astype(np.intp),
        dist.astype(np.float32),
        weight.astype(np.float32),
        c.level[safe].astype(np.intp),
    )


def nearest_of(c: Centers, among: np.ndarray, pts: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` centers of ``among`` nearest each point (fewer columns when ``among`` is smaller)."""
    k = min(k, len(among))
    if k == 0:
        return np.zeros((len(pts), 0), dtype=np.int64)
    _, near = cKDTree(c.xy[among]).query(pts, k=k)
    return among[np.asarray(near).reshape(len(pts), k)]


def build_reach(c: Centers, pop: Population, sc: Scenario) -> Reach:
    """All reach tables for the centers ``c`` and the people ``pop``."""
    b = sc.behaviour
    active = np.flatnonzero(c.active)
    travels = (pop.work != pop.home).any(axis=1)
    cand = {
        "home": candidates(c, pop, sc, "home", np.arange(pop.n)),
        "work": candidates(c, pop, sc, "work", np.flatnonzero(travels)),
    }
    if len(active):
        d, near = cKDTree(c.xy[active]).query(pop.home, k=1)
        nearest_center = active[near]
        nearest_dist = d * b.detour_factor
    else:
        nearest_center = np.full(pop.n, -1)
        nearest_dist = np.full(pop.n, np.inf)
    # catchments: people grouped by the center nearest their home (or workplace for employees) and by area
    anchor_center = nearest_center.copy()
    employed = travels & (pop.workplace >= 0)
    if len(active) and employed.any():
        anchor_center[employed] = active[cKDTree(c.xy[active]).query(pop.work[employed], k=1)[1]]
    return Reach(cand, nearest_center, nearest_dist, Groups(anchor_center), Groups(pop.area), c.area_index)


def nearest_active(c: Centers, x: float, y: float, levels: tuple[str, ...] = (), fallback: bool = True) -> int:
    """The active center nearest (x, y), among ``levels`` if given (-1 when there is none).

    With ``fallback``, any active center when none of ``levels`` is active.
    """
    mask = c.active.copy()
    if levels:
        mask &= np.isin(c.level, [LEVELS.index(lv) for lv in levels])
        if not mask.any() and fallback:
            mask = c.active.copy()
    if not mask.any():
        return -1
    idx = np.flatnonzero(mask)
    return int(idx[np.argmin(np.hypot(c.x[idx] - x, c.y[idx] - y))])
