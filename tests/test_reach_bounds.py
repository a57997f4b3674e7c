"""Candidate centers bounded per level: a person weighs the nearest few of each far level, not all of them."""

from __future__ import annotations

import numpy as np
import pytest

from cogov_sim.choice_set import CANDIDATES, DISTRICT_CANDIDATES, LEVEL_CANDIDATES, STREET_CANDIDATES
from cogov_sim.scenario import LEVELS
from cogov_sim.world import build_world
from cogov_sim.world.reach import candidates
from tests.conftest import small

SEED = 5
DISTRICT = {
    "count": 4,
    "placement": "even",
    "area_m2": [3000, 5000],
    "open_slots": ["morning", "afternoon"],
    "open_days": ["weekday", "weekend"],
    "functions": ["party_building", "government_services", "deliberation"],
}


def unbounded(world, anchor: str, rows: np.ndarray) -> list[np.ndarray]:
    """The rule before the bound: the CANDIDATES nearest and every street and district center (sorted sets)."""
    c, pts = world.centers, getattr(world.pop, anchor)[rows]
    active = np.flatnonzero(c.active)
    d = np.hypot(c.x[active][None, :] - pts[:, :1], c.y[active][None, :] - pts[:, 1:2])
    near = active[np.argsort(d, axis=1, kind="stable")[:, :CANDIDATES]]
    far = active[np.isin(c.level[active], [LEVELS.index("street"), LEVELS.index("district")])]
    return [np.unique(np.concatenate([a, far])) for a in near]


@pytest.fixture(scope="module")
def city():
    """A district of 12 streets of about 4.7 km² each (Shanghai's central streets: 2-7 km²) and 4 district
    centers, with grid and residential centers in proportion."""
    sc = small("baseline", 0.005, **{
        "population.residents": 250_000, "population.residential_areas": 60, "area.width_m": 8000,
        "area.height_m": 7000, "centers.street.count": 12, "centers.grid.count": 30,
        "centers.residential.count": 90, "centers.district": DISTRICT})  # fmt: skip
    return build_world(sc, SEED)


def test_one_street_center_weighs_as_before():
    world = build_world(small("baseline", 0.02), SEED)
    cand = world.reach.cand["home"]
    rows = np.arange(0, world.n, 7)
    got = [np.unique(r[r >= 0]) for r in cand.idx[rows]]
    want = unbounded(world, "home", rows)
    assert cand.idx.shape[1] == CANDIDATES + 1  # the one street center, not a bound, sets the width
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))


def test_a_person_weighs_the_nearest_few_of_each_far_level(city):
    c = city.centers
    cand = city.reach.cand["home"]
    assert cand.idx.shape[1] == CANDIDATES + STREET_CANDIDATES + DISTRICT_CANDIDATES
    rows = np.arange(0, city.n, 11)
    pts = city.pop.home[rows]
    for level, k in LEVEL_CANDIDATES.items():
        members = np.flatnonzero(c.active & (c.level == LEVELS.index(level)))
        assert len(members) > k  # the bound binds
        d = np.hypot(c.x[members][None, :] - pts[:, :1], c.y[members][None, :] - pts[:, 1:2])
        nearest = members[np.argsort(d, axis=1)[:, :k]]
        weighed = cand.idx[rows]
        for want, have in zip(nearest, weighed, strict=True):
            assert set(want.tolist()) <= set(have.tolist())
            assert (c.level[have[have >= 0]] == LEVELS.index(level)).sum() <= k + CANDIDATES


def test_the_centers_left_out_carry_almost_none_of_a_persons_weight(city):
    rows = np.arange(0, city.n, 5)
    bounded = candidates(city.centers, city.pop, city.scenario, "home", rows)
    full = unbounded(city, "home", rows)
    c, b = city.centers, city.scenario.behaviour
    pts = city.pop.home[rows]
    lost = []
    for r, (kept, everything) in enumerate(zip(bounded.idx, full, strict=True)):
        dist = np.hypot(c.x[everything] - pts[r, 0], c.y[everything] - pts[r, 1]) * b.detour_factor
        need = int(city.pop.need[rows[r]])
        offers = c.functions[everything, need]
        w = (c.area_m2[everything] / 100.0) ** b.area_exponent * (1 + b.need_match_weight * offers)
        w = w * np.exp(-b.decay_per_km * dist / 1000.0)
        out = ~np.isin(everything, kept)
        lost.append(w[out].sum() / w.sum())
    lost = np.array(lost)
    assert (lost > 0).mean() > 0.9  # the bound does leave centers out
    assert np.median(lost) < 0.01 and lost.max() < 0.05
