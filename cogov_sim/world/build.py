"""Build a World from a scenario and a seed: the place, its people, organizations, first ties and awareness.

Each part draws from its own stream (``init.population``, ``init.organizations``, ``init.awareness``,
``init.ties``, ``init.affinity``), so a change to one part does not move the draws of another. The layout and
the centers draw from streams of ``area.layout_seed`` (:mod:`cogov_sim.city`): replications share one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cogov_sim.city import Centers, Layout, build_centers, build_layout
from cogov_sim.population import Population, make_population
from cogov_sim.rng import stream
from cogov_sim.scenario import FUNCTIONS, LEVELS, SEGMENTS, Scenario
from cogov_sim.ties import TieStore
from cogov_sim.world.organizations import Department, Enterprise, Organization, PartyOrganization
from cogov_sim.world.profiles import (
    DEPARTMENTS,
    PARTY_AWARENESS_BONUS,
    PARTY_SPECIALTIES,
    PROFILES,
    RIDER_KNOWS_STATIONS,
    WORKER_KNOWS_BUILDING,
    Profile,
    awareness_levels,
    value,
)
from cogov_sim.world.reach import nearest_active
from cogov_sim.world.state import World, new_social_org

INITIAL_SAME_SEGMENT = 0.7
"""Share of initial neighbour ties within one's own segment (homophily; assumption)."""

NEIGHBOURS_PER_PERSON = 0.65
"""Mean initial neighbour ties a resident starts (Poisson); with the ties others start to them, a resident has
none with chance about exp(-2 · 0.65) = 0.27: Evidence §4.7 (27% almost never interact with neighbours)."""

REDRAWS = 3
"""Rounds in which a first tie drawn twice (or to oneself) is drawn again, so small samples do not lose ties."""

MAX_ORGS = 100_000
"""Room reserved for organization nodes after the residents in the tie network."""


def build_world(scenario: Scenario, seed: int) -> World:
    """The World of ``scenario`` for run ``seed`` on day 0."""
    layout = build_layout(scenario)
    pop = people(scenario, layout, seed)
    centers = build_centers(scenario, layout)
    orgs = organizations(scenario, layout, centers, pop, stream(seed, "init.organizations"))
    initial_awareness(pop, stream(seed, "init.awareness"))
    n_residents = len(layout.homes)
    ties = TieStore(pop.n + MAX_ORGS, scenario.behaviour.tie_half_life_days)
    neighbours = neighbour_ties(ties, pop, n_residents, stream(seed, "init.ties"))
    # stable seating position for encounters: regulars who come at the same time sit near the same people
    affinity = stream(seed, "init.affinity").random(pop.n)
    return World(scenario, int(seed), layout, centers, pop, n_residents, ties, affinity, orgs=orgs,
                 neighbours=neighbours)  # fmt: skip


def people(sc: Scenario, layout: Layout, seed: int) -> Population:
    """Residents (one per home of the layout) and commuters of the scenario."""
    p, b = sc.population, sc.behaviour
    return make_population(
        stream(seed, "init.population"),
        len(layout.homes),
        round(p.commuters * p.sample_fraction),
        dict(p.segments),
        p.party_member_share,
        layout.homes,
        layout.area_of_home,
        layout.workplaces,
        layout.rider_points,
        b.threshold_mean,
        b.threshold_sd,
        b.propensity_shape,
    )


def organizations(
    sc: Scenario, layout: Layout, c: Centers, pop: Population, rng: np.random.Generator
) -> list[Organization]:
    """The starting organizations in node order (Party, departments, enterprises, social organizations).

    Also links employees to their building's enterprise: ``pop.workplace`` becomes the enterprise's node.
    """
    orgs: list[Organization] = []
    nf = len(FUNCTIONS)

    def add(cls: type[Organization], prof: Profile, **fields: Any) -> Organization:
        motive = value(prof.motive, rng)
        commitment = value(prof.commitment, rng)
        org = cls(node=pop.n + len(orgs), capacity=prof.capacity, motive=motive, commitment=commitment, **fields)
        orgs.append(org)
        return org

    def based(xy: np.ndarray, prof: Profile) -> int:
        return nearest_active(c, xy[0], xy[1], prof.based_at)

    areas = layout.area_centers
    street_c = np.flatnonzero(c.level == LEVELS.index("street"))
    center0 = int(street_c[0]) if len(street_c) else (0 if len(c) else -1)
    per_week = sc.organizations.convening_per_week

    def holds(names: tuple[str, ...]) -> np.ndarray:
        return np.isin(np.array(FUNCTIONS), names)

    party = {"per_week": per_week, "specialties": holds(PARTY_SPECIALTIES["residential"])}
    add(
        PartyOrganization,
        PROFILES["street_committee"],
        center=center0,
        area=-1,
        label="street working committee",
        tier="street",
        per_week=per_week,
        specialties=holds(PARTY_SPECIALTIES["street"]),
    )
    for a in range(len(areas)):
        prof = PROFILES["branch"]
        add(
            PartyOrganization,
            prof,
            center=based(areas[a], prof),
            area=a,
            label=f"residential branch {a + 1}",
            tier="branch",
            **party,
        )
    for w in range(len(layout.workplaces)):
        prof = PROFILES["workplace_party"]
        add(
            PartyOrganization,
            prof,
            center=based(layout.workplaces[w], prof),
            area=-1,
            label=f"workplace Party org {w + 1}",
            tier="workplace",
            per_week=per_week,
            specialties=holds(PARTY_SPECIALTIES["workplace"]),
        )
    for d in range(sc.organizations.departments):
        name, function = DEPARTMENTS[d % len(DEPARTMENTS)]
        sp = np.zeros(nf, dtype=bool)
        sp[[FUNCTIONS.index("government_services"), FUNCTIONS.index(function)]] = True
        add(
            Department,
            PROFILES["department"],
            center=center0,
            area=-1,
            specialties=sp,
            label=name,
            responsiveness=sc.organizations.department_responsiveness,
        )
    # enterprises: employees of office buildings are linked through `workplace`
    prof = PROFILES["enterprise"]
    for e in range(sc.organizations.enterprises):
        w = e % max(len(layout.workplaces), 1)
        xy = layout.workplaces[w] if len(layout.workplaces) else areas[e % len(areas)]
        sp = rng.random(nf) < prof.specialty_share
        add(Enterprise, prof, center=based(xy, prof), area=-1, specialties=sp, label=f"enterprise {e + 1}")
    for s in range(sc.organizations.social_organizations):
        a = s % len(areas)
        k = len(orgs)
        orgs.append(new_social_org(rng, pop.n + k, k + 1, based(areas[a], PROFILES["social_org"]), a, day=0))
    # employees' workplace index -> the enterprise node in that building (first enterprise there)
    ent = [o for o in orgs if isinstance(o, Enterprise)]
    wp_to_node = np.full(max(len(layout.workplaces), 1), -1, dtype=np.int64)
    for i, e in enumerate(ent[: len(layout.workplaces)]):
        wp_to_node[i] = e.node
    has = pop.workplace >= 0
    pop.workplace[has] = wp_to_node[pop.workplace[has]]
    return orgs


def initial_awareness(pop: Population, rng: np.random.Generator) -> None:
    """Who knows of each level's centers at the start (``profiles.INITIAL_AWARENESS`` and its bonuses)."""
    p = awareness_levels()[None, :] * np.ones((pop.n, 1))
    p[pop.party] = np.minimum(1.0, p[pop.party] + PARTY_AWARENESS_BONUS)
    p[pop.segment == SEGMENTS.index("rider"), LEVELS.index("rider")] = RIDER_KNOWS_STATIONS
    p[pop.workplace >= 0, LEVELS.index("building")] = WORKER_KNOWS_BUILDING
    pop.awareness[:] = rng.random(p.shape) < p


def anyone_else(key: np.ndarray, who: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each of ``who``, a random other person with the same ``key`` (itself if alone in its group)."""
    order = np.argsort(key, kind="stable")
    first = np.r_[0, np.flatnonzero(np.diff(key[order])) + 1]
    size = np.diff(np.r_[first, len(key)])
    group = np.repeat(np.arange(len(first)), size)
    pos = np.empty(len(key), dtype=np.int64)
    pos[order] = np.arange(len(key))
    g = group[pos[who]]
    shift = 1 + (rng.random(len(who)) * (size[g] - 1)).astype(np.int64)
    return order[first[g] + (pos[who] - first[g] + shift) % size[g]]


def neighbour_ties(ties: TieStore, pop: Population, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Thin neighbourliness among the ``n`` residents (Evidence §4.7), added to ``ties``; returns the pairs.

    Mostly acquaintance-level ties to someone of one's residential area, ``INITIAL_SAME_SEGMENT`` of them within
    one's own segment (people of one life stage); the partner is anyone of that group, so the share of pairs
    drawn twice, and so the ties a person starts with, does not depend on the sample fraction.
    """
    if n < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    k = rng.poisson(NEIGHBOURS_PER_PERSON, n)
    src = np.repeat(np.arange(n), k)
    same_seg = rng.random(len(src)) < INITIAL_SAME_SEGMENT
    dst = np.empty_like(src)
    redraw = np.ones(len(src), dtype=bool)
    for _ in range(REDRAWS):
        for mask, key in ((same_seg & redraw, pop.area[:n] * 8 + pop.segment[:n]), (~same_seg & redraw, pop.area[:n])):
            dst[mask] = anyone_else(key, src[mask], rng)
        pair = np.minimum(src, dst) * n + np.maximum(src, dst)
        redraw = np.ones(len(src), dtype=bool)
        redraw[np.unique(pair, return_index=True)[1]] = False
        redraw |= dst == src
        if not redraw.any():
            break
    same = (pop.area[dst] == pop.area[src]) & (dst != src)
    hours = rng.gamma(1.5, 8.0, len(src)).astype(np.float32)
    ties.add(src[same], dst[same], hours[same], day=0)
    return src[same], dst[same]
